package aio

import "context"

// ToThread runs fn on a goroutine of its own and suspends the task until fn
// returns, then returns what fn returned (asyncio.to_thread). It is how a
// coroutine calls blocking code, such as a synchronous Redis or HTTP client,
// without blocking the loop. If the task is cancelled meanwhile, ToThread
// returns ErrCancelled at once and fn's context is cancelled; fn should
// return soon after.
func (t *Task) ToThread(fn func(ctx context.Context) (any, error)) (any, error) {
	l := t.loop
	f := l.CreateFuture()
	f.kind = futureToThread
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		res, err := fn(ctx)
		l.CallSoonThreadsafe(func() { // ErrClosed if the loop is gone: nobody waits any more
			if f.Done() { // cancelled while fn ran
				return
			}
			if err != nil {
				f.SetException(err)
			} else {
				f.SetResult(res)
			}
		})
	}()
	return t.Await(f)
}
