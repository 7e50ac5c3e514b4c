package aio

import (
	"errors"
	"testing"
	"testing/synctest"
)

func TestNewFutureIsPendingAndHasNoResultYet(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	f := l.CreateFuture()
	if f.State() != Pending || f.Done() || f.Cancelled() || f.State().String() != "pending" {
		t.Errorf("new future: state %v done %v cancelled %v", f.State(), f.Done(), f.Cancelled())
	}
	if f.Loop() != l {
		t.Error("Loop() is not the loop that made the future")
	}
	r, err := f.Result()
	if r != nil {
		t.Errorf("Result of a pending future = %v, want nil", r)
	}
	wantErr(t, err, ErrInvalidState, "InvalidStateError: Result is not ready.")
	wantErr(t, f.Exception(), ErrInvalidState, "InvalidStateError: Exception is not set.")
	if s := f.String(); s != "<Future pending>" {
		t.Errorf("String() = %s", s)
	}
}

func TestSetResultFinishesTheFuture(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	f := l.CreateFuture()
	noErr(t, f.SetResult(42))
	r, err := f.Result()
	if r != 42 || err != nil || f.Exception() != nil {
		t.Errorf("Result() = %v, %v; Exception() = %v", r, err, f.Exception())
	}
	if f.State() != Finished || !f.Done() || f.Cancelled() || f.State().String() != "finished" {
		t.Errorf("state %v done %v cancelled %v", f.State(), f.Done(), f.Cancelled())
	}
}

func TestSetResultNilIsAResult(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	f := l.CreateFuture()
	noErr(t, f.SetResult(nil))
	if r, err := f.Result(); r != nil || err != nil || !f.Done() {
		t.Errorf("Result() = %v, %v, done %v", r, err, f.Done())
	}
	if s := f.String(); s != "<Future finished result=None>" {
		t.Errorf("String() = %s", s)
	}
}

func TestSetExceptionFinishesTheFutureWithThatError(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	f := l.CreateFuture()
	boom := errors.New("boom")
	noErr(t, f.SetException(boom))
	r, err := f.Result()
	if r != nil || err != boom || f.Exception() != boom {
		t.Errorf("Result() = %v, %v; Exception() = %v; want nil, boom, boom", r, err, f.Exception())
	}
	if f.State() != Finished || f.Cancelled() {
		t.Errorf("state %v cancelled %v", f.State(), f.Cancelled())
	}
}

func TestCancelledFutureReportsErrCancelled(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	f := l.CreateFuture()
	if !f.Cancel() {
		t.Fatal("Cancel of a pending future returned false")
	}
	if f.State() != Cancelled || !f.Done() || !f.Cancelled() || f.State().String() != "cancelled" {
		t.Errorf("state %v done %v cancelled %v", f.State(), f.Done(), f.Cancelled())
	}
	if r, err := f.Result(); r != nil || err != ErrCancelled {
		t.Errorf("Result() = %v, %v, want nil, ErrCancelled", r, err)
	}
	if err := f.Exception(); err != ErrCancelled {
		t.Errorf("Exception() = %v, want ErrCancelled", err)
	}
	if f.Cancel() {
		t.Error("second Cancel returned true")
	}
}

func TestCompletingADoneFutureIsInvalidState(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	boom := errors.New("boom")

	f := l.CreateFuture()
	noErr(t, f.SetResult(1))
	wantErr(t, f.SetResult(2), ErrInvalidState, "InvalidStateError: finished: <Future finished result=1>")
	wantErr(t, f.SetException(boom), ErrInvalidState, "InvalidStateError: finished: <Future finished result=1>")
	if f.Cancel() {
		t.Error("Cancel of a finished future returned true")
	}
	if r, err := f.Result(); r != 1 || err != nil {
		t.Errorf("the first outcome was overwritten: %v, %v", r, err)
	}

	e := l.CreateFuture()
	noErr(t, e.SetException(boom))
	wantErr(t, e.SetResult(2), ErrInvalidState, "InvalidStateError: finished: <Future finished exception=error('boom')>")

	c := l.CreateFuture()
	c.Cancel()
	wantErr(t, c.SetResult(2), ErrInvalidState, "InvalidStateError: cancelled: <Future cancelled>")
	wantErr(t, c.SetException(boom), ErrInvalidState, "InvalidStateError: cancelled: <Future cancelled>")
	if !c.Cancelled() {
		t.Error("a cancelled future stopped being cancelled")
	}
}

