package aio

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Expected orders in this file and in future_test.go, task_test.go and
// gather_test.go come from running the equivalent Python (quoted next to
// each test where the order is not obvious) on CPython 3.11.7.

// trace records what a test logs, in order.
type trace struct{ lines []string }

func (tr *trace) add(format string, args ...any) {
	tr.lines = append(tr.lines, fmt.Sprintf(format, args...))
}

func (tr *trace) String() string { return strings.Join(tr.lines, " | ") }

// bubble runs fn in a synctest bubble with a fresh loop whose exception
// handler logs to the trace, closes the loop, and checks the trace against
// want. A task left pending shows up as a "handler:" line, so a test that
// forgets one fails.
func bubble(t *testing.T, want string, fn func(t *testing.T, l *Loop, tr *trace)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		t.Helper()
		tr := &trace{}
		l := NewLoop(WithExceptionHandler(func(c ExceptionContext) {
			name := "-"
			if c.Task != nil {
				name = c.Task.Name()
			}
			tr.add("handler: %s %s", c.Message, name)
		}))
		fn(t, l, tr)
		if err := l.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := tr.String(); got != want {
			t.Errorf("trace\n got: %s\nwant: %s", got, want)
		}
	})
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantErr checks that err is target (errors.Is) and reads exactly text.
func wantErr(t *testing.T, err, target error, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want %q", text)
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("error %q is not %v", err, target)
	}
	if err.Error() != text {
		t.Errorf("error text\n got: %q\nwant: %q", err.Error(), text)
	}
}

