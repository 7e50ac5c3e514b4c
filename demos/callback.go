package demos

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// callbackAio binds done-callbacks to a task. The loop calls each with the
// finished future, which is the task itself; an extra argument is bound by
// a closure, the Go form of functools.partial(callback, 2).
func callbackAio(l *aio.Loop, r *timing.Recorder, x float64) error {
	doSomeWork := func(x float64) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting: %v", x)
			return fmt.Sprintf("Done after %vs", x), nil
		}
	}
	callback := func(future aio.Awaitable) {
		ret, _ := future.Result()
		r.Printf("", "Callback: %v", ret)
	}
	callbackWith := func(t float64, future aio.Awaitable) {
		ret, _ := future.Result()
		r.Printf("", "Callback: %v %v", t, ret)
	}
	task := l.CreateTask(doSomeWork(x), lesson.Call("do_some_work", x))
	task.AddDoneCallback(callback)
	task.AddDoneCallback(func(future aio.Awaitable) { callbackWith(2, future) })
	task.AddDoneCallback(func(future aio.Awaitable) {
		r.Printf("", "the callback's future is the task: %v", future == aio.Awaitable(task))
	})
	_, err := l.RunUntilComplete(task)
	return err
}

// callbackGo shows that Go has no done-callbacks. The goroutine that finishes the
// work calls the function itself, with whatever arguments it needs.
func callbackGo(r *timing.Recorder, x float64) error {
	callback := func(t float64, ret string) { r.Printf("", "Callback: %v %v", t, ret) }
	name := lesson.Call("do_some_work", x)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Printf(name, "Waiting: %v", x)
		ret := fmt.Sprintf("Done after %vs", x)
		callback(2, ret) // called on the worker's goroutine, straight away
	}()
	<-done
	return nil
}

// callbackLesson is lesson 3.
type callbackLesson struct{ X float64 }

func (c *callbackLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "callback",
		Question: &lesson.Question{Kind: "first", Choices: []lesson.Choice{{Label: "Callback: 2 Done after 2s", Text: "Callback: 2 "}, {Label: "Callback: Done after 2s", Text: "Callback: Done"}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"callbackAio"}, lesson.StyleGo: {"callbackGo"}},
		Group:    "Basics",
		Twin:     &lesson.Twin{},
	}
}

func (c *callbackLesson) AddFlags(fs *pflag.FlagSet) {
	fs.VarP(lesson.SecondsFlag(&c.X), "x", "x", "the argument x of do_some_work(x)")
}

func (c *callbackLesson) Run(e *lesson.Env) error {
	_, err := e.RunStyle("run",
		func(l *aio.Loop) error { return callbackAio(l, e.Rec, c.X) },
		func(context.Context) error { return callbackGo(e.Rec, c.X) })
	return err
}
