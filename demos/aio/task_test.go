package aio

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func nop(*Task) (any, error) { return nil, nil }

// ---- names, Running, repr ----

func TestUnnamedTasksAreNamedTaskNInCreationOrder(t *testing.T) {
	t.Parallel()
	bubble(t, "Task-1 Task-2 Task-3", func(t *testing.T, l *Loop, tr *trace) {
		a, b, c := l.CreateTask(nop, ""), l.CreateTask(nop, ""), l.CreateTask(nop, "")
		tr.add("%s %s %s", a.Name(), b.Name(), c.Name())
		_, err := l.RunUntilComplete(l.Gather(a, b, c))
		noErr(t, err)
	})
}

// a = loop.create_task(w(), name="x"); b = loop.create_task(w()); c = loop.create_task(w())
// -> x Task-1 Task-2 (in a fresh interpreter: only unnamed tasks draw a number)
func TestNamedTasksDoNotUseUpDefaultNumbers(t *testing.T) {
	t.Parallel()
	bubble(t, "x Task-1 Task-2", func(t *testing.T, l *Loop, tr *trace) {
		a, b, c := l.CreateTask(nop, "x"), l.CreateTask(nop, ""), l.CreateTask(nop, "")
		tr.add("%s %s %s", a.Name(), b.Name(), c.Name())
		_, err := l.RunUntilComplete(l.Gather(a, b, c))
		noErr(t, err)
	})
}

func TestSetNameRenamesTheTask(t *testing.T) {
	t.Parallel()
	bubble(t, "Task-1 | renamed <Task pending name='renamed'> | inside renamed", func(t *testing.T, l *Loop, tr *trace) {
		var task *Task
		task = l.CreateTask(func(*Task) (any, error) { tr.add("inside %s", task.Name()); return nil, nil }, "")
		tr.add("%s", task.Name())
		task.SetName("renamed")
		tr.add("%s %s", task.Name(), task)
		_, err := l.RunUntilComplete(task)
		noErr(t, err)
	})
}

func TestRunningIsTrueOnlyWhileItsCoroutineRuns(t *testing.T) {
	t.Parallel()
	bubble(t, "before False | a: a True b False | b: a False b True | callback: a False b False | a again True | after False",
		func(t *testing.T, l *Loop, tr *trace) {
			var a, b *Task
			a = l.CreateTask(func(t *Task) (any, error) {
				tr.add("a: a %s b %s", pyBool(a.Running()), pyBool(b.Running()))
				l.CallSoon(func() { tr.add("callback: a %s b %s", pyBool(a.Running()), pyBool(b.Running())) })
				if err := t.Sleep(time.Second); err != nil {
					return nil, err
				}
				tr.add("a again %s", pyBool(t.Running()))
				return nil, nil
			}, "a")
			b = l.CreateTask(func(*Task) (any, error) {
				tr.add("b: a %s b %s", pyBool(a.Running()), pyBool(b.Running()))
				return nil, nil
			}, "b")
			tr.add("before %s", pyBool(a.Running()))
			_, err := l.RunUntilComplete(l.Gather(a, b))
			noErr(t, err)
			tr.add("after %s", pyBool(a.Running()))
		})
}

