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
		Name: "queue",
		Code: map[Style][]string{StyleAio: {"queueAio"}, StyleGo: {"queueGo"}}, Group: "Redis and HTTP",
		Title: "master-worker: main takes messages from Redis, the loop thread works on them",
		Before: "The loop runs for ever in another thread. The main thread takes messages from the Redis list " +
			"\"queue\" (RPOP, sleeping 1 s when it is empty; --mode block waits in BRPOP) and hands each to " +
			"the loop as a coroutine that waits x seconds. A producer pushes 2, then 5, 1 and 1, as the " +
			"tutorial did with redis-cli. Watch the 1 s tasks finish while the 5 s one waits.",
		After: "The loop ran the messages concurrently: both 1 s tasks finished while the 5 s task was still " +
			"waiting. The tutorial's consumer loses things: RPOP removes a message before the work is done, " +
			"so a crash loses it, and int(task) on a bad message kills the consumer. Here each message moves " +
			"to a processing list (LMOVE) and leaves it only when its coroutine is done (LREM); a restarted " +
			"consumer recovers what is left there; a bad message goes to queue:dead with the reason; and an " +
			"error in the loop thread comes back to main through the future run_coroutine_threadsafe " +
			"returned. --unsafe shows the tutorial's way. Thread.setDaemon(True) is deprecated since 3.10.",
		AfterGo: "The main goroutine took messages and started a goroutine for each: no loop thread is needed, " +
			"since goroutines are cheap and the scheduler runs them all. The reliable queue is the same: " +
			"acknowledge when done, and on Ctrl+C leave unfinished messages in the processing list for the " +
			"next run.",
	}
}

func (q *queueLesson) AddFlags(fs *pflag.FlagSet) { q.redis.add(fs, "2,5,1,1") }

func (q *queueLesson) Run(e *Env) error {
	return runConsumer(e, &q.redis, queueScript, "queue-"+q.redis.Mode,
		func(l *aio.Loop, c *consumer) error { return queueAio(e.Ctx, l, c, e.Rec) },
		func(ctx context.Context, c *consumer) error { return queueGo(ctx, c, e.Clock, e.Rec) })
}
