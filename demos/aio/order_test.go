package aio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/asyncdemo/asyncdemo/demos/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Each test here runs a scenario of testdata/order.py on this loop and
// checks its log against CPython's: the test runs order.py's scenario of
// the same name on CPython (3.11 or newer, see cpython_test.go), which is
// the spec, and compares the two logs line for line. Both sides run on
// clocks that only move when the loop waits (the synctest bubble's, and
// testdata/vclock.py's virtual clock in CPython), so both logs are the same
// on every run, however busy the machine: a difference is a difference. Each test also keeps
// a copy of CPython's log, checked first, so that go test -short (which
// runs no Python) still checks the order; the CPython subtest reports a
// copy that is no longer what CPython logs.

// events collects what a scenario logs, in order.
type events []string

func (e *events) add(format string, args ...any) { *e = append(*e, fmt.Sprintf(format, args...)) }

func (e events) String() string { return strings.Join(e, " | ") }

// scenario runs fn inside a synctest bubble with a fresh loop and closes the
// loop; then it checks the log against want, the copy of CPython's, and, in
// the subtest CPython, against what order.py's scenario name logs there.
func scenario(t *testing.T, name, want string, fn func(l *Loop, log *events)) {
	t.Helper()
	var got events
	synctest.Test(t, func(t *testing.T) {
		t.Helper()
		var log events
		l := NewLoop(WithExceptionHandler(func(c ExceptionContext) { log.add("handler: %s", c.Message) }))
		fn(l, &log)
		if err := l.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		got = log
	})
	if got.String() != want {
		t.Errorf("event order\n got: %s\nwant: %s", got, want)
	}
	t.Run("CPython", func(t *testing.T) {
		testenv.SkipShort(t, "CPython")
		py, version := cpython(t)
		cp, stderr := runOrderPy(t, py, name)
		if !slices.Equal(got, cp) {
			t.Errorf("event order differs from CPython %s's (testdata/order.py %s)\n     got: %s\n CPython: %s%s", version, name, got, events(cp), stderr)
		}
		if events(cp).String() != want {
			t.Errorf("the copy in the test is not what CPython %s logs: make it\n%q", version, events(cp).String())
		}
	})
}

