package aio

import (
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"
)

// Coroutine is the body of a task: Python's "async def". Calling a Go
// function that returns a Coroutine runs nothing yet, just as calling an
// async def function only makes a coroutine object; the loop runs it once it
// is wrapped in a task. The coroutine gets its own task, through which it
// awaits (t.Sleep, t.Await, t.Wait, t.AsCompleted); what it returns becomes
// the task's result, or its exception if the error is not nil. Returning an
// error that wraps ErrCancelled marks the task cancelled.
//
// To await another coroutine inline, as Python's "await other()" does, call
// it with the same task: other(t).
type Coroutine func(t *Task) (any, error)

// Task runs a coroutine on its loop (asyncio.Task). It embeds the Future that
// holds the coroutine's outcome, so everything a future does a task does too.
type Task struct {
	Future
	id   int
	name string
	coro Coroutine

	co *coroutine // nil for a leaf task (see stepSleep), and once the coroutine has returned

	started, destroyed bool
	mustCancel         bool   // cancel at the next step (asyncio's _must_cancel)
	sleeping           bool   // sleepTimer is set and has not fired yet
	leaf               bool   // coro is Sleep's: the loop runs it without a goroutine (see stepSleep)
	leafSuspended      bool   // a leaf task is suspended in its sleep
	resumeCancelled    bool   // the await the coroutine is suspended at returns ErrCancelled
	observed           bool   // the loop's task observer saw it start, and keeps mark in it
	cancelRequests     int    // how many times Cancel was called while pending
	sleepTimer         Handle // reused by every Sleep, so sleeping allocates nothing

	prev, next *Task  // the loop's list of pending tasks
	mark       uint64 // what the loop's task observer returned as it started
}

// coroutine is a task's coroutine running on its own goroutine, entered
// and left like a baton-passing coroutine through iter.Pull: resume runs it
// until its next await, yield (called inside it) hands control back.
type coroutine struct {
	resume    func() (struct{}, bool)
	stop      func()
	yield     func(struct{}) bool
	waitingOn *Future // the future the coroutine awaits (asyncio's _fut_waiter)
}

// waitingOn returns the future t's coroutine awaits, if any.
func (t *Task) waitingOn() *Future {
	if t.co == nil {
		return nil
	}
	return t.co.waitingOn
}

// CreateTask wraps coro in a task and schedules its first step; tasks start
// in the order they are created. An empty name gives the default "Task-N".
// It panics if the loop is closed.
func (l *Loop) CreateTask(coro Coroutine, name string) *Task {
	l.checkClosed()
	t := &Task{name: name, coro: coro}
	if name == "" { // only unnamed tasks draw a number, as in CPython
		l.taskCount++
		t.id = l.taskCount
	}
	t.loop, t.self = l, t
	t.sleepTimer = Handle{loop: l, task: t}
	t.leaf = funcPC(coro) == l.sleepPC
	l.tasks.add(t)
	l.enqueue(stepOf(t))
	if l.watch != nil {
		l.watch.tasks = append(l.watch.tasks, t)
	}
	return t
}

// Name returns the task's name.
func (t *Task) Name() string {
	if t.name == "" {
		return "Task-" + strconv.Itoa(t.id)
	}
	return t.name
}

// SetName renames the task.
func (t *Task) SetName(name string) { t.name = name }

// Running reports whether the task's coroutine is executing right now: the
// "running" state of the tutorial's list, which asyncio keeps for tasks only.
func (t *Task) Running() bool { return t.loop.current == t }

// Cancel asks the task to stop: ErrCancelled is raised inside its coroutine
// at the await where it is suspended, in a later iteration. It returns false
// if the task is already done. The coroutine may catch the error and go on;
// if it returns the error, the task ends cancelled.
func (t *Task) Cancel() bool {
	if t.Done() {
		return false
	}
	t.cancelRequests++
	if t.cancelWaiter() {
		return true
	}
	// The next step is already scheduled: it raises instead of resuming.
	t.mustCancel = true
	return true
}

// cancelWaiter cancels what the task is suspended on, a future or a sleep,
// so that the task wakes with ErrCancelled. It reports whether it could.
func (t *Task) cancelWaiter() bool {
	if f := t.waitingOn(); f != nil {
		return f.self.Cancel() // a Task or a gather cancels its own way
	}
	if t.sleeping {
		// As CPython cancels sleep's future: the task wakes at its next
		// step, and its timer stays due until then (sleep's finally
		// cancels it); should it fire first, it does nothing
		// (_set_result_unless_cancelled).
		t.sleeping = false
		t.resumeCancelled = true
		t.loop.enqueue(stepOf(t))
		return true
	}
	return false
}

