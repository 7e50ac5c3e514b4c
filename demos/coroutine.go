package demos

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// coroutineAio is the tutorial's first program. Calling doSomeWork only
// makes a coroutine; the loop runs it when run_until_complete is called.
func coroutineAio(l *aio.Loop, r *timing.Recorder, x float64) error {
	doSomeWork := func(x float64) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting: %v", x)
			return nil, nil
		}
	}
	coroutine := doSomeWork(x) // makes the coroutine: nothing runs yet
	r.Printf("", "coroutine made; nothing has run yet")
	_, err := l.RunUntilComplete(l.CreateTask(coroutine, lesson.Call("do_some_work", x)))
	return err
}

// coroutineGo is the Go way. A function value runs nothing until it is
// called either; "go" starts it at once on a new goroutine, with no loop to
// hand it to. A channel says when it has finished.
func coroutineGo(r *timing.Recorder, x float64) error {
	doSomeWork := func(x float64) {
		r.Printf(lesson.Call("do_some_work", x), "Waiting: %v", x)
	}
	done := make(chan struct{})
	r.Printf("", "function value made; nothing has run yet")
	go func() {
		doSomeWork(x)
		close(done)
	}()
	<-done
	return nil
}

// coroutineLesson is lesson 1.
type coroutineLesson struct{ X float64 }

func (c *coroutineLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "coroutine",
		Question: &lesson.Question{Kind: "first", Choices: []lesson.Choice{{Label: "Waiting: 2", Text: "Waiting: 2"}, {Label: "coroutine made; nothing has run yet", Text: "coroutine made"}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"coroutineAio"}, lesson.StyleGo: {"coroutineGo"}},
		Group:    "Basics",
		Twin:     &lesson.Twin{},
	}
}

func (c *coroutineLesson) AddFlags(fs *pflag.FlagSet) {
	fs.VarP(lesson.SecondsFlag(&c.X), "x", "x", "the argument x of do_some_work(x)")
}

func (c *coroutineLesson) Run(e *lesson.Env) error {
	_, err := e.RunStyle("run",
		func(l *aio.Loop) error { return coroutineAio(l, e.Rec, c.X) },
		func(context.Context) error { return coroutineGo(e.Rec, c.X) })
	return err
}

// RunValues implements lesson.RunTexter: the texts name the call, and how
// long the run took.
func (c *coroutineLesson) RunValues(e *lesson.Env) map[string]string {
	run, _ := e.RunNamed("run")
	return map[string]string{"call": lesson.Call("do_some_work", c.X), "took": lesson.Took(run.Elapsed)}
}
