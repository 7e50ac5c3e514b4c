package demos

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// futureAio walks a task through the future states: pending, running while
// its coroutine executes, finished with a result; and a second task that is
// cancelled before it runs. Asking for a result too early is an error.
func futureAio(l *aio.Loop, r *timing.Recorder, x float64) error {
	doSomeWork := func(x float64) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.State(t.Name(), "running") // t.Running() is true only now
			r.Printf(t.Name(), "Waiting: %v", x)
			return fmt.Sprintf("Done after %vs", x), nil
		}
	}
	task := l.CreateTask(doSomeWork(x), lesson.Call("do_some_work", x))
	r.State(task.Name(), task.State().String()) // pending
	if _, err := task.Result(); err != nil {
		r.Printf("", "task.Result() too early: %v", err)
	}
	if _, err := l.RunUntilComplete(task); err != nil {
		return err
	}
	r.State(task.Name(), task.State().String()) // finished
	ret, _ := task.Result()
	r.Printf("", "Task ret: %v", ret)

	other := l.CreateTask(doSomeWork(x+1), lesson.Call("do_some_work", x+1))
	r.Printf("", "other.Cancel() = %v", other.Cancel())
	_, err := l.RunUntilComplete(other)
	r.State(other.Name(), other.State().String()) // cancelled
	r.Printf("", "other.Result(): %v", err)
	return nil
}

// futureGo shows Go's future, a channel with room for one value. A receive
// that would block means "not done yet"; select with default asks without
// waiting.
func futureGo(r *timing.Recorder, x float64) error {
	name := lesson.Call("do_some_work", x)
	future := make(chan string, 1)
	start := make(chan struct{})
	go func() {
		<-start
		r.Printf(name, "Waiting: %v", x)
		future <- fmt.Sprintf("Done after %vs", x)
	}()
	select {
	case ret := <-future:
		r.Printf("", "already done: %v", ret)
	default:
		r.Printf("", "not done yet: a receive now would block")
	}
	close(start)
	r.Printf("", "Task ret: %v", <-future)
	return nil
}

// futureLesson is lesson 4.
type futureLesson struct{ X float64 }

func (c *futureLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "future",
		Question: &lesson.Question{Kind: "first", Choices: []lesson.Choice{{Label: "it waits for the result", Text: "Waiting"}, {Label: "InvalidStateError", Text: "task.Result() too early"}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"futureAio"}, lesson.StyleGo: {"futureGo"}},
		Group:    "Basics",
		Twin:     &lesson.Twin{},
	}
}

func (c *futureLesson) AddFlags(fs *pflag.FlagSet) {
	fs.VarP(lesson.SecondsFlag(&c.X), "x", "x", "the argument x of do_some_work(x)")
}

func (c *futureLesson) Run(e *lesson.Env) error {
	_, err := e.RunStyle("run",
		func(l *aio.Loop) error { return futureAio(l, e.Rec, c.X) },
		func(context.Context) error { return futureGo(e.Rec, c.X) })
	return err
}