// step runs the coroutine until its next await or its end: asyncio's
// Task.__step.
func (t *Task) step() {
	if t.mustCancel {
		t.resumeCancelled = true
		t.mustCancel = false
	}
	if !t.started {
		t.started = true
		if t.resumeCancelled { // cancelled before it ever ran: the body never runs
			t.resumeCancelled = false
			t.finish(nil, ErrCancelled)
			return
		}
		if !t.leaf {
			t.co = &coroutine{}
			t.co.resume, t.co.stop = iter.Pull(t.body)
		}
		if o := t.loop.observer; o.started != nil {
			t.mark, t.observed = o.started(t), true
		}
	}
	l := t.loop
	l.current = t
	var suspended bool
	if t.leaf {
		suspended = t.stepSleep()
	} else {
		_, suspended = t.co.resume()
	}
	l.current = nil
	if !suspended {
		t.co = nil
		t.finish(t.result, t.err)
		return
	}
	// Cancelled while it ran: cancel what it now waits for at once.
	if t.mustCancel && t.cancelWaiter() {
		t.mustCancel = false
	}
}

// stepSleep is step for a task whose coroutine is Sleep's, a leaf that
// awaits once and then returns: the loop runs it on the loop's goroutine, as
// two steps and a timer, the way CPython steps asyncio.sleep's frame. The
// first step calls the coroutine, whose Sleep sets the timer and returns
// errLeafSuspended instead of suspending; the second is what follows the
// await in Sleep, and the coroutine's return. It reports whether the task
// is suspended, as resume does.
func (t *Task) stepSleep() (suspended bool) {
	if !t.leafSuspended {
		t.result, t.err = t.coro(t)
		if t.err == errLeafSuspended {
			t.result, t.err, t.leafSuspended = nil, nil, true
			return true
		}
		return false
	}
	t.leafSuspended = false
	err := t.resumed()
	t.sleepTimer.Cancel() // asyncio.sleep's finally, as in Sleep
	t.sleeping = false
	t.result, t.err = nil, err
	return false
}

// errLeafSuspended is what Sleep returns to the first step of a leaf task
// (see stepSleep): the sleep has begun, and the rest is the loop's.
var errLeafSuspended = errors.New("aio: leaf task suspended")

// suspendsLeaf reports whether an await of t is the one await of a leaf
// task's first step, which stepSleep finishes: then the await sets up what
// it waits for and returns errLeafSuspended instead of suspending.
func (t *Task) suspendsLeaf() bool {
	return t.leaf && !t.leafSuspended && t.loop.current == t
}

// body is the iterator function iter.Pull runs on the task's goroutine.
func (t *Task) body(yield func(struct{}) bool) {
	t.co.yield = yield
	t.result, t.err = t.coro(t) // kept here until finish decides the outcome
}

// finish records the coroutine's outcome and schedules the done-callbacks.
func (t *Task) finish(result any, err error) {
	t.loop.tasks.remove(t)
	t.result, t.err = nil, nil
	switch {
	case errors.Is(err, ErrCancelled):
		t.Future.Cancel()
	case err != nil:
		t.Future.SetException(err)
	case t.mustCancel: // cancelled right before the coroutine returned
		t.mustCancel = false
		t.Future.Cancel()
	default:
		t.Future.SetResult(result)
	}
	if t.observed {
		t.observed = false
		if done := t.loop.observer.done; done != nil {
			done(t, t.mark)
		}
	}
}

// suspend hands control back to the loop and returns what the coroutine is
// resumed with: nil, or the error to raise at this await.
func (t *Task) suspend() error {
	t.mustBeRunning()
	if w := t.loop.watch; w != nil {
		w.suspended(t)
	}
	if !t.co.yield(struct{}{}) {
		t.destroyed = true
		return ErrDestroyed
	}
	return t.resumed()
}

// resumed returns what the await the coroutine was suspended at returns,
// now that it is resumed: ErrCancelled or nil.
func (t *Task) resumed() error {
	if t.resumeCancelled {
		t.resumeCancelled = false
		return ErrCancelled
	}
	return nil
}

// Sleep suspends the coroutine for d on the loop's clock and lets other tasks
// run meanwhile (asyncio.sleep). Sleep(0) just lets the others have a turn.
// It returns ErrCancelled if the task is cancelled while it sleeps.
func (t *Task) Sleep(d time.Duration) error {
	if d <= 0 {
		t.loop.enqueue(stepOf(t)) // a bare yield: step again next iteration
		if t.suspendsLeaf() {
			return errLeafSuspended
		}
		return t.suspend()
	}
	h := &t.sleepTimer
	h.gen++
	t.loop.schedule(h, t.loop.Time()+d)
	t.sleeping = true
	if t.suspendsLeaf() {
		return errLeafSuspended
	}
	err := t.suspend()
	h.Cancel() // asyncio.sleep's finally: h.cancel(), if the timer has not fired (cancelled, destroyed)
	t.sleeping = false
	return err
}

