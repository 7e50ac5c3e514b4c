package aio

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// State is where a future is in its life: pending, then cancelled or finished.
type State uint8

// A future starts Pending and ends once, either Cancelled or Finished (with a
// result or an exception). asyncio's "running" is not a future state: it is a
// task whose coroutine is executing (see Task.Running).
const (
	Pending State = iota
	Cancelled
	Finished
)

func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Cancelled:
		return "cancelled"
	default:
		return "finished"
	}
}

// Awaitable is what a task can await and a loop can run until complete: a
// *Future, a *Task, or what Gather returns. Its methods are the future's;
// Cancel is the awaitable's own (cancelling a task raises in its coroutine,
// cancelling a gather cancels its children).
type Awaitable interface {
	Done() bool
	Cancelled() bool
	Cancel() bool
	Result() (any, error)
	Exception() error
	AddDoneCallback(fn func(Awaitable))
	State() State
	String() string
	future() *Future
}

// Future is a result that is not there yet (asyncio.Future). Make one with
// Loop.CreateFuture; a Task embeds one.
type Future struct {
	loop      *Loop
	self      Awaitable // what done-callbacks receive: the Future, or whatever embeds it
	state     State
	kind      futureKind // what made it, for a state observer's words; in state's padding
	result    any
	err       error
	callbacks []doneCallback
}

// doneCallback is a function to call when a future completes, or, if fn is
// nil, a task to wake. It is three words, so that a future's first callback
// (a gather's on each of a million children) is a 24-byte allocation.
type doneCallback struct {
	fn func(Awaitable)
	// ref is the task to wake if fn is nil (its Future); otherwise the key
	// of a callback the package adds and later removes (nil for others).
	ref  *Future
	name callbackName // shown by String; derived from fn when zero
}

// wakeCallback is the callback that wakes t when the future it awaits is
// done (asyncio's Task.__wakeup).
func wakeCallback(t *Task) doneCallback { return doneCallback{ref: &t.Future} }

// CreateFuture returns a new pending future attached to the loop.
func (l *Loop) CreateFuture() *Future {
	f := &Future{loop: l}
	f.self = f
	return f
}

func (f *Future) future() *Future { return f }

// Loop returns the loop the future belongs to.
func (f *Future) Loop() *Loop { return f.loop }

// State returns the future's state.
func (f *Future) State() State { return f.state }

// Done reports whether the future is cancelled or has a result or exception.
func (f *Future) Done() bool { return f.state != Pending }

// Cancelled reports whether the future was cancelled.
func (f *Future) Cancelled() bool { return f.state == Cancelled }

// Result returns the future's result, or its exception as the error. Asked
// too early it returns an ErrInvalidState error ("Result is not ready."), and
// for a cancelled future ErrCancelled: Python raises these.
func (f *Future) Result() (any, error) {
	switch f.state {
	case Cancelled:
		return nil, ErrCancelled
	case Pending:
		return nil, fmt.Errorf("%w: Result is not ready.", ErrInvalidState)
	}
	return f.result, f.err
}

// Exception returns the exception set on the future, or nil if it has a
// result. Python raises for a cancelled or pending future; Go returns
// ErrCancelled, or an ErrInvalidState error ("Exception is not set.").
func (f *Future) Exception() error {
	switch f.state {
	case Cancelled:
		return ErrCancelled
	case Pending:
		return fmt.Errorf("%w: Exception is not set.", ErrInvalidState)
	}
	return f.err
}

// SetResult marks the future done with result v and schedules its callbacks.
// It returns an ErrInvalidState error if the future is already done.
func (f *Future) SetResult(v any) error {
	if f.state != Pending {
		return fmt.Errorf("%w: %s: %s", ErrInvalidState, f.state, f.self)
	}
	f.result, f.state = v, Finished
	f.scheduleCallbacks()
	return nil
}

// SetException marks the future done with exception err and schedules its
// callbacks. It returns an ErrInvalidState error if the future is done.
func (f *Future) SetException(err error) error {
	if f.state != Pending {
		return fmt.Errorf("%w: %s: %s", ErrInvalidState, f.state, f.self)
	}
	if err == nil {
		return fmt.Errorf("aio: SetException(nil) on %s", f.self)
	}
	f.err, f.state = err, Finished
	f.scheduleCallbacks()
	return nil
}

