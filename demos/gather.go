package demos

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// gatherAio is the tutorial's concurrency program: three tasks of 1, 2 and
// 4 s on one loop, and asyncio.wait (or gather) to wait for them all. While
// one task sleeps the loop runs the others, so the whole takes as long as
// the longest task, not the sum.
func gatherAio(l *aio.Loop, r *timing.Recorder, durations []float64, with string) error {
	var tasks []aio.Awaitable
	for _, x := range durations {
		tasks = append(tasks, l.CreateTask(doSomeWork(r, x), lesson.Call("do_some_work", x)))
	}
	var all aio.Awaitable
	if with == "wait" {
		// run_until_complete(asyncio.wait(tasks)) wraps the wait in a task.
		all = l.CreateTask(func(t *aio.Task) (any, error) {
			_, _, err := t.Wait(tasks, aio.WaitOptions{ReturnWhen: aio.AllCompleted})
			return nil, err
		}, "wait")
	} else {
		all = l.Gather(tasks...) // a future done when all are, its callback on each
	}
	if _, err := l.RunUntilComplete(all); err != nil {
		return err
	}
	for _, task := range tasks {
		ret, _ := task.Result()
		r.Printf("", "Task ret: %v", ret)
	}
	return nil
}

// gatherSequentialAio does the same work one task at a time: each task is
// awaited before the next is created, so the durations add up.
func gatherSequentialAio(l *aio.Loop, r *timing.Recorder, durations []float64) error {
	main := l.CreateTask(func(t *aio.Task) (any, error) {
		for _, x := range durations {
			ret, err := t.Await(l.CreateTask(doSomeWork(r, x), lesson.Call("do_some_work", x)))
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

// gatherGo is the same job the Go way: a goroutine per task, and an
// errgroup to wait for all of them (the first error would cancel the rest,
// like gather). Results go into a slice by index, so they stay in order.
func gatherGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, durations []float64) error {
	g, ctx := errgroup.WithContext(ctx)
	results := make([]string, len(durations))
	for i, x := range durations {
		g.Go(func() error {
			name := lesson.Call("do_some_work", x)
			r.Begin(name, name)
			defer r.End(name, timing.StateDone)
			ret, err := doSomeWorkGo(ctx, clock, r, name, x)
			results[i] = ret
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, ret := range results {
		r.Printf("", "Task ret: %v", ret)
	}
	return nil
}

// waitGo waits with a sync.WaitGroup instead: it only counts goroutines
// down to zero; results and errors are up to you.
func waitGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, durations []float64) error {
	var wg sync.WaitGroup
	results := make([]string, len(durations))
	for i, x := range durations {
		wg.Go(func() {
			name := lesson.Call("do_some_work", x)
			r.Begin(name, name)
			defer r.End(name, timing.StateDone)
			results[i], _ = doSomeWorkGo(ctx, clock, r, name, x)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err // Ctrl+C: there are no results to print
	}
	for _, ret := range results {
		r.Printf("", "Task ret: %v", ret)
	}
	return nil
}

// gatherSequentialGo calls the work one after another on one goroutine.
func gatherSequentialGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, durations []float64) error {
	for _, x := range durations {
		name := lesson.Call("do_some_work", x)
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

// gatherManyAio runs n tasks at once, durations taken in turn, and reports
// only the counts: n lines would drown the point. Each task is aio.Sleep
// itself, as create_task(asyncio.sleep(x)) is in Python: a coroutine that
// awaits once needs no goroutine, so the loop runs it as a timer.
func gatherManyAio(l *aio.Loop, r *timing.Recorder, n int, durations []float64) error {
	names := make([]string, len(durations))
	for i, x := range durations {
		names[i] = lesson.Call("do_some_work", x)
	}
	tasks := make([]aio.Awaitable, n)
	for i := range tasks {
		j := i % len(durations)
		tasks[i] = l.CreateTask(aio.Sleep(lesson.Seconds(durations[j])), names[j])
	}
	r.Printf("", "%d tasks created", n)
	results, err := l.RunUntilComplete(l.Gather(tasks...))
	if err != nil {
		return err
	}
	r.Printf("", "%d tasks done, %d results in argument order", n, len(results.([]any)))
	return nil
}

// gatherManyGo starts n goroutines and waits for them with a WaitGroup.
func gatherManyGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, n int, durations []float64) error {
	var wg sync.WaitGroup
	r.Printf("", "starting %d goroutines", n)
	for i := range n {
		x := durations[i%len(durations)]
		wg.Go(func() {
			span := r.BeginSpan(lesson.Call("do_some_work", x), lesson.Call("do_some_work", x))
			defer r.EndSpan(span, timing.StateDone)
			select {
			case <-clock.After(lesson.Seconds(x)):
			case <-ctx.Done():
			}
		})
	}
	wg.Wait()
	r.Printf("", "%d goroutines done", n)
	return ctx.Err()
}

// gatherLesson is lesson 6: concurrency.
type gatherLesson struct {
	Durations []float64
	With      string
	Tasks     int
}

func (g *gatherLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "gather",
		Question: &lesson.Question{Kind: "elapsed", Run: "concurrent", Choices: []lesson.Choice{{Label: "7 s", Value: 7}, {Label: "4 s", Value: 4}, {Label: "1 s", Value: 1}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"doSomeWork", "gatherAio", "gatherSequentialAio"}, lesson.StyleGo: {"doSomeWorkGo", "gatherGo", "waitGo", "gatherSequentialGo"}},
		Group:    "Concurrency", Compares: true,
		Twin: &lesson.Twin{},
	}
}

// TextValues implements Texter: the texts name the durations.
func (g *gatherLesson) TextValues(labels map[string]string) map[string]string {
	n := len(g.Durations)
	if g.Tasks > 0 {
		n = g.Tasks
	}
	var names []string
	var longest float64
	for _, x := range g.Durations {
		names = append(names, lesson.FormatSeconds(x))
		longest = max(longest, x)
	}
	sum := g.sum(n)
	values := map[string]string{
		"n": lesson.CountOf(labels, n), "N": lesson.Capitalized(lesson.CountOf(labels, n)),
		"durations": lesson.ListOf(labels, names), "longest": lesson.FormatSeconds(longest), "sum": lesson.FormatSeconds(sum),
		"each": labels["gather_each"], "then": labels["gather_then"],
	}
	if g.Tasks > 0 { // a summary, not a line per task, and no sequential run
		values["each"], values["then"] = labels["gather_each_many"], ""
	}
	return values
}

// RunValues implements lesson.RunTexter: how long the runs took, and when
// the results were read, against when the first task ended.
func (g *gatherLesson) RunValues(e *lesson.Env) map[string]string {
	conc, _ := e.RunNamed("concurrent")
	v := map[string]string{"concurrent": lesson.Took(conc.Elapsed), "results": "",
		"runs_after": e.Say("gather_runs_after_alone"), "go_waiter": e.Say("gather_go_waiter")}
	if seq, ok := e.RunNamed("sequential"); ok {
		v["sequential"], v["runs_after"] = lesson.Took(seq.Elapsed), e.Say("gather_runs_after")
	}
	waiter := "asyncio." + g.With
	switch {
	case g.Tasks > 0:
		v["runs_after"], v["go_waiter"] = e.Say("gather_runs_after_many"), e.Say("gather_go_waiter_many")
		return v
	case g.With == "gather":
		v["go_waiter"] = e.Say("gather_go_waiter_errgroup")
	}
	if e.Style == lesson.StyleGo {
		waiter = "Wait"
	}
	// The results are printed after the wait: say so if the first task
	// ended well before they were.
	rets := lesson.EventsOf(conc, "Task ret: ")
	if len(rets) == 0 || len(conc.Spans) == 0 {
		return v
	}
	first := slices.MinFunc(conc.Spans, func(a, b timing.Span) int { return cmp.Compare(a.End, b.End) })
	if rets[0].T-first.End >= 10*time.Millisecond {
		v["results"] = lesson.Fill(e.Say("gather_results"), map[string]string{
			"results_at": lesson.Took(rets[0].T), "first": first.Task, "first_end": lesson.Took(first.End), "waiter": waiter})
	}
	return v
}

func (g *gatherLesson) AddFlags(fs *pflag.FlagSet) {
	fs.Var(lesson.DurationsFlag(&g.Durations), "durations", "how long each task sleeps, in seconds")
	fs.Var(lesson.ChoiceFlag(&g.With, "wait", "gather"), "with", "wait for the tasks with asyncio.wait or asyncio.gather")
	fs.Var(lesson.CountFlag(&g.Tasks, 0, lesson.MaxTasks), "tasks", "run N concurrent tasks instead, durations taken in turn (a summary, not N lines)")
}

func (g *gatherLesson) Run(e *lesson.Env) error {
	d := g.Durations
	if g.Tasks > 0 {
		return g.runMany(e)
	}
	concGo := func(ctx context.Context) error { return gatherGo(ctx, e.Clock, e.Rec, d) }
	if g.With == "wait" {
		concGo = func(ctx context.Context) error { return waitGo(ctx, e.Clock, e.Rec, d) }
	}
	return e.RunCompared(
		func(l *aio.Loop) error { return gatherAio(l, e.Rec, d, g.With) },
		func(l *aio.Loop) error { return gatherSequentialAio(l, e.Rec, d) },
		concGo,
		func(ctx context.Context) error { return gatherSequentialGo(ctx, e.Clock, e.Rec, d) },
	)
}

func (g *gatherLesson) runMany(e *lesson.Env) error {
	// Every task is drawn, a count per row: keep them all, in one piece.
	// --tasks bounds how many there are.
	e.Rec.Window, e.Rec.Spans = 0, g.Tasks
	_, err := e.RunStyle("concurrent",
		func(l *aio.Loop) error {
			if e.ManyTasks != nil {
				e.ManyTasks(g.Tasks)
			}
			return gatherManyAio(l, e.Rec, g.Tasks, g.Durations)
		},
		func(ctx context.Context) error { return gatherManyGo(ctx, e.Clock, e.Rec, g.Tasks, g.Durations) })
	if err == nil && e.Compare && e.Printer != nil {
		e.Printer.Note(e.Say("not_run", g.Tasks, g.sum(g.Tasks)*e.Clock.Scale(), e.Clock.Scale()))
	}
	return err
}

// sum is how long n tasks take one after another, durations taken in turn:
// what the sequential run would take.
func (g *gatherLesson) sum(n int) float64 {
	var sum float64
	for i := range n {
		sum += g.Durations[i%len(g.Durations)]
	}
	return sum
}
