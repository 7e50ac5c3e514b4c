// Package lesson is the frame every asyncdemo lesson runs in: what a lesson
// is ([Lesson], its [Info]), what it runs with ([Env]: the style, the clock,
// the recorder, Ctrl+C), the values of its flags, its texts in each language
// ([Describe], [Labels]), the tour's prediction question ([Question]), and
// the error for a bad command line ([UsageError]).
//
// The lessons themselves are in package demos, one file each; this package
// knows none of them by name.
package lesson

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
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
	// program then lets the lesson finish after the first one, and goes
	// on. SIGTERM still ends the lesson and the program.
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
	// AutoArgs are the flags that let the lesson run with nobody at the
	// keyboard, such as cancel's --interrupt: the tour passes them, and so
	// do the tests.
	AutoArgs []string
	// TourArgs are the flags the tour adds, after AutoArgs: those that
	// teach most, such as nest's --durations 4,1,2, whose results then
	// come in a different order in each way of waiting.
	TourArgs []string
	// TaskColumn reports whether the output names each line's task in a
	// column of its own: for lines that do not say it themselves, such as
	// workers' Wait 2 (which worker took the message).
	TaskColumn bool
	// Network reports whether the lesson talks to Redis or HTTP over real
	// sockets: its runs take real time, even in a test.
	Network bool
	// Twin describes the lesson's Python twin, demos/twin/py/NAME.py; nil
	// for a tool, which has none.
	Twin *Twin
}

// Twin is what running a lesson's Python twin, and comparing its run with
// the Go lesson's, needs to know about that lesson.
type Twin struct {
	// Modules are the Python modules the twin imports beyond the standard
	// library, such as "redis" and "aiohttp".
	Modules []string
	// AnyTask reports that which task prints an event is left to chance
	// (in workers, which worker takes a message), so that the comparison
	// does not hold the two sides to the same task names.
	AnyTask bool
	// Order says which of a run's events may trade places within an
	// instant, and why; nil means that every event keeps its place.
	Order func(run string, e timing.Event) twin.Order
}

// Tolerance is how closely the twin's run must match the Go lesson's.
func (t *Twin) Tolerance() twin.Tolerance {
	tol := twin.DefaultTolerance()
	tol.Tasks = !t.AnyTask
	tol.Order = t.Order
	return tol
}

// A TwinHost is a lesson whose Python twin needs what the Go lesson starts
// for itself: an embedded Redis with its scripted producer, an SMS API.
// HostTwin starts them for the twin, before the Go lesson runs, and returns
// the flags that point the twin at them and a function that stops them.
type TwinHost interface {
	HostTwin(e *Env) (args []string, stop func(), err error)
}

// A Preparer is a lesson that must find out, before anything is printed,
// whether it can run at all, where its flags alone cannot tell: whether a
// queue consumer's name is free, say. Prepare is called with the Env's Ctx,
// Style and Clock set, but no Rec or Printer yet; an error it returns ends
// the command before the lesson's title is printed. Release, called once
// the lesson has ended, gives back what Prepare took.
type Preparer interface {
	Prepare(e *Env) (release func(), err error)
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

// ErrInterrupted is returned by a lesson that the user stopped with Ctrl+C
// (or SIGTERM: the program's exit code tells them apart).
var ErrInterrupted = errors.New("interrupted")

// UsageError is a bad command line: a flag's value, an argument, or a
// value found only when a lesson starts, such as a malformed REDIS_URL.
// The program exits with code 2. It is the one type that says so: a
// caller recognises it with errors.As, never by an error's text.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// IsUsage reports whether err is, or wraps, a UsageError.
func IsUsage(err error) bool {
	var u UsageError
	return errors.As(err, &u)
}

// Env is what a lesson runs with: the style, the clock, the recorder, and
// the runs recorded so far.
type Env struct {
	Ctx     context.Context // cancelled when the user presses Ctrl+C, or at SIGTERM
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
	// Watch, if set (--step), is told what each event loop holds as each
	// run of it starts and after each of its iterations (see
	// aio.WithStateObserver), with the name of the lesson's run.
	Watch func(run string, s aio.LoopState)
	run   string // the run in progress, for Watch
	// ManyTasks, if set, is told how many tasks a lesson is about to keep
	// alive at once on an event loop when it runs very many (gather
	// --tasks), before it makes them; the command line tunes its garbage
	// collector for such a run.
	ManyTasks func(n int)
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
	e.run = name
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
	// The loop lives within the run, so each task's span is this run's.
	started := func(t *aio.Task) uint64 { return e.Rec.BeginSpan(t.Name(), t.Name()).Mark() }
	done := func(t *aio.Task, span uint64) { e.Rec.EndSpan(e.Rec.SpanOfMark(span), taskState(t)) }
	opts := []aio.Option{aio.WithClock(e.Clock), aio.WithTaskObserver(started, done)}
	if e.Watch != nil {
		run := e.run
		opts = append(opts, aio.WithStateObserver(func(s aio.LoopState) { e.Watch(run, s) }))
	}
	l := aio.NewLoop(append(opts,
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
		}))...)
	stop := OnCtrlC(e.Ctx, func() {
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

// OnCtrlC calls f in its own goroutine when ctx is done (Ctrl+C). The
// function it returns stops that from happening and, if f has started
// already, waits for it to return, so that the Ctrl+C mark lands in the
// run it belongs to and not after the run has ended.
func OnCtrlC(ctx context.Context, f func()) (stop func()) {
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

// Seconds converts the tutorial's durations, in seconds, to a Duration.
func Seconds(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }

// Call formats a call the way the tutorial names its tasks: do_some_work(2).
func Call(fn string, args ...any) string {
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
			stop := OnCtrlC(e.Ctx, func() { e.Rec.Mark("Ctrl+C") })
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