// panicOf runs fn and returns what it panicked with, formatted, or "" if it
// returned normally.
func panicOf(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// runFor runs the loop for d of loop time, then stops it.
func runFor(t *testing.T, l *Loop, d time.Duration) {
	t.Helper()
	l.CallLater(d, l.Stop)
	noErr(t, l.RunForever())
}

// ---- scheduling order ----

// loop.call_later(0, L, "A"); loop.call_soon(L, "B")
// loop.call_at(loop.time()-1, L, "C"); loop.call_soon(L, "D")
// -> B | D | C | A
func TestDueTimersRunAfterCallbacksAlreadyReady(t *testing.T) {
	t.Parallel()
	bubble(t, "B | D | C | A", func(t *testing.T, l *Loop, tr *trace) {
		l.CallLater(0, func() { tr.add("A") })
		l.CallSoon(func() { tr.add("B") })
		l.CallAt(l.Time()-time.Second, func() { tr.add("C") })
		l.CallSoon(func() { tr.add("D") })
		runFor(t, l, 10*time.Millisecond)
	})
}

func TestTimersFireByDeadlineWhateverTheSchedulingOrder(t *testing.T) {
	t.Parallel()
	bubble(t, "1s at 1s | 2s at 2s | 3s at 3s | 3s-b at 3s | past deadline at 4s",
		func(t *testing.T, l *Loop, tr *trace) {
			at := func(name string) func() { return func() { tr.add("%s at %v", name, l.Time()) } }
			l.CallLater(3*time.Second, at("3s"))
			l.CallLater(time.Second, at("1s"))
			l.CallAt(3*time.Second, at("3s-b"))
			l.CallLater(2*time.Second, at("2s"))
			runFor(t, l, 4*time.Second)
			// A deadline already past runs in the next iteration.
			l.CallAt(l.Time()-1500*time.Millisecond, at("past deadline"))
			l.Stop()
			noErr(t, l.RunForever())
		})
}

// Equal deadlines: the loop documents FIFO. (CPython's heap is not stable
// for exactly equal call_at times; call_later in practice gives distinct
// times, hence FIFO.)
func TestEqualDeadlinesFireInSchedulingOrder(t *testing.T) {
	t.Parallel()
	bubble(t, "0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11", func(t *testing.T, l *Loop, tr *trace) {
		for i := range 12 {
			d := time.Second
			if i%3 == 0 {
				l.CallAt(d, func() { tr.add("%d", i) })
			} else {
				l.CallLater(d, func() { tr.add("%d", i) })
			}
		}
		runFor(t, l, 2*time.Second)
	})
}

func TestTimerSetAtItsOwnDeadlineWaitsForTheNextIteration(t *testing.T) {
	t.Parallel()
	bubble(t, "T | soon | T-soon | T0", func(t *testing.T, l *Loop, tr *trace) {
		l.CallLater(time.Second, func() {
			tr.add("T")
			l.CallLater(0, func() { tr.add("T0") })
			l.CallSoon(func() { tr.add("soon") })
		})
		l.CallLater(time.Second, func() { l.CallSoon(func() { tr.add("T-soon") }) })
		runFor(t, l, 2*time.Second)
	})
}

// hs = loop.call_soon(L, "Y"); a callback before it cancels it. A timer
// cancelled after it became due (same iteration) does not run either.
// -> X | A | True True
func TestCancelledHandleDoesNotRunEvenOnceQueued(t *testing.T) {
	t.Parallel()
	bubble(t, "X | A | True True True", func(t *testing.T, l *Loop, tr *trace) {
		var hs, h2, h3 *Handle
		l.CallSoon(func() { tr.add("X"); hs.Cancel(); h2.Cancel() })
		hs = l.CallSoon(func() { tr.add("Y") })
		l.CallLater(100*time.Millisecond, func() { tr.add("A"); h3.Cancel() })
		h3 = l.CallLater(100*time.Millisecond, func() { tr.add("B") })
		h2 = l.CallLater(50*time.Millisecond, func() { tr.add("never") })
		runFor(t, l, 200*time.Millisecond)
		tr.add("%s %s %s", pyBool(hs.Cancelled()), pyBool(h2.Cancelled()), pyBool(h3.Cancelled()))
	})
}

func TestHandleCancelBeforeTheLoopRunsAndTwiceIsHarmless(t *testing.T) {
	t.Parallel()
	bubble(t, "kept | False True", func(t *testing.T, l *Loop, tr *trace) {
		h := l.CallLater(time.Second, func() { tr.add("cancelled timer ran") })
		s := l.CallSoon(func() { tr.add("cancelled soon ran") })
		k := l.CallLater(time.Second, func() { tr.add("kept") })
		h.Cancel()
		h.Cancel()
		s.Cancel()
		runFor(t, l, 2*time.Second)
		tr.add("%s %s", pyBool(k.Cancelled()), pyBool(h.Cancelled()))
	})
}

func TestManyCancelledTimersLeaveTheLiveOnesInOrder(t *testing.T) {
	t.Parallel()
	bubble(t, "live 3 | live 7 | live 11 | live 15 | live 19", func(t *testing.T, l *Loop, tr *trace) {
		var hs []*Handle
		for i := range 20 {
			hs = append(hs, l.CallLater(time.Duration(20-i)*time.Second, func() { tr.add("live %d", 20-i) }))
		}
		for i, h := range hs {
			if (20-i)%4 != 3 {
				h.Cancel()
			}
		}
		runFor(t, l, 30*time.Second)
	})
}

func TestHandleWhenIsTheLoopTimeItIsDue(t *testing.T) {
	t.Parallel()
	bubble(t, "soon 0s | later 1.5s | at 3s | later-from-2s 3s | ran at 3s", func(t *testing.T, l *Loop, tr *trace) {
		tr.add("soon %v", l.CallSoon(func() {}).When())
		tr.add("later %v", l.CallLater(1500*time.Millisecond, func() {}).When())
		tr.add("at %v", l.CallAt(3*time.Second, func() {}).When())
		runFor(t, l, 2*time.Second)
		h := l.CallLater(time.Second, func() { tr.add("ran at %v", l.Time()) })
		tr.add("later-from-2s %v", h.When())
		runFor(t, l, 2*time.Second)
	})
}

func TestLoopTimeFollowsTheFakeClockExactly(t *testing.T) {
	t.Parallel()
	bubble(t, "0s | fired at 1.25s, clock 1.25s", func(t *testing.T, l *Loop, tr *trace) {
		start := time.Now()
		tr.add("%v", l.Time())
		l.CallLater(1250*time.Millisecond, func() {
			tr.add("fired at %v, clock %v", l.Time(), time.Since(start))
			l.Stop()
		})
		noErr(t, l.RunForever())
	})
}

// fastClock runs ten times faster than the bubble's clock.
type fastClock struct{ start time.Time }

func (c fastClock) Now() time.Time { return c.start.Add(10 * time.Since(c.start)) }
func (c fastClock) NewTimer(d time.Duration) *time.Timer {
	return time.NewTimer((d + 9) / 10)
}

func TestWithClockTakesTheLoopTimeFromTheClock(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		l := NewLoop(WithClock(fastClock{start}))
		defer l.Close()
		var at, real time.Duration
		task := l.CreateTask(func(t *Task) (any, error) {
			err := t.Sleep(2 * time.Second)
			at, real = l.Time(), time.Since(start)
			return nil, err
		}, "")
		_, err := l.RunUntilComplete(task)
		noErr(t, err)
		if at != 2*time.Second || real != 200*time.Millisecond {
			t.Errorf("woke at loop time %v after %v, want 2s after 200ms", at, real)
		}
	})
}