// Reprs from CPython 3.11 with the coro=<...> part and source locations
// removed (the loop documents that it leaves them out):
//
//	<Task pending name='inner'>
//	<Task pending name='inner' cb=[cb()]>
//	<Task pending name='inner' wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[cb(), Task.task_wakeup()]>
//	<Task pending name='outer' wait_for=<Task pending name='inner' wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[cb(), Task.task_wakeup()]> cb=[...]>
//	<Task finished name='inner' result='ok'>
//	<Task finished name='b' exception=ValueError('boom')>
//	<Task cancelled name='c'>
func TestTaskReprFollowsItsLife(t *testing.T) {
	t.Parallel()
	bubble(t, "<Task pending name='inner'> | "+
		"<Task pending name='inner' cb=[aio.alpha()]> | "+
		"running: <Task pending name='inner' cb=[aio.alpha()]> | "+
		"<Task pending name='inner' wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[aio.alpha(), Task.task_wakeup()]> | "+
		"<Task pending name='outer' wait_for=<Task pending name='inner' wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[aio.alpha(), Task.task_wakeup()]> cb=[gather.<locals>._done_callback()]> | "+
		"<Task pending name='awf' wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[gather.<locals>._done_callback()]> | "+
		"<Task finished name='inner' result='ok'> | "+
		"<Task finished name='outer' result='ok'> | "+
		"<Task finished name='b' exception=error('boom')> | "+
		"<Task finished name='awf' result=[1, 'a', None, True]> | "+
		"<Task cancelled name='c'>",
		func(t *testing.T, l *Loop, tr *trace) {
			var inner *Task
			inner = l.CreateTask(func(t *Task) (any, error) {
				tr.add("running: %s", inner)
				return "ok", t.Sleep(time.Second)
			}, "inner")
			outer := l.CreateTask(func(t *Task) (any, error) { return t.Await(inner) }, "outer")
			b := l.CreateTask(func(*Task) (any, error) { return nil, errors.New("boom") }, "b")
			f := l.CreateFuture()
			awf := l.CreateTask(func(t *Task) (any, error) { return t.Await(f) }, "awf")
			tr.add("%s", inner)
			inner.AddDoneCallback(alpha)
			tr.add("%s", inner)
			l.CallLater(500*time.Millisecond, func() {
				tr.add("%s", inner)
				tr.add("%s", outer)
				tr.add("%s", awf)
				noErr(t, f.SetResult([]any{1, "a", nil, true}))
			})
			_, err := l.RunUntilComplete(l.GatherReturnExceptions(outer, awf, b))
			noErr(t, err)
			for _, task := range []*Task{inner, outer, b, awf} {
				tr.add("%s", task)
			}
			c := l.CreateTask(nop, "c")
			c.Cancel()
			_, err = l.RunUntilComplete(c)
			if err != ErrCancelled {
				t.Errorf("cancelled task: %v", err)
			}
			tr.add("%s", c)
		})
}

// t = loop.create_task(w(), name="w")   # w sleeps, catches the cancellation, goes on
// loop.call_soon(lambda: (t.cancel(), L(repr(t))))
// -> req <Task cancelling name='w' wait_for=<Future cancelled> cb=[_run_until_complete_cb()]>
// -> caught <Task cancelling name='w' cb=[_run_until_complete_cb()]>
// -> done <Task finished name='w' result=None>
// (coro=<...> and source locations removed.)
func TestCancelRequestedTaskReprSaysCancelling(t *testing.T) {
	t.Parallel()
	bubble(t, "req <Task cancelling | caught <Task cancelling | done <Task finished name='w' result=None>",
		func(t *testing.T, l *Loop, tr *trace) {
			state := func(task *Task) string { return strings.Join(strings.Fields(task.String())[:2], " ") }
			var task *Task
			task = l.CreateTask(func(t *Task) (any, error) {
				if err := t.Sleep(time.Second); errors.Is(err, ErrCancelled) {
					tr.add("caught %s", state(task))
				}
				return nil, t.Sleep(0)
			}, "w")
			l.CallSoon(func() { task.Cancel(); tr.add("req %s", state(task)) })
			_, err := l.RunUntilComplete(task)
			noErr(t, err)
			tr.add("done %s", task)
		})
}

// ---- awaiting ----

