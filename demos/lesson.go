// Package demos holds asyncdemo's lessons, one file each, and what they share.
//
// Each lesson re-tells one program of the asyncio tutorial in two styles: the
// aio style runs the program nearly line for line on asyncdemo's own event
// loop (package aio), and the go style does the same job as a Go programmer
// would, with goroutines, channels and contexts. Both are timed and drawn by
// package timing.
package demos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"asyncdemo/demos/aio"
	"asyncdemo/timing"
)

// Style is how a lesson's program is written: "aio" or "go".
type Style string

// The two styles of every lesson.
const (
	StyleAio Style = "aio"
	StyleGo  Style = "go"
)

// Info describes a lesson for the command line and the tour.
type Info struct {
	Name  string // the subcommand, e.g. "gather"
	Group string // the help section, e.g. "Basics"
	Title string // one line for the lesson list
	// Before tells the learner what to watch; After what happened, why, and
	// what modern Python changed; AfterGo what the go style showed. All are
	// the project's own words.
	Before, After, AfterGo string
	// Compares reports whether the lesson runs a sequential version too.
	Compares bool
	// HandlesInterrupt reports whether Ctrl+C is part of the lesson: the
	// program then lets the lesson finish after the first one.
	HandlesInterrupt bool
	// Tool marks a command that is not a lesson, such as push: no texts,
	// runs or timeline, just what it prints.
	Tool bool
	// Args names the positional arguments a command takes, if any; it
	// then implements ArgsTaker.
	Args string
	// Code names the functions --code shows for each style: the ones that
	// run, in reading order.
	Code map[Style][]string
	// Question is the tour's prediction question, asked in QuestionText.
	Question     *Question
	QuestionText string
}

// ArgsTaker is a lesson or tool that takes positional arguments.
type ArgsTaker interface {
	SetArgs(args []string) error
}

// Lesson is one runnable lesson. A fresh value is made for each command, so
// AddFlags may bind flags to its fields.
type Lesson interface {
	Info() Info
	// AddFlags adds the lesson's own flags.
	AddFlags(fs *pflag.FlagSet)
	// Run runs the lesson: one or more recorded runs through env.
	Run(env *Env) error
}

// All returns a fresh copy of every lesson, in the order they are taught.
func All() []Lesson {
	return []Lesson{
		&coroutineLesson{X: 2},
		&taskLesson{X: 2},
		&callbackLesson{X: 2},
		&futureLesson{X: 2},
		&awaitLesson{X: 2},
		&gatherLesson{Durations: []float64{1, 2, 4}, With: "wait"},
		&nestLesson{Durations: []float64{1, 2, 4}, Variant: "all"},
		&cancelLesson{Mode: "tasks"},
		&threadLesson{Variant: "all"},
		&queueLesson{redis: redisFlags{Mode: "poll", Idle: 3, Max: 30}},
		&smsLesson{redis: redisFlags{Mode: "block", Idle: 3, Max: 30}, Timeout: 10, MaxDelay: 30},
		&workersLesson{redis: redisFlags{Mode: "poll", Idle: 3, Max: 30}, Workers: 2},
		&pushCommand{},
		&smsServerCommand{MaxDelay: 30},
	}
}

// ErrInterrupted is returned by a lesson that the user stopped with Ctrl+C.
var ErrInterrupted = errors.New("interrupted")

// Env is what a lesson runs with: the style, the clock, the recorder, and
// the runs recorded so far.
type Env struct {
	Ctx     context.Context // cancelled when the user presses Ctrl+C
	Style   Style
	Clock   *timing.Clock // lesson durations, scaled by --scale
	Rec     *timing.Recorder
	Printer *timing.Printer // nil with --json: then only events are written
	Compare bool            // run the sequential version too
	Runs    []timing.Run    // what Run recorded, in order
	// Interrupt sends this process a real SIGINT, the signal Ctrl+C sends;
	// tests replace it.
	Interrupt func()
	Tool      bool              // running a tool, not a lesson
	Labels    map[string]string // the program's own words, in the chosen language
	// Afterword, if a lesson sets it, is said after the run instead of the
	// lesson's usual explanation, which would not fit what happened (cancel
	// when no Ctrl+C came).
	Afterword string
}

// Say returns the label key in the chosen language, formatted with args.
func (e *Env) Say(key string, args ...any) string {
	format, ok := e.Labels[key]
	if !ok {
		format = Labels("en")[key]
	}
	return fmt.Sprintf(format, args...)
}

