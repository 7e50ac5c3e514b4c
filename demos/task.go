package demos

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
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
	task := l.CreateTask(doSomeWork(x), lesson.Call("do_some_work", x))
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
	name := lesson.Call("do_some_work", x)
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

func (c *taskLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "task",
		Question: &lesson.Question{Kind: "first", Choices: []lesson.Choice{{Label: "<Task finished ...>", Text: "<Task finished"}, {Label: "<Task pending ...>", Text: "<Task pending"}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"taskAio"}, lesson.StyleGo: {"taskGo"}},
		Group:    "Basics",
		Twin:     &lesson.Twin{},
	}
}

func (c *taskLesson) AddFlags(fs *pflag.FlagSet) {
	fs.VarP(lesson.SecondsFlag(&c.X), "x", "x", "the argument x of do_some_work(x)")
}

func (c *taskLesson) Run(e *lesson.Env) error {
	_, err := e.RunStyle("run",
		func(l *aio.Loop) error { return taskAio(l, e.Rec, c.X) },
		func(context.Context) error { return taskGo(e.Rec, c.X) })
	return err
}

// doSomeWork is the tutorial's coroutine:
//
//	async def do_some_work(x):
//	    print('Waiting: ', x)
//	    await asyncio.sleep(x)
//	    return 'Done after {}s'.format(x)
//
// Calling it makes the coroutine; nothing runs until a loop runs its task.
func doSomeWork(r *timing.Recorder, x float64) aio.Coroutine {
	return func(t *aio.Task) (any, error) {
		r.Printf(t.Name(), "Waiting: %v", x)
		if err := t.Sleep(lesson.Seconds(x)); err != nil { // gives the loop to other tasks
			return nil, err
		}
		return fmt.Sprintf("Done after %vs", x), nil
	}
}

// doSomeWorkGo is the same work as a plain Go function: it blocks its own
// goroutine, and only that goroutine, for x seconds, or until ctx is done.
func doSomeWorkGo(ctx context.Context, clock *timing.Clock, r *timing.Recorder, name string, x float64) (string, error) {
	r.Printf(name, "Waiting: %v", x)
	select {
	case <-clock.After(lesson.Seconds(x)):
		return fmt.Sprintf("Done after %vs", x), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