// ---- running and stopping ----

// loop.call_soon(lambda: (L("A"), loop.call_soon(L, "B")))
// loop.call_later(0, L, "T0")
// loop.stop(); loop.run_forever(); L("ran once")
// loop.stop(); loop.run_forever(); L("ran twice")
// -> A | T0 | ran once | B | ran twice
func TestStopBeforeRunForeverRunsExactlyOneIteration(t *testing.T) {
	t.Parallel()
	bubble(t, "A | T0 | ran once | B | ran twice", func(t *testing.T, l *Loop, tr *trace) {
		l.CallSoon(func() { tr.add("A"); l.CallSoon(func() { tr.add("B") }) })
		l.CallLater(0, func() { tr.add("T0") })
		l.Stop()
		noErr(t, l.RunForever())
		tr.add("ran once")
		l.Stop()
		noErr(t, l.RunForever())
		tr.add("ran twice")
	})
}

func TestStopFinishesTheIterationInProgress(t *testing.T) {
	t.Parallel()
	bubble(t, "a | b | stopped | c", func(t *testing.T, l *Loop, tr *trace) {
		l.CallSoon(func() { tr.add("a"); l.Stop(); l.CallSoon(func() { tr.add("c") }) })
		l.CallSoon(func() { tr.add("b") })
		noErr(t, l.RunForever())
		tr.add("stopped")
		l.Stop()
		noErr(t, l.RunForever())
	})
}

func TestRunForeverCanRunAgainAfterStop(t *testing.T) {
	t.Parallel()
	bubble(t, "first 1s | second 2s | running True | after False", func(t *testing.T, l *Loop, tr *trace) {
		l.CallLater(time.Second, func() { tr.add("first %v", l.Time()); l.Stop() })
		l.CallLater(2*time.Second, func() {
			tr.add("second %v", l.Time())
			tr.add("running %s", pyBool(l.IsRunning()))
			l.Stop()
		})
		noErr(t, l.RunForever())
		noErr(t, l.RunForever())
		tr.add("after %s", pyBool(l.IsRunning()))
	})
}

func TestRunningTheLoopFromItsOwnCallbackIsAnError(t *testing.T) {
	t.Parallel()
	bubble(t, "forever: RuntimeError: This event loop is already running | "+
		"until: RuntimeError: This event loop is already running | timer 1s",
		func(t *testing.T, l *Loop, tr *trace) {
			f := l.CreateFuture()
			l.CallSoon(func() {
				tr.add("forever: %v", l.RunForever())
				_, err := l.RunUntilComplete(f)
				if !errors.Is(err, ErrRunning) {
					t.Errorf("RunUntilComplete inside the loop: %v, want ErrRunning", err)
				}
				tr.add("until: %v", err)
			})
			l.CallLater(time.Second, func() { tr.add("timer %v", l.Time()) })
			runFor(t, l, 2*time.Second)
			if f.Done() || f.String() != "<Future pending>" {
				t.Errorf("future after the refused run: %s", f)
			}
		})
}

