package aio

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// ticker makes a task that logs "tick i" and yields, n times: it shows in
// which iteration things happen around it.
func ticker(l *Loop, tr *trace, n int) *Task {
	return l.CreateTask(func(t *Task) (any, error) {
		for i := range n {
			tr.add("tick %d", i)
			if err := t.Sleep(0); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, "ticker")
}

// names lists the names of the tasks in s, sorted.
func names(s Set) string {
	var ns []string
	for a := range s {
		ns = append(ns, a.(*Task).Name())
	}
	slices.Sort(ns)
	return "[" + strings.Join(ns, " ") + "]"
}

func valueTask(l *Loop, name string, d time.Duration, v any, err error) *Task {
	return l.CreateTask(func(t *Task) (any, error) {
		if e := t.Sleep(d); e != nil {
			return nil, e
		}
		return v, err
	}, name)
}

// ---- Wait ----

// f1 done, f2 pending:
// done, pending = await asyncio.wait([f1, f2], return_when=FIRST_COMPLETED)
// done, pending = await asyncio.wait([f1, f1], timeout=5)
// with a task ticking alongside:
// -> wait | tick 0 | tick 1 | first 1 1 True | tick 2 | tick 3 | all 1 0 0.0 | tick 4 | tick 5
func TestWaitOnDoneFuturesReturnsTwoIterationsLater(t *testing.T) {
	t.Parallel()
	bubble(t, "wait | tick 0 | tick 1 | first 1 1 True | tick 2 | tick 3 | all 1 0 0s | tick 4 | tick 5",
		func(t *testing.T, l *Loop, tr *trace) {
			f1, f2 := l.CreateFuture(), l.CreateFuture()
			noErr(t, f1.SetResult(1))
			main := l.CreateTask(func(t *Task) (any, error) {
				tr.add("wait")
				done, pending, err := t.Wait([]Awaitable{f1, f2}, WaitOptions{ReturnWhen: FirstCompleted})
				if err != nil {
					return nil, err
				}
				_, in := done[f1]
				tr.add("first %d %d %s", len(done), len(pending), pyBool(in))
				done, pending, err = t.Wait([]Awaitable{f1, f1}, WaitOptions{Timeout: 5 * time.Second})
				if err != nil {
					return nil, err
				}
				tr.add("all %d %d %v", len(done), len(pending), l.Time())
				f2.Cancel()
				return nil, nil
			}, "main")
			_, err := l.RunUntilComplete(l.Gather(main, ticker(l, tr, 6)))
			noErr(t, err)
			if l.Time() != 0 {
				t.Errorf("the cancelled timeout still held the loop: it ran until %v", l.Time())
			}
		})
}

func TestWaitOnNothingIsAValueError(t *testing.T) {
	t.Parallel()
	bubble(t, "ValueError: Set of Tasks/Futures is empty. true true", func(t *testing.T, l *Loop, tr *trace) {
		main := l.CreateTask(func(t *Task) (any, error) {
			done, pending, err := t.Wait(nil, WaitOptions{})
			tr.add("%v %v %v", err, done == nil, pending == nil)
			return nil, nil
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

func TestWaitCountsADuplicatedAwaitableOnce(t *testing.T) {
	t.Parallel()
	bubble(t, "done [a b] pending [] at 2s", func(t *testing.T, l *Loop, tr *trace) {
		a := valueTask(l, "a", time.Second, 1, nil)
		b := valueTask(l, "b", 2*time.Second, 2, nil)
		main := l.CreateTask(func(t *Task) (any, error) {
			done, pending, err := t.Wait([]Awaitable{a, a, b, a}, WaitOptions{})
			tr.add("done %s pending %s at %v", names(done), names(pending), l.Time())
			return nil, err
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

// f = loop.create_future(); main awaits asyncio.wait([f]); cancelled at 1 s
// -> before <Future pending cb=[_wait.<locals>._on_completion() ...]> | wait cancelled <Future pending> | main cancelled True False
func TestCancelledWaitRemovesItsCallbacks(t *testing.T) {
	t.Parallel()
	bubble(t, "before <Future pending cb=[_wait.<locals>._on_completion()]> | wait cancelled <Future pending> | main cancelled True False",
		func(t *testing.T, l *Loop, tr *trace) {
			f := l.CreateFuture()
			main := l.CreateTask(func(t *Task) (any, error) {
				done, pending, err := t.Wait([]Awaitable{f}, WaitOptions{Timeout: time.Hour})
				if errors.Is(err, ErrCancelled) {
					tr.add("wait cancelled %s", f)
				}
				if done != nil || pending != nil {
					return nil, fmt.Errorf("cancelled Wait returned sets %v %v", done, pending)
				}
				return nil, err
			}, "")
			l.CallLater(time.Second, func() {
				tr.add("before %s", f)
				main.Cancel()
			})
			if _, err := l.RunUntilComplete(main); err == ErrCancelled {
				tr.add("main cancelled %s %s", pyBool(main.Cancelled()), pyBool(f.Cancelled()))
			}
		})
}

// done, pending = await asyncio.wait([f], timeout=1.5)
// -> timeout 0 1 1.5 <Future pending>
func TestWaitTimeoutReturnsWhatIsStillPending(t *testing.T) {
	t.Parallel()
	bubble(t, "timeout [a] [b] 1.5s <Future pending>", func(t *testing.T, l *Loop, tr *trace) {
		f := l.CreateFuture()
		a := valueTask(l, "a", time.Second, 1, nil)
		b := valueTask(l, "b", 2*time.Second, 2, nil)
		main := l.CreateTask(func(t *Task) (any, error) {
			done, pending, err := t.Wait([]Awaitable{a, b}, WaitOptions{Timeout: 1500 * time.Millisecond})
			tr.add("timeout %s %s %v %s", names(done), names(pending), l.Time(), f)
			if err != nil {
				return nil, err
			}
			_, err = t.Await(b)
			return nil, err
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

// ts = [w(1), w(2, fails), w(3)]; wait(ts, return_when=FIRST_EXCEPTION)
// -> fe [0, 1] [2] 2.0
func TestWaitFirstExceptionReturnsAtTheFirstFailure(t *testing.T) {
	t.Parallel()
	bubble(t, "fe [a b] [c] 2s | a cancellation is not an exception: [c d] [] 3s", func(t *testing.T, l *Loop, tr *trace) {
		a := valueTask(l, "a", time.Second, 1, nil)
		b := valueTask(l, "b", 2*time.Second, nil, errors.New("boom"))
		c := valueTask(l, "c", 3*time.Second, 3, nil)
		main := l.CreateTask(func(t *Task) (any, error) {
			done, pending, err := t.Wait([]Awaitable{a, b, c}, WaitOptions{ReturnWhen: FirstException})
			if err != nil {
				return nil, err
			}
			tr.add("fe %s %s %v", names(done), names(pending), l.Time())
			// A cancelled future is not an exception: wait goes on.
			d := valueTask(l, "d", time.Hour, 4, nil)
			l.CallSoon(func() { d.Cancel() })
			done, pending, err = t.Wait([]Awaitable{c, d}, WaitOptions{ReturnWhen: FirstException})
			if err != nil {
				return nil, err
			}
			tr.add("a cancellation is not an exception: %s %s %v", names(done), names(pending), l.Time())
			return nil, nil
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

func TestWaitFirstCompletedReturnsAsSoonAsOneIsDone(t *testing.T) {
	t.Parallel()
	bubble(t, "first [b] [a] 1s", func(t *testing.T, l *Loop, tr *trace) {
		a := valueTask(l, "a", 2*time.Second, 1, nil)
		b := valueTask(l, "b", time.Second, 2, nil)
		main := l.CreateTask(func(t *Task) (any, error) {
			done, pending, err := t.Wait([]Awaitable{a, b}, WaitOptions{ReturnWhen: FirstCompleted})
			tr.add("first %s %s %v", names(done), names(pending), l.Time())
			if err != nil {
				return nil, err
			}
			_, err = t.Await(a)
			return nil, err
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

// ---- Gather ----

// await asyncio.gather() -> []; await asyncio.gather(t, t) -> [7, 7]
// gather(w(1), cancelled, boom(), return_exceptions=True) -> [1, CancelledError, ValueError]
// gather(f1, f2) with f1 set at 2 s and f2 at 1 s by callbacks -> ['a', 'b'] at 2.0
func TestGatherEdgeCases(t *testing.T) {
	t.Parallel()
	bubble(t, "empty [] done True len 0 | twice [7 7] | retexc [1 CancelledError boom] | futs [a b] 2s",
		func(t *testing.T, l *Loop, tr *trace) {
			f1, f2 := l.CreateFuture(), l.CreateFuture()
			l.CallLater(2*time.Second, func() { noErr(t, f1.SetResult("a")) })
			l.CallLater(time.Second, func() { noErr(t, f2.SetResult("b")) })
			main := l.CreateTask(func(t *Task) (any, error) {
				g := l.Gather()
				r, err := t.Await(g)
				if err != nil {
					return nil, err
				}
				rs, ok := r.([]any)
				tr.add("empty %v done %s len %d", r, pyBool(g.Done() && ok && rs != nil), len(rs))
				seven := valueTask(l, "", 100*time.Millisecond, 7, nil)
				r, err = t.Await(l.Gather(seven, seven))
				if err != nil {
					return nil, err
				}
				tr.add("twice %v", r)
				c := valueTask(l, "", 100*time.Millisecond, 8, nil)
				l.CallSoon(func() { c.Cancel() })
				r, err = t.Await(l.GatherReturnExceptions(valueTask(l, "", 100*time.Millisecond, 1, nil), c,
					valueTask(l, "", 100*time.Millisecond, nil, errors.New("boom"))))
				if err != nil {
					return nil, err
				}
				if rs := r.([]any); rs[1] != ErrCancelled {
					return nil, fmt.Errorf("cancelled child's slot holds %v, want ErrCancelled", rs[1])
				}
				tr.add("retexc %v", r)
				r, err = t.Await(l.Gather(f1, f2))
				tr.add("futs %v %v", r, l.Time())
				return nil, err
			}, "")
			_, err := l.RunUntilComplete(main)
			noErr(t, err)
		})
}

// gather = asyncio.gather() -> <Future finished result=[]>
func TestEmptyGatherIsAPlainFinishedFuture(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	if got := l.Gather().String(); got != "<Future finished result=[]>" {
		t.Errorf("repr %s", got)
	}
}

func TestGatherOfAFailingChildFailsFastAndTheOthersGoOn(t *testing.T) {
	t.Parallel()
	bubble(t, "gather raised boom at 1s | slow finished at 2s True", func(t *testing.T, l *Loop, tr *trace) {
		boom := errors.New("boom")
		slow := valueTask(l, "slow", 2*time.Second, 2, nil)
		main := l.CreateTask(func(t *Task) (any, error) {
			_, err := t.Await(l.Gather(slow, valueTask(l, "bad", time.Second, nil, boom)))
			if err != boom {
				return nil, fmt.Errorf("gather returned %v, want boom itself", err)
			}
			tr.add("gather raised %v at %v", err, l.Time())
			_, err = t.Await(slow)
			tr.add("slow finished at %v %s", l.Time(), pyBool(!slow.Cancelled()))
			return nil, err
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

func TestGatherOfACancelledChildRaisesCancelledErrorWithoutBeingCancelled(t *testing.T) {
	t.Parallel()
	bubble(t, "CancelledError gather cancelled False done True | main not cancelled", func(t *testing.T, l *Loop, tr *trace) {
		child := valueTask(l, "", time.Second, 1, nil)
		other := valueTask(l, "", 2*time.Second, 2, nil)
		main := l.CreateTask(func(t *Task) (any, error) {
			g := l.Gather(child, other)
			l.CallLater(500*time.Millisecond, func() { child.Cancel() })
			_, err := t.Await(g)
			tr.add("%v gather cancelled %s done %s", err, pyBool(g.Cancelled()), pyBool(g.Done()))
			return "main not cancelled", nil
		}, "")
		r, err := l.RunUntilComplete(main)
		noErr(t, err)
		tr.add("%v", r)
		_, err = l.RunUntilComplete(other)
		noErr(t, err)
	})
}

func TestCancellingAGatherWhoseChildrenAreDoneReturnsFalse(t *testing.T) {
	t.Parallel()
	bubble(t, "cancel False | r [1 2]", func(t *testing.T, l *Loop, tr *trace) {
		a, b := l.CreateFuture(), l.CreateFuture()
		noErr(t, a.SetResult(1))
		noErr(t, b.SetResult(2))
		g := l.Gather(a, b)
		tr.add("cancel %s", pyBool(g.Cancel()))
		r, err := l.RunUntilComplete(g)
		noErr(t, err)
		tr.add("r %v", r)
	})
}

// A child that catches the cancellation and returns: the gather still ends
// with CancelledError, because a cancel was requested (_cancel_requested).
func TestCancelledGatherEndsCancelledEvenIfAChildCatches(t *testing.T) {
	t.Parallel()
	bubble(t, "cancel True | stubborn caught | CancelledError | stubborn result kept", func(t *testing.T, l *Loop, tr *trace) {
		stubborn := l.CreateTask(func(t *Task) (any, error) {
			if err := t.Sleep(time.Second); errors.Is(err, ErrCancelled) {
				tr.add("stubborn caught")
			}
			return "kept", nil
		}, "")
		g := l.GatherReturnExceptions(stubborn)
		l.CallLater(500*time.Millisecond, func() { tr.add("cancel %s", pyBool(g.Cancel())) })
		_, err := l.RunUntilComplete(g)
		tr.add("%v", err)
		r, _ := stubborn.Result()
		tr.add("stubborn result %v", r)
	})
}

// ---- AsCompleted ----

// as_completed([w(3), w(2) fails, w(1)]) -> got 1 | err boom | got 3
// then for the first of [w(3), w(1)], break -> first 1 | broke 0.4
func TestAsCompletedYieldsErrorsInOrderAndStopsOnBreak(t *testing.T) {
	t.Parallel()
	bubble(t, "got 1 | err boom | got 3 | first 1 | broke 400ms | still ran 3", func(t *testing.T, l *Loop, tr *trace) {
		w := func(x int) *Task {
			var err error
			if x == 2 {
				err = errors.New("boom")
			}
			return valueTask(l, "", time.Duration(x)*100*time.Millisecond, x, err)
		}
		main := l.CreateTask(func(t *Task) (any, error) {
			for r, err := range t.AsCompleted(w(3), w(2), w(1)) {
				if err != nil {
					tr.add("err %v", err)
				} else {
					tr.add("got %v", r)
				}
			}
			last := w(3)
			for r, err := range t.AsCompleted(last, w(1)) {
				if err != nil {
					return nil, err
				}
				tr.add("first %v", r)
				break
			}
			tr.add("broke %v", l.Time())
			r, err := t.Await(last)
			tr.add("still ran %v", r)
			return nil, err
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

// CPython's as_completed registers on set(fs), whose order is not defined;
// the loop documents argument order for futures already done.
func TestAsCompletedOfDoneFuturesYieldsInArgumentOrder(t *testing.T) {
	t.Parallel()
	bubble(t, "c | a | b | at 0s", func(t *testing.T, l *Loop, tr *trace) {
		fs := map[string]*Future{}
		for _, n := range []string{"a", "b", "c"} {
			fs[n] = l.CreateFuture()
			noErr(t, fs[n].SetResult(n))
		}
		main := l.CreateTask(func(t *Task) (any, error) {
			for r, err := range t.AsCompleted(fs["c"], fs["a"], fs["c"], fs["b"]) {
				if err != nil {
					return nil, err
				}
				tr.add("%v", r)
			}
			tr.add("at %v", l.Time())
			return nil, nil
		}, "")
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}

func TestAsCompletedReportsTheWaitersCancellationAndGoesOn(t *testing.T) {
	t.Parallel()
	bubble(t, "err CancelledError at 500ms | got 1 at 1s | b 2", func(t *testing.T, l *Loop, tr *trace) {
		a := valueTask(l, "", time.Second, 1, nil)
		b := valueTask(l, "", 2*time.Second, 2, nil)
		var main *Task
		main = l.CreateTask(func(t *Task) (any, error) {
			for r, err := range t.AsCompleted(a, b) {
				if err != nil {
					tr.add("err %v at %v", err, l.Time())
				} else {
					tr.add("got %v at %v", r, l.Time())
				}
			}
			// The cancellation used up one of the two turns.
			r, err := t.Await(b)
			tr.add("b %v", r)
			return nil, err
		}, "")
		l.CallLater(500*time.Millisecond, func() { main.Cancel() })
		_, err := l.RunUntilComplete(main)
		noErr(t, err)
	})
}
