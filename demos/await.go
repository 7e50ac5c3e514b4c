package demos

import (
	"context"
	"fmt"
	"sync"

	"github.com/spf13/pflag"

	"asyncdemo/demos/aio"
	"asyncdemo/timing"
)

// awaitAio runs two coroutines of x seconds. Awaiting asyncio.sleep hands
// the loop to the other, so they overlap. A blocking sleep (time.sleep in
// Python) holds the loop: nothing else runs until it returns.
func awaitAio(l *aio.Loop, clock *timing.Clock, r *timing.Recorder, x float64, blocking bool) error {
	doSomeWork := func(x float64) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting: %v", x)
			if blocking {
				clock.Sleep(seconds(x)) // time.sleep(x): the whole loop stops here
			} else if err := t.Sleep(seconds(x)); err != nil { // await asyncio.sleep(x)
				return nil, err
			}
			return fmt.Sprintf("Done after %vs", x), nil
		}
	}
	first := l.CreateTask(doSomeWork(x), call("do_some_work", x)+" #1")
	second := l.CreateTask(doSomeWork(x), call("do_some_work", x)+" #2")
	if _, err := l.RunUntilComplete(l.Gather(first, second)); err != nil {
		return err
	}
	for _, task := range []*aio.Task{first, second} {
		ret, _ := task.Result()
		r.Printf(task.Name(), "Task ret: %v", ret)
	}
	return nil
}

// awaitSequentialAio awaits one coroutine after the other.
func awaitSequentialAio(l *aio.Loop, r *timing.Recorder, x float64) error {
	main := l.CreateTask(func(t *aio.Task) (any, error) {
		for _, name := range []string{" #1", " #2"} {
			ret, err := t.Await(l.CreateTask(doSomeWork(r, x), call("do_some_work", x)+name))
			if err != nil {
				return nil, err
			}
			r.Printf("", "Task ret: %v", ret)
		}
		return nil, nil
	}, "main")
	_, err := l.RunUntilComplete(main)
	return err
}

// awaitGo runs the two on goroutines. A goroutine blocked in time.Sleep
// blocks only itself: the Go scheduler runs the others, so blocking or not,
// they overlap.
func awaitGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, x float64, blocking bool) error {
	var wg sync.WaitGroup
	results := make([]string, 2)
	for i, name := range []string{" #1", " #2"} {
		wg.Go(func() {
			name := call("do_some_work", x) + name
			r.Begin(name, name)
			defer r.End(name, timing.StateDone)
			if blocking {
				r.Printf(name, "Waiting: %v", x)
				clock.Sleep(seconds(x)) // blocks this goroutine only
				results[i] = fmt.Sprintf("Done after %vs", x)
				return
			}
			results[i], _ = doSomeWorkGo(ctx, clock, r, name, x)
		})
	}
	wg.Wait()
	for _, ret := range results {
		r.Printf("", "Task ret: %v", ret)
	}
	return ctx.Err()
}

// awaitSequentialGo does the two one after the other.
func awaitSequentialGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, x float64) error {
	return gatherSequentialGo(ctx, clock, r, []float64{x, x})
}

// awaitLesson is lesson 5.
type awaitLesson struct {
	X        float64
	Blocking bool
}

func (c *awaitLesson) Info() Info {
	return Info{
		Name:     "await",
		Question: &Question{Kind: "elapsed", Run: "concurrent", Choices: []Choice{{Label: "0 s", Value: 0}, {Label: "2 s", Value: 2}, {Label: "4 s", Value: 4}}},
		Code:     map[Style][]string{StyleAio: {"awaitAio", "awaitSequentialAio"}, StyleGo: {"awaitGo", "awaitSequentialGo"}},
		Group:    "Basics", Compares: true,
	}
}

func (c *awaitLesson) AddFlags(fs *pflag.FlagSet) {
	fs.VarP(secondsValue{&c.X}, "x", "x", "the argument x of do_some_work(x)")
	fs.BoolVar(&c.Blocking, "blocking", false, "sleep with a blocking call (time.sleep) instead of awaiting")
}

func (c *awaitLesson) Run(e *Env) error {
	return e.RunCompared(
		func(l *aio.Loop) error { return awaitAio(l, e.Clock, e.Rec, c.X, c.Blocking) },
		func(l *aio.Loop) error { return awaitSequentialAio(l, e.Rec, c.X) },
		func(ctx context.Context) error { return awaitGo(ctx, e.Clock, e.Rec, c.X, c.Blocking) },
		func(ctx context.Context) error { return awaitSequentialGo(ctx, e.Clock, e.Rec, c.X) },
	)
}
