package demos

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// createTasks makes a task of doSomeWork per duration: the tutorial's
// "tasks = [asyncio.ensure_future(coroutine1), ...]".
func createTasks(l *aio.Loop, r *timing.Recorder, durations []float64) []aio.Awaitable {
	var tasks []aio.Awaitable
	for _, x := range durations {
		tasks = append(tasks, l.CreateTask(doSomeWork(r, x), lesson.Call("do_some_work", x)))
	}
	return tasks
}

// nestWaitAio has a main coroutine await asyncio.wait and print the results
// of the done set. A set has no order, so neither have these lines.
func nestWaitAio(l *aio.Loop, r *timing.Recorder, durations []float64) error {
	main := func(t *aio.Task) (any, error) {
		done, pending, err := t.Wait(createTasks(l, r, durations), aio.WaitOptions{})
		if err != nil {
			return nil, err
		}
		r.Printf("", "%d done, %d pending", len(done), len(pending))
		for task := range done { // ranging over a set: any order
			ret, _ := task.Result()
			r.Printf("", "Task ret: %v", ret)
		}
		return nil, nil
	}
	_, err := l.RunUntilComplete(l.CreateTask(main, "main"))
	return err
}

// nestGatherAio has main await asyncio.gather, whose result is the list of
// results in argument order, whatever order the tasks finished in.
func nestGatherAio(l *aio.Loop, r *timing.Recorder, durations []float64) error {
	main := func(t *aio.Task) (any, error) {
		results, err := t.Await(l.Gather(createTasks(l, r, durations)...))
		if err != nil {
			return nil, err
		}
		for _, ret := range results.([]any) {
			r.Printf("", "Task ret: %v", ret)
		}
		return nil, nil
	}
	_, err := l.RunUntilComplete(l.CreateTask(main, "main"))
	return err
}

// nestReturnAio has main return what it awaited, and run_until_complete hands
// it to the caller outside the loop, which prints it.
func nestReturnAio(l *aio.Loop, r *timing.Recorder, durations []float64) error {
	main := func(t *aio.Task) (any, error) {
		return t.Await(l.Gather(createTasks(l, r, durations)...)) // return await asyncio.gather(*tasks)
	}
	results, err := l.RunUntilComplete(l.CreateTask(main, "main"))
	if err != nil {
		return err
	}
	for _, ret := range results.([]any) {
		r.Printf("", "Task ret: %v", ret)
	}
	return nil
}

// nestAsCompletedAio has main take each result as soon as its task completes,
// so the lines come in completion order.
func nestAsCompletedAio(l *aio.Loop, r *timing.Recorder, durations []float64) error {
	main := func(t *aio.Task) (any, error) {
		for ret, err := range t.AsCompleted(createTasks(l, r, durations)...) {
			if err != nil {
				return nil, err
			}
			r.Printf("", "Task ret: %v", ret)
		}
		return nil, nil
	}
	_, err := l.RunUntilComplete(l.CreateTask(main, "main"))
	return err
}

// nestAsCompletedGo has each goroutine send its result on a channel when it
// finishes; receiving from the channel gives them in completion order.
func nestAsCompletedGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, durations []float64) error {
	g, ctx := errgroup.WithContext(ctx)
	results := make(chan string, len(durations))
	for _, x := range durations {
		g.Go(func() error {
			name := lesson.Call("do_some_work", x)
			r.Begin(name, name)
			defer r.End(name, timing.StateDone)
			ret, err := doSomeWorkGo(ctx, clock, r, name, x)
			if err == nil {
				results <- ret
			}
			return err
		})
	}
	for range durations {
		select {
		case ret := <-results:
			r.Printf("", "Task ret: %v", ret)
		case <-ctx.Done():
			return g.Wait()
		}
	}
	return g.Wait()
}

// nestVariants are the four ways, in the order the tutorial shows them.
var nestVariants = []string{"wait", "gather", "return", "as-completed"}

// nestLesson is lesson 7.
type nestLesson struct {
	Durations []float64
	Variant   string
}

func (n *nestLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "nest",
		Question: &lesson.Question{Kind: "elapsed", Run: "gather", Choices: []lesson.Choice{{Label: "4 s", Value: 4}, {Label: "7 s", Value: 7}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"doSomeWork", "createTasks", "nestWaitAio", "nestGatherAio", "nestReturnAio", "nestAsCompletedAio"}, lesson.StyleGo: {"doSomeWorkGo", "waitGo", "gatherGo", "nestAsCompletedGo"}},
		Group:    "Concurrency",
		TourArgs: []string{"--durations", "4,1,2"},
		Twin:     &lesson.Twin{Order: nestOrder},
	}
}