// runOrderPy runs the scenario name of testdata/order.py with the
// interpreter py and returns its log, and what it wrote on stderr (as a
// block to add to a message; it is not an error by itself: a scenario may
// leave an exception unretrieved, which asyncio reports there).
func runOrderPy(t *testing.T, py, name string) (log []string, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, filepath.Join("testdata", "order.py"), name)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if errb.Len() > 0 {
		stderr = "\norder.py's stderr:\n" + errb.String()
	}
	if err != nil {
		t.Fatalf("%s: %v%s", cmd, err, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if lines[0] != "=== "+name || slices.ContainsFunc(lines[1:], func(l string) bool { return strings.HasPrefix(l, "=== ") }) {
		t.Fatalf("%s printed other than one block %q:\n%s", cmd, "=== "+name, out)
	}
	return lines[1:], stderr
}

// TestEveryOrderScenarioIsChecked fails if order.py has a scenario that no
// test here runs, or a test names one that order.py does not have.
func TestEveryOrderScenarioIsChecked(t *testing.T) {
	t.Parallel()
	scenarios := func(file, pattern string) []string {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(string(src), -1) {
			names = append(names, m[1])
		}
		slices.Sort(names)
		return names
	}
	py := scenarios(filepath.Join("testdata", "order.py"), `(?m)^run\("(\w+)"`)
	goTests := scenarios("order_test.go", `(?m)^\tscenario\(t, "(\w+)"`)
	if len(py) == 0 || !slices.Equal(py, goTests) {
		t.Errorf("order.py's scenarios %v, order_test.go's %v: want the same", py, goTests)
	}
}

// secs writes d in seconds to the millisecond, as order.py's secs does.
// Both clocks are exact (the bubble's fake one and vclock's virtual one),
// so the times compare as they are.
func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func yieldOnce(l *Loop) Awaitable {
	return l.CreateTask(func(t *Task) (any, error) { return nil, t.Sleep(0) }, "sleep0")
}

func TestCallSoonRunsInOrderAndNestedCallsWaitAnIteration(t *testing.T) {
	t.Parallel()
	scenario(t, "callsoon", "a | b | c | stopped | b2", func(l *Loop, log *events) {
		l.CallSoon(func() { log.add("a") })
		l.CallSoon(func() { log.add("b"); l.CallSoon(func() { log.add("b2") }) })
		l.CallSoon(func() { log.add("c") })
		l.CallSoon(l.Stop)
		must(t, l.RunForever())
		log.add("stopped")
		_, err := l.RunUntilComplete(yieldOnce(l))
		must(t, err)
	})
}

func TestTimersFireByDeadlineThenSchedulingOrder(t *testing.T) {
	t.Parallel()
	scenario(t, "timers", "t0.1a | t0.1b | t0.2", func(l *Loop, log *events) {
		l.CallLater(200*time.Millisecond, func() { log.add("t0.2") })
		l.CallLater(100*time.Millisecond, func() { log.add("t0.1a") })
		h := l.CallLater(100*time.Millisecond, func() { log.add("cancelled") })
		l.CallLater(100*time.Millisecond, func() { log.add("t0.1b") })
		h.Cancel()
		l.CallLater(300*time.Millisecond, l.Stop)
		must(t, l.RunForever())
	})
}

func TestTasksStartInCreationOrder(t *testing.T) {
	t.Parallel()
	scenario(t, "taskorder", "start 1 | cb | start 2 | resume 1 | resume 2", func(l *Loop, log *events) {
		w := func(n int) Coroutine {
			return func(t *Task) (any, error) {
				log.add("start %d", n)
				if err := t.Sleep(0); err != nil {
					return nil, err
				}
				log.add("resume %d", n)
				return nil, nil
			}
		}
		t1 := l.CreateTask(w(1), "")
		l.CallSoon(func() { log.add("cb") })
		t2 := l.CreateTask(w(2), "")
		_, err := l.RunUntilComplete(l.Gather(t1, t2))
		must(t, err)
	})
}

func TestDoneCallbacksRunNextIterationInRegistrationOrder(t *testing.T) {
	t.Parallel()
	scenario(t, "donecb", "after set_result | cb1 42 | cb2 extra 42 | soon after | before late run | late cb", func(l *Loop, log *events) {
		f := l.CreateFuture()
		f.AddDoneCallback(func(f Awaitable) { r, _ := f.Result(); log.add("cb1 %v", r) })
		extra := "extra" // the partial(callback, extra) of the tutorial
		f.AddDoneCallback(func(f Awaitable) { r, _ := f.Result(); log.add("cb2 %s %v", extra, r) })
		l.CallSoon(func() {
			must(t, f.SetResult(42))
			log.add("after set_result")
			l.CallSoon(func() { log.add("soon after") })
		})
		_, err := l.RunUntilComplete(f)
		must(t, err)
		f.AddDoneCallback(func(Awaitable) { log.add("late cb") })
		log.add("before late run")
		_, err = l.RunUntilComplete(yieldOnce(l))
		must(t, err)
	})
}

func TestSleepingTaskWakesTheIterationAfterItsTimer(t *testing.T) {
	t.Parallel()
	scenario(t, "twohop", "timer cb | task woke", func(l *Loop, log *events) {
		task := l.CreateTask(func(t *Task) (any, error) {
			if err := t.Sleep(time.Second); err != nil {
				return nil, err
			}
			log.add("task woke")
			return nil, nil
		}, "")
		l.CallSoon(func() { l.CallLater(time.Second, func() { log.add("timer cb") }) })
		_, err := l.RunUntilComplete(task)
		must(t, err)
	})
}

func work(log *events, x int, fail int) Coroutine {
	return func(t *Task) (any, error) {
		if err := t.Sleep(time.Duration(x) * 100 * time.Millisecond); err != nil {
			return nil, err
		}
		if x == fail {
			return nil, errors.New("boom")
		}
		log.add("Done %d", x)
		return x, nil
	}
}

func TestGatherKeepsArgumentOrder(t *testing.T) {
	t.Parallel()
	scenario(t, "gather", "Waiting 3 | Waiting 1 | Waiting 2 | Done 1 | Done 2 | Done 3 | results [3 1 2]", func(l *Loop, log *events) {
		w := func(x int) Coroutine {
			return func(t *Task) (any, error) {
				log.add("Waiting %d", x)
				return work(log, x, -1)(t)
			}
		}
		main := l.CreateTask(func(t *Task) (any, error) {
			r, err := t.Await(l.Gather(l.CreateTask(w(3), ""), l.CreateTask(w(1), ""), l.CreateTask(w(2), "")))
			log.add("results %v", r)
			return nil, err
		}, "main")
		_, err := l.RunUntilComplete(main)
		must(t, err)
	})
}

func TestGatherFailsFastOrReturnsExceptions(t *testing.T) {
	t.Parallel()
	scenario(t, "gatherexc", "Done 1 | gather raised boom | Done 3 | Done 1 | Done 3 | results [3 boom 1]", func(l *Loop, log *events) {
		three := func() []Awaitable {
			return []Awaitable{l.CreateTask(work(log, 3, 2), ""), l.CreateTask(work(log, 2, 2), ""), l.CreateTask(work(log, 1, 2), "")}
		}
		main := l.CreateTask(func(t *Task) (any, error) {
			if _, err := t.Await(l.Gather(three()...)); err != nil {
				log.add("gather raised %v", err)
			}
			r, err := t.Await(l.GatherReturnExceptions(three()...))
			log.add("results %v", r)
			if err != nil {
				return nil, err
			}
			return nil, t.Sleep(500 * time.Millisecond)
		}, "main")
		_, err := l.RunUntilComplete(main)
		must(t, err)
	})
}

func TestCancellingGatherCancelsChildren(t *testing.T) {
	t.Parallel()
	scenario(t, "gathercancel", "cancel -> true | child cancelled 1 | child cancelled 2 | main got CancelledError false true", func(l *Loop, log *events) {
		w := func(x int) Coroutine {
			return func(t *Task) (any, error) {
				err := t.Sleep(time.Duration(x) * time.Second)
				if errors.Is(err, ErrCancelled) {
					log.add("child cancelled %d", x)
				}
				return nil, err
			}
		}
		main := l.CreateTask(func(t *Task) (any, error) {
			g := l.Gather(l.CreateTask(w(1), ""), l.CreateTask(w(2), ""))
			l.CallLater(500*time.Millisecond, func() { log.add("cancel -> %v", g.Cancel()) })
			if _, err := t.Await(g); errors.Is(err, ErrCancelled) {
				log.add("main got CancelledError %v %v", g.Cancelled(), g.Done())
			}
			return nil, nil
		}, "main")
		_, err := l.RunUntilComplete(main)
		must(t, err)
	})
}

func TestWaitReturnsWhenAskedTo(t *testing.T) {
	t.Parallel()
	scenario(t, "wait", "FIRST_COMPLETED [2] [0 1] 0.100 | FIRST_EXCEPTION [1 2] [0] 0.200 | ALL_COMPLETED [0 1 2] [] 0.300 | timeout 1 1",
		func(l *Loop, log *events) {
			indexes := func(s Set, ts []Awaitable) []int {
				var ix []int
				for f := range s {
					ix = append(ix, slices.Index(ts, f))
				}
				slices.Sort(ix)
				return ix
			}
			main := l.CreateTask(func(t *Task) (any, error) {
				for i, rw := range []ReturnWhen{FirstCompleted, FirstException, AllCompleted} {
					ts := []Awaitable{l.CreateTask(work(log, 3, 2), ""), l.CreateTask(work(log, 2, 2), ""), l.CreateTask(work(log, 1, 2), "")}
					start := l.Time()
					done, pending, err := t.Wait(ts, WaitOptions{ReturnWhen: rw})
					if err != nil {
						return nil, err
					}
					name := []string{"FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"}[i]
					log.add("%s %v %v %s", name, indexes(done, ts), indexes(pending, ts), secs(l.Time()-start))
					for f := range pending {
						f.Cancel()
					}
					if err := t.Sleep(100 * time.Millisecond); err != nil {
						return nil, err
					}
				}
				ts := []Awaitable{l.CreateTask(work(log, 3, 0), ""), l.CreateTask(work(log, 1, 0), "")}
				done, pending, err := t.Wait(ts, WaitOptions{Timeout: 200 * time.Millisecond})
				if err != nil {
					return nil, err
				}
				log.add("timeout %d %d", len(done), len(pending))
				var rest []Awaitable
				for f := range pending {
					rest = append(rest, f)
				}
				_, _, err = t.Wait(rest, WaitOptions{})
				return nil, err
			}, "main")
			// Python logs "Done" lines too; filter them to match the Python script's output.
			_, err := l.RunUntilComplete(main)
			must(t, err)
			kept := (*log)[:0]
			for _, e := range *log {
				if !strings.HasPrefix(e, "Done") {
					kept = append(kept, e)
				}
			}
			*log = kept
		})
}

func TestAsCompletedYieldsInCompletionOrder(t *testing.T) {
	t.Parallel()
	scenario(t, "ascompleted", "got 1 | got 2 | got 4", func(l *Loop, log *events) {
		w := func(x int) Coroutine {
			return func(t *Task) (any, error) {
				return x, t.Sleep(time.Duration(x) * 100 * time.Millisecond)
			}
		}
		main := l.CreateTask(func(t *Task) (any, error) {
			for r, err := range t.AsCompleted(l.CreateTask(w(4), ""), l.CreateTask(w(1), ""), l.CreateTask(w(2), "")) {
				if err != nil {
					return nil, err
				}
				log.add("got %v", r)
			}
			return nil, nil
		}, "main")
		_, err := l.RunUntilComplete(main)
		must(t, err)
	})
}

func TestCancelledTaskMayCatchAndCleanUp(t *testing.T) {
	t.Parallel()
	scenario(t, "cancelcaught", "cancel true | caught, cleaning up | result cleaned false false", func(l *Loop, log *events) {
		task := l.CreateTask(func(t *Task) (any, error) {
			if err := t.Sleep(10 * time.Second); errors.Is(err, ErrCancelled) {
				log.add("caught, cleaning up")
				return "cleaned", nil
			}
			return nil, nil
		}, "")
		l.CallLater(100*time.Millisecond, func() { log.add("cancel %v", task.Cancel()) })
		r, err := l.RunUntilComplete(task)
		must(t, err)
		log.add("result %v %v %v", r, task.Cancelled(), task.Cancel())
	})
}

func TestTaskCancelledBeforeItStartsNeverRuns(t *testing.T) {
	t.Parallel()
	scenario(t, "cancelbeforestart", "cancel true | CancelledError true", func(l *Loop, log *events) {
		task := l.CreateTask(func(t *Task) (any, error) { log.add("body ran"); return nil, nil }, "")
		log.add("cancel %v", task.Cancel())
		if _, err := l.RunUntilComplete(task); errors.Is(err, ErrCancelled) {
			log.add("CancelledError %v", task.Cancelled())
		}
	})
}

func TestCancelReachesTheTaskBeingAwaited(t *testing.T) {
	t.Parallel()
	scenario(t, "cancelnested", "cancel true | inner cancelled | outer cancelled | done true", func(l *Loop, log *events) {
		inner := func(t *Task) (any, error) {
			err := t.Sleep(10 * time.Second)
			if errors.Is(err, ErrCancelled) {
				log.add("inner cancelled")
			}
			return nil, err
		}
		outer := l.CreateTask(func(t *Task) (any, error) {
			_, err := t.Await(l.CreateTask(inner, "inner"))
			if errors.Is(err, ErrCancelled) {
				log.add("outer cancelled")
			}
			return nil, err
		}, "outer")
		l.CallLater(100*time.Millisecond, func() { log.add("cancel %v", outer.Cancel()) })
		if _, err := l.RunUntilComplete(outer); errors.Is(err, ErrCancelled) {
			log.add("done %v", outer.Cancelled())
		}
	})
}

func TestAwaitingADoneFutureDoesNotYield(t *testing.T) {
	t.Parallel()
	scenario(t, "awaitdone", "a before | a after | b", func(l *Loop, log *events) {
		f := l.CreateFuture()
		must(t, f.SetResult(1))
		a := l.CreateTask(func(t *Task) (any, error) {
			log.add("a before")
			_, err := t.Await(f)
			log.add("a after")
			return nil, err
		}, "a")
		b := l.CreateTask(func(t *Task) (any, error) { log.add("b"); return nil, nil }, "b")
		_, err := l.RunUntilComplete(l.Gather(a, b))
		must(t, err)
	})
}

func TestCancelAfterTimerFiredRaisesAtTheAwait(t *testing.T) {
	t.Parallel()
	scenario(t, "mustcancel", "cancel true | cancelled at await | task cancelled true", func(l *Loop, log *events) {
		task := l.CreateTask(func(t *Task) (any, error) {
			err := t.Sleep(100 * time.Millisecond)
			if errors.Is(err, ErrCancelled) {
				log.add("cancelled at await")
				return nil, err
			}
			log.add("not reached")
			return nil, err
		}, "")
		// Same deadline as the sleep, scheduled after it (from a callback
		// that runs after the task's first step): it runs after the sleep's
		// timer fired but before the task resumed.
		l.CallSoon(func() { l.CallLater(100*time.Millisecond, func() { log.add("cancel %v", task.Cancel()) }) })
		if _, err := l.RunUntilComplete(task); errors.Is(err, ErrCancelled) {
			log.add("task cancelled %v", task.Cancelled())
		}
	})
}

func TestSelfCancelRaisesAtTheNextAwait(t *testing.T) {
	t.Parallel()
	scenario(t, "selfcancel", "cancel self true | raised at next await 0.000 | cancelled", func(l *Loop, log *events) {
		t0 := l.Time()
		var task *Task
		task = l.CreateTask(func(t *Task) (any, error) {
			log.add("cancel self %v", task.Cancel())
			err := t.Sleep(time.Second)
			if errors.Is(err, ErrCancelled) {
				log.add("raised at next await %s", secs(l.Time()-t0))
			}
			return nil, err
		}, "")
		if _, err := l.RunUntilComplete(task); errors.Is(err, ErrCancelled) {
			log.add("cancelled")
		}
	})
}

func TestSeedCancelProgram(t *testing.T) {
	t.Parallel()
	// The tutorial's Ctrl+C program: three tasks in a wait, interrupted at
	// 0.8 s; every task is listed and cancelled, then the loop runs once more.
	scenario(t, "seedcancel", "Waiting 1 | Waiting 2 | Waiting 2 | all 4 | true | true | true | true | states [cancelled cancelled cancelled] cancelled",
		func(l *Loop, log *events) {
			w := func(x int) Coroutine {
				return func(t *Task) (any, error) {
					log.add("Waiting %d", x)
					return x, t.Sleep(time.Duration(x) * time.Second)
				}
			}
			tasks := []Awaitable{l.CreateTask(w(1), ""), l.CreateTask(w(2), ""), l.CreateTask(w(2), "")}
			wt := l.CreateTask(func(t *Task) (any, error) {
				_, _, err := t.Wait(tasks, WaitOptions{})
				return nil, err
			}, "wait")
			go func() {
				time.Sleep(800 * time.Millisecond)
				l.Interrupt()
			}()
			_, err := l.RunUntilComplete(wt)
			if !errors.Is(err, ErrInterrupted) {
				t.Errorf("RunUntilComplete = %v, want ErrInterrupted", err)
			}
			log.add("all %d", len(l.AllTasks()))
			for _, task := range l.AllTasks() {
				log.add("%v", task.Cancel())
			}
			l.Stop()
			must(t, l.RunForever())
			var states []State
			for _, task := range tasks {
				states = append(states, task.State())
			}
			log.add("states %v %v", states, wt.State())
		})
}

func TestRunUntilCompleteStopsTheIterationAfterCompletion(t *testing.T) {
	t.Parallel()
	scenario(t, "ruc", "soon1 | done cb | r 1 | soon2", func(l *Loop, log *events) {
		task := l.CreateTask(func(t *Task) (any, error) {
			l.CallSoon(func() { log.add("soon1") })
			return 1, nil
		}, "")
		task.AddDoneCallback(func(Awaitable) {
			log.add("done cb")
			l.CallSoon(func() { log.add("soon2") })
		})
		r, err := l.RunUntilComplete(task)
		must(t, err)
		log.add("r %v", r)
		_, err = l.RunUntilComplete(yieldOnce(l))
		must(t, err)
	})
}

func TestSleepTasksStepLikeAsyncioSleep(t *testing.T) {
	t.Parallel()
	// Tasks whose coroutine is Sleep's run without a goroutine (see
	// Task.stepSleep); they must keep every order a coroutine's task keeps.
	want := "cancel e true | w start 0.1 | cancel c2 true | done e cancelled | done c None | done c2 cancelled | timer cb | w end 0.1 | " +
		"done a None | done b w | cancel d true | done d cancelled | cancel f true | cancel g true | done f cancelled | done g cancelled | " +
		"results [None w None cancelled cancelled cancelled cancelled cancelled]"
	scenario(t, "sleeptask", want, func(l *Loop, log *events) {
		py := func(v any) any {
			switch {
			case v == nil:
				return "None"
			case v == ErrCancelled:
				return "cancelled"
			}
			return v
		}
		w := func(x float64) Coroutine {
			return func(t *Task) (any, error) {
				log.add("w start %v", x)
				if err := t.Sleep(time.Duration(x * float64(time.Second))); err != nil {
					return nil, err
				}
				log.add("w end %v", x)
				return "w", nil
			}
		}
		done := func(f Awaitable) {
			r, _ := f.Result()
			if f.Cancelled() {
				r = ErrCancelled
			}
			log.add("done %s %v", f.(*Task).Name(), py(r))
		}
		var ts []Awaitable
		add := func(name string, coro Coroutine) {
			task := l.CreateTask(coro, name)
			task.AddDoneCallback(done)
			ts = append(ts, task)
		}
		ms := time.Millisecond
		add("a", Sleep(100*ms))
		add("b", w(0.1))
		add("c", Sleep(0))
		add("c2", Sleep(0))
		add("d", Sleep(200*ms))
		add("e", Sleep(200*ms))
		add("f", Sleep(300*ms))
		add("g", Sleep(300*ms))
		for _, task := range ts {
			if leaf := task.(*Task).leaf; leaf != (task.(*Task).Name() != "b") {
				t.Errorf("%s: leaf %v", task.(*Task).Name(), leaf)
			}
		}
		log.add("cancel e %v", ts[5].Cancel())
		l.CallLater(300*ms, func() { log.add("cancel f %v", ts[6].Cancel()) })
		l.CallSoon(func() {
			log.add("cancel c2 %v", ts[3].Cancel())
			l.CallLater(100*ms, func() { log.add("timer cb") })
			l.CallLater(300*ms, func() { log.add("cancel g %v", ts[7].Cancel()) })
		})
		l.CallLater(150*ms, func() { log.add("cancel d %v", ts[4].Cancel()) })
		r, err := l.RunUntilComplete(l.GatherReturnExceptions(ts...))
		must(t, err)
		var results []any
		for _, x := range r.([]any) {
			results = append(results, py(x))
		}
		log.add("results %v", results)
	})
}