// Run records one run of the lesson named name (such as "concurrent" or
// "sequential"), with a heading before it and its total after.
func (e *Env) Run(name string, body func() error) (timing.Run, error) {
	if e.Printer != nil {
		e.Printer.Heading(name + " · " + string(e.Style))
	}
	e.Rec.StartRun(name, string(e.Style))
	err := body()
	run := e.Rec.EndRun()
	e.Runs = append(e.Runs, run)
	return run, err
}

// Loop gives body a new event loop on the lesson's clock. Every task on it
// is drawn on the timeline. Ctrl+C interrupts the loop. Afterwards, even
// after Ctrl+C, as asyncio.run does, tasks still pending are cancelled and
// the loop runs until they have finished cancelling; then it is closed.
func (e *Env) Loop(body func(l *aio.Loop) error) error {
	observe := func(t *aio.Task) func(*aio.Task) {
		span := e.Rec.BeginSpan(t.Name(), t.Name())
		return func(t *aio.Task) { e.Rec.EndSpan(span, taskState(t)) }
	}
	l := aio.NewLoop(aio.WithClock(e.Clock), aio.WithTaskObserver(observe),
		aio.WithExceptionHandler(func(c aio.ExceptionContext) {
			// What asyncio would log, such as "Task was destroyed but it
			// is pending!", is part of the lesson: record it as an event.
			task, msg := "", c.Message
			if c.Task != nil {
				task, msg = c.Task.Name(), msg+" task: "+c.Task.String()
			}
			if c.Err != nil {
				msg += ": " + c.Err.Error()
			}
			e.Rec.Printf(task, "%s", msg)
		}))
	stop := onCtrlC(e.Ctx, func() {
		e.Rec.Mark("Ctrl+C")
		l.Interrupt()
	})
	err := body(l)
	stop()
	if left := l.AllTasks(); len(left) > 0 && !l.IsClosed() { // also after Ctrl+C, as asyncio.run does
		aws := make([]aio.Awaitable, len(left))
		for i, t := range left {
			t.Cancel()
			aws[i] = t
		}
		drained := l.GatherReturnExceptions(aws...)
		// A loop running in another goroutine may have been stopped before
		// it saw the Ctrl+C: then the interrupt ends this run at once, and
		// the next one drains.
		if _, err := l.RunUntilComplete(drained); errors.Is(err, aio.ErrInterrupted) {
			l.RunUntilComplete(drained)
		}
	}
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, aio.ErrInterrupted) {
		return ErrInterrupted
	}
	return err
}

// onCtrlC calls f in its own goroutine when ctx is done (Ctrl+C). The
// function it returns stops that from happening and, if f has started
// already, waits for it to return, so that the Ctrl+C mark lands in the
// run it belongs to and not after the run has ended.
func onCtrlC(ctx context.Context, f func()) (stop func()) {
	called := make(chan struct{})
	stopFunc := context.AfterFunc(ctx, func() {
		defer close(called)
		f()
	})
	return func() {
		if !stopFunc() {
			<-called
		}
	}
}

// Interrupted converts a context error from Ctrl+C into ErrInterrupted.
func (e *Env) Interrupted(err error) error {
	if err != nil && e.Ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return ErrInterrupted
	}
	return err
}

func taskState(t *aio.Task) string {
	switch {
	case t.Cancelled():
		return timing.StateCancelled
	case t.Exception() != nil:
		return timing.StateError
	}
	return timing.StateDone
}

// seconds converts the tutorial's durations, in seconds, to a Duration.
func seconds(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }

// call formats a call the way the tutorial names its tasks: do_some_work(2).
func call(fn string, args ...any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprint(a)
	}
	return fn + "(" + strings.Join(parts, ", ") + ")"
}

// RunStyle records one run called name: aioBody on a fresh event loop in the
// aio style, goBody with the Ctrl+C context in the go style.
func (e *Env) RunStyle(name string, aioBody func(l *aio.Loop) error, goBody func(ctx context.Context) error) (timing.Run, error) {
	return e.Run(name, func() error {
		if e.Style == StyleGo {
			stop := onCtrlC(e.Ctx, func() { e.Rec.Mark("Ctrl+C") })
			defer stop()
			return e.Interrupted(goBody(e.Ctx))
		}
		return e.Loop(aioBody)
	})
}

// RunCompared records the concurrent run and, unless --no-compare, the
// sequential one, then the comparison of the two.
func (e *Env) RunCompared(concAio, seqAio func(l *aio.Loop) error, concGo, seqGo func(ctx context.Context) error) error {
	conc, err := e.RunStyle("concurrent", concAio, concGo)
	if err != nil || !e.Compare {
		return err
	}
	seq, err := e.RunStyle("sequential", seqAio, seqGo)
	if err != nil {
		return err
	}
	e.Rec.Compare(conc, seq)
	return nil
}