// def cb():
//
//	try: loop.run_until_complete(f)   # f already done
//	except RuntimeError as e: L("err", e)
//
// loop.call_soon(cb); loop.call_later(0.01, L, "timer")
// loop.call_later(0.02, loop.stop); loop.run_forever(); L("end")
// -> err This event loop is already running | timer | end
func TestRefusedRunUntilCompleteOfADoneFutureDoesNotStopTheLoop(t *testing.T) {
	t.Parallel()
	bubble(t, "err RuntimeError: This event loop is already running | timer 10ms | end 20ms",
		func(t *testing.T, l *Loop, tr *trace) {
			f := l.CreateFuture()
			noErr(t, f.SetResult(1))
			l.CallSoon(func() {
				_, err := l.RunUntilComplete(f)
				tr.add("err %v", err)
			})
			l.CallLater(10*time.Millisecond, func() { tr.add("timer %v", l.Time()) })
			runFor(t, l, 20*time.Millisecond)
			tr.add("end %v", l.Time())
		})
}

// f = loop.create_future()
// loop.call_soon(cb)                      # cb: loop.run_until_complete(f) -> RuntimeError
// loop.call_later(0.01, f.set_result, 5)
// loop.call_later(0.05, L, "late")
// L("r", loop.run_until_complete(f))
// -> err This event loop is already running | r 5
func TestRefusedRunUntilCompleteKeepsTheOuterRunsStopCallback(t *testing.T) {
	t.Parallel()
	bubble(t, "err RuntimeError: This event loop is already running | r 5 at 10ms", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		l.CallSoon(func() {
			_, err := l.RunUntilComplete(f)
			tr.add("err %v", err)
		})
		l.CallLater(10*time.Millisecond, func() { noErr(t, f.SetResult(5)) })
		l.CallLater(50*time.Millisecond, func() { tr.add("late") })
		l.CallLater(100*time.Millisecond, l.Stop) // ends the run if its stop callback was lost
		r, err := l.RunUntilComplete(f)
		noErr(t, err)
		tr.add("r %v at %v", r, l.Time())
	})
}

// f = loop.create_future(); loop.call_soon(loop.stop)
// loop.run_until_complete(f) -> RuntimeError('Event loop stopped before Future completed.'), repr(f) == '<Future pending>'
func TestRunUntilCompleteStoppedBeforeTheFutureCompletes(t *testing.T) {
	t.Parallel()
	bubble(t, "RuntimeError: Event loop stopped before Future completed. <Future pending> | r 7", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		l.CallSoon(l.Stop)
		_, err := l.RunUntilComplete(f)
		if err == nil {
			t.Fatal("RunUntilComplete returned no error")
		}
		tr.add("%v %s", err, f)
		l.CallSoon(func() { noErr(t, f.SetResult(7)) })
		r, err := l.RunUntilComplete(f)
		noErr(t, err)
		tr.add("r %v", r)
	})
}

func TestRunUntilCompleteOfADoneFutureRunsOneIteration(t *testing.T) {
	t.Parallel()
	bubble(t, "soon | r 3 | later", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		noErr(t, f.SetResult(3))
		l.CallSoon(func() { tr.add("soon"); l.CallSoon(func() { tr.add("later") }) })
		r, err := l.RunUntilComplete(f)
		noErr(t, err)
		tr.add("r %v", r)
		l.Stop()
		noErr(t, l.RunForever())
	})
}

