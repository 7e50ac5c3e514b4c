package demos

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// startLoop runs the loop for ever on a goroutine of its own, the
// tutorial's Thread(target=start_loop). The returned function stops it
// from this goroutine, safely, and waits until it has stopped.
func startLoop(l *aio.Loop) (stop func() error) {
	stopped := make(chan error, 1)
	go func() { stopped <- l.RunForever() }()
	return func() error {
		if err := l.CallSoonThreadsafe(l.Stop); err != nil {
			return err
		}
		return <-stopped
	}
}

// threadCallsAio hands plain functions to the loop thread with
// call_soon_threadsafe. They block (time.sleep), so the loop runs them one
// after the other: 6 + 3 s.
func threadCallsAio(ctx context.Context, l *aio.Loop, clock *timing.Clock, r *timing.Recorder, durations []float64) error {
	stop := startLoop(l)
	r.Printf("", "main: loop started in another thread; main is not blocked")
	finished := make(chan struct{}, len(durations))
	moreWork := func(x float64) {
		name := lesson.Call("more_work", x)
		r.Begin(name, name)
		r.Printf(name, "More work %v", x)
		clock.Sleep(lesson.Seconds(x)) // time.sleep(x): the loop can do nothing else
		r.Printf(name, "Finished more work %v", x)
		r.End(name, timing.StateDone)
		finished <- struct{}{}
	}
	for _, x := range durations {
		l.CallSoonThreadsafe(func() { moreWork(x) })
	}
	for range durations {
		select {
		case <-finished:
		case <-ctx.Done():
			stop()
			return ctx.Err()
		}
	}
	return stop()
}

// threadCoroutinesAio hands coroutines to the loop thread with
// run_coroutine_threadsafe. They await asyncio.sleep, so they overlap: 6 s
// in all. Each returns a future, and an error raised in the loop thread
// comes back through it: main takes them as they complete
// (concurrent.futures.as_completed), so it hears of each error at once.
func threadCoroutinesAio(ctx context.Context, l *aio.Loop, r *timing.Recorder, durations []float64, fail bool) error {
	stop := startLoop(l)
	defer stop()
	doSomeWork := func(x float64) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting: %v", x)
			if err := t.Sleep(lesson.Seconds(x)); err != nil {
				return nil, err
			}
			if fail {
				return nil, fmt.Errorf("do_some_work(%v) failed in the loop thread", x)
			}
			r.Printf(t.Name(), "Done after %vs", x)
			return x, nil
		}
	}
	var futures []*aio.ConcurrentFuture
	for _, x := range durations {
		f, err := l.RunCoroutineThreadsafe(doSomeWork(x), lesson.Call("do_some_work", x))
		if err != nil {
			return err
		}
		futures = append(futures, f)
	}
	r.Printf("", "main: coroutines submitted; main is not blocked")
	var first error
	for f, err := range aio.FuturesAsCompleted(ctx, futures...) {
		if err != nil {
			return err // Ctrl+C
		}
		if _, err := f.Wait(ctx); err != nil { // f.result(): done, so at once
			r.Printf("", "main got the loop thread's error: %v", err)
			first = cmp.Or(first, err)
		}
	}
	return first
}

// threadCallsGo is the Go way to hand work to one worker: a goroutine
// that takes functions from a channel and runs them one at a time.
func threadCallsGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, durations []float64) error {
	work := make(chan func(), len(durations))
	done := make(chan struct{})
	go func() { // the worker: call_soon_threadsafe's loop thread
		defer close(done)
		for fn := range work {
			fn()
		}
	}()
	r.Printf("", "main: worker started; main is not blocked")
	for _, x := range durations {
		work <- func() {
			name := lesson.Call("more_work", x)
			r.Begin(name, name)
			defer r.End(name, timing.StateDone)
			r.Printf(name, "More work %v", x)
			clock.Sleep(lesson.Seconds(x)) // blocks the worker, so the next waits
			r.Printf(name, "Finished more work %v", x)
		}
	}
	close(work)
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// threadCoroutinesGo starts a goroutine per job; each sends its outcome on
// one channel, so main receives them in the order the jobs end and learns
// of each error at once.
func threadCoroutinesGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, durations []float64, fail bool) error {
	var wg sync.WaitGroup
	outcomes := make(chan error, len(durations))
	for _, x := range durations {
		wg.Go(func() {
			name := lesson.Call("do_some_work", x)
			r.Begin(name, name)
			defer r.End(name, timing.StateDone)
			_, err := doSomeWorkGo(ctx, clock, r, name, x)
			switch {
			case err == nil && fail:
				err = fmt.Errorf("do_some_work(%v) failed in its goroutine", x)
			case err == nil:
				r.Printf(name, "Done after %vs", x)
			}
			outcomes <- err
		})
	}
	defer wg.Wait()
	r.Printf("", "main: goroutines started; main is not blocked")
	var first error
	for range durations {
		if err := <-outcomes; err != nil {
			if ctx.Err() == nil {
				r.Printf("", "main got the goroutine's error: %v", err)
			}
			first = cmp.Or(first, err)
		}
	}
	return first
}

