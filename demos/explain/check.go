package explain

import (
	"strings"
	"time"

	"github.com/asyncdemo/asyncdemo/timing"
)

// Checks is what the recorder notes, beyond what explain shows, when it
// runs a program for asyncdemo check ([Config].Check): the timers the
// program set, the arguments its tasks were made with, and what it changed
// that a check relies on.
type Checks struct {
	// Timers are the timers the program set, in the order it set them:
	// each asyncio.sleep's wait, each timeout, each call_later.
	Timers []Timer
	// Tampered names, once each, what the program replaced or patched of
	// asyncio, time or its event loop: "asyncio.sleep", "time.monotonic",
	// "the event loop's time".
	Tampered []string
	// Limited is set when the program ran past Config.Limit on its clock
	// and was stopped there.
	Limited bool
	// Interrupted is set when the recorder sent the program Ctrl+C (a
	// SIGINT, Config.Interrupt), at InterruptedAt.
	Interrupted   bool
	InterruptedAt time.Duration

	args   map[int]string // a task's coroutine's arguments, by task id
	timers map[int]int    // a timer's number -> its index in Timers
}

// Timer is a timer the program set on its loop.
type Timer struct {
	Task int           // the task that set it; 0 for no task
	Set  time.Duration // when it was set
	Due  time.Duration // when it was due
	// Cancelled is set when the timer was cancelled before it was due
	// (a timeout that did not expire, a sleep whose task was cancelled),
	// at CancelledAt.
	Cancelled   bool
	CancelledAt time.Duration
	// Stack are the program's own frames that set it, innermost first:
	// the function that awaited asyncio.sleep, then its callers.
	Stack []Frame
	// Blocking marks a time.sleep that held its loop (on virtual time), Job
	// one in a thread the loop started (asyncio.to_thread): waits too,
	// which the recorder notes as timers.
	Blocking, Job bool
}

// End is when the timer stopped waiting: when it was due, or cancelled.
func (t Timer) End() time.Duration {
	if t.Cancelled {
		return t.CancelledAt
	}
	return t.Due
}

// Frame is a call of the program's own code.
type Frame struct {
	Fn   string // the function, such as "download" or "Worker.run"
	Args string // the arguments it was called with, as "2, 'a'" (numbers and strings; other values by type)
	File string
	Line int // the line it was at
}

// Call writes the call as code would: "download(2)".
func (f Frame) Call() string { return f.Fn + "(" + f.Args + ")" }

type wireFrame struct {
	Fn   string `json:"fn"`
	Args string `json:"args"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// In returns the innermost frame of the timer's stack that runs fn, and
// whether there is one.
func (t Timer) In(fn string) (Frame, bool) {
	for _, f := range t.Stack {
		if f.Fn == fn {
			return f, true
		}
	}
	return Frame{}, false
}

// Call returns how task t was called, "download(2)", when its coroutine's
// arguments are known (Config.Check); else its function, or its name.
func (r *Recording) Call(t *Task) string {
	fn := t.Fn
	if i := strings.LastIndex(fn, "<locals>."); i >= 0 {
		fn = fn[i+len("<locals>."):]
	}
	if fn == "" {
		return t.Name
	}
	if args, ok := r.args[t.ID]; ok {
		return fn + "(" + args + ")"
	}
	return fn
}

// checkFrame takes a frame of Config.Check's.
func (r *Recording) checkFrame(w *wire) {
	switch w.K {
	case "args":
		if r.args == nil {
			r.args = map[int]string{}
		}
		r.args[w.ID] = w.Args
	case "timer":
		if r.timers == nil {
			r.timers = map[int]int{}
		}
		// Due is a time to come: not one the program has reached.
		t := Timer{Task: w.ID, Set: r.at(w.T), Due: seconds(w.When - r.t0), Blocking: w.Blocking, Job: w.Job}
		for _, f := range w.Stack {
			t.Stack = append(t.Stack, Frame(f))
		}
		r.timers[w.N] = len(r.Timers)
		r.Timers = append(r.Timers, t)
	case "untimer":
		if i, ok := r.timers[w.N]; ok {
			r.Timers[i].Cancelled, r.Timers[i].CancelledAt = true, r.at(w.T)
		}
	case "tamper":
		r.Tampered = append(r.Tampered, w.What)
	case "limit":
		r.Limited = true
	case "interrupt":
		r.Interrupted, r.InterruptedAt = true, r.at(w.T)
		r.Marks = append(r.Marks, timing.Mark{T: r.InterruptedAt, Label: "Ctrl+C"}) // on the timeline
	}
}

// Waiting returns where task id waited when its loop closed, or the
// program ended, with the task still pending; false if it was not.
func (r *Recording) Waiting(id int) (Place, bool) {
	p, ok := r.waiting[id]
	return p, ok
}
