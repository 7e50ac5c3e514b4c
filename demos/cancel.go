package demos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/goleak"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// cancelAio is the tutorial's Ctrl+C program. Three tasks wait under
// asyncio.wait until Ctrl+C arrives, which the loop raises as
// KeyboardInterrupt out of run_until_complete. Then every task is listed
// and cancelled (each Cancel prints true), and the loop is stopped and run
// once more so that the cancellations land inside the tasks.
func cancelAio(l *aio.Loop, r *timing.Recorder, durations []float64, drain bool) error {
	tasks := createTasks(l, r, durations)
	wait := l.CreateTask(func(t *aio.Task) (any, error) {
		_, _, err := t.Wait(tasks, aio.WaitOptions{})
		return nil, err
	}, "wait")
	if _, err := l.RunUntilComplete(wait); !errors.Is(err, aio.ErrInterrupted) {
		return err // no Ctrl+C: the tasks simply finished
	}
	r.Printf("", "KeyboardInterrupt")
	for _, task := range l.AllTasks() { // asyncio.all_tasks(): those not done
		r.Printf(task.Name(), "%v", task)
	}
	for _, task := range l.AllTasks() {
		r.Printf(task.Name(), "%v", task.Cancel())
	}
	if drain {
		l.Stop()
		l.RunForever() // one more iteration: each task gets its CancelledError
	}
	for _, task := range append(tasks, wait) {
		r.State(task.(*aio.Task).Name(), task.State().String())
	}
	return l.Close() // what is still pending now is destroyed
}

// cancelOuterAio wraps the wait in one main task, as the tutorial's second
// version does, and cancels everything with one gather of all the tasks.
func cancelOuterAio(l *aio.Loop, r *timing.Recorder, durations []float64, drain bool) error {
	tasks := createTasks(l, r, durations)
	main := l.CreateTask(func(t *aio.Task) (any, error) {
		done, _, err := t.Wait(tasks, aio.WaitOptions{})
		for task := range done {
			ret, _ := task.Result()
			r.Printf("", "Task ret: %v", ret)
		}
		return nil, err
	}, "main")
	if _, err := l.RunUntilComplete(main); !errors.Is(err, aio.ErrInterrupted) {
		return err
	}
	r.Printf("", "KeyboardInterrupt")
	for _, task := range append(tasks, main) { // the tutorial's Task.all_tasks() listed finished ones too
		r.Printf(task.(*aio.Task).Name(), "%v", task)
	}
	var pending []aio.Awaitable
	for _, task := range l.AllTasks() {
		pending = append(pending, task)
	}
	r.Printf("", "%v", l.Gather(pending...).Cancel()) // print(asyncio.gather(*all_tasks()).cancel())
	if drain {
		l.Stop()
		l.RunForever()
	}
	for _, task := range append(tasks, main) {
		r.State(task.(*aio.Task).Name(), task.State().String())
	}
	return l.Close()
}

// cancelGo stops its goroutines the Go way: signal.NotifyContext turns
// Ctrl+C into a cancelled context, every goroutine selects on ctx.Done, so
// all of them stop at once, and the WaitGroup waits until they have.
func cancelGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, durations []float64) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	var wg sync.WaitGroup
	for _, x := range durations {
		wg.Go(func() {
			name := lesson.Call("do_some_work", x)
			r.Begin(name, name)
			ret, err := doSomeWorkGo(ctx, clock, r, name, x)
			if err != nil {
				r.End(name, timing.StateCancelled)
				r.Printf(name, "%s stopped: %v", name, err)
				return
			}
			r.End(name, timing.StateDone)
			r.Printf(name, "Task ret: %v", ret)
		})
	}
	wg.Wait()
	return nil
}