func TestRunUntilCompleteReturnsTheTasksErrorOrResult(t *testing.T) {
	t.Parallel()
	bubble(t, "r <nil> boom | r 5 <nil>", func(t *testing.T, l *Loop, tr *trace) {
		boom := errors.New("boom")
		r, err := l.RunUntilComplete(l.CreateTask(func(*Task) (any, error) { return 1, boom }, ""))
		if err != boom {
			t.Errorf("err = %v, want the coroutine's own error value", err)
		}
		tr.add("r %v %v", r, err)
		r, err = l.RunUntilComplete(l.CreateTask(func(*Task) (any, error) { return 5, nil }, ""))
		tr.add("r %v %v", r, err)
	})
}

// a.run_until_complete(b.create_future())
// -> ValueError: The future belongs to a different loop than the one specified as the loop argument
func TestRunUntilCompleteOfAnotherLoopsFutureIsRefused(t *testing.T) {
	t.Parallel()
	bubble(t, "refused at 0s", func(t *testing.T, l *Loop, tr *trace) {
		other := NewLoop()
		defer other.Close()
		f := other.CreateFuture()
		l.CallLater(time.Second, l.Stop) // ends the run if it is not refused
		_, err := l.RunUntilComplete(f)
		if err == nil || !strings.Contains(err.Error(), "different loop") {
			t.Errorf("RunUntilComplete = %v, want an error about a different loop", err)
		}
		tr.add("refused at %v", l.Time())
	})
}

func TestClosedLoopRefusesToRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		f := l.CreateFuture()
		noErr(t, l.Close())
		if !l.IsClosed() {
			t.Error("IsClosed() = false after Close")
		}
		if err := l.RunForever(); err != ErrClosed {
			t.Errorf("RunForever on a closed loop: %v, want ErrClosed", err)
		}
		r, err := l.RunUntilComplete(f)
		if err != ErrClosed || r != nil {
			t.Errorf("RunUntilComplete on a closed loop: %v, %v, want nil, ErrClosed", r, err)
		}
		wantErr(t, err, ErrClosed, "RuntimeError: Event loop is closed")
		if f.String() != "<Future pending>" {
			t.Errorf("future after the refused run: %s", f)
		}
		if err := l.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func TestCloseWhileRunningIsAnErrorAndLeavesTheLoopOpen(t *testing.T) {
	t.Parallel()
	bubble(t, "RuntimeError: Cannot close a running event loop False | still runs", func(t *testing.T, l *Loop, tr *trace) {
		l.CallSoon(func() {
			err := l.Close()
			tr.add("%v %s", err, pyBool(l.IsClosed()))
			l.CallSoon(func() { tr.add("still runs"); l.Stop() })
		})
		noErr(t, l.RunForever())
	})
}

func TestCreateTaskOnAClosedLoopPanicsWithErrClosed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		noErr(t, l.Close())
		ran := false
		var got any
		func() {
			defer func() { got = recover() }()
			l.CreateTask(func(*Task) (any, error) { ran = true; return nil, nil }, "")
		}()
		if got != ErrClosed {
			t.Errorf("CreateTask on a closed loop panicked with %v, want ErrClosed", got)
		}
		if ran || len(l.AllTasks()) != 0 {
			t.Errorf("closed loop ran or kept the task: ran=%v tasks=%d", ran, len(l.AllTasks()))
		}
	})
}

// loop.close(); loop.call_soon(L, "x") -> RuntimeError: Event loop is closed
// (call_later likewise). The Go equivalent of raising is CreateTask's panic.
func TestSchedulingOnAClosedLoopPanicsWithErrClosed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		noErr(t, l.Close())
		for name, fn := range map[string]func(){
			"CallSoon":  func() { l.CallSoon(func() {}) },
			"CallLater": func() { l.CallLater(time.Second, func() {}) },
			"CallAt":    func() { l.CallAt(time.Second, func() {}) },
		} {
			if got := panicOf(fn); got != ErrClosed.Error() {
				t.Errorf("%s on a closed loop: panic %q, want %q", name, got, ErrClosed)
			}
		}
	})
}