func TestAwaitReturnsTheAwaitedOutcome(t *testing.T) {
	t.Parallel()
	bubble(t, "r 3 <nil> | r <nil> boom | r <nil> CancelledError | r x <nil>", func(t *testing.T, l *Loop, tr *trace) {
		boom := errors.New("boom")
		ok := l.CreateTask(func(*Task) (any, error) { return 3, nil }, "")
		bad := l.CreateTask(func(*Task) (any, error) { return 3, boom }, "")
		gone := l.CreateTask(nop, "")
		gone.Cancel()
		f := l.CreateFuture()
		l.CallLater(time.Second, func() { noErr(t, f.SetResult("x")) })
		main := l.CreateTask(func(t *Task) (any, error) {
			for _, aw := range []Awaitable{ok, bad, gone, f} {
				r, err := t.Await(aw)
				tr.add("r %v %v", r, err)
			}
			return nil, nil
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

func TestCoroutineErrorBecomesTheTasksException(t *testing.T) {
	t.Parallel()
	bubble(t, "finished False | <nil> boom boom | <Task finished name='e' exception=error('boom')>", func(t *testing.T, l *Loop, tr *trace) {
		boom := errors.New("boom")
		task := l.CreateTask(func(*Task) (any, error) { return "ignored", boom }, "e")
		r, err := l.RunUntilComplete(task)
		if err != boom || task.Exception() != boom {
			t.Errorf("RunUntilComplete err %v, Exception %v, want boom itself", err, task.Exception())
		}
		tr.add("%v %s", task.State(), pyBool(task.Cancelled()))
		r2, err2 := task.Result()
		tr.add("%v %v %v", r, err2, task.Exception())
		if r2 != nil {
			t.Errorf("Result of a failed task = %v, want nil", r2)
		}
		tr.add("%s", task)
	})
}

func TestCoroutineReturningWrappedErrCancelledCancelsTheTask(t *testing.T) {
	t.Parallel()
	bubble(t, "cancelled True | CancelledError | CancelledError", func(t *testing.T, l *Loop, tr *trace) {
		task := l.CreateTask(func(*Task) (any, error) { return nil, fmt.Errorf("giving up: %w", ErrCancelled) }, "")
		_, err := l.RunUntilComplete(task)
		tr.add("%v %s", task.State(), pyBool(task.Cancelled()))
		tr.add("%v", err)
		tr.add("%v", task.Exception())
	})
}

// async def a(): L("a before"); await asyncio.current_task()  # RuntimeError
// run together with b(): L("b")
// -> a before | b | a err Task cannot await on itself: <Task pending ...>
// (Task.__step raises it at the next step, through call_soon.)
func TestTaskAwaitingItselfFailsAtItsNextStep(t *testing.T) {
	t.Parallel()
	bubble(t, "a before | b | a err", func(t *testing.T, l *Loop, tr *trace) {
		var a *Task
		a = l.CreateTask(func(t *Task) (any, error) {
			tr.add("a before")
			if _, err := t.Await(a); err != nil {
				tr.add("a err")
			}
			return nil, nil
		}, "a")
		b := l.CreateTask(func(*Task) (any, error) { tr.add("b"); return nil, nil }, "b")
		_, err := l.RunUntilComplete(l.Gather(a, b))
		noErr(t, err)
	})
}

func TestTaskAwaitingItselfGetsARuntimeError(t *testing.T) {
	t.Parallel()
	bubble(t, "RuntimeError: Task cannot await on itself | r done", func(t *testing.T, l *Loop, tr *trace) {
		var a *Task
		a = l.CreateTask(func(t *Task) (any, error) {
			_, err := t.Await(a)
			if err == nil {
				return nil, errors.New("no error")
			}
			// CPython appends the task's repr after a colon; the loop may too.
			msg, _, _ := strings.Cut(strings.TrimPrefix(err.Error(), "RuntimeError: "), ":")
			tr.add("RuntimeError: %s", msg)
			return "done", nil
		}, "a")
		r, err := l.RunUntilComplete(a)
		noErr(t, err)
		tr.add("r %v", r)
	})
}

func TestAwaitingAFutureOfAnotherLoopIsAnError(t *testing.T) {
	t.Parallel()
	bubble(t, "err True | other <Future pending>", func(t *testing.T, l *Loop, tr *trace) {
		other := NewLoop()
		defer other.Close()
		fp := other.CreateFuture()
		a := l.CreateTask(func(t *Task) (any, error) {
			_, err := t.Await(fp)
			tr.add("err %s", pyBool(err != nil && strings.HasPrefix(err.Error(), "RuntimeError: Task ") &&
				strings.HasSuffix(err.Error(), " attached to a different loop")))
			return nil, nil
		}, "a")
		_, err := l.RunUntilComplete(a)
		noErr(t, err)
		tr.add("other %s", fp)
	})
}

// other = asyncio.new_event_loop(); fd = other.create_future(); fd.set_result(7)
// fp = other.create_future()
// async def a(): L("a before"); L("done", await fd); await fp  # RuntimeError
// with b(): L("b")
// -> a before | done 7 | b | a err pending Task <Task pending name='Task-1' ...> got Future <Future pending> attached to a different loop
func TestAwaitingAnotherLoopsFutureMatchesCPython(t *testing.T) {
	t.Parallel()
	bubble(t, "a before | done 7 | b | a err pending", func(t *testing.T, l *Loop, tr *trace) {
		other := NewLoop()
		defer other.Close()
		fd, fp := other.CreateFuture(), other.CreateFuture()
		noErr(t, fd.SetResult(7))
		a := l.CreateTask(func(t *Task) (any, error) {
			tr.add("a before")
			r, err := t.Await(fd)
			if err != nil {
				tr.add("a err done")
			} else {
				tr.add("done %v", r)
			}
			if _, err := t.Await(fp); err != nil {
				tr.add("a err pending")
			}
			return nil, nil
		}, "a")
		b := l.CreateTask(func(*Task) (any, error) { tr.add("b"); return nil, nil }, "b")
		_, err := l.RunUntilComplete(l.Gather(a, b))
		noErr(t, err)
	})
}

// asyncio.sleep(-1) is sleep(0): one bare yield.
func TestNegativeSleepYieldsOnce(t *testing.T) {
	t.Parallel()
	bubble(t, "a1 | b1 | a2 at 0s | b2", func(t *testing.T, l *Loop, tr *trace) {
		step := func(name string) Coroutine {
			return func(t *Task) (any, error) {
				tr.add("%s1", name)
				if err := t.Sleep(-time.Second); err != nil {
					return nil, err
				}
				if name == "a" {
					tr.add("a2 at %v", l.Time())
				} else {
					tr.add("b2")
				}
				return nil, nil
			}
		}
		_, err := l.RunUntilComplete(l.Gather(l.CreateTask(step("a"), ""), l.CreateTask(step("b"), "")))
		noErr(t, err)
	})
}

// ---- cancellation ----

// async def w():
//
//	try: await asyncio.sleep(1)
//	except asyncio.CancelledError: L("caught", t)
//	await asyncio.sleep(1); L("slept again", t); return "x"
//
// loop.call_later(0.5, lambda: L("cancel", t.cancel(), t.cancel()))
// -> cancel True True | caught 0.5 | slept again 1.5 | result x False
func TestCancelTwiceRaisesOnceAndTheTaskMayGoOn(t *testing.T) {
	t.Parallel()
	bubble(t, "cancel True True | caught 500ms | slept again 1.5s | result x False", func(t *testing.T, l *Loop, tr *trace) {
		task := l.CreateTask(func(t *Task) (any, error) {
			if err := t.Sleep(time.Second); errors.Is(err, ErrCancelled) {
				tr.add("caught %v", l.Time())
			}
			if err := t.Sleep(time.Second); err != nil {
				return nil, err
			}
			tr.add("slept again %v", l.Time())
			return "x", nil
		}, "")
		l.CallLater(500*time.Millisecond, func() {
			a := task.Cancel()
			b := task.Cancel()
			tr.add("cancel %s %s", pyBool(a), pyBool(b))
		})
		r, err := l.RunUntilComplete(task)
		noErr(t, err)
		tr.add("result %v %s", r, pyBool(task.Cancelled()))
	})
}

func TestCancelOnADoneTaskReturnsFalseAndChangesNothing(t *testing.T) {
	t.Parallel()
	bubble(t, "False 1 | False boom | False True", func(t *testing.T, l *Loop, tr *trace) {
		ok := l.CreateTask(func(*Task) (any, error) { return 1, nil }, "")
		bad := l.CreateTask(func(*Task) (any, error) { return nil, errors.New("boom") }, "")
		gone := l.CreateTask(nop, "")
		gone.Cancel()
		_, err := l.RunUntilComplete(l.GatherReturnExceptions(ok, bad, gone))
		noErr(t, err)
		r, _ := ok.Result()
		tr.add("%s %v", pyBool(ok.Cancel()), r)
		tr.add("%s %v", pyBool(bad.Cancel()), bad.Exception())
		tr.add("%s %s", pyBool(gone.Cancel()), pyBool(gone.Cancelled()))
	})
}

// t awaits asyncio.gather(child(1), child(2)); cancelled at 0.5
// -> cancel True | child cancelled 1 | child cancelled 2 | main cancelled False True | m True
func TestCancellingATaskAwaitingGatherCancelsTheChildren(t *testing.T) {
	t.Parallel()
	bubble(t, "cancel True | child cancelled 1 | child cancelled 2 | main cancelled False True | m True", func(t *testing.T, l *Loop, tr *trace) {
		child := func(x int) Coroutine {
			return func(t *Task) (any, error) {
				err := t.Sleep(time.Duration(x) * time.Second)
				if errors.Is(err, ErrCancelled) {
					tr.add("child cancelled %d", x)
				}
				return nil, err
			}
		}
		main := l.CreateTask(func(t *Task) (any, error) {
			g := l.Gather(l.CreateTask(child(1), ""), l.CreateTask(child(2), ""))
			_, err := t.Await(g)
			if errors.Is(err, ErrCancelled) {
				tr.add("main cancelled %s %s", pyBool(g.Cancelled()), pyBool(g.Done()))
			}
			return nil, err
		}, "")
		l.CallLater(500*time.Millisecond, func() { tr.add("cancel %s", pyBool(main.Cancel())) })
		_, err := l.RunUntilComplete(main)
		if err != ErrCancelled {
			t.Errorf("RunUntilComplete = %v", err)
		}
		tr.add("m %s", pyBool(main.Cancelled()))
	})
}

// f = loop.create_future(); t awaits f
// loop.call_soon(lambda: L("cancel", t.cancel(), f.cancelled()))
// -> cancel True True | w cancelled True | t True True
func TestCancellingATaskAwaitingAFutureCancelsTheFuture(t *testing.T) {
	t.Parallel()
	bubble(t, "cancel True True | w cancelled True | t True True", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		task := l.CreateTask(func(t *Task) (any, error) {
			_, err := t.Await(f)
			if errors.Is(err, ErrCancelled) {
				tr.add("w cancelled %s", pyBool(f.Cancelled()))
			}
			return nil, err
		}, "")
		l.CallSoon(func() { a := task.Cancel(); tr.add("cancel %s %s", pyBool(a), pyBool(f.Cancelled())) })
		_, err := l.RunUntilComplete(task)
		if err != ErrCancelled {
			t.Errorf("RunUntilComplete = %v", err)
		}
		tr.add("t %s %s", pyBool(task.Cancelled()), pyBool(f.Cancelled()))
	})
}

// outer awaits inner; inner catches the cancellation and returns.
// -> cancel True | inner caught | outer got inner result | r inner result False
func TestCancelledTaskGetsTheResultOfAnInnerTaskThatCaughtIt(t *testing.T) {
	t.Parallel()
	bubble(t, "cancel True | inner caught | outer got inner result | r inner result False", func(t *testing.T, l *Loop, tr *trace) {
		outer := l.CreateTask(func(t *Task) (any, error) {
			inner := l.CreateTask(func(t *Task) (any, error) {
				if err := t.Sleep(time.Second); errors.Is(err, ErrCancelled) {
					tr.add("inner caught")
					return "inner result", nil
				}
				return nil, nil
			}, "")
			r, err := t.Await(inner)
			if err != nil {
				return nil, err
			}
			tr.add("outer got %v", r)
			return r, nil
		}, "")
		l.CallLater(500*time.Millisecond, func() { tr.add("cancel %s", pyBool(outer.Cancel())) })
		r, err := l.RunUntilComplete(outer)
		noErr(t, err)
		tr.add("r %v %s", r, pyBool(outer.Cancelled()))
	})
}

// w: L("w1"); await sleep(0); L("w2"); await sleep(0) -> CancelledError
// c: await sleep(0); L("cancel", t.cancel())
// -> w1 | w2 | cancel True | cancelled at sleep0 | t cancelled
func TestCancelOfAReadyTaskRaisesAtItsNextStep(t *testing.T) {
	t.Parallel()
	bubble(t, "w1 | w2 | cancel True | cancelled at sleep0 | t cancelled", func(t *testing.T, l *Loop, tr *trace) {
		w := l.CreateTask(func(t *Task) (any, error) {
			tr.add("w1")
			if err := t.Sleep(0); err != nil {
				return nil, err
			}
			tr.add("w2")
			err := t.Sleep(0)
			if errors.Is(err, ErrCancelled) {
				tr.add("cancelled at sleep0")
				return nil, err
			}
			tr.add("not reached")
			return nil, err
		}, "")
		l.CreateTask(func(t *Task) (any, error) {
			if err := t.Sleep(0); err != nil {
				return nil, err
			}
			tr.add("cancel %s", pyBool(w.Cancel()))
			return nil, nil
		}, "")
		if _, err := l.RunUntilComplete(w); err == ErrCancelled {
			tr.add("t cancelled")
		}
	})
}

func TestCancelRaisesInsideTheTaskAtItsAwait(t *testing.T) {
	t.Parallel()
	bubble(t, "sleeping | cancel True at 300ms | raised at 300ms | <Task cancelled name='s'>", func(t *testing.T, l *Loop, tr *trace) {
		task := l.CreateTask(func(t *Task) (any, error) {
			tr.add("sleeping")
			err := t.Sleep(time.Hour)
			tr.add("raised at %v", l.Time())
			return nil, err
		}, "s")
		l.CallLater(300*time.Millisecond, func() { tr.add("cancel %s at %v", pyBool(task.Cancel()), l.Time()) })
		_, err := l.RunUntilComplete(task)
		if err != ErrCancelled {
			t.Errorf("RunUntilComplete = %v", err)
		}
		tr.add("%s", task)
	})
}

// async def w(): asyncio.current_task().cancel(); raise ValueError("boom")
// -> run_until_complete raises ValueError boom; t._state == 'FINISHED', t.cancelled() False
// (Task.__step: an exception other than CancelledError is set even if
// _must_cancel is set; only a normal return becomes a cancellation.)
func TestSelfCancelledTaskThatFailsEndsWithItsError(t *testing.T) {
	t.Parallel()
	bubble(t, "boom | finished False", func(t *testing.T, l *Loop, tr *trace) {
		var task *Task
		task = l.CreateTask(func(*Task) (any, error) {
			task.Cancel()
			return nil, errors.New("boom")
		}, "")
		_, err := l.RunUntilComplete(task)
		tr.add("%v", err)
		tr.add("%v %s", task.State(), pyBool(task.Cancelled()))
	})
}

func TestSelfCancelledTaskThatReturnsEndsCancelled(t *testing.T) {
	t.Parallel()
	bubble(t, "CancelledError | cancelled True", func(t *testing.T, l *Loop, tr *trace) {
		var task *Task
		task = l.CreateTask(func(*Task) (any, error) {
			task.Cancel()
			return "result", nil
		}, "")
		_, err := l.RunUntilComplete(task)
		tr.add("%v", err)
		tr.add("%v %s", task.State(), pyBool(task.Cancelled()))
	})
}

// t.set_result(5) -> RuntimeError: Task does not support set_result operation
// t.set_exception(ValueError()) -> RuntimeError: Task does not support set_exception operation
// and the task goes on to return its own result, 1.
func TestSetResultOnATaskIsRefused(t *testing.T) {
	t.Parallel()
	bubble(t, "set_result refused | set_exception refused | r 1", func(t *testing.T, l *Loop, tr *trace) {
		task := l.CreateTask(func(t *Task) (any, error) { return 1, t.Sleep(0) }, "")
		if err := task.SetResult(5); err != nil {
			tr.add("set_result refused")
		}
		if err := task.SetException(errors.New("boom")); err != nil {
			tr.add("set_exception refused")
		}
		r, err := l.RunUntilComplete(task)
		noErr(t, err)
		tr.add("r %v", r)
	})
}

// ---- misuse ----

func TestAwaitingFromACallbackPanicsWithAClearMessage(t *testing.T) {
	t.Parallel()
	bubble(t, "panic: aio: w awaited outside its own coroutine | handler: Task was destroyed but it is pending! w",
		func(t *testing.T, l *Loop, tr *trace) {
			w := l.CreateTask(func(t *Task) (any, error) { return nil, t.Sleep(time.Hour) }, "w")
			l.CallSoon(func() { _ = w.Sleep(time.Second) })
			tr.add("panic: %s", panicOf(func() { _ = l.RunForever() }))
			if l.IsRunning() {
				t.Error("loop still marked running after the panic")
			}
		})
}

func TestAwaitingFromAnotherTaskPanics(t *testing.T) {
	t.Parallel()
	// The task whose coroutine panicked never finishes: Close reports it too.
	bubble(t, "panic: aio: w awaited outside its own coroutine | handler: Task was destroyed but it is pending! w | "+
		"handler: Task was destroyed but it is pending! other",
		func(t *testing.T, l *Loop, tr *trace) {
			w := l.CreateTask(func(t *Task) (any, error) { return nil, t.Sleep(time.Hour) }, "w")
			l.CreateTask(func(*Task) (any, error) { _, err := w.Await(l.CreateFuture()); return nil, err }, "other")
			tr.add("panic: %s", panicOf(func() { _ = l.RunForever() }))
		})
}

// ---- the loop is single-threaded ----

func TestBlockingCallInACoroutineDelaysEveryoneElse(t *testing.T) {
	t.Parallel()
	bubble(t, "sleeper wants 1s | blocker blocks 2s | blocker done at 2s | sleeper woke at 2s", func(t *testing.T, l *Loop, tr *trace) {
		sleeper := l.CreateTask(func(t *Task) (any, error) {
			tr.add("sleeper wants 1s")
			err := t.Sleep(time.Second)
			tr.add("sleeper woke at %v", l.Time())
			return nil, err
		}, "")
		blocker := l.CreateTask(func(*Task) (any, error) {
			tr.add("blocker blocks 2s")
			time.Sleep(2 * time.Second) // blocks the whole loop, as in Python
			tr.add("blocker done at %v", l.Time())
			return nil, nil
		}, "")
		_, err := l.RunUntilComplete(l.Gather(sleeper, blocker))
		noErr(t, err)
	})
}

func TestBlockingCallbackDelaysTimers(t *testing.T) {
	t.Parallel()
	bubble(t, "block | timer at 3s", func(t *testing.T, l *Loop, tr *trace) {
		l.CallLater(time.Second, func() { tr.add("timer at %v", l.Time()); l.Stop() })
		l.CallSoon(func() { tr.add("block"); time.Sleep(3 * time.Second) })
		noErr(t, l.RunForever())
	})
}

// ---- Close destroys what is pending ----

func TestCloseDestroysPendingTasks(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tr := &trace{}
		var reported []*Task
		l := NewLoop(WithExceptionHandler(func(c ExceptionContext) {
			reported = append(reported, c.Task)
			tr.add("handler: %s %s err=%v", c.Message, c.Task.Name(), c.Err)
		}))
		f := l.CreateFuture()
		body := func(name string, await func(t *Task) error) Coroutine {
			return func(t *Task) (any, error) {
				tr.add("%s started", name)
				err := await(t)
				tr.add("%s: %v (destroyed=%s)", name, err, pyBool(errors.Is(err, ErrDestroyed)))
				return nil, err
			}
		}
		sleeper := l.CreateTask(body("sleeper", func(t *Task) error { return t.Sleep(time.Hour) }), "sleeper")
		waiter := l.CreateTask(body("waiter", func(t *Task) error { _, err := t.Await(f); return err }), "waiter")
		yielder := l.CreateTask(body("yielder", func(t *Task) error {
			for {
				if err := t.Sleep(0); err != nil {
					return err
				}
			}
		}), "yielder")
		done := l.CreateTask(nop, "done")
		l.Stop()
		noErr(t, l.RunForever())
		unstarted := l.CreateTask(body("unstarted", func(*Task) error { return nil }), "unstarted")
		tr.add("close")
		noErr(t, l.Close())
		want := "sleeper started | waiter started | yielder started | close | " +
			"handler: Task was destroyed but it is pending! sleeper err=<nil> | sleeper: GeneratorExit: task destroyed while pending (destroyed=True) | " +
			"handler: Task was destroyed but it is pending! waiter err=<nil> | waiter: GeneratorExit: task destroyed while pending (destroyed=True) | " +
			"handler: Task was destroyed but it is pending! yielder err=<nil> | yielder: GeneratorExit: task destroyed while pending (destroyed=True) | " +
			"handler: Task was destroyed but it is pending! unstarted err=<nil>"
		if got := tr.String(); got != want {
			t.Errorf("trace\n got: %s\nwant: %s", got, want)
		}
		wantTasks := []*Task{sleeper, waiter, yielder, unstarted}
		if len(reported) != len(wantTasks) {
			t.Fatalf("handler called for %d tasks, want %d", len(reported), len(wantTasks))
		}
		for i, task := range wantTasks {
			if reported[i] != task {
				t.Errorf("report %d is about %s, want %s", i, reported[i].Name(), task.Name())
			}
			if task.State() != Pending {
				t.Errorf("%s is %v after destruction, want pending", task.Name(), task.State())
			}
		}
		if !done.Done() || len(l.AllTasks()) != 0 {
			t.Errorf("done task %v, %d tasks listed after Close", done.State(), len(l.AllTasks()))
		}
		noErr(t, l.Close()) // a second Close reports nothing
		if len(reported) != len(wantTasks) {
			t.Errorf("second Close reported again")
		}
	})
}

func TestCoroutineAwaitingAfterDestructionMakesClosePanic(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop(WithExceptionHandler(func(ExceptionContext) {}))
		l.CreateTask(func(t *Task) (any, error) {
			for {
				if err := t.Sleep(time.Second); err != nil && !errors.Is(err, ErrDestroyed) {
					return nil, err
				}
			}
		}, "stubborn")
		l.Stop()
		noErr(t, l.RunForever())
		msg := panicOf(func() { _ = l.Close() })
		if !strings.Contains(msg, "destroyed") || !strings.Contains(msg, "stubborn") {
			t.Errorf("Close panicked with %q, want a message about stubborn being destroyed", msg)
		}
		if !l.IsClosed() {
			t.Error("loop not closed")
		}
	})
}