func (n *nestLesson) AddFlags(fs *pflag.FlagSet) {
	fs.Var(lesson.DurationsFlag(&n.Durations), "durations", "how long each task sleeps, in seconds")
	fs.Var(lesson.ChoiceFlag(&n.Variant, append([]string{"all"}, nestVariants...)...), "variant", "which way to run")
}

func (n *nestLesson) Run(e *lesson.Env) error {
	d := n.Durations
	aioStyle := map[string]func(l *aio.Loop) error{
		"wait":         func(l *aio.Loop) error { return nestWaitAio(l, e.Rec, d) },
		"gather":       func(l *aio.Loop) error { return nestGatherAio(l, e.Rec, d) },
		"return":       func(l *aio.Loop) error { return nestReturnAio(l, e.Rec, d) },
		"as-completed": func(l *aio.Loop) error { return nestAsCompletedAio(l, e.Rec, d) },
	}
	goStyle := map[string]func(ctx context.Context) error{
		"wait":         func(ctx context.Context) error { return waitGo(ctx, e.Clock, e.Rec, d) },
		"gather":       func(ctx context.Context) error { return gatherGo(ctx, e.Clock, e.Rec, d) },
		"return":       func(ctx context.Context) error { return gatherGo(ctx, e.Clock, e.Rec, d) },
		"as-completed": func(ctx context.Context) error { return nestAsCompletedGo(ctx, e.Clock, e.Rec, d) },
	}
	for _, v := range nestVariants {
		if n.Variant != "all" && n.Variant != v {
			continue
		}
		if _, err := e.RunStyle(v, aioStyle[v], goStyle[v]); err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
	}
	return nil
}

// nestOrder is where the order of nest's events is left to chance: the wait
// run prints the results of the set asyncio.wait returns, and a set has no
// order, in Go or in Python.
func nestOrder(run string, e timing.Event) twin.Order {
	if run == "wait" && strings.HasPrefix(e.Text, "Task ret: ") {
		return twin.Order{Stream: "main", Set: true}
	}
	return twin.Order{}
}

// variants are the ways this run awaits, in order.
func (n *nestLesson) variants() []string {
	if n.Variant == "all" {
		return nestVariants
	}
	return []string{n.Variant}
}

// TextValues implements lesson.Texter: the texts name the ways the run
// awaits, and the durations.
func (n *nestLesson) TextValues(labels map[string]string) map[string]string {
	var ways, durations []string
	for _, v := range n.variants() {
		ways = append(ways, labels["nest_way_"+v])
	}
	for _, x := range n.Durations {
		durations = append(durations, lesson.FormatSeconds(x))
	}
	values := map[string]string{"durations": lesson.ListOf(labels, durations), "in_each": "", "hint": "",
		"ways": strings.ReplaceAll(labels["nest_with"], "{way}", ways[0])}
	if len(ways) > 1 {
		values["ways"] = strings.ReplaceAll(labels["nest_ways"], "{list}", lesson.ListOf(labels, ways))
		values["in_each"] = labels["nest_in_each"]
	}
	if slices.IsSorted(n.Durations) && n.Variant != "return" { // in argument order and in completion order alike
		values["hint"] = labels["nest_hint"]
	}
	return values
}

// RunValues implements lesson.RunTexter: how long each way took, and what
// each did with the order of the results.
func (n *nestLesson) RunValues(e *lesson.Env) map[string]string {
	var took, each []string
	for _, v := range n.variants() {
		if run, ok := e.RunNamed(v); ok {
			took = append(took, lesson.Took(run.Elapsed))
			each = append(each, e.Say("nest_after_"+v))
		}
	}
	// Each sentence ends with the space the language puts after one.
	values := map[string]string{"each_way": strings.Join(each, ""), "took": ""}
	switch {
	case len(took) == 1:
		values["took"] = strings.ReplaceAll(e.Say("nest_took"), "{took}", took[0])
	case len(took) > 1 && len(slices.Compact(slices.Clone(took))) == 1:
		values["took"] = strings.ReplaceAll(e.Say("nest_took_all"), "{took}", took[0])
	case len(took) > 1:
		values["took"] = strings.ReplaceAll(e.Say("nest_took_each"), "{list}", lesson.ListOf(e.Labels, took))
	}
	return values
}
