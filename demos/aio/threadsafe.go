package aio

import (
	"context"
	"iter"
	"sync"
	"time"
)

// ConcurrentFuture is the result of a coroutine handed to a loop from
// another goroutine (Python's concurrent.futures.Future). Unlike a Future,
// all of its methods are safe to call from any goroutine, and Result waits.
type ConcurrentFuture struct {
	loop *Loop
	done chan struct{} // closed when the future is done

	mu        sync.Mutex
	task      *Task // set on the loop's goroutine once the task exists
	finished  bool
	cancelled bool
	result    any
	err       error
}

// RunCoroutineThreadsafe submits coro to the loop from any goroutine: the
// loop wraps it in a task named name on its next iteration. The returned
// future completes with the task's outcome, so an error raised inside the
// loop reaches the goroutine that waits for it (the tutorial's open
// question). It returns ErrClosed if the loop is closed.
func (l *Loop) RunCoroutineThreadsafe(coro Coroutine, name string) (*ConcurrentFuture, error) {
	cf := &ConcurrentFuture{loop: l, done: make(chan struct{})}
	err := l.callSoonThreadsafe(func() {
		task := l.CreateTask(coro, name)
		task.AddDoneCallback(func(Awaitable) { cf.copyState(task) })
		cf.mu.Lock()
		cf.task = task
		cancelled := cf.cancelled
		cf.mu.Unlock()
		if cancelled { // cancelled before the loop took it: the body never runs
			task.Cancel()
		}
	}, "run_coroutine_threadsafe("+name+")")
	if err != nil {
		return nil, err
	}
	return cf, nil
}

// copyState runs on the loop when the task is done.
func (cf *ConcurrentFuture) copyState(t *Task) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if cf.finished || cf.cancelled {
		return
	}
	cf.finished = true
	switch {
	case t.Cancelled():
		cf.cancelled = true
	default:
		cf.result, cf.err = t.Result()
	}
	close(cf.done)
}

// Cancel cancels the future and, on the loop, its task (which sees
// ErrCancelled at its await). It returns false if the future is done.
func (cf *ConcurrentFuture) Cancel() bool {
	cf.mu.Lock()
	if cf.finished || cf.cancelled {
		cf.mu.Unlock()
		return false
	}
	cf.cancelled = true
	close(cf.done)
	task := cf.task
	cf.mu.Unlock()
	if task != nil {
		cf.loop.CallSoonThreadsafe(func() { task.Cancel() })
	}
	return true
}

// Done reports whether the future has a result, an error, or was cancelled.
func (cf *ConcurrentFuture) Done() bool {
	select {
	case <-cf.done:
		return true
	default:
		return false
	}
}

// Cancelled reports whether the future was cancelled.
func (cf *ConcurrentFuture) Cancelled() bool {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	return cf.cancelled
}

// Result waits up to timeout (for ever if timeout is 0 or less) for the
// future and returns the task's result and error: ErrCancelled if it was
// cancelled, ErrTimeout if the time ran out first.
func (cf *ConcurrentFuture) Result(timeout time.Duration) (any, error) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	res, err := cf.Wait(ctx)
	if err == context.DeadlineExceeded {
		return nil, ErrTimeout
	}
	return res, err
}

// Wait is Result with a context instead of a timeout: it returns ctx's
// error if ctx is done first.
func (cf *ConcurrentFuture) Wait(ctx context.Context) (any, error) {
	select {
	case <-cf.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if cf.cancelled {
		return nil, ErrCancelled
	}
	return cf.result, cf.err
}

// FuturesAsCompleted yields futures as they are done, in the order they
// finish, whatever order they were given in (Python's
// concurrent.futures.as_completed): a goroutine that waits for several
// learns of each outcome as soon as there is one. If ctx is done first, it
// yields nil and ctx's error, and stops.
func FuturesAsCompleted(ctx context.Context, futures ...*ConcurrentFuture) iter.Seq2[*ConcurrentFuture, error] {
	return func(yield func(*ConcurrentFuture, error) bool) {
		done := make(chan *ConcurrentFuture, len(futures))
		stop := make(chan struct{})
		defer close(stop)
		for _, f := range futures {
			go func() {
				select {
				case <-f.done:
					done <- f
				case <-stop:
				}
			}()
		}
		for range futures {
			select {
			case f := <-done:
				if !yield(f, nil) {
					return
				}
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			}
		}
	}
}
