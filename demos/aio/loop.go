package aio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Errors returned by the loop. Their texts are the names of the Python
// exceptions they stand for, so a learner recognises them.
var (
	// ErrCancelled is what an await returns inside a cancelled task, and
	// what Result returns for a cancelled future (asyncio.CancelledError).
	ErrCancelled = errors.New("CancelledError")
	// ErrInvalidState is returned when a future is asked for something its
	// state does not allow, such as its result while it is still pending.
	ErrInvalidState = errors.New("InvalidStateError")
	// ErrTimeout is returned by ConcurrentFuture.Result when its timeout
	// runs out (concurrent.futures.TimeoutError). Wait does not raise on a
	// timeout: it returns what is done and what is pending, as asyncio.wait.
	ErrTimeout = errors.New("TimeoutError")
	// ErrInterrupted is returned by RunForever and RunUntilComplete after
	// Interrupt: the loop's KeyboardInterrupt.
	ErrInterrupted = errors.New("KeyboardInterrupt")
	// ErrClosed is returned when a closed loop is asked to do anything.
	ErrClosed = errors.New("RuntimeError: Event loop is closed")
	// ErrRunning is returned when Run* or Close is called on a running loop.
	ErrRunning = errors.New("RuntimeError: This event loop is already running")
	// ErrDestroyed is what an await returns inside a task that its loop
	// destroyed while it was still pending (see Loop.Close).
	ErrDestroyed = errors.New("GeneratorExit: task destroyed while pending")
)

// A Clock tells a loop the time and lets it wait. The loop's time is the
// clock's: a clock that runs ten times faster than real time makes every
// Sleep ten times shorter. *timing.Clock is one.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that fires after d of this clock's time.
	NewTimer(d time.Duration) *time.Timer
}

type realClock struct{}

func (realClock) Now() time.Time                       { return time.Now() }
func (realClock) NewTimer(d time.Duration) *time.Timer { return time.NewTimer(d) }

// An Option configures a Loop made by NewLoop.
type Option func(*Loop)

// WithClock makes the loop take its time from c instead of the real clock.
func WithClock(c Clock) Option { return func(l *Loop) { l.clock = c } }

// WithExceptionHandler sets the function the loop calls for problems it can
// only report, such as a task destroyed while pending. The default writes the
// message to standard error, as asyncio's default handler logs it.
func WithExceptionHandler(h func(ExceptionContext)) Option {
	return func(l *Loop) { l.handler = h }
}

// WithTaskObserver sets functions the loop calls as each task's coroutine
// starts and when each task it saw start is done. The loop keeps the mark
// started returns in the task and gives it back to done, so that observing
// a million tasks allocates nothing for them. asyncdemo draws its timelines
// with it: a mark is a task's span on the timeline. Either may be nil.
func WithTaskObserver(started func(t *Task) (mark uint64), done func(t *Task, mark uint64)) Option {
	return func(l *Loop) { l.observer = taskObserver{started, done} }
}

// taskObserver is what WithTaskObserver sets.
type taskObserver struct {
	started func(t *Task) (mark uint64)
	done    func(t *Task, mark uint64)
}

// ExceptionContext describes a problem reported to the exception handler.
type ExceptionContext struct {
	Message string
	Err     error
	Task    *Task // the task concerned, if any
}

// Loop is an asyncio-style event loop: a ready queue of callbacks, a heap of
// timers, and the tasks that run on them. Make one with NewLoop. All methods
// except CallSoonThreadsafe and Interrupt must be called from the goroutine
// that runs the loop (or, before and after it runs, from the one that owns it).
type Loop struct {
	clock    Clock
	epoch    time.Time
	handler  func(ExceptionContext)
	observer taskObserver
	watch    *watcher // WithStateObserver's; nil for a loop nobody watches
	sleepPC  uintptr  // the code of Sleep's coroutines, which tasks run without a goroutine

	ready  queue[entry]
	timers timerQueue
	seq    uint64 // orders timers with equal deadlines by scheduling time

	running, stopping, closed bool
	current                   *Task // the task whose coroutine is running
	tasks                     taskList
	taskCount                 int // for default task names, Task-1, Task-2, ...

	// Calls from other goroutines wait here until the loop takes them.
	mu              sync.Mutex
	threadsafe      []func()
	threadsafeNames []string    // names for a state observer, where the caller gave them
	pending         atomic.Bool // threadsafe is not empty, or an interrupt is due
	interrupted     atomic.Bool
	wake            chan struct{}
}

