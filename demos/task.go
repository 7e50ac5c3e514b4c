package demos

import (
	"context"

	"github.com/spf13/pflag"

	"asyncdemo/demos/aio"
	"asyncdemo/timing"
)

// taskAio wraps the coroutine in a task before running it, and prints the
// task before and after: pending, then finished with its result.
func taskAio(l *aio.Loop, r *timing.Recorder, x float64) error {
	doSomeWork := func(x float64) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting: %v", x)
			return nil, nil
		}
	}
	task := l.CreateTask(doSomeWork(x), call("do_some_work", x))
	r.State(task.Name(), task.State().String())
	r.Printf("", "%v", task) // <Task pending ...>
	if _, err := l.RunUntilComplete(task); err != nil {
		return err
	}
	r.State(task.Name(), task.State().String())
	r.Printf("", "%v", task) // <Task finished ... result=None>
	return nil
}

// taskGo shows that Go has no task object: a goroutine has no state to ask
// for. To learn when it ends and what it returned, give it a channel.
func taskGo(r *timing.Recorder, x float64) error {
	name := call("do_some_work", x)
	result := make(chan any, 1) // room for the one result
	go func() {
		r.Printf(name, "Waiting: %v", x)
		result <- nil
	}()
	r.State(name, "pending")
	ret := <-result // blocks until the goroutine sends
	r.State(name, "finished")
	r.Printf("", "result: %v", ret)
	return nil
}

// taskLesson is lesson 2.
type taskLesson struct{ X float64 }

func (c *taskLesson) Info() Info {
	return Info{
		Name:     "task",
		Question: &Question{Kind: "first", Choices: []Choice{{Label: "<Task finished ...>", Text: "<Task finished"}, {Label: "<Task pending ...>", Text: "<Task pending"}}},
		Code:     map[Style][]string{StyleAio: {"taskAio"}, StyleGo: {"taskGo"}},
		Group:    "Basics",
	}
}

func (c *taskLesson) AddFlags(fs *pflag.FlagSet) {
	fs.VarP(secondsValue{&c.X}, "x", "x", "the argument x of do_some_work(x)")
}

func (c *taskLesson) Run(e *Env) error {
	_, err := e.RunStyle("run",
		func(l *aio.Loop) error { return taskAio(l, e.Rec, c.X) },
		func(context.Context) error { return taskGo(e.Rec, c.X) })
	return err
}