// mustBeRunning panics unless t's own coroutine is running, on its
// goroutine, and may await.
func (t *Task) mustBeRunning() {
	if t.destroyed {
		panic(fmt.Sprintf("aio: %s awaited again after its loop destroyed it (coroutine ignored ErrDestroyed)", t.Name()))
	}
	if t.loop.current != t || t.co == nil {
		panic(fmt.Sprintf("aio: %s awaited outside its own coroutine", t.Name()))
	}
}

// Sleep returns a coroutine that sleeps for d and returns nil: Python's
// asyncio.sleep(d), which is a coroutine of its own. Wrapped in a task,
// l.CreateTask(aio.Sleep(d), name) is create_task(asyncio.sleep(d)), and
// awaited inline, aio.Sleep(d)(t) is t.Sleep(d).
//
// A task whose coroutine is Sleep's needs no goroutine: it awaits once and
// returns, so the loop runs it as a timer and two steps, in the iterations
// a task with a goroutine would take them. A million such tasks cost a
// million small structs, not a million stacks.
func Sleep(d time.Duration) Coroutine { return sleepCoroutine(d).run }

// sleepCoroutine is Sleep's coroutine. Its run method, as a method value,
// has the same code however many there are, which is how CreateTask knows
// one (see Loop.sleepPC).
type sleepCoroutine time.Duration

func (d sleepCoroutine) run(t *Task) (any, error) { return nil, t.Sleep(time.Duration(d)) }

// wakeFromSleep runs when the sleep timer fires. Like the future asyncio's
// sleep sets, it schedules the task's step for the next iteration; if the
// task was cancelled meanwhile, its step is scheduled already.
func (t *Task) wakeFromSleep() {
	if !t.sleeping {
		return
	}
	t.sleeping = false
	t.loop.enqueue(stepOf(t))
}

// Await suspends the coroutine until aw is done and returns aw's result and
// error (Python's "await aw"). If aw is done already it returns at once,
// without giving other tasks a turn, as in Python. If the task is cancelled
// meanwhile, the cancellation goes on to aw, and Await returns ErrCancelled.
func (t *Task) Await(aw Awaitable) (any, error) {
	f := aw.future()
	if f.Done() { // no yield: the result at once, as Future.__await__ does
		return aw.Result()
	}
	// As in asyncio's Task.__step, a wrong await is raised at the task's
	// next step, after the callbacks already ready have run.
	if f == &t.Future {
		return nil, t.raiseNextStep(errors.New("RuntimeError: Task cannot await on itself"))
	}
	if f.loop != t.loop {
		return nil, t.raiseNextStep(fmt.Errorf("RuntimeError: Task %s got Future %s attached to a different loop", pyRepr(t.Name()), f.self))
	}
	t.mustBeRunning()
	t.co.waitingOn = f
	f.addCallback(wakeCallback(t))
	err := t.suspend()
	t.co.waitingOn = nil
	if err != nil {
		return nil, err
	}
	return aw.Result()
}

// raiseNextStep suspends the task until its next step and then returns
// err there (or the cancellation that overtook it).
func (t *Task) raiseNextStep(err error) error {
	t.loop.enqueue(stepOf(t))
	if serr := t.suspend(); serr != nil {
		return serr
	}
	return err
}

// destroy ends a task its loop abandoned while it was pending: the await it
// is suspended at returns ErrDestroyed, and its goroutine ends.
func (t *Task) destroy() {
	t.loop.tasks.remove(t)
	t.sleepTimer.Cancel()
	t.sleeping = false
	if t.co != nil {
		t.co.stop()
		t.co = nil
	}
}

// String returns a Python-like representation, such as
// <Task pending name='do_some_work(2)' wait_for=<Future pending cb=[Task.task_wakeup()]>>
// or <Task finished name='do_some_work(2)' result='Done after 2s'>.
func (t *Task) String() string {
	extra := []string{"name=" + pyRepr(t.Name())}
	switch {
	case t.waitingOn() != nil:
		extra = append(extra, "wait_for="+t.waitingOn().self.String())
	case t.sleeping:
		extra = append(extra, "wait_for=<Future pending cb=[Task.task_wakeup()]>")
	}
	state := ""
	if t.cancelRequests > 0 && !t.Done() {
		state = "cancelling" // asyncio 3.11 shows a cancel in progress so
	}
	return t.repr("Task", state, extra...)
}

// SetResult refuses: a task's result is what its coroutine returns.
func (t *Task) SetResult(any) error {
	return errors.New("RuntimeError: Task does not support set_result operation")
}

// SetException refuses: a task's exception is what its coroutine returns.
func (t *Task) SetException(error) error {
	return errors.New("RuntimeError: Task does not support set_exception operation")
}