func TestIsRunningOnlyWhileRunning(t *testing.T) {
	t.Parallel()
	bubble(t, "before False | in callback True | in task True | after False", func(t *testing.T, l *Loop, tr *trace) {
		tr.add("before %s", pyBool(l.IsRunning()))
		l.CallSoon(func() { tr.add("in callback %s", pyBool(l.IsRunning())) })
		task := l.CreateTask(func(*Task) (any, error) { tr.add("in task %s", pyBool(l.IsRunning())); return nil, nil }, "")
		_, err := l.RunUntilComplete(task)
		noErr(t, err)
		tr.add("after %s", pyBool(l.IsRunning()))
	})
}

func TestAllTasksListsPendingTasksInCreationOrder(t *testing.T) {
	t.Parallel()
	bubble(t, "before: a b c d | inside: a b c d | after first: b d | at end: -", func(t *testing.T, l *Loop, tr *trace) {
		names := func() string {
			var ns []string
			for _, task := range l.AllTasks() {
				ns = append(ns, task.Name())
			}
			if len(ns) == 0 {
				return "-"
			}
			return strings.Join(ns, " ")
		}
		quick := func(*Task) (any, error) { return nil, nil }
		slow := func(t *Task) (any, error) { return nil, t.Sleep(time.Second) }
		a := l.CreateTask(func(*Task) (any, error) { tr.add("inside: %s", names()); return nil, nil }, "a")
		b := l.CreateTask(slow, "b")
		c := l.CreateTask(quick, "c")
		c.Cancel() // cancelled before it starts: done once its first step runs
		d := l.CreateTask(slow, "d")
		tr.add("before: %s", names())
		l.Stop()
		noErr(t, l.RunForever())
		tr.add("after first: %s", names())
		_, err := l.RunUntilComplete(l.GatherReturnExceptions(a, b, c, d))
		noErr(t, err)
		tr.add("at end: %s", names())
	})
}

// ---- calls from other goroutines ----

func TestCallSoonThreadsafeFromManyGoroutinesRunsEveryCallInOrder(t *testing.T) {
	t.Parallel()
	const goroutines, calls = 50, 100
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		defer l.Close()
		next := make([]int, goroutines) // touched only on the loop's goroutine
		total := 0
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range calls {
					err := l.CallSoonThreadsafe(func() {
						if next[g] != i {
							t.Errorf("goroutine %d: call %d ran when %d was due", g, i, next[g])
						}
						next[g] = i + 1
						if total++; total == goroutines*calls {
							l.Stop()
						}
					})
					if err != nil {
						t.Errorf("CallSoonThreadsafe: %v", err)
						return
					}
				}
			})
		}
		noErr(t, l.RunForever())
		wg.Wait()
		if total != goroutines*calls {
			t.Errorf("%d calls ran, want %d", total, goroutines*calls)
		}
		for g, n := range next {
			if n != calls {
				t.Errorf("goroutine %d: %d calls ran, want %d", g, n, calls)
			}
		}
	})
}

func TestIdleLoopBlocksUntilAnotherGoroutinePosts(t *testing.T) {
	t.Parallel()
	bubble(t, "posted ran at 1s (clock 1s) | timer at 5s (clock 5s)", func(t *testing.T, l *Loop, tr *trace) {
		start := time.Now()
		go func() {
			time.Sleep(time.Second)
			if err := l.CallSoonThreadsafe(func() {
				tr.add("posted ran at %v (clock %v)", l.Time(), time.Since(start))
				l.Stop()
			}); err != nil {
				t.Error(err)
			}
		}()
		// Nothing ready and no timer: the loop must block, not spin, or the
		// bubble's clock could never advance to the post.
		noErr(t, l.RunForever())
		// With a timer due later, a post still wakes it at once, and the
		// timer keeps its deadline.
		l.CallLater(4*time.Second, func() { tr.add("timer at %v (clock %v)", l.Time(), time.Since(start)); l.Stop() })
		noErr(t, l.RunForever())
	})
}