// Cancel cancels the future and schedules its callbacks. It returns false if
// the future was already done.
func (f *Future) Cancel() bool {
	if f.state != Pending {
		return false
	}
	f.state = Cancelled
	f.scheduleCallbacks()
	return true
}

// AddDoneCallback arranges for fn to be called with the future when it is
// done; if it is done already, fn is scheduled at once. Callbacks run in the
// order they were added, each in a later loop iteration through CallSoon,
// never inside SetResult or Cancel. For a task, fn receives the task itself.
// To pass more arguments, close over them: the Go form of functools.partial.
func (f *Future) AddDoneCallback(fn func(Awaitable)) {
	f.addCallback(doneCallback{fn: fn})
}

func (f *Future) addCallback(cb doneCallback) {
	if f.state != Pending {
		f.loop.enqueue(f.entryFor(cb))
		return
	}
	f.callbacks = append(f.callbacks, cb)
}

// removeCallbacks removes the callbacks added with key.
func (f *Future) removeCallbacks(key *Future) {
	kept := f.callbacks[:0]
	for _, cb := range f.callbacks {
		if cb.fn == nil || cb.ref != key {
			kept = append(kept, cb)
		}
	}
	clear(f.callbacks[len(kept):])
	f.callbacks = kept
}

func (f *Future) entryFor(cb doneCallback) entry {
	if cb.fn == nil {
		return entry{fut: cb.ref} // the task's step
	}
	return entry{cb: cb.fn, fut: f, name: cb.name}
}

func (f *Future) scheduleCallbacks() {
	for i, cb := range f.callbacks {
		f.loop.enqueue(f.entryFor(cb))
		f.callbacks[i] = doneCallback{}
	}
	f.callbacks = f.callbacks[:0]
}

// String returns a Python-like representation, such as
// <Future pending cb=[Task.task_wakeup()]> or <Future finished result=2>.
func (f *Future) String() string { return f.repr("Future", "") }

// repr formats the future as kind; state, if not empty, replaces the state
// word.
func (f *Future) repr(kind, state string, extra ...string) string {
	if state == "" {
		state = f.state.String()
	}
	var b strings.Builder
	b.WriteString("<" + kind + " " + state)
	for _, e := range extra {
		b.WriteString(" " + e)
	}
	if f.state == Finished {
		if f.err != nil {
			fmt.Fprintf(&b, " exception=%s", pyRepr(f.err))
		} else {
			fmt.Fprintf(&b, " result=%s", pyRepr(f.result))
		}
	}
	if len(f.callbacks) > 0 {
		names := make([]string, 0, len(f.callbacks))
		for _, cb := range f.callbacks {
			names = append(names, cb.String())
		}
		if len(names) > 2 {
			names = append(names[:1], fmt.Sprintf("<%d more>", len(names)-2), names[len(names)-1])
		}
		fmt.Fprintf(&b, " cb=[%s]", strings.Join(names, ", "))
	}
	b.WriteString(">")
	return b.String()
}

func (cb doneCallback) String() string {
	if cb.fn == nil {
		return "Task.task_wakeup()"
	}
	if cb.name != 0 {
		return cb.name.String() + "()"
	}
	return funcName(cb.fn) + "()"
}

// funcName is the name of the function fn, without its package's path:
// demos.callback, demos.callbackAio.func1.
func funcName(fn any) string {
	name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// callbackName names the done-callbacks the package adds itself, after
// their functions in asyncio. It fits in a byte of padding in an entry of
// the ready queue, where a string would not.
type callbackName uint8

const (
	cbUser             callbackName = iota // the user's own: named after its function
	cbRunUntilComplete                     // run_until_complete's
	cbGather                               // gather's, on each child
	cbWait                                 // asyncio.wait's, on each awaitable
	cbAsCompleted                          // as_completed's, on each awaitable
)

func (n callbackName) String() string {
	switch n {
	case cbRunUntilComplete:
		return "_run_until_complete_cb"
	case cbGather:
		return "gather.<locals>._done_callback"
	case cbWait:
		return "_wait.<locals>._on_completion"
	case cbAsCompleted:
		return "as_completed.<locals>._on_completion"
	}
	return ""
}

// pyRepr formats a value the way Python's repr would show its equivalent.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		return "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
	case error:
		return "error(" + pyRepr(v.Error()) + ")"
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}
