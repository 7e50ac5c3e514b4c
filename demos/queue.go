package demos

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/consumer"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// queueAio is the tutorial's master-worker program. The loop runs for ever
// in another goroutine; the main goroutine takes messages from the Redis
// list and hands each to the loop as a coroutine, which the loop runs
// concurrently with the others. Here nothing is lost: a message is
// acknowledged only once its coroutine is done.
func queueAio(ctx context.Context, l *aio.Loop, c *consumer.Consumer, r *timing.Recorder) error {
	stop := startLoop(l)
	defer stop()
	doSomeWork := func(x int) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting: %d", x)
			if err := t.Sleep(lesson.Seconds(float64(x))); err != nil {
				return nil, err
			}
			r.Printf(t.Name(), "Done %d", x)
			return nil, nil
		}
	}
	for {
		msg, err := c.Next(ctx) // rcon.rpop("queue"), sleeping 1 s when empty
		if err != nil {
			return c.End(err)
		}
		x, ok := c.Parse(ctx, msg) // int(task), without dying on a bad one
		if !ok {
			continue
		}
		f, err := l.RunCoroutineThreadsafe(doSomeWork(x), lesson.Call("do_some_work", x))
		if err != nil {
			return err
		}
		c.Track(ctx, msg, f) // acknowledge when done; report an error with msg
	}
}

// queueGo is the Go way: the main goroutine takes messages and starts a
// goroutine for each; a WaitGroup waits for the ones still working.
func queueGo(ctx context.Context, c *consumer.Consumer, clock *timing.Clock, r *timing.Recorder) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		msg, err := c.Next(ctx)
		if err != nil {
			wg.Wait()
			return c.End(err)
		}
		x, ok := c.Parse(ctx, msg)
		if !ok {
			continue
		}
		wg.Go(func() {
			name := lesson.Call("do_some_work", x)
			r.Begin(name, name)
			r.Printf(name, "Waiting: %d", x)
			select {
			case <-clock.After(lesson.Seconds(float64(x))):
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
var queueScript = []consumer.Push{{At: 0, Value: "2"}, {At: 2.5, Value: "5"}, {At: 3.5, Value: "1"}, {At: 5.5, Value: "1"}}

// queueLesson is lesson 10.
type queueLesson struct {
	redis consumer.Flags
	queue *consumer.Session // opened by Prepare
}

func (q *queueLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "queue",
		Question: &lesson.Question{Kind: "first", Choices: []lesson.Choice{{Label: "Done 5", Text: "Done 5"}, {Label: "Done 1", Text: "Done 1"}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"startLoop", "queueAio"}, lesson.StyleGo: {"queueGo"}},
		Group:    "Redis and HTTP",
		Network:  true,
		Twin:     &lesson.Twin{Modules: []string{"redis.asyncio", "aiohttp"}, Order: consumer.Order},
	}
}

func (q *queueLesson) AddFlags(fs *pflag.FlagSet) { q.redis.Add(fs, "2,5,1,1") }

// Prepare implements lesson.Preparer: it opens the queue and takes the
// consumer's name before anything is printed.
func (q *queueLesson) Prepare(e *lesson.Env) (func(), error) {
	s, err := consumer.Prepare(e, &q.redis)
	if err != nil {
		return nil, err
	}
	q.queue = s
	return s.Close, nil
}

func (q *queueLesson) Run(e *lesson.Env) error {
	return consumer.Run(e, q.queue, &q.redis, queueScript, "queue-"+q.redis.Mode,
		func(l *aio.Loop, c *consumer.Consumer) error { return queueAio(e.Ctx, l, c, e.Rec) },
		func(ctx context.Context, c *consumer.Consumer) error { return queueGo(ctx, c, e.Clock, e.Rec) })
}

// TextValues implements lesson.Texter: the texts say who pushes what.
func (q *queueLesson) TextValues(labels map[string]string) map[string]string {
	return map[string]string{"pushes": q.redis.Pushes(labels, "pushes_queue", queueScript)}
}

// HostTwin implements lesson.TwinHost: the twin consumes an embedded Redis
// of its own, fed by the same script.
func (q *queueLesson) HostTwin(e *lesson.Env) ([]string, func(), error) {
	return q.redis.HostTwin(queueScript)
}

// RunValues implements lesson.RunTexter: whether a short message finished
// while a longer one waited, in this run.
func (q *queueLesson) RunValues(e *lesson.Env) map[string]string {
	return map[string]string{"what_happened": overlapped(e, [3]string{"queue_overlapped", "queue_no_overlap", "queue_none"}, nil)}
}

// overlapped says whether the messages of the lesson's last run overlapped,
// as the queue lessons show them (do_some_work(x) per message), with the
// labels named in words: when they did, when they did not, when there was
// none; values fill them too.
func overlapped(e *lesson.Env, words [3]string, values map[string]string) string {
	if len(e.Runs) == 0 {
		return ""
	}
	run := e.Runs[len(e.Runs)-1]
	n := 0
	for _, s := range run.Spans {
		if strings.HasPrefix(s.Task, "do_some_work(") && s.State == timing.StateDone {
			n++
		}
	}
	v := map[string]string{"n": fmt.Sprint(n)}
	maps.Copy(v, values)
	short, long, ok := lesson.Overtaken(run, "do_some_work(")
	switch {
	case ok:
		v["short"], v["short_end"], v["long"], v["long_start"] = short.Task, lesson.Took(short.End), long.Task, lesson.Took(long.Start)
		return lesson.Fill(e.Say(words[0]), v)
	case n > 0:
		return lesson.Fill(e.Say(words[1]), v)
	}
	return e.Say(words[2])
}