// NewLoop returns a new event loop, not yet running.
func NewLoop(opts ...Option) *Loop {
	l := &Loop{clock: realClock{}, wake: make(chan struct{}, 1), sleepPC: funcPC(Sleep(0))}
	for _, o := range opts {
		o(l)
	}
	if l.handler == nil {
		l.handler = defaultHandler(os.Stderr)
	}
	l.epoch = l.clock.Now()
	return l
}

func defaultHandler(w io.Writer) func(ExceptionContext) {
	return func(c ExceptionContext) {
		msg := c.Message
		if c.Task != nil {
			msg += "\ntask: " + c.Task.String()
		}
		if c.Err != nil {
			msg += "\n" + c.Err.Error()
		}
		fmt.Fprintln(w, msg)
	}
}

// Time returns the loop's current time: how long its clock has run since the
// loop was made. CallAt takes times on this scale.
func (l *Loop) Time() time.Duration { return l.clock.Now().Sub(l.epoch) }

// IsRunning reports whether the loop is running.
func (l *Loop) IsRunning() bool { return l.running }

// IsClosed reports whether the loop has been closed.
func (l *Loop) IsClosed() bool { return l.closed }

// Handle is a callback scheduled with CallSoon, CallLater or CallAt.
type Handle struct {
	loop      *Loop
	fn        func()
	task      *Task         // a task's sleep timer: wakes the task instead of calling fn
	when      time.Duration // loop time the timer is due; zero for CallSoon
	gen       uint32        // a task's sleep timer is reused: gen tells stale entries apart
	queued    bool          // a live entry for it is in the timer queue
	cancelled bool
}

// Cancel stops the callback from running, if it has not run yet.
func (h *Handle) Cancel() {
	if h.cancelled {
		return
	}
	h.cancelled = true
	if h.queued {
		h.queued = false
		h.loop.timers.dead++
	}
}

// Cancelled reports whether Cancel was called.
func (h *Handle) Cancelled() bool { return h.cancelled }

// When returns the loop time at which a timer is due (zero for CallSoon).
func (h *Handle) When() time.Duration { return h.when }

// checkClosed panics with ErrClosed on a closed loop: scheduling on it is a
// programming error (Python raises RuntimeError).
func (l *Loop) checkClosed() {
	if l.closed {
		panic(ErrClosed)
	}
}

// CallSoon schedules fn to run in the next iteration of the loop, after the
// callbacks already scheduled. It panics with ErrClosed on a closed loop. Extra arguments are passed by closure, the Go
// form of functools.partial.
func (l *Loop) CallSoon(fn func()) *Handle {
	l.checkClosed()
	h := &Handle{loop: l, fn: fn}
	l.enqueue(entry{h: h})
	return h
}

// enqueue appends e to the ready queue. Calls made from other goroutines
// before it go first: CallSoonThreadsafe takes its place at once, as in
// CPython, not when the loop next polls.
func (l *Loop) enqueue(e entry) {
	if l.pending.Load() {
		l.takeThreadsafe()
	}
	l.ready.push(e)
}

// CallLater schedules fn to run once delay has passed on the loop's clock.
// A delay of zero or less still waits for the next iteration.
func (l *Loop) CallLater(delay time.Duration, fn func()) *Handle {
	return l.CallAt(l.Time()+delay, fn)
}

// CallAt schedules fn to run at loop time when (see Time). Timers due at the
// same time run in the order they were scheduled.
func (l *Loop) CallAt(when time.Duration, fn func()) *Handle {
	l.checkClosed()
	h := &Handle{loop: l, fn: fn}
	l.schedule(h, when)
	return h
}

func (l *Loop) schedule(h *Handle, when time.Duration) {
	l.seq++
	h.when, h.cancelled, h.queued = when, false, true
	l.timers.push(timerEntry{when: when, seq: l.seq, h: h, gen: h.gen})
}

// CallSoonThreadsafe schedules fn like CallSoon, but may be called from any
// goroutine; it wakes the loop if it is waiting. It returns ErrClosed once the
// loop is closed.
func (l *Loop) CallSoonThreadsafe(fn func()) error { return l.callSoonThreadsafe(fn, "") }