func TestTaskObserverSeesEachStartAndEnd(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tr := &trace{}
		l := NewLoop(WithExceptionHandler(func(c ExceptionContext) { tr.add("handler %s", c.Task.Name()) }),
			WithTaskObserver(func(t *Task) uint64 {
				tr.add("start %s", t.Name())
				return uint64(len(t.Name()))
			}, func(t *Task, mark uint64) {
				if t.Name() != "quiet" {
					tr.add("end %s %v %d", t.Name(), t.State(), mark)
				}
			}))
		a := l.CreateTask(func(t *Task) (any, error) { return nil, t.Sleep(time.Second) }, "a")
		never := l.CreateTask(nop, "never")
		never.Cancel()
		quiet := l.CreateTask(nop, "quiet")
		b := l.CreateTask(func(*Task) (any, error) { return nil, errors.New("x") }, "b")
		_, err := l.RunUntilComplete(l.GatherReturnExceptions(a, never, quiet, b))
		noErr(t, err)
		l.CreateTask(func(t *Task) (any, error) { return nil, t.Sleep(time.Hour) }, "lost")
		l.Stop()
		noErr(t, l.RunForever())
		noErr(t, l.Close())
		want := "start a | start quiet | start b | end b finished 1 | end a finished 1 | start lost | handler lost"
		if got := tr.String(); got != want {
			t.Errorf("trace\n got: %s\nwant: %s", got, want)
		}
	})
}