func TestSetExceptionNilIsRefusedAndLeavesTheFuturePending(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	f := l.CreateFuture()
	err := f.SetException(nil)
	wantErr(t, err, nil, "aio: SetException(nil) on <Future pending>")
	if f.Done() {
		t.Errorf("future is %v after SetException(nil)", f.State())
	}
	noErr(t, f.SetResult("still settable"))
}

// f.add_done_callback(cb) on a done future schedules cb with call_soon;
// here, between two call_soon callbacks:
// loop.call_soon(L, "A"); f.add_done_callback(lambda f: L("cb")); loop.call_soon(L, "C")
// -> added | A | cb | C
func TestAddDoneCallbackOnADoneFutureSchedulesItInsteadOfCallingIt(t *testing.T) {
	t.Parallel()
	bubble(t, "added | A | cb 5 | C", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		noErr(t, f.SetResult(5))
		l.CallSoon(func() { tr.add("A") })
		f.AddDoneCallback(func(a Awaitable) { r, _ := a.Result(); tr.add("cb %v", r) })
		l.CallSoon(func() { tr.add("C") })
		tr.add("added")
		l.Stop()
		noErr(t, l.RunForever())
	})
}

// def cb(): loop.call_soon(L, "A"); f.set_result(1); L("set"); loop.call_soon(L, "C")
// with f's callbacks cb1, cb2 -> set | A | cb1 | cb2 | C
func TestDoneCallbacksQueueBehindWhatWasScheduledBeforeCompletion(t *testing.T) {
	t.Parallel()
	bubble(t, "set | A | cb1 True | cb2 True | C", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		f.AddDoneCallback(func(a Awaitable) { tr.add("cb1 %s", pyBool(a == Awaitable(f))) })
		f.AddDoneCallback(func(a Awaitable) { tr.add("cb2 %s", pyBool(a == Awaitable(f))) })
		l.CallSoon(func() {
			l.CallSoon(func() { tr.add("A") })
			noErr(t, f.SetResult(1))
			tr.add("set")
			l.CallSoon(func() { tr.add("C") })
		})
		_, err := l.RunUntilComplete(f)
		noErr(t, err)
		l.Stop()
		noErr(t, l.RunForever())
	})
}

func TestCancelSchedulesTheDoneCallbacks(t *testing.T) {
	t.Parallel()
	bubble(t, "cancel True | cb cancelled True CancelledError", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		f.AddDoneCallback(func(a Awaitable) {
			_, err := a.Result()
			tr.add("cb cancelled %s %v", pyBool(a.Cancelled()), err)
		})
		tr.add("cancel %s", pyBool(f.Cancel()))
		l.Stop()
		noErr(t, l.RunForever())
	})
}

func TestDoneCallbackAddedByADoneCallbackRunsAnIterationLater(t *testing.T) {
	t.Parallel()
	bubble(t, "first | second | soon", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		f.AddDoneCallback(func(Awaitable) {
			tr.add("first")
			f.AddDoneCallback(func(Awaitable) { tr.add("second") })
		})
		f.AddDoneCallback(func(Awaitable) { l.CallSoon(func() { tr.add("soon") }) })
		noErr(t, f.SetResult(nil))
		for range 3 {
			l.Stop()
			noErr(t, l.RunForever())
		}
	})
}

func TestDoneCallbacksRunOnceEach(t *testing.T) {
	t.Parallel()
	bubble(t, "cb | cb", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		cb := func(Awaitable) { tr.add("cb") }
		f.AddDoneCallback(cb)
		f.AddDoneCallback(cb) // the same function twice: called twice
		noErr(t, f.SetResult(nil))
		f.Cancel()
		_ = f.SetResult(2)
		for range 3 {
			l.Stop()
			noErr(t, l.RunForever())
		}
	})
}

