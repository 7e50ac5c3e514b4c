package demos

import (
	"context"
	"fmt"
	"sync"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// awaitAio runs two coroutines of x seconds. Awaiting asyncio.sleep hands
// the loop to the other, so they overlap. A blocking sleep (time.sleep in
// Python) holds the loop: nothing else runs until it returns.
func awaitAio(l *aio.Loop, clock *timing.Clock, r *timing.Recorder, x float64, blocking bool) error {
	doSomeWork := func(x float64) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting: %v", x)
			if blocking {
				clock.Sleep(lesson.Seconds(x)) // time.sleep(x): the whole loop stops here
			} else if err := t.Sleep(lesson.Seconds(x)); err != nil { // await asyncio.sleep(x)
				return nil, err
			}
			return fmt.Sprintf("Done after %vs", x), nil
		}
	}
	first := l.CreateTask(doSomeWork(x), lesson.Call("do_some_work", x)+" #1")
	second := l.CreateTask(doSomeWork(x), lesson.Call("do_some_work", x)+" #2")
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
			ret, err := t.Await(l.CreateTask(doSomeWork(r, x), lesson.Call("do_some_work", x)+name))
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
			name := lesson.Call("do_some_work", x) + name
			r.Begin(name, name)
			defer r.End(name, timing.StateDone)
			if blocking {
				r.Printf(name, "Waiting: %v", x)
				clock.Sleep(lesson.Seconds(x)) // blocks this goroutine only
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

// awaitSequentialGo does the two one after the other, on one goroutine.
func awaitSequentialGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, x float64) error {
	for _, name := range []string{" #1", " #2"} {
		name := lesson.Call("do_some_work", x) + name
		r.Begin(name, name)
		ret, err := doSomeWorkGo(ctx, clock, r, name, x)
		r.End(name, timing.StateDone)
		if err != nil {
			return err
		}
		r.Printf("", "Task ret: %v", ret)
	}
	return nil
}

// awaitLesson is lesson 5.
type awaitLesson struct {
	X        float64
	Blocking bool
}

func (c *awaitLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "await",
		Question: &lesson.Question{Kind: "elapsed", Run: "concurrent", Choices: []lesson.Choice{{Label: "0 s", Value: 0}, {Label: "2 s", Value: 2}, {Label: "4 s", Value: 4}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"doSomeWork", "awaitAio", "awaitSequentialAio"}, lesson.StyleGo: {"doSomeWorkGo", "awaitGo", "awaitSequentialGo"}},
		Group:    "Basics", Compares: true,
		Twin: &lesson.Twin{},
	}
}

func (c *awaitLesson) AddFlags(fs *pflag.FlagSet) {
	fs.VarP(lesson.SecondsFlag(&c.X), "x", "x", "the argument x of do_some_work(x)")
	fs.BoolVar(&c.Blocking, "blocking", false, "sleep with a blocking call (time.sleep) instead of awaiting")
}

func (c *awaitLesson) Run(e *lesson.Env) error {
	return e.RunCompared(
		func(l *aio.Loop) error { return awaitAio(l, e.Clock, e.Rec, c.X, c.Blocking) },
		func(l *aio.Loop) error { return awaitSequentialAio(l, e.Rec, c.X) },
		func(ctx context.Context) error { return awaitGo(ctx, e.Clock, e.Rec, c.X, c.Blocking) },
		func(ctx context.Context) error { return awaitSequentialGo(ctx, e.Clock, e.Rec, c.X) },
	)
}

// TextValues implements lesson.Texter: the texts name x.
func (c *awaitLesson) TextValues(map[string]string) map[string]string {
	return map[string]string{"x": lesson.FormatSeconds(c.X)}
}

// RunValues implements lesson.RunTexter: what is said after the run is
// how long it took, awaiting or blocking, beside the sequential run.
func (c *awaitLesson) RunValues(e *lesson.Env) map[string]string {
	conc, _ := e.RunNamed("concurrent")
	v := map[string]string{"concurrent": lesson.Took(conc.Elapsed), "against": ""}
	happened, against := "await_overlapped", "await_against"
	if c.Blocking {
		happened, against = "await_blocked", "await_against_blocked"
	}
	if seq, ok := e.RunNamed("sequential"); ok {
		v["against"] = lesson.Fill(e.Say(against), map[string]string{"sequential": lesson.Took(seq.Elapsed)})
	}
	v["what_happened"] = lesson.Fill(e.Say(happened), v)
	return v
}