func TestTaskDoneCallbackReceivesTheTask(t *testing.T) {
	t.Parallel()
	bubble(t, "same True result 9", func(t *testing.T, l *Loop, tr *trace) {
		task := l.CreateTask(func(*Task) (any, error) { return 9, nil }, "")
		task.AddDoneCallback(func(a Awaitable) {
			got, _ := a.(*Task)
			r, _ := a.Result()
			tr.add("same %s result %v", pyBool(got == task), r)
		})
		_, err := l.RunUntilComplete(task)
		noErr(t, err)
		l.Stop()
		noErr(t, l.RunForever())
	})
}

func TestSleepTaskHasNoGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var reported []string
		l := NewLoop(WithExceptionHandler(func(c ExceptionContext) { reported = append(reported, c.Message+" "+c.Task.Name()) }))
		before := runtime.NumGoroutine()
		for i := range 100 {
			l.CreateTask(Sleep(time.Duration(i+1)*time.Second), fmt.Sprint(i))
		}
		l.Stop()
		if err := l.RunForever(); err != nil { // every task's first step: each sleeps
			t.Fatal(err)
		}
		if n := runtime.NumGoroutine(); n != before {
			t.Errorf("%d goroutines after the first steps of 100 sleep tasks, %d before", n, before)
		}
		if got := l.AllTasks()[0].String(); got != "<Task pending name='0' wait_for=<Future pending cb=[Task.task_wakeup()]>>" {
			t.Errorf("String() = %s", got)
		}
		if _, err := l.RunUntilComplete(l.AllTasks()[0]); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil { // the 99 others are destroyed while they sleep
			t.Fatal(err)
		}
		if len(reported) != 99 || reported[0] != "Task was destroyed but it is pending! 1" {
			t.Errorf("reported %d: %q", len(reported), reported[:min(len(reported), 2)])
		}
	})
}
