package aio

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// startLoop runs l forever on its own goroutine, as the tutorial runs a loop
// in another thread, and returns a function that stops and closes it.
func startLoop(t *testing.T, l *Loop) (stop func()) {
	t.Helper()
	done := make(chan error)
	go func() { done <- l.RunForever() }()
	return func() {
		t.Helper()
		if err := l.CallSoonThreadsafe(l.Stop); err != nil {
			t.Fatalf("stopping the loop: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatalf("RunForever: %v", err)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestRunCoroutineThreadsafeOverlapsCoroutines(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		stop := startLoop(t, l)
		defer stop()
		start := time.Now()
		var futures []*ConcurrentFuture
		for _, x := range []time.Duration{6 * time.Second, 4 * time.Second} {
			f, err := l.RunCoroutineThreadsafe(func(t *Task) (any, error) { return x, t.Sleep(x) }, "")
			if err != nil {
				t.Fatal(err)
			}
			futures = append(futures, f)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("submitting blocked the caller for %v", took)
		}
		for i, f := range futures {
			res, err := f.Result(0)
			if err != nil || res != []time.Duration{6 * time.Second, 4 * time.Second}[i] {
				t.Errorf("future %d: %v, %v", i, res, err)
			}
		}
		if took := time.Since(start); took != 6*time.Second {
			t.Errorf("two coroutines of 6 s and 4 s took %v, want 6s", took)
		}
	})
}

func TestCallSoonThreadsafeRunsBlockingCallbacksOneAfterAnother(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		stop := startLoop(t, l)
		start := time.Now()
		finished := make(chan time.Duration, 2)
		for _, x := range []time.Duration{6 * time.Second, 3 * time.Second} {
			l.CallSoonThreadsafe(func() {
				time.Sleep(x) // blocks the loop, as time.sleep does in more_work
				finished <- time.Since(start)
			})
		}
		if a, b := <-finished, <-finished; a != 6*time.Second || b != 9*time.Second {
			t.Errorf("blocking callbacks finished at %v and %v, want 6s and 9s", a, b)
		}
		stop()
	})
}

func TestErrorInTheLoopReachesTheCaller(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		stop := startLoop(t, l)
		defer stop()
		boom := errors.New("boom")
		f, _ := l.RunCoroutineThreadsafe(func(t *Task) (any, error) {
			if err := t.Sleep(time.Second); err != nil {
				return nil, err
			}
			return nil, boom
		}, "fails")
		if _, err := f.Result(0); !errors.Is(err, boom) {
			t.Errorf("Result error = %v, want boom", err)
		}
	})
}

func TestConcurrentFutureTimeoutAndCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		stop := startLoop(t, l)
		defer stop()
		cancelledInside := make(chan bool, 1)
		f, _ := l.RunCoroutineThreadsafe(func(t *Task) (any, error) {
			err := t.Sleep(time.Hour)
			cancelledInside <- errors.Is(err, ErrCancelled)
			return nil, err
		}, "long")
		start := time.Now()
		if _, err := f.Result(2 * time.Second); !errors.Is(err, ErrTimeout) {
			t.Errorf("Result(2s) = %v, want ErrTimeout", err)
		}
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("Result(2s) waited %v", took)
		}
		if f.Done() {
			t.Error("future done after a timeout")
		}
		if !f.Cancel() {
			t.Error("Cancel of a pending future returned false")
		}
		if !<-cancelledInside {
			t.Error("the task did not see ErrCancelled at its await")
		}
		if _, err := f.Result(0); !errors.Is(err, ErrCancelled) || !f.Cancelled() || f.Cancel() {
			t.Errorf("after Cancel: Result error %v, Cancelled %v", err, f.Cancelled())
		}
	})
}

func TestCancelBeforeTheLoopTakesTheCoroutine(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		ran := false
		f, _ := l.RunCoroutineThreadsafe(func(t *Task) (any, error) { ran = true; return nil, nil }, "")
		f.Cancel()
		stop := startLoop(t, l)
		time.Sleep(time.Second)
		stop()
		if ran {
			t.Error("a coroutine cancelled before the loop took it ran")
		}
	})
}

func TestRunCoroutineThreadsafeOnAClosedLoop(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	l.Close()
	if _, err := l.RunCoroutineThreadsafe(func(*Task) (any, error) { return nil, nil }, ""); !errors.Is(err, ErrClosed) {
		t.Errorf("error = %v, want ErrClosed", err)
	}
}

func TestToThreadDoesNotBlockTheLoop(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		defer l.Close()
		var log events
		blocking := l.CreateTask(func(t *Task) (any, error) {
			return t.ToThread(func(context.Context) (any, error) {
				time.Sleep(2 * time.Second) // a blocking call, off the loop
				return "slept", nil
			})
		}, "blocking")
		ticker := l.CreateTask(func(t *Task) (any, error) {
			for range 3 {
				if err := t.Sleep(500 * time.Millisecond); err != nil {
					return nil, err
				}
				log.add("tick at %v", l.Time())
			}
			return nil, nil
		}, "ticker")
		res, err := l.RunUntilComplete(l.Gather(blocking, ticker))
		if err != nil || res.([]any)[0] != "slept" {
			t.Fatalf("gather = %v, %v", res, err)
		}
		if got := log.String(); got != "tick at 500ms | tick at 1s | tick at 1.5s" {
			t.Errorf("the loop was blocked: %s", got)
		}
	})
}

func TestCancellingToThreadCancelsItsContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		defer l.Close()
		stopped := make(chan error, 1)
		task := l.CreateTask(func(t *Task) (any, error) {
			return t.ToThread(func(ctx context.Context) (any, error) {
				<-ctx.Done()
				stopped <- ctx.Err()
				return nil, ctx.Err()
			})
		}, "")
		l.CallLater(time.Second, func() { task.Cancel() })
		if _, err := l.RunUntilComplete(task); !errors.Is(err, ErrCancelled) {
			t.Errorf("RunUntilComplete = %v, want ErrCancelled", err)
		}
		if err := <-stopped; !errors.Is(err, context.Canceled) {
			t.Errorf("fn's context: %v", err)
		}
	})
}

// FuturesAsCompleted gives the futures in the order they finish, each as
// soon as it does, and stops at ctx's end.
func TestFuturesAsCompletedYieldsInCompletionOrder(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		stop := startLoop(t, l)
		defer stop()
		start := time.Now()
		var futures []*ConcurrentFuture
		for _, x := range []time.Duration{6 * time.Second, 4 * time.Second} {
			f, err := l.RunCoroutineThreadsafe(func(t *Task) (any, error) { return x, t.Sleep(x) }, "")
			if err != nil {
				t.Fatal(err)
			}
			futures = append(futures, f)
		}
		var got []time.Duration
		for f, err := range FuturesAsCompleted(context.Background(), futures...) {
			if err != nil {
				t.Fatal(err)
			}
			res, _ := f.Result(0)
			if res != time.Since(start) {
				t.Errorf("the future of %v came at %v", res, time.Since(start))
			}
			got = append(got, res.(time.Duration))
		}
		if len(got) != 2 || got[0] != 4*time.Second || got[1] != 6*time.Second {
			t.Errorf("futures came as %v, want 4s then 6s", got)
		}

		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		slow, _ := l.RunCoroutineThreadsafe(func(t *Task) (any, error) { return nil, t.Sleep(time.Hour) }, "")
		for f, err := range FuturesAsCompleted(ctx, slow) {
			if f != nil || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("at ctx's end: %v, %v", f, err)
			}
		}
		slow.Cancel()
	})
}