func TestPostFromAnotherGoroutineWakesALoopWaitingForATimer(t *testing.T) {
	t.Parallel()
	bubble(t, "posted at 1s | timer at 5s", func(t *testing.T, l *Loop, tr *trace) {
		l.CallLater(5*time.Second, func() { tr.add("timer at %v", l.Time()); l.Stop() })
		go func() {
			time.Sleep(time.Second)
			if err := l.CallSoonThreadsafe(func() { tr.add("posted at %v", l.Time()) }); err != nil {
				t.Error(err)
			}
		}()
		noErr(t, l.RunForever())
	})
}

func TestCallSoonThreadsafeAfterCloseReturnsErrClosed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		noErr(t, l.CallSoonThreadsafe(func() { t.Error("call posted before Close ran after it") }))
		noErr(t, l.Close())
		done := make(chan error)
		go func() { done <- l.CallSoonThreadsafe(func() {}) }()
		if err := <-done; err != ErrClosed {
			t.Errorf("CallSoonThreadsafe after Close: %v, want ErrClosed", err)
		}
	})
}

func TestInterruptFromAnotherGoroutineEndsRunForever(t *testing.T) {
	t.Parallel()
	bubble(t, "KeyboardInterrupt at 1s | timer at 3s", func(t *testing.T, l *Loop, tr *trace) {
		l.CallLater(3*time.Second, func() { tr.add("timer at %v", l.Time()); l.Stop() })
		go func() {
			time.Sleep(time.Second)
			l.Interrupt()
		}()
		err := l.RunForever()
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("RunForever = %v, want ErrInterrupted", err)
		}
		tr.add("%v at %v", err, l.Time())
		noErr(t, l.RunForever())
	})
}

func TestInterruptLeavesRunUntilCompleteWithTheFuturePending(t *testing.T) {
	t.Parallel()
	bubble(t, "KeyboardInterrupt at 2s <Future pending> | r done at 5s", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		l.CallLater(5*time.Second, func() { noErr(t, f.SetResult("done")) })
		go func() {
			time.Sleep(2 * time.Second)
			l.Interrupt()
		}()
		_, err := l.RunUntilComplete(f)
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("RunUntilComplete = %v, want ErrInterrupted", err)
		}
		tr.add("%v at %v %s", err, l.Time(), f)
		r, err := l.RunUntilComplete(f)
		noErr(t, err)
		tr.add("r %v at %v", r, l.Time())
	})
}

// def a(): L("A"); raise KeyboardInterrupt
// loop.call_soon(a); loop.call_soon(L,"B"); loop.call_soon(L,"C")
// try: loop.run_forever()
// except KeyboardInterrupt: L("interrupted")
// loop.call_soon(L,"D"); loop.call_soon(loop.stop); loop.run_forever()
// -> A | interrupted | B | C | D | end
func TestInterruptKeepsTheRestOfTheIterationForTheNextRun(t *testing.T) {
	t.Parallel()
	bubble(t, "A | interrupted | B | C | D | end", func(t *testing.T, l *Loop, tr *trace) {
		l.CallSoon(func() { tr.add("A"); l.Interrupt() })
		l.CallSoon(func() { tr.add("B") })
		l.CallSoon(func() { tr.add("C") })
		if err := l.RunForever(); !errors.Is(err, ErrInterrupted) {
			t.Fatalf("RunForever = %v, want ErrInterrupted", err)
		}
		tr.add("interrupted")
		l.CallSoon(func() { tr.add("D") })
		l.CallSoon(l.Stop)
		noErr(t, l.RunForever())
		tr.add("end")
	})
}

func TestInterruptBeforeRunningIsDeliveredByTheNextRun(t *testing.T) {
	t.Parallel()
	bubble(t, "KeyboardInterrupt | a | running again", func(t *testing.T, l *Loop, tr *trace) {
		l.CallSoon(func() { tr.add("a") })
		l.Interrupt()
		err := l.RunForever()
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("RunForever = %v, want ErrInterrupted", err)
		}
		tr.add("%v", err)
		l.CallSoon(func() { tr.add("running again"); l.Stop() })
		noErr(t, l.RunForever())
	})
}