// callSoonThreadsafe is CallSoonThreadsafe with a name for a state
// observer to call fn by ("" for fn's own).
func (l *Loop) callSoonThreadsafe(fn func(), name string) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.threadsafe = append(l.threadsafe, fn)
	if name != "" || len(l.threadsafeNames) > 0 {
		for len(l.threadsafeNames) < len(l.threadsafe)-1 {
			l.threadsafeNames = append(l.threadsafeNames, "")
		}
		l.threadsafeNames = append(l.threadsafeNames, name)
	}
	l.pending.Store(true)
	l.mu.Unlock()
	l.wakeUp()
	return nil
}

// Interrupt makes the running RunForever or RunUntilComplete return
// ErrInterrupted as soon as the callback running now returns, as Python's
// KeyboardInterrupt leaves run_until_complete. Callbacks still ready stay
// queued for the next run. It may be called from any goroutine, such as a
// signal handler's; an interrupt that arrives while the loop is not running
// is delivered when it next runs.
func (l *Loop) Interrupt() {
	l.interrupted.Store(true)
	l.pending.Store(true)
	l.wakeUp()
}

func (l *Loop) wakeUp() {
	select {
	case l.wake <- struct{}{}:
	default: // a wake-up is already due
	}
}

// Stop makes the running loop stop after the iteration in progress. Called
// before RunForever, it makes the next run do exactly one iteration: the
// seed's "loop.stop(); loop.run_forever()" idiom. From another goroutine use
// CallSoonThreadsafe(l.Stop).
func (l *Loop) Stop() { l.stopping = true }

// RunForever runs the loop until Stop is called, or Interrupt (then it
// returns ErrInterrupted).
func (l *Loop) RunForever() error {
	if l.closed {
		return ErrClosed
	}
	if l.running {
		return ErrRunning
	}
	l.running = true
	defer func() { l.running, l.stopping = false, false }()
	if l.watch != nil {
		l.watch.starting(l)
	}
	for {
		err := l.runOnce()
		if l.watch != nil {
			l.watch.iterated(l, err)
		}
		if err != nil {
			return err
		}
		if l.stopping {
			return nil
		}
	}
}

// RunUntilComplete runs the loop until f is done and returns its result and
// error. The loop stops in the iteration after f completes, because it learns
// of it through a done-callback, as asyncio's does.
func (l *Loop) RunUntilComplete(f Awaitable) (any, error) {
	switch fut := f.future(); {
	case l.closed:
		return nil, ErrClosed
	case l.running:
		return nil, ErrRunning
	case fut.loop != l:
		return nil, errors.New("ValueError: The future belongs to a different loop than the one specified as the loop argument")
	}
	fut := f.future()
	stop := doneCallback{fn: func(Awaitable) { l.Stop() }, ref: fut, name: cbRunUntilComplete}
	fut.addCallback(stop)
	err := l.RunForever()
	fut.removeCallbacks(fut)
	if err != nil {
		return nil, err
	}
	if !fut.Done() {
		return nil, errors.New("RuntimeError: Event loop stopped before Future completed.")
	}
	return fut.self.Result()
}

// runOnce is one iteration, after CPython's BaseEventLoop._run_once: wait
// for work (not at all if some is ready), take calls from other goroutines,
// move due timers to the ready queue, then run exactly the callbacks that are
// ready now. What they schedule waits for the next iteration.
func (l *Loop) runOnce() error {
	timeout := time.Duration(-1) // wait for ever
	if l.ready.len() > 0 || l.stopping {
		timeout = 0
	} else if next, ok := l.timers.peek(); ok {
		timeout = max(0, next.when-l.Time())
	}
	l.poll(timeout)
	if l.watch != nil {
		l.watch.polled = l.Time()
	}
	if l.interrupted.Load() {
		l.interrupted.Store(false)
		return ErrInterrupted
	}
	if _, ok := l.timers.peek(); ok {
		now := l.Time()
		for next, ok := l.timers.peek(); ok && next.when <= now; next, ok = l.timers.peek() {
			l.timers.pop()
			next.h.queued = false
			l.enqueue(entry{h: next.h, gen: next.gen})
		}
	}
	if l.watch != nil {
		return l.runReadyWatched(l.watch)
	}
	for n := l.ready.len(); n > 0; n-- {
		l.run(l.ready.pop())
		if l.interrupted.Load() {
			l.interrupted.Store(false)
			return ErrInterrupted
		}
	}
	return nil
}

