package aio

import (
	"errors"
	"iter"
	"time"
)

// gatheringFuture is what Gather returns: a future whose Cancel cancels its
// children (asyncio's _GatheringFuture).
type gatheringFuture struct {
	Future
	children        []Awaitable
	cancelRequested bool
}

// Cancel cancels every child that is not done. It reports whether any was.
func (g *gatheringFuture) Cancel() bool {
	if g.Done() {
		return false
	}
	cancelled := false
	for _, c := range g.children {
		if c.Cancel() {
			cancelled = true
		}
	}
	if cancelled {
		// The children's cancellation will end the gather with ErrCancelled.
		g.cancelRequested = true
	}
	return cancelled
}

// String returns a Python-like representation.
func (g *gatheringFuture) String() string { return g.repr("_GatheringFuture", "") }

// Gather returns a future that completes when all of aws are done, with a
// []any of their results in argument order, whatever order they finish in
// (asyncio.gather). If one fails or is cancelled, the gather completes at once
// with that error (ErrCancelled for a cancellation) and the others go on.
// Cancelling the gather cancels every child. The same awaitable may be passed
// more than once.
func (l *Loop) Gather(aws ...Awaitable) Awaitable { return l.gather(false, aws) }

// GatherReturnExceptions is Gather with return_exceptions=True: errors and
// cancellations are put into the results, in place, instead of failing the
// gather.
func (l *Loop) GatherReturnExceptions(aws ...Awaitable) Awaitable { return l.gather(true, aws) }

func (l *Loop) gather(returnExceptions bool, aws []Awaitable) Awaitable {
	if len(aws) == 0 { // a plain, finished future, as asyncio returns
		f := l.CreateFuture()
		f.SetResult([]any{})
		return f
	}
	g := &gatheringFuture{children: aws}
	g.loop, g.self = l, g
	finished := 0
	// asyncio's _done_callback. A child passed twice gets the callback twice
	// and counts twice; both run back to back, so the outcome is the same as
	// asyncio's, which counts it once.
	onDone := func(child Awaitable) {
		finished++
		if g.Done() {
			return
		}
		if !returnExceptions {
			if child.Cancelled() {
				g.Future.SetException(ErrCancelled)
				return
			}
			if err := child.Exception(); err != nil {
				g.Future.SetException(err)
				return
			}
		}
		if finished < len(aws) {
			return
		}
		results := make([]any, len(aws))
		for i, c := range aws {
			res, err := c.Result()
			if err != nil {
				res = err
			}
			results[i] = res
		}
		if g.cancelRequested {
			g.Future.SetException(ErrCancelled)
		} else {
			g.Future.SetResult(results)
		}
	}
	for _, a := range aws {
		a.future().addCallback(doneCallback{fn: onDone, name: cbGather})
	}
	return g
}

// ReturnWhen says when Wait returns.
type ReturnWhen int

// The conditions Wait can return on (asyncio.ALL_COMPLETED and friends).
const (
	AllCompleted   ReturnWhen = iota // when every awaitable is done
	FirstCompleted                   // when any is done
	FirstException                   // when any fails, or all are done
)

// WaitOptions are Wait's keyword arguments.
type WaitOptions struct {
	ReturnWhen ReturnWhen
	// Timeout, if positive, makes Wait return after that long even if its
	// condition is not met; it does not raise. (Python's timeout=None is 0.)
	Timeout time.Duration
}

// Set is a set of awaitables, as asyncio.wait returns. Like Python's set, a
// Go map has no order: ranging over it twice may give two orders.
type Set map[Awaitable]struct{}

// Wait suspends the task until the awaitables meet opts.ReturnWhen, or the
// timeout runs out, and returns the done and pending ones (asyncio.wait). It
// never cancels them and never raises their errors: ask each for its Result.
// The error is ErrCancelled if the waiting task is cancelled meanwhile.
func (t *Task) Wait(aws []Awaitable, opts WaitOptions) (done, pending Set, err error) {
	if len(aws) == 0 {
		return nil, nil, errors.New("ValueError: Set of Tasks/Futures is empty.")
	}
	l := t.loop
	fs := make(Set, len(aws))
	order := make([]Awaitable, 0, len(aws))
	for _, a := range aws {
		if _, dup := fs[a]; !dup {
			fs[a] = struct{}{}
			order = append(order, a)
		}
	}
	waiter := l.CreateFuture()
	waiter.kind = futureWait
	release := func() {
		if !waiter.Done() {
			waiter.SetResult(nil)
		}
	}
	var timeout *Handle
	if opts.Timeout > 0 {
		timeout = l.CallLater(opts.Timeout, release)
	}
	counter := len(order)
	onCompletion := func(f Awaitable) {
		counter--
		if counter <= 0 || opts.ReturnWhen == FirstCompleted ||
			opts.ReturnWhen == FirstException && !f.Cancelled() && f.Exception() != nil {
			if timeout != nil {
				timeout.Cancel()
			}
			release()
		}
	}
	for _, f := range order {
		f.future().addCallback(doneCallback{fn: onCompletion, ref: waiter, name: cbWait})
	}
	_, err = t.Await(waiter)
	if timeout != nil {
		timeout.Cancel()
	}
	for _, f := range order {
		f.future().removeCallbacks(waiter)
	}
	if err != nil {
		return nil, nil, err
	}
	done, pending = Set{}, Set{}
	for _, f := range order {
		if f.Done() {
			done[f] = struct{}{}
		} else {
			pending[f] = struct{}{}
		}
	}
	return done, pending, nil
}

// AsCompleted yields the results of aws in the order they complete
// (asyncio.as_completed): for res, err := range t.AsCompleted(tasks...).
// Each step awaits the next completion; err is that awaitable's error, or
// ErrCancelled if the task itself is cancelled while it waits, after which
// the range goes on to the next result unless the body stops it.
func (t *Task) AsCompleted(aws ...Awaitable) iter.Seq2[any, error] {
	l := t.loop
	seen := make(map[Awaitable]bool, len(aws))
	var completed []Awaitable // the queue asyncio's as_completed feeds
	var getter *Future        // the pending get() on that queue, if any
	n := 0
	onCompletion := func(f Awaitable) {
		completed = append(completed, f)
		if getter != nil && !getter.Done() {
			getter.SetResult(nil)
		}
	}
	for _, a := range aws {
		if !seen[a] {
			seen[a] = true
			n++
			a.future().addCallback(doneCallback{fn: onCompletion, name: cbAsCompleted})
		}
	}
	return func(yield func(any, error) bool) {
		for range n {
			var err error
			for len(completed) == 0 && err == nil {
				getter = l.CreateFuture()
				getter.kind = futureAsCompleted
				_, err = t.Await(getter)
				if err != nil {
					getter.Cancel()
				}
			}
			getter = nil
			if err != nil {
				if !yield(nil, err) {
					return
				}
				continue
			}
			f := completed[0]
			completed[0] = nil
			completed = completed[1:]
			if !yield(f.Result()) {
				return
			}
		}
	}
}