// cancelLeakGo is the classic goroutine leak: each goroutine sends its
// result on an unbuffered channel, but after Ctrl+C main stops receiving.
// A send with no receiver waits for ever, so the goroutines never end.
// goleak, the leak checker, finds them.
func cancelLeakGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, durations []float64) error {
	before := goleak.IgnoreCurrent()
	results := make(chan string)   // unbuffered: a send waits for a receiver
	release := make(chan struct{}) // only so that this program can end clean
	for _, x := range durations {
		go func() {
			name := lesson.Call("do_some_work", x)
			r.Printf(name, "Waiting: %v", x)
			<-clock.After(lesson.Seconds(x)) // no ctx: Ctrl+C never reaches it
			select {
			case results <- fmt.Sprintf("Done after %vs", x): // blocks for ever once main has gone
			case <-release:
			}
		}()
	}
	for range durations {
		select {
		case ret := <-results:
			r.Printf("", "Task ret: %v", ret)
		case <-ctx.Done():
			r.Printf("", "Ctrl+C: main stops receiving and returns")
			if err := goleak.Find(before); err != nil {
				r.Printf("", "goleak: %d goroutines leaked", countLeaks(err))
			}
			close(release)
			return nil
		}
	}
	return nil
}

// countLeaks counts the goroutines in a goleak report: each starts with
// "Goroutine N in state ...".
func countLeaks(err error) int { return strings.Count(err.Error(), "Goroutine ") }

// cancelLesson is lesson 8.
type cancelLesson struct {
	Durations []float64
	Mode      string
	NoDrain   bool
	After     time.Duration // --interrupt: send SIGINT after this long; 0: wait for the user
	interrupt bool
}

func (c *cancelLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "cancel",
		Question: &lesson.Question{Kind: "count", Text: "true", Choices: []lesson.Choice{{Label: "3", Value: 3}, {Label: "4", Value: 4}, {Label: "0", Value: 0}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"doSomeWork", "createTasks", "cancelAio", "cancelOuterAio"}, lesson.StyleGo: {"doSomeWorkGo", "cancelGo", "cancelLeakGo", "countLeaks"}},
		Group:    "Concurrency", HandlesInterrupt: true,
		AutoArgs: []string{"--interrupt"},
		Twin:     &lesson.Twin{Order: cancelOrder},
	}
}

func (c *cancelLesson) AddFlags(fs *pflag.FlagSet) {
	fs.Var(lesson.DurationsFlag(&c.Durations), "durations", "how long each task sleeps, in seconds (default 1,2,2; 1,2,4 with --mode outer)")
	fs.Var(lesson.ChoiceFlag(&c.Mode, "tasks", "outer"), "mode", "cancel each task, or the one outer task")
	fs.Var(interruptValue{&c.After, &c.interrupt}, "interrupt", "send this program a real SIGINT after `DUR` of lesson time (scaled by --scale); write --interrupt=2.5s")
	fs.Lookup("interrupt").NoOptDefVal = "0.8s"
	fs.Lookup("interrupt").DefValue = "" // not sent unless asked for; the help then shows only 0.8s
	fs.BoolVar(&c.NoDrain, "no-drain", false, "skip the final loop run: tasks are destroyed while pending (go style: leaked)")
}

// durations are how long the tasks sleep: --durations, or the tutorial's.
func (c *cancelLesson) durations() []float64 {
	switch {
	case len(c.Durations) > 0:
		return c.Durations
	case c.Mode == "outer":
		return []float64{1, 2, 4}
	}
	return []float64{1, 2, 2}
}

