package aio

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"time"
)

// A loop made WithStateObserver tells what it holds after each of its
// iterations: its ready queue, its timers, its tasks and what ran. It is how
// asyncdemo's --step shows a lesson from inside the loop. A loop made
// without one pays a nil check per iteration, per await and per task made,
// and nothing else.

// WithStateObserver makes the loop call f after each iteration, on the
// loop's goroutine, with what the loop holds then (see LoopState). The
// iteration that ends a run (Stop, or Interrupt) is told too, with
// LoopState.Stopped saying why, and so is what the loop holds as a run
// starts, before its first iteration (LoopState.Starting).
func WithStateObserver(f func(LoopState)) Option {
	return func(l *Loop) { l.watch = &watcher{f: f, at: map[*Task][]uintptr{}, names: map[*Handle]string{}} }
}

// At most this many entries of each list are described in a LoopState;
// the counts say how many there are in all. A gather of 100,000 tasks does
// not copy 100,000 descriptions per iteration.
const stateListMax = 64

// LoopState is what a loop holds between two of its iterations, in
// asyncio's words.
type LoopState struct {
	Iteration int           // the loop's iterations so far, this one included
	Time      time.Duration // the loop's clock (Loop.Time) at the iteration's end
	// Waited is how long the iteration waited before running anything
	// (CPython's select()): for the next timer, or a call from another
	// goroutine.
	Waited time.Duration
	// Ran is what ran in the iteration, in order: the one that held the
	// loop at each moment.
	Ran []Ran
	// Ready is the ready queue, in order: what the next iteration runs.
	Ready []Callback
	// Timers are the timers still due, earliest first (cancelled ones left
	// out, as they never run).
	Timers []Timer
	// Threadsafe are the calls made from other goroutines that the loop has
	// not taken yet (call_soon_threadsafe's queue).
	Threadsafe []Callback
	// Tasks are the loop's tasks in the order they were made, done ones
	// included.
	Tasks []TaskState
	// How many there are of each, when a list was cut at its first 64.
	ReadyCount, TimerCount, TaskCount int
	// Starting reports a state taken as a run of the loop starts
	// (run_forever, run_until_complete), before its first iteration: Ran
	// is empty and Iteration is the last one's.
	Starting bool
	// Stopped is "" for an iteration after which the loop goes on, "stop"
	// for one after which it stops (Stop, run_until_complete's future
	// done), "KeyboardInterrupt" for one cut short by Interrupt.
	Stopped string
}

// Callback is one entry of the ready queue, or what a timer does when due.
type Callback struct {
	// Kind is "step" (a task's next step: Task.__step or its wakeup),
	// "sleep" (a sleep's timer, which wakes Task), "callback" (a future's
	// done-callback, Name, called with Task) or "call" (a function given
	// to call_soon, call_later or call_soon_threadsafe, Name).
	Kind string
	Task string // the task stepped or woken; for a done-callback, the task or future that is done
	Name string // a done-callback's or a call's function
	// Src is where a call's function is written, when it is the program's
	// own (a func literal passed to CallSoon).
	Src Frame
}

func (c Callback) String() string {
	switch c.Kind {
	case "step":
		return "step " + c.Task
	case "sleep":
		return "sleep's timer: wake " + c.Task
	case "callback":
		return c.Name + "(" + c.Task + ")"
	}
	if strings.HasSuffix(c.Name, ")") {
		return c.Name
	}
	return c.Name + "()"
}

// Ran is one callback or task step that an iteration ran.
type Ran struct {
	Callback
	Took time.Duration // how long it held the loop, on the loop's clock
	// For a task's step: how the step ended ("await", "returned",
	// "raised", "cancelled") and, for an await, where.
	Outcome string
	At      []Frame
}

// Timer is a timer that is due later.
type Timer struct {
	When time.Duration // the loop time it is due at
	Callback
}

func (t Timer) String() string { return fmt.Sprintf("%.3fs %s", t.When.Seconds(), t.Callback) }

// TaskState is one task as the loop holds it.
type TaskState struct {
	Name string
	// State is "pending", "done" (it returned), "failed" (it raised) or
	// "cancelled".
	State string
	// Waiting is what a pending task awaits: "sleep" (until WakeAt), a
	// task's name, "gather(...)", "asyncio.wait", "as_completed",
	// "to_thread", "future"; "" for one whose step is due (in Ready).
	Waiting string
	WakeAt  time.Duration // for Waiting "sleep"
	// Cancelling reports that Cancel was called and the task has not
	// ended yet (asyncio 3.11's "cancelling").
	Cancelling bool
	Result     string // a done task's result, or a failed one's error
	// At is where a pending task's coroutine is suspended: its await, then
	// the program's own callers, innermost first; empty before its first
	// step.
	At []Frame
}