// threadLesson is lesson 9.
type threadLesson struct {
	Variant string
	Fail    bool
}

func (c *threadLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "thread",
		Question: &lesson.Question{Kind: "elapsed", Run: "threadsafe-call", Choices: []lesson.Choice{{Label: "6 s", Value: 6}, {Label: "9 s", Value: 9}, {Label: "3 s", Value: 3}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"doSomeWork", "startLoop", "threadCallsAio", "threadCoroutinesAio"}, lesson.StyleGo: {"doSomeWorkGo", "threadCallsGo", "threadCoroutinesGo"}},
		Group:    "Concurrency",
		Twin:     &lesson.Twin{Order: threadOrder},
	}
}

func (c *threadLesson) AddFlags(fs *pflag.FlagSet) {
	fs.Var(lesson.ChoiceFlag(&c.Variant, "all", "threadsafe-call", "threadsafe-coroutine"), "variant", "which part to run")
	fs.BoolVar(&c.Fail, "fail", false, "make the submitted coroutines raise: the error reaches main")
}

func (c *threadLesson) Run(e *lesson.Env) error {
	if c.Variant != "threadsafe-coroutine" {
		_, err := e.RunStyle("threadsafe-call",
			func(l *aio.Loop) error { return threadCallsAio(e.Ctx, l, e.Clock, e.Rec, []float64{6, 3}) },
			func(ctx context.Context) error { return threadCallsGo(ctx, e.Clock, e.Rec, []float64{6, 3}) })
		if err != nil {
			return err
		}
	}
	if c.Variant != "threadsafe-call" {
		_, err := e.RunStyle("threadsafe-coroutine",
			func(l *aio.Loop) error { return threadCoroutinesAio(e.Ctx, l, e.Rec, []float64{6, 4}, c.Fail) },
			func(ctx context.Context) error {
				return threadCoroutinesGo(ctx, e.Clock, e.Rec, []float64{6, 4}, c.Fail)
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// threadOrder is where the order of thread's events is left to chance: in
// the threadsafe-coroutine run, main prints "main: ..." after submitting the
// coroutines, while the loop thread may already be running them; every other
// line of that run is the coroutines'. (It goes by the text alone: a printed
// line has no task.)
func threadOrder(run string, e timing.Event) twin.Order {
	switch {
	case run != "threadsafe-coroutine":
		return twin.Order{}
	case strings.HasPrefix(e.Text, "main: "):
		return twin.Order{Stream: "main"}
	}
	return twin.Order{Stream: "loop"}
}

// TextValues implements lesson.Texter: the texts name the parts that run.
func (c *threadLesson) TextValues(labels map[string]string) map[string]string {
	parts := map[string]string{"all": "thread_parts", "threadsafe-call": "thread_part_calls", "threadsafe-coroutine": "thread_part_coros"}
	fail := ""
	if c.Fail {
		fail = labels["thread_fail"]
	}
	return map[string]string{"parts": strings.ReplaceAll(labels[parts[c.Variant]], "{fail}", fail)}
}

// RunValues implements lesson.RunTexter: how long each part took, and
// when main heard of each error.
func (c *threadLesson) RunValues(e *lesson.Env) map[string]string {
	prefix := ""
	if e.Style == lesson.StyleGo {
		prefix = "go_"
	}
	values := map[string]string{"calls": "", "coros": ""}
	if run, ok := e.RunNamed("threadsafe-call"); ok {
		values["calls"] = lesson.Fill(e.Say("thread_"+prefix+"calls"), map[string]string{
			"took": lesson.Took(run.Elapsed), "sum": e.AtScale("6 + 3 s")})
	}
	if run, ok := e.RunNamed("threadsafe-coroutine"); ok {
		var errs []string
		for _, ev := range lesson.EventsOf(run, "main got the ") {
			_, what, _ := strings.Cut(ev.Text, ": ")
			task, _, _ := strings.Cut(what, " failed")
			errs = append(errs, lesson.Fill(e.Say("thread_error_at"), map[string]string{"task": task, "at": lesson.Took(ev.T)}))
		}
		key := "thread_" + prefix + "coros"
		if len(errs) > 0 {
			key += "_failed"
		}
		values["coros"] = lesson.Fill(e.Say(key), map[string]string{
			"took": lesson.Took(run.Elapsed), "longest": e.AtScale("6 s"), "errors": lesson.ListOf(e.Labels, errs)})
	}
	return values
}
