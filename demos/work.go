package demos

import (
	"context"
	"fmt"

	"asyncdemo/demos/aio"
	"asyncdemo/timing"
)

// doSomeWork is the tutorial's coroutine:
//
//	async def do_some_work(x):
//	    print('Waiting: ', x)
//	    await asyncio.sleep(x)
//	    return 'Done after {}s'.format(x)
//
// Calling it makes the coroutine; nothing runs until a loop runs its task.
func doSomeWork(r *timing.Recorder, x float64) aio.Coroutine {
	return func(t *aio.Task) (any, error) {
		r.Printf(t.Name(), "Waiting: %v", x)
		if err := t.Sleep(seconds(x)); err != nil { // gives the loop to other tasks
			return nil, err
		}
		return fmt.Sprintf("Done after %vs", x), nil
	}
}

// doSomeWorkGo is the same work as a plain Go function: it blocks its own
// goroutine, and only that goroutine, for x seconds, or until ctx is done.
func doSomeWorkGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, name string, x float64) (string, error) {
	r.Printf(name, "Waiting: %v", x)
	select {
	case <-clock.After(seconds(x)):
		return fmt.Sprintf("Done after %vs", x), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
