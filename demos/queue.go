package demos

import (
	"context"
	"sync"

	"github.com/spf13/pflag"

	"asyncdemo/demos/aio"
	"asyncdemo/timing"
)

// queueAio is the tutorial's master-worker program. The loop runs for ever
// in another goroutine; the main goroutine takes messages from the Redis
// list and hands each to the loop as a coroutine, which the loop runs
// concurrently with the others. Here nothing is lost: a message is
// acknowledged only once its coroutine is done.
func queueAio(ctx context.Context, l *aio.Loop, c *consumer, r *timing.Recorder) error {
	stop := startLoop(l)
	defer stop()
	doSomeWork := func(x int) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting %d", x)
			if err := t.Sleep(seconds(float64(x))); err != nil {
				return nil, err
			}
			r.Printf(t.Name(), "Done %d", x)
			return nil, nil
		}
	}
	for {
		msg, err := c.Next(ctx) // rcon.rpop("queue"), sleeping 1 s when empty
		if err != nil {
			return c.end(err)
		}
		x, ok := c.Parse(ctx, msg) // int(task), without dying on a bad one
		if !ok {
			continue
		}
		f, err := l.RunCoroutineThreadsafe(doSomeWork(x), call("do_some_work", x))
		if err != nil {
			return err
		}
		c.Track(ctx, msg, f) // acknowledge when done; report an error with msg
	}
}

// queueGo is the Go way: the main goroutine takes messages and starts a
// goroutine for each; a WaitGroup waits for the ones still working.
func queueGo(ctx context.Context, c *consumer, clock *timing.Clock, r *timing.Recorder) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		msg, err := c.Next(ctx)
		if err != nil {
			wg.Wait()
			return c.end(err)
		}
		x, ok := c.Parse(ctx, msg)
		if !ok {
			continue
		}
		wg.Go(func() {
			name := call("do_some_work", x)
			r.Begin(name, name)
			r.Printf(name, "Waiting %d", x)
			select {
			case <-clock.After(seconds(float64(x))):
				r.Printf(name, "Done %d", x)
				r.End(name, timing.StateDone)
				c.Done(ctx, msg, nil)
			case <-ctx.Done(): // not acknowledged: the next run recovers it
				r.End(name, timing.StateCancelled)
			}
		})
	}
}

// queueScript is the tutorial's redis-cli session: LPUSH 2, then 5, 1 and 1.
var queueScript = []push{{0, "2"}, {2.5, "5"}, {3.5, "1"}, {5.5, "1"}}

// queueLesson is lesson 10.
type queueLesson struct{ redis redisFlags }

func (q *queueLesson) Info() Info {
	return Info{
		Name:     "queue",
		Question: &Question{Kind: "first", Choices: []Choice{{Label: "Done 5", Text: "Done 5"}, {Label: "Done 1", Text: "Done 1"}}},
		Code:     map[Style][]string{StyleAio: {"queueAio"}, StyleGo: {"queueGo"}},
		Group:    "Redis and HTTP",
	}
}

func (q *queueLesson) AddFlags(fs *pflag.FlagSet) { q.redis.add(fs, "2,5,1,1") }

func (q *queueLesson) Run(e *Env) error {
	return runConsumer(e, &q.redis, queueScript, "queue-"+q.redis.Mode,
		func(l *aio.Loop, c *consumer) error { return queueAio(e.Ctx, l, c, e.Rec) },
		func(ctx context.Context, c *consumer) error { return queueGo(ctx, c, e.Clock, e.Rec) })
}