// Frame is a place in the program's own code (not the loop's).
type Frame struct {
	Func string // such as "demos.gatherAio.func1"
	File string // the file's base name, such as "gather.go"
	Line int
}

func (f Frame) String() string {
	if f.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", f.File, f.Line)
}

// futureKind says what made a future, for the words of a LoopState.
type futureKind uint8

const (
	futurePlain       futureKind = iota // Loop.CreateFuture
	futureWait                          // Task.Wait's waiter
	futureAsCompleted                   // AsCompleted's getter
	futureToThread                      // Task.ToThread's
)

// watcher is what a loop made WithStateObserver keeps for its observer.
type watcher struct {
	f         func(LoopState)
	iteration int
	tasks     []*Task             // every task made, in order
	at        map[*Task][]uintptr // where each suspended task awaits
	names     map[*Handle]string  // names of calls from other goroutines
	ran       []Ran
	end       time.Duration // the loop time the last iteration ended
	polled    time.Duration // the loop time this one stopped waiting
}

// suspended notes where t's coroutine awaits: it runs on t's goroutine,
// while the loop's waits for it.
func (w *watcher) suspended(t *Task) {
	pcs := make([]uintptr, 32)
	w.at[t] = pcs[:runtime.Callers(3, pcs)]
}

// runReadyWatched is runOnce's last part for a watched loop: it runs the
// callbacks ready now, noting each.
func (l *Loop) runReadyWatched(w *watcher) error {
	for n := l.ready.len(); n > 0; n-- {
		e := l.ready.pop()
		if e.h != nil && (e.h.cancelled || e.h.gen != e.gen) {
			continue // never runs: not worth a line
		}
		r := Ran{Callback: l.describe(e)}
		start := l.Time()
		l.run(e)
		r.Took = l.Time() - start
		if t := e.task(); t != nil {
			switch {
			case !t.Done():
				r.Outcome, r.At = "await", frames(w.at[t])
			case t.Cancelled():
				r.Outcome = "cancelled"
			case t.err != nil:
				r.Outcome = "raised"
			default:
				r.Outcome = "returned"
			}
		}
		w.ran = append(w.ran, r)
		if l.interrupted.Load() {
			l.interrupted.Store(false)
			return ErrInterrupted
		}
	}
	return nil
}

// starting tells the observer what the loop holds as a run starts.
func (w *watcher) starting(l *Loop) {
	w.end = l.Time()
	s := LoopState{Iteration: w.iteration, Time: w.end, Starting: true}
	w.report(l, &s)
}

// iterated tells the observer what the loop holds after an iteration that
// returned err, stopping or not.
func (w *watcher) iterated(l *Loop, err error) {
	w.iteration++
	now := l.Time()
	s := LoopState{Iteration: w.iteration, Time: now, Ran: w.ran}
	if w.polled >= w.end {
		s.Waited = w.polled - w.end
	}
	w.end, w.ran = now, nil
	switch {
	case err != nil:
		s.Stopped = err.Error()
	case l.stopping:
		s.Stopped = "stop"
	}
	w.report(l, &s)
}

// report fills in s's lists and tells the observer.
func (w *watcher) report(l *Loop, s *LoopState) {
	l.ready.each(func(e entry) {
		if e.h != nil && (e.h.cancelled || e.h.gen != e.gen) {
			return
		}
		if s.ReadyCount++; len(s.Ready) < stateListMax {
			s.Ready = append(s.Ready, l.describe(e))
		}
	})
	var due []timerEntry
	due, s.TimerCount = l.timers.live(stateListMax)
	for _, te := range due {
		s.Timers = append(s.Timers, Timer{When: te.when, Callback: l.describe(entry{h: te.h, gen: te.gen})})
	}
	l.mu.Lock()
	for i, fn := range l.threadsafe {
		if i < stateListMax {
			name := ""
			if i < len(l.threadsafeNames) {
				name = l.threadsafeNames[i]
			}
			if name == "" {
				name = callName(fn)
			}
			s.Threadsafe = append(s.Threadsafe, Callback{Kind: "call", Name: name, Src: funcSrc(fn)})
		}
	}
	l.mu.Unlock()
	s.TaskCount = len(w.tasks)
	for _, t := range w.tasks[:min(len(w.tasks), stateListMax)] {
		s.Tasks = append(s.Tasks, w.taskState(t))
	}
	for t := range w.at {
		if t.Done() {
			delete(w.at, t)
		}
	}
	w.f(*s)
}