func (c *cancelLesson) Run(e *lesson.Env) error {
	drain := !c.NoDrain
	d := c.durations()
	if c.interrupt {
		stop := time.AfterFunc(e.Clock.Real(c.After), e.Interrupt)
		defer stop.Stop()
	} else if e.Printer != nil {
		e.Printer.Note(e.Say("press_ctrl_c", lesson.FormatSeconds(maxOf(d)*e.Clock.Scale())))
	}
	_, err := e.RunStyle("cancel-"+c.Mode,
		func(l *aio.Loop) error {
			if c.Mode == "outer" {
				return cancelOuterAio(l, e.Rec, d, drain)
			}
			return cancelAio(l, e.Rec, d, drain)
		},
		func(ctx context.Context) error {
			if !drain {
				return cancelLeakGo(ctx, e.Clock, e.Rec, d)
			}
			return cancelGo(ctx, e.Clock, e.Rec, d)
		})
	if err == nil && !slices.ContainsFunc(e.Runs[len(e.Runs)-1].Marks, func(m timing.Mark) bool { return m.Label == "Ctrl+C" }) {
		// Nothing was cancelled: the usual explanation would not fit.
		e.Afterword = e.Say("no_ctrl_c")
		if c.interrupt {
			e.Afterword = e.Say("late_ctrl_c")
		}
	}
	return err
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// interruptValue is the --interrupt[=DUR] flag.
type interruptValue struct {
	p   *time.Duration
	set *bool
}

func (v interruptValue) String() string { return v.p.String() }
func (v interruptValue) Type() string   { return "DUR" }
func (v interruptValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		x, ferr := lesson.ParseSeconds(s)
		if ferr != nil {
			return fmt.Errorf("%q is not a duration (such as 0.8s or 2.5)", s)
		}
		d = lesson.Seconds(x)
	}
	if d < 0 || d > lesson.MaxSeconds*time.Second {
		return fmt.Errorf("%q is out of range (0 to %d s)", s, lesson.MaxSeconds)
	}
	*v.p, *v.set = d, true
	return nil
}

// cancelOrder is where the order of cancel's events is left to chance: the
// outer run prints the results of the set asyncio.wait returns; without
// draining, the garbage collector destroys pending tasks in an order of its
// own ("Task was destroyed but it is pending!").
func cancelOrder(run string, e timing.Event) twin.Order {
	switch {
	case run == "cancel-outer" && strings.HasPrefix(e.Text, "Task ret: "):
		return twin.Order{Stream: "main", Set: true}
	case strings.HasPrefix(e.Text, "Task was destroyed but it is pending!"):
		return twin.Order{Stream: "gc", Set: true}
	}
	return twin.Order{}
}

// TextValues implements lesson.Texter: the texts say how many tasks sleep,
// when --interrupt sends Ctrl+C, and what is done after it.
func (c *cancelLesson) TextValues(labels map[string]string) map[string]string {
	n := len(c.durations())
	after := 0.8
	if c.interrupt {
		after = c.After.Seconds()
	}
	then := "cancel_then_tasks"
	switch {
	case c.Mode == "outer" && c.NoDrain:
		then = "cancel_then_outer_no_drain"
	case c.Mode == "outer":
		then = "cancel_then_outer"
	case c.NoDrain:
		then = "cancel_then_no_drain"
	}
	values := map[string]string{"N": lesson.Capitalized(lesson.CountOf(labels, n)), "outer": "",
		"interrupt": lesson.FormatSeconds(after), "then": labels[then]}
	if c.Mode == "outer" {
		values["outer"] = labels["cancel_outer"]
	}
	return values
}

// RunValues implements lesson.RunTexter: what cancelling did in this run,
// counted from what it printed.
func (c *cancelLesson) RunValues(e *lesson.Env) map[string]string {
	var run timing.Run
	if len(e.Runs) > 0 {
		run = e.Runs[len(e.Runs)-1]
	}
	values := map[string]string{"took": lesson.Took(run.Elapsed),
		"suggest": lesson.FormatSeconds(maxOf(c.durations())/2) + "s"}
	var done, pending []string
	for _, ev := range run.Events {
		switch {
		case ev.Kind != timing.KindState:
		case ev.State == "finished":
			done = append(done, ev.Task)
		case ev.State == "pending":
			pending = append(pending, ev.Task)
		}
	}
	if c.Mode == "outer" {
		values["cancelled"], values["kept"] = e.Say("cancel_gather"), ""
		if len(done) > 0 {
			values["kept"] = strings.ReplaceAll(e.Say("cancel_kept"), "{done}", lesson.ListOf(e.Labels, done))
		}
	} else {
		values["cancelled"] = strings.ReplaceAll(e.Say("cancel_each"), "{n}", fmt.Sprint(len(lesson.EventsOf(run, "true"))))
	}
	values["drain"] = e.Say("cancel_drained")
	if c.NoDrain {
		values["drain"] = strings.ReplaceAll(e.Say("cancel_not_drained"), "{n}", fmt.Sprint(len(pending)))
	}
	return values
}