// poll takes the calls made from other goroutines, first waiting up to
// timeout for one if there are none (a negative timeout waits for ever).
func (l *Loop) poll(timeout time.Duration) {
	if timeout != 0 && !l.pending.Load() {
		if timeout < 0 {
			<-l.wake
		} else {
			t := l.clock.NewTimer(timeout)
			select {
			case <-l.wake:
			case <-t.C:
			}
			t.Stop()
		}
	}
	if l.pending.Load() {
		l.takeThreadsafe()
	}
}

// takeThreadsafe moves the calls made with CallSoonThreadsafe to the ready
// queue.
func (l *Loop) takeThreadsafe() {
	l.mu.Lock()
	calls, names := l.threadsafe, l.threadsafeNames
	l.threadsafe, l.threadsafeNames = nil, nil
	l.pending.Store(l.interrupted.Load())
	l.mu.Unlock()
	for i, fn := range calls {
		h := &Handle{loop: l, fn: fn}
		if l.watch != nil && i < len(names) && names[i] != "" {
			l.watch.names[h] = names[i]
		}
		l.ready.push(entry{h: h})
	}
}

// run runs one ready entry.
func (l *Loop) run(e entry) {
	switch {
	case e.cb != nil:
		e.cb(e.fut.self)
	case e.fut != nil:
		e.task().step()
	case e.h.cancelled || e.h.gen != e.gen:
		// cancelled after it was queued, or a stale firing of a reused timer
	case e.h.task != nil:
		e.h.task.wakeFromSleep()
	default:
		e.h.fn()
	}
}

// AllTasks returns the loop's tasks that are not done yet, in the order they
// were created. (asyncio.all_tasks returns a set; Task.all_tasks, which the
// 2017 tutorial uses, was removed in Python 3.9.)
func (l *Loop) AllTasks() []*Task {
	var ts []*Task
	for t := l.tasks.head; t != nil; t = t.next {
		ts = append(ts, t)
	}
	return ts
}

// Close closes the loop. It must not be running. Tasks still pending are
// destroyed, as Python's garbage collector destroys them once their loop is
// gone, and each is reported to the exception handler as "Task was destroyed
// but it is pending!"; the await each was suspended at returns ErrDestroyed so
// its coroutine can return, and its goroutine ends. Closing twice is harmless.
func (l *Loop) Close() error {
	if l.running {
		return errors.New("RuntimeError: Cannot close a running event loop")
	}
	if l.closed {
		return nil
	}
	l.mu.Lock()
	l.closed = true
	l.threadsafe, l.threadsafeNames = nil, nil
	l.mu.Unlock()
	l.ready = queue[entry]{}
	l.timers = timerQueue{}
	for _, t := range l.AllTasks() {
		l.handler(ExceptionContext{Message: "Task was destroyed but it is pending!", Task: t})
		t.destroy()
	}
	return nil
}

// entry is one item of the ready queue: a handle to run, a task step, or a
// done-callback with its future. Task steps and done-callbacks are queued by
// value, so scheduling them allocates nothing; an entry is four words, as a
// million of them may be queued at once.
type entry struct {
	h    *Handle
	fut  *Future         // the done-callback's future, or the stepping task's own
	cb   func(Awaitable) // a done-callback, called with fut.self; nil for a step
	gen  uint32
	name callbackName // a done-callback's, for a state observer; in gen's padding
}

// stepOf is the entry that steps t.
func stepOf(t *Task) entry { return entry{fut: &t.Future} }

// task returns the task e steps, or nil if e is not a task's step.
func (e entry) task() *Task {
	if e.cb != nil || e.fut == nil {
		return nil
	}
	return e.fut.self.(*Task)
}

// taskList is the loop's pending tasks in creation order, linked through
// the tasks themselves so that adding and removing cost nothing.
type taskList struct{ head, tail *Task }

func (tl *taskList) add(t *Task) {
	t.prev = tl.tail
	if tl.tail != nil {
		tl.tail.next = t
	} else {
		tl.head = t
	}
	tl.tail = t
}

func (tl *taskList) remove(t *Task) {
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		tl.head = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	} else {
		tl.tail = t.prev
	}
	t.prev, t.next = nil, nil
}
