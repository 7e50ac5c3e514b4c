package demos

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/consumer"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/timing"
)

// workersAio is the tutorial's last program: no master in another thread,
// just n worker coroutines on one loop, each taking messages from Redis
// itself. The Redis calls run off the loop (asyncio.to_thread), so a
// worker waiting for Redis holds nobody up. With syncClient they are made
// right inside the coroutine, as the tutorial does, and a call that waits
// (BRPOP) stops the whole loop while it waits: every worker stalls.
func workersAio(ctx context.Context, l *aio.Loop, c *consumer.Consumer, clock *timing.Clock, r *timing.Recorder, n int, syncClient bool) error {
	wait := redisWait(clock)
	take := func(t *aio.Task) (string, error) {
		if syncClient {
			stall := r.BeginSpan("loop stalled in Redis", "stall") // drawn: every worker waits meanwhile
			defer r.EndSpan(stall, timing.StateDone)
			return c.TryTake(ctx, wait) // rcon.brpop("queue", 1): the loop waits here
		}
		msg, err := t.ToThread(func(ctx context.Context) (any, error) { return c.TryTake(ctx, wait) })
		s, _ := msg.(string)
		return s, err
	}
	done := func(t *aio.Task, msg string) error {
		if syncClient {
			c.Done(ctx, msg, nil)
			return nil
		}
		_, err := t.ToThread(func(ctx context.Context) (any, error) { c.Done(ctx, msg, nil); return nil, nil })
		return err // ErrCancelled or ErrDestroyed: Done reports Redis's errors itself
	}
	// next returns the next message that asks for work, and its x.
	next := func(t *aio.Task) (string, int, error) {
		for {
			msg, err := take(t)
			switch {
			case errors.Is(err, redisqueue.ErrEmpty): // BRPOP waited for nothing
				if err := t.Sleep(0); err != nil { // let the other workers have a turn
					return "", 0, err
				}
				continue
			case errors.Is(err, consumer.ErrUnavailable):
				if err := t.Sleep(time.Second); err != nil { // Redis is away: try again soon
					return "", 0, err
				}
				continue
			case err != nil:
				return "", 0, err // idle, cancelled, the loop closed, or an error retrying cannot fix
			}
			if x, ok := c.Parse(ctx, msg); ok {
				return msg, x, nil
			}
		}
	}
	var idle atomic.Bool // a worker stopped because the queue was idle
	worker := func(t *aio.Task) (any, error) {
		r.Printf(t.Name(), "Start worker")
		for {
			// Drawn as waiting, not running: the worker waits for Redis
			// (and the loop runs the others, unless the take holds it).
			waiting := r.BeginPhase(t.Name(), timing.PhaseWait)
			msg, x, err := next(t)
			r.EndSpan(waiting, timing.StateDone)
			if errors.Is(err, consumer.ErrIdle) {
				idle.Store(true)
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			span := r.BeginSpan(lesson.Call("do_some_work", x), lesson.Call("do_some_work", x))
			r.Printf(t.Name(), "Wait %d", x)
			if err := t.Sleep(lesson.Seconds(float64(x))); err != nil {
				r.EndSpan(span, timing.StateCancelled)
				return nil, err
			}
			r.Printf(t.Name(), "Done %d", x)
			r.EndSpan(span, timing.StateDone)
			if err := done(t, msg); err != nil {
				return nil, err // cancelled while acknowledging: a cancellation ignored would go unheard
			}
		}
	}
	var workers []aio.Awaitable
	for i := range n {
		workers = append(workers, l.CreateTask(worker, fmt.Sprintf("worker-%d", i+1)))
	}
	_, err := l.RunUntilComplete(l.Gather(workers...))
	if err == nil && idle.Load() {
		err = consumer.ErrIdle // End says so: the run's idle tail explained
	}
	return c.End(err)
}

// workersGo runs n goroutines, each taking messages in a loop. A goroutine
// blocked in BRPOP holds up only itself.
func workersGo(ctx context.Context, c *consumer.Consumer, clock *timing.Clock, r *timing.Recorder, n int) error {
	var wg sync.WaitGroup
	var idle atomic.Bool // a worker stopped because the queue was idle
	for i := range n {
		wg.Go(func() {
			name := fmt.Sprintf("worker-%d", i+1)
			life := r.BeginSpan(name, name) // the goroutine's row on the timeline
			defer func() {
				state := timing.StateDone
				if ctx.Err() != nil { // Ctrl+C
					state = timing.StateCancelled
				}
				r.EndSpan(life, state)
			}()
			r.Printf(name, "Start worker")
			for {
				waiting := r.BeginPhase(name, timing.PhaseWait) // blocked in Redis: waiting, not running
				msg, x, err := nextMessage(ctx, c, clock)
				r.EndSpan(waiting, timing.StateDone)
				if err != nil {
					idle.Store(errors.Is(err, consumer.ErrIdle) || idle.Load())
					return // idle, Ctrl+C, or an error retrying cannot fix
				}
				span := r.BeginSpan(lesson.Call("do_some_work", x), lesson.Call("do_some_work", x))
				r.Printf(name, "Wait %d", x)
				select {
				case <-clock.After(lesson.Seconds(float64(x))):
				case <-ctx.Done():
					r.EndSpan(span, timing.StateCancelled)
					return
				}
				r.Printf(name, "Done %d", x)
				r.EndSpan(span, timing.StateDone)
				c.Done(ctx, msg, nil)
			}
		})
	}
	wg.Wait()
	err := ctx.Err()
	if err == nil && idle.Load() {
		err = consumer.ErrIdle // End says so: the run's idle tail explained
	}
	return c.End(err)
}

// nextMessage blocks until the queue has a message that asks for work,
// and returns it and its x; or ctx's error, consumer.ErrIdle, or an error
// retrying cannot fix.
func nextMessage(ctx context.Context, c *consumer.Consumer, clock *timing.Clock) (string, int, error) {
	for ctx.Err() == nil {
		msg, err := c.TryTake(ctx, redisWait(clock))
		switch {
		case errors.Is(err, redisqueue.ErrEmpty):
			continue
		case errors.Is(err, consumer.ErrUnavailable): // Redis is away: try again soon
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
			}
			continue
		case err != nil:
			return "", 0, err
		}
		if x, ok := c.Parse(ctx, msg); ok {
			return msg, x, nil
		}
	}
	return "", 0, ctx.Err()
}