func TestInterruptIsDeliveredOnlyOnce(t *testing.T) {
	t.Parallel()
	bubble(t, "KeyboardInterrupt | <nil>", func(t *testing.T, l *Loop, tr *trace) {
		l.Interrupt()
		l.Interrupt()
		tr.add("%v", l.RunForever())
		l.Stop()
		tr.add("%v", l.RunForever())
	})
}

func TestCallPostedBeforeTheLoopRunsRunsInItsFirstIteration(t *testing.T) {
	t.Parallel()
	bubble(t, "posted | stopped", func(t *testing.T, l *Loop, tr *trace) {
		postAndWait(t, l, func() { tr.add("posted") })
		l.Stop()
		noErr(t, l.RunForever())
		tr.add("stopped")
	})
}

// postAndWait calls CallSoonThreadsafe(fn) from another goroutine and
// returns once it has returned.
func postAndWait(t *testing.T, l *Loop, fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := l.CallSoonThreadsafe(fn); err != nil {
			t.Error(err)
		}
	}()
	<-done
}

// call_soon_threadsafe appends to the ready queue at once, like call_soon:
//
//	post("posted")            # a thread calls call_soon_threadsafe; joined
//	loop.call_soon(L, "soon")
//	-> posted | soon
//	def a(): L("A"); post("posted"); loop.call_soon(L, "B")
//	loop.call_soon(a); loop.call_soon(L, "C")
//	-> A | C | posted | B
func TestCallSoonThreadsafeTakesItsPlaceAmongCallSoonCalls(t *testing.T) {
	t.Parallel()
	bubble(t, "posted | soon | A | C | posted | B", func(t *testing.T, l *Loop, tr *trace) {
		postAndWait(t, l, func() { tr.add("posted") })
		l.CallSoon(func() { tr.add("soon") })
		l.Stop()
		noErr(t, l.RunForever())
		l.CallSoon(func() {
			tr.add("A")
			postAndWait(t, l, func() { tr.add("posted") })
			l.CallSoon(func() { tr.add("B") })
		})
		l.CallSoon(func() { tr.add("C") })
		runFor(t, l, 10*time.Millisecond)
	})
}

func TestInterruptsAndPostsFromManyGoroutinesLoseNothing(t *testing.T) {
	t.Parallel()
	const posters, calls, interrupts = 10, 100, 5
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		defer l.Close()
		next := make([]int, posters)
		total := 0
		for g := range posters {
			go func() {
				for i := range calls {
					time.Sleep(time.Millisecond)
					err := l.CallSoonThreadsafe(func() {
						if next[g] != i {
							t.Errorf("poster %d: call %d ran when %d was due", g, i, next[g])
						}
						next[g] = i + 1
						if total++; total == posters*calls {
							l.Stop()
						}
					})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		ack := make(chan struct{})
		go func() {
			for range interrupts {
				time.Sleep(7 * time.Millisecond)
				l.Interrupt()
				<-ack
			}
		}()
		seen := 0
		for {
			err := l.RunForever()
			if errors.Is(err, ErrInterrupted) {
				seen++
				ack <- struct{}{}
				continue
			}
			noErr(t, err)
			break
		}
		if seen != interrupts || total != posters*calls {
			t.Errorf("%d interrupts seen (want %d), %d calls ran (want %d)", seen, interrupts, total, posters*calls)
		}
	})
}

func TestDefaultExceptionHandlerWritesMessageTaskAndError(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	h := defaultHandler(&b)
	l := NewLoop()
	task := l.CreateTask(func(*Task) (any, error) { return nil, nil }, "lost")
	h(ExceptionContext{Message: "Task was destroyed but it is pending!", Task: task, Err: errors.New("why")})
	h(ExceptionContext{Message: "plain"})
	want := "Task was destroyed but it is pending!\ntask: <Task pending name='lost'>\nwhy\nplain\n"
	if b.String() != want {
		t.Errorf("default handler wrote\n%q\nwant\n%q", b.String(), want)
	}
	_, err := l.RunUntilComplete(task)
	noErr(t, err)
	noErr(t, l.Close())
}
