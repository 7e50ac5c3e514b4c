package aio_test

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/aio"
)

// TestStateObserverSeesTheLoop runs two tasks of 1 and 2 s gathered, and
// checks what the observer is told at each point: what ran, what is
// ready, the timers, and where each task is suspended (this file's lines).
func TestStateObserverSeesTheLoop(t *testing.T) {
	var got []string
	synctest.Test(t, func(t *testing.T) {
		l := aio.NewLoop(aio.WithStateObserver(func(s aio.LoopState) {
			var b strings.Builder
			fmt.Fprintf(&b, "%d %v", s.Iteration, s.Time)
			if s.Starting {
				b.WriteString(" starting")
			}
			fmt.Fprintf(&b, " ran=%v ready=%v timers=%v", s.Ran, s.Ready, s.Timers)
			for _, ts := range s.Tasks {
				fmt.Fprintf(&b, " %s:%s", ts.Name, ts.State)
				if ts.Waiting != "" {
					fmt.Fprintf(&b, "/%s", ts.Waiting)
				}
				if len(ts.At) > 0 {
					fmt.Fprintf(&b, "@%d", ts.At[0].Line-workLine)
				}
			}
			if s.Stopped != "" {
				b.WriteString(" " + s.Stopped)
			}
			got = append(got, b.String())
		}))
		defer l.Close()
		a := l.CreateTask(work(1), "w1")
		c := l.CreateTask(work(2), "w2")
		if _, err := l.RunUntilComplete(l.Gather(a, c)); err != nil {
			t.Fatal(err)
		}
	})
	want := []string{
		"0 0s starting ran=[] ready=[step w1 step w2] timers=[] w1:pending w2:pending",
		"1 0s ran=[step w1 step w2] ready=[] timers=[1.000s sleep's timer: wake w1 2.000s sleep's timer: wake w2] w1:pending/sleep@2 w2:pending/sleep@2",
		"2 1s ran=[sleep's timer: wake w1] ready=[step w1] timers=[2.000s sleep's timer: wake w2] w1:pending@2 w2:pending/sleep@2",
		"3 1s ran=[step w1] ready=[gather.<locals>._done_callback(w1)] timers=[2.000s sleep's timer: wake w2] w1:done w2:pending/sleep@2",
		"4 1s ran=[gather.<locals>._done_callback(w1)] ready=[] timers=[2.000s sleep's timer: wake w2] w1:done w2:pending/sleep@2",
		"5 2s ran=[sleep's timer: wake w2] ready=[step w2] timers=[] w1:done w2:pending@2",
		"6 2s ran=[step w2] ready=[gather.<locals>._done_callback(w2)] timers=[] w1:done w2:done",
		"7 2s ran=[gather.<locals>._done_callback(w2)] ready=[_run_until_complete_cb(gather(w1, w2))] timers=[] w1:done w2:done",
		"8 2s ran=[_run_until_complete_cb(gather(w1, w2))] ready=[] timers=[] w1:done w2:done stop",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("states\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

var workLine = lineOf(work)

func lineOf(fn any) int {
	_, line := funcLine(fn)
	return line
}

// work sleeps for x seconds, two lines below its func line.
func work(x int) aio.Coroutine {
	return func(t *aio.Task) (any, error) {
		return nil, t.Sleep(time.Duration(x) * time.Second)
	}
}

func funcLine(fn any) (string, int) {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	return f.FileLine(f.Entry())
}