// Named callbacks, so that the repr shows their names.
func alpha(Awaitable) {}
func beta(Awaitable)  {}
func gamma(Awaitable) {}
func delta(Awaitable) {}

func TestFutureReprShowsStateResultAndCallbacks(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	check := func(f *Future, want string) {
		t.Helper()
		if got := f.String(); got != want {
			t.Errorf("repr\n got: %s\nwant: %s", got, want)
		}
	}
	f := l.CreateFuture()
	f.AddDoneCallback(alpha)
	check(f, "<Future pending cb=[aio.alpha()]>")
	f.AddDoneCallback(beta)
	check(f, "<Future pending cb=[aio.alpha(), aio.beta()]>")

	s := l.CreateFuture()
	noErr(t, s.SetResult("it's"))
	check(s, `<Future finished result='it\'s'>`)
	lst := l.CreateFuture()
	noErr(t, lst.SetResult([]any{1, "a", nil, true, false}))
	check(lst, "<Future finished result=[1, 'a', None, True, False]>")
	e := l.CreateFuture()
	noErr(t, e.SetException(errors.New("boom")))
	check(e, "<Future finished exception=error('boom')>")
	c := l.CreateFuture()
	c.Cancel()
	check(c, "<Future cancelled>")
}

func TestFutureReprAbbreviatesFourCallbacks(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	f := l.CreateFuture()
	f.AddDoneCallback(alpha)
	f.AddDoneCallback(beta)
	f.AddDoneCallback(gamma)
	f.AddDoneCallback(delta)
	if got, want := f.String(), "<Future pending cb=[aio.alpha(), <2 more>, aio.delta()]>"; got != want {
		t.Errorf("four callbacks\n got: %s\nwant: %s", got, want)
	}
}

// f with callbacks a, b, c: CPython's _format_callbacks shows the first and
// the last with "<N more>" between as soon as there are more than two:
// <Future pending cb=[a() at ..., <1 more>, c() at ...]>
func TestFutureReprAbbreviatesThreeCallbacks(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	g := l.CreateFuture()
	g.AddDoneCallback(alpha)
	g.AddDoneCallback(beta)
	g.AddDoneCallback(gamma)
	if got, want := g.String(), "<Future pending cb=[aio.alpha(), <1 more>, aio.gamma()]>"; got != want {
		t.Errorf("three callbacks\n got: %s\nwant: %s", got, want)
	}
}

func TestFutureAwaitedByATaskShowsTheTaskWakeup(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		defer l.Close()
		f := l.CreateFuture()
		var seen string
		task := l.CreateTask(func(t *Task) (any, error) { return t.Await(f) }, "w")
		l.CallSoon(func() { l.CallSoon(func() { seen = f.String(); noErr(t, f.SetResult(1)) }) })
		_, err := l.RunUntilComplete(task)
		noErr(t, err)
		if seen != "<Future pending cb=[Task.task_wakeup()]>" {
			t.Errorf("awaited future: %s", seen)
		}
		if s := f.String(); s != "<Future finished result=1>" {
			t.Errorf("after: %s", s)
		}
	})
}

// f = loop.create_future()
// loop.call_soon(lambda: L(repr(f))); loop.run_until_complete(f)   (f set later)
// -> <Future pending cb=[_run_until_complete_cb() at .../base_events.py:180]>
// The loop names its own callbacks after asyncio's (gather.<locals>._done_callback,
// _wait.<locals>._on_completion), without the source location.
func TestFutureBeingRunUntilCompleteShowsTheStopCallback(t *testing.T) {
	t.Parallel()
	bubble(t, "<Future pending cb=[_run_until_complete_cb()]>", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		l.CallSoon(func() { tr.add("%s", f); noErr(t, f.SetResult(nil)) })
		_, err := l.RunUntilComplete(f)
		noErr(t, err)
	})
}