// redisWait is how long a worker waits in Redis for a message: the
// tutorial's BRPOP timeout of a second, scaled like the lesson's other
// durations, so that the stall --sync-client shows keeps its size beside
// the work; but at most a second, so that a run slowed down still notices an
// idle queue (and, with --sync-client, Ctrl+C) within a second.
func redisWait(clock *timing.Clock) time.Duration {
	return min(clock.Real(time.Second), time.Second)
}

// workersLesson is lesson 12.
type workersLesson struct {
	redis      consumer.Flags
	queue      *consumer.Session // opened by Prepare
	Workers    int
	SyncClient bool
}

func (w *workersLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "workers",
		Question: &lesson.Question{Kind: "first", Choices: []lesson.Choice{{Label: "Done 1", Text: "Done 1"}, {Label: "Done 2", Text: "Done 2"}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"redisWait", "workersAio"}, lesson.StyleGo: {"redisWait", "workersGo", "nextMessage"}},
		Group:    "Redis and HTTP",
		Network:  true,
		Twin:     &lesson.Twin{Modules: []string{"redis.asyncio", "aiohttp"}, Order: consumer.Order, AnyTask: true},
		// Wait 2 does not say which worker took the message: a column does.
		TaskColumn: true,
	}
}

func (w *workersLesson) AddFlags(fs *pflag.FlagSet) {
	w.redis.Add(fs, "2,5,1,1")
	fs.Var(lesson.CountFlag(&w.Workers, 1, 1000), "workers", "how many worker coroutines")
	fs.BoolVar(&w.SyncClient, "sync-client", false, "first call Redis synchronously inside the coroutines (the tutorial's trap), then the fix (with --redis, --idle ends each run)")
}

// Prepare implements lesson.Preparer: it opens the queue, with a
// connection for each worker, and takes the consumer's name before anything
// is printed.
func (w *workersLesson) Prepare(e *lesson.Env) (func(), error) {
	w.redis.Workers = w.Workers
	s, err := consumer.Prepare(e, &w.redis)
	if err != nil {
		return nil, err
	}
	w.queue = s
	return s.Close, nil
}

func (w *workersLesson) Run(e *lesson.Env) error {
	w.redis.Workers = w.Workers
	if w.SyncClient && e.Style == lesson.StyleAio {
		err := consumer.Run(e, w.queue, &w.redis, queueScript, "sync-client",
			func(l *aio.Loop, c *consumer.Consumer) error {
				return workersAio(e.Ctx, l, c, e.Clock, e.Rec, w.Workers, true)
			},
			nil)
		if err != nil {
			return err
		}
	}
	err := consumer.Run(e, w.queue, &w.redis, queueScript, "workers",
		func(l *aio.Loop, c *consumer.Consumer) error {
			return workersAio(e.Ctx, l, c, e.Clock, e.Rec, w.Workers, false)
		},
		func(ctx context.Context, c *consumer.Consumer) error {
			return workersGo(ctx, c, e.Clock, e.Rec, w.Workers)
		})
	stalled, ok := e.RunNamed("sync-client")
	if fixed, _ := e.RunNamed("workers"); err == nil && ok {
		e.Rec.Compare(fixed, stalled) // the fix against the tutorial's way
	}
	return err
}

// TextValues implements lesson.Texter: the texts say who pushes what.
func (w *workersLesson) TextValues(labels map[string]string) map[string]string {
	return map[string]string{"pushes": w.redis.Pushes(labels, "pushes_queue", queueScript)}
}

// HostTwin implements lesson.TwinHost: the twin consumes an embedded Redis
// of its own, fed by the same script.
func (w *workersLesson) HostTwin(e *lesson.Env) ([]string, func(), error) {
	return w.redis.HostTwin(queueScript)
}

// RunValues implements lesson.RunTexter: whether the workers' waits
// overlapped in this run.
func (w *workersLesson) RunValues(e *lesson.Env) map[string]string {
	words := [3]string{"workers_overlapped", "workers_no_overlap", "workers_none"}
	if w.Workers == 1 { // its waits cannot overlap
		words[0], words[1] = "workers_one", "workers_one"
	}
	values := map[string]string{"stall": e.Say("workers_stall"),
		"what_happened": overlapped(e, words, map[string]string{"workers": fmt.Sprint(w.Workers)})}
	stalled, ok := e.RunNamed("sync-client")
	if fixed, fixedRan := e.RunNamed("workers"); ok && fixedRan {
		values["stall"] = lesson.Fill(e.Say("workers_stalled"), map[string]string{
			"stalled": lesson.Took(stalled.Elapsed), "fixed": lesson.Took(fixed.Elapsed)})
	}
	return values
}