func (w *watcher) taskState(t *Task) TaskState {
	ts := TaskState{Name: t.Name(), State: "pending"}
	switch {
	case t.Cancelled():
		ts.State = "cancelled"
	case t.Done() && t.err != nil:
		ts.State, ts.Result = "failed", t.err.Error()
	case t.Done():
		ts.State, ts.Result = "done", pyRepr(t.result)
	default:
		ts.Cancelling = t.cancelRequests > 0
		ts.At = frames(w.at[t])
		switch {
		case t.sleeping:
			ts.Waiting, ts.WakeAt = "sleep", t.sleepTimer.when
		case t.waitingOn() != nil && !t.waitingOn().Done(): // once it is done, the task's wakeup is due
			ts.Waiting = describeAwaitable(t.waitingOn().self)
		}
	}
	return ts
}

// describe says what entry e of the ready queue (or a timer's handle) does.
func (l *Loop) describe(e entry) Callback {
	switch {
	case e.task() != nil:
		return Callback{Kind: "step", Task: e.task().Name()}
	case e.cb != nil:
		name := e.name.String()
		if name == "" {
			name = pyName(funcName(e.cb))
		}
		return Callback{Kind: "callback", Name: name, Task: describeAwaitable(e.fut.self)}
	case e.h.task != nil:
		return Callback{Kind: "sleep", Task: e.h.task.Name()}
	}
	name := l.watch.names[e.h]
	if name == "" {
		name = callName(e.h.fn)
	}
	return Callback{Kind: "call", Name: name, Src: funcSrc(e.h.fn)}
}

// describeAwaitable names what a task awaits or a callback is called with.
func describeAwaitable(a Awaitable) string {
	switch f := a.(type) {
	case *Task:
		return f.Name()
	case *gatheringFuture:
		names := make([]string, 0, 4)
		for i, c := range f.children {
			if i == 3 && len(f.children) > 4 {
				names = append(names, fmt.Sprintf("… %d more", len(f.children)-3))
				break
			}
			names = append(names, describeAwaitable(c))
		}
		return "gather(" + strings.Join(names, ", ") + ")"
	case *Future:
		switch f.kind {
		case futureWait:
			return "asyncio.wait"
		case futureAsCompleted:
			return "as_completed"
		case futureToThread:
			return "to_thread"
		}
	}
	return "future"
}

// callName names a function handed to CallSoon and friends: the loop's own
// after asyncio, the program's by their Go name.
func callName(fn func()) string { return pyName(funcName(fn)) }

// pyName is the name asyncio gives the function the loop calls name, for
// the loop's own functions; the program's keep their Go name.
func pyName(name string) string {
	switch {
	case strings.HasPrefix(name, "aio.(*Loop).Stop"):
		return "loop.stop"
	case strings.HasPrefix(name, "aio.(*Task).Wait."):
		return "_release_waiter"
	case strings.HasPrefix(name, "aio.(*Task).ToThread."):
		return "to_thread's result"
	case strings.HasPrefix(name, "aio.(*ConcurrentFuture).Cancel."):
		return "cancel"
	case strings.HasPrefix(name, "aio.(*Loop).RunCoroutineThreadsafe.func1."):
		return "_chain_future.<locals>._call_set_state" // the task's outcome to the caller's future
	case strings.HasPrefix(name, "aio.(*Loop).RunCoroutineThreadsafe."):
		return "run_coroutine_threadsafe"
	}
	return name
}

// funcSrc is where fn is written, if it is the program's own code.
func funcSrc(fn func()) Frame {
	f := runtime.FuncForPC(funcPC(fn))
	if f == nil || strings.HasPrefix(f.Name(), "github.com/asyncdemo/asyncdemo/demos/aio.") {
		return Frame{}
	}
	file, line := f.FileLine(f.Entry())
	return Frame{Func: shortFunc(f.Name()), File: baseName(file), Line: line}
}

func funcPC(fn any) uintptr { return reflect.ValueOf(fn).Pointer() }

// frames turns the program counters of a suspended coroutine into the
// program's frames: the loop's own (this package), the runtime's and
// iter's are left out.
func frames(pcs []uintptr) []Frame {
	if len(pcs) == 0 {
		return nil
	}
	var fs []Frame
	it := runtime.CallersFrames(pcs)
	for {
		f, more := it.Next()
		if !strings.HasPrefix(f.Function, "github.com/asyncdemo/asyncdemo/demos/aio.") && !strings.HasPrefix(f.Function, "runtime.") &&
			!strings.HasPrefix(f.Function, "iter.") && f.Function != "" {
			fs = append(fs, Frame{Func: shortFunc(f.Function), File: baseName(f.File), Line: f.Line})
		}
		if !more {
			return fs
		}
	}
}

func shortFunc(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func baseName(file string) string {
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		return file[i+1:]
	}
	return file
}
