package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/exercise"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// texts returns the text of each event of kind "event", and the states.
func texts(evs []timing.Event) (events, states []string) {
	for _, e := range evs {
		switch e.Kind {
		case timing.KindEvent:
			events = append(events, e.Text)
		case timing.KindState:
			states = append(states, e.Task+": "+e.State)
		}
	}
	return events, states
}

func summaries(evs []timing.Event) map[string]time.Duration {
	m := map[string]time.Duration{}
	for _, e := range evs {
		if e.Kind == timing.KindSummary {
			m[e.Run] = e.Elapsed
		}
	}
	return m
}

func TestCancelListsCancelsAndDrainsEveryTask(t *testing.T) {
	out, errOut, code := runCmd(t, "cancel", "--interrupt", "--json")
	if code != 0 {
		t.Fatalf("exit %d, want 0 (the interrupt is the lesson); stderr %s", code, errOut)
	}
	evs := events(t, out)
	got, states := texts(evs)
	if n := slices.Index(got, "KeyboardInterrupt"); n != 3 {
		t.Errorf("KeyboardInterrupt at event %d, want after the three Waiting lines: %q", n, got)
	}
	if trues := countOf(got, "true"); trues != 4 {
		t.Errorf("%d cancel calls printed true, want 4 (three tasks and the wait): %q", trues, got)
	}
	if pending := countPrefix(got, "<Task pending name="); pending != 4 {
		t.Errorf("%d pending tasks listed, want 4", pending)
	}
	want := []string{"do_some_work(1): cancelled", "do_some_work(2): cancelled", "do_some_work(2): cancelled", "wait: cancelled"}
	if !slices.Equal(states, want) {
		t.Errorf("final states %q, want %q", states, want)
	}
	if took := summaries(evs)["cancel-tasks"]; took != 800*time.Millisecond {
		t.Errorf("took %v, want the interrupt's 0.8s", took)
	}
}

func TestCancelOuterLeavesFinishedTasksDone(t *testing.T) {
	out, _, code := runCmd(t, "cancel", "--interrupt=2.5s", "--mode", "outer", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	got, states := texts(events(t, out))
	want := []string{"do_some_work(1): finished", "do_some_work(2): finished", "do_some_work(4): cancelled", "main: cancelled"}
	if !slices.Equal(states, want) {
		t.Errorf("states %q, want %q", states, want)
	}
	if countOf(got, "true") != 1 {
		t.Errorf("want one true from gather(*all_tasks()).cancel(): %q", got)
	}
}

func TestCancelWithoutDrainDestroysPendingTasks(t *testing.T) {
	out, _, code := runCmd(t, "cancel", "--interrupt", "--no-drain", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	got, states := texts(events(t, out))
	if n := countPrefix(got, "Task was destroyed but it is pending!"); n != 4 {
		t.Errorf("%d tasks reported destroyed, want 4: %q", n, got)
	}
	if countOf(states, "wait: pending") != 1 {
		t.Errorf("the wait task should still be pending when the loop closes: %q", states)
	}
}

// The go style calls signal.NotifyContext, which cannot run inside a
// synctest bubble: these run on real time, scaled down.
func TestCancelGoStyleStopsEveryGoroutineOrReportsTheLeak(t *testing.T) {
	// Ctrl+C at 10 ms, tasks of 300 and 400 ms (at --scale 0.1): with the
	// defaults the first task ended 20 ms after Ctrl+C, which a loaded
	// machine could reverse. The tasks that --no-drain leaks still end
	// before goleak's own check of this package gives up on them.
	args := []string{"--interrupt=0.1s", "--durations", "3,4,4"}
	out, _, code := runCmdNow(context.Background(), append([]string{"cancel", "--json", "--style", "go", "--scale", "0.1"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	got, _ := texts(events(t, out))
	if n := countSuffix(got, "stopped: context canceled"); n != 3 {
		t.Errorf("%d goroutines stopped by the context, want 3: %q", n, got)
	}
	out, _, code = runCmdNow(context.Background(), append([]string{"cancel", "--json", "--style", "go", "--no-drain", "--scale", "0.1"}, args...)...)
	if code != 0 {
		t.Fatalf("--no-drain: exit %d", code)
	}
	got, _ = texts(events(t, out))
	if countSuffix(got, "goroutines leaked") != 1 {
		t.Errorf("--no-drain: goleak did not report the leak: %q", got)
	}
}

func TestThreadBlockingCallsAddUpCoroutinesOverlap(t *testing.T) {
	for _, style := range []string{"aio", "go"} {
		out, errOut, code := runCmd(t, "thread", "--json", "--style", style)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", style, code, errOut)
		}
		evs := events(t, out)
		took := summaries(evs)
		if took["threadsafe-call"] != 9*time.Second || took["threadsafe-coroutine"] != 6*time.Second {
			t.Errorf("%s: took %v, want threadsafe-call 9s, threadsafe-coroutine 6s", style, took)
		}
		for _, e := range evs {
			if strings.HasPrefix(e.Text, "main:") && e.T != 0 {
				t.Errorf("%s: %q at %v: main was blocked", style, e.Text, e.T)
			}
		}
	}
}

func TestThreadErrorReachesMain(t *testing.T) {
	for _, style := range []string{"aio", "go"} {
		out, errOut, code := runCmd(t, "thread", "--fail", "--variant", "threadsafe-coroutine", "--json", "--style", style)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", style, code)
		}
		if !strings.Contains(errOut, "failed") || !strings.Contains(out, "error") {
			t.Errorf("%s: the error did not reach main: stdout %q stderr %q", style, out, errOut)
		}
	}
}

func TestNestVariantsOrderTheirResults(t *testing.T) {
	want := map[string][]string{ // --durations 4,1,2
		"gather":       {"Done after 4s", "Done after 1s", "Done after 2s"},
		"return":       {"Done after 4s", "Done after 1s", "Done after 2s"},
		"as-completed": {"Done after 1s", "Done after 2s", "Done after 4s"},
		"wait":         nil, // a set: any order
	}
	for _, style := range []string{"aio", "go"} {
		for variant, order := range want {
			out, errOut, code := runCmd(t, "nest", "--variant", variant, "--durations", "4,1,2", "--json", "--style", style)
			if code != 0 {
				t.Fatalf("%s %s: exit %d: %s", style, variant, code, errOut)
			}
			evs := events(t, out)
			var rets []string
			for _, e := range evs {
				if r, ok := strings.CutPrefix(e.Text, "Task ret: "); ok {
					rets = append(rets, r)
				}
			}
			if order == nil {
				slices.Sort(rets)
				order = []string{"Done after 1s", "Done after 2s", "Done after 4s"}
			}
			if !slices.Equal(rets, order) {
				t.Errorf("%s %s: results %q, want %q", style, variant, rets, order)
			}
			if took := summaries(evs)[variant]; took != 4*time.Second {
				t.Errorf("%s %s took %v, want 4s", style, variant, took)
			}
		}
	}
}

// TestCancelByARealSIGINT runs the binary as a person would: the lesson
// sends itself a real SIGINT after 0.8 s (--interrupt), or the test sends
// one, as a person's Ctrl+C.
func TestCancelByARealSIGINT(t *testing.T) {
	bin := binary(t)
	t.Run("--interrupt", func(t *testing.T) {
		start := time.Now()
		out, err := exec.Command(bin, "cancel", "--interrupt", "--no-color").Output()
		if err != nil {
			t.Fatalf("exit: %v (want 0)", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("took %v, want about 0.8 s", took)
		}
		if n := strings.Count(string(out), "  true\n"); n != 4 {
			t.Errorf("%d true lines, want 4:\n%s", n, out)
		}
	})
	t.Run("a person's Ctrl+C", func(t *testing.T) {
		cmd := exec.Command(bin, "cancel", "--no-color", "--durations", "10,10")
		var stdout strings.Builder
		cmd.Stdout = &stdout
		wait := startAndWaitFor(t, cmd, "Waiting: 10")
		sent := time.Now()
		cmd.Process.Signal(syscall.SIGINT)
		err := wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("exit code %d, want 0", exit.ExitCode())
		}
		if took := time.Since(sent); took > 5*time.Second { // not the 10 s the tasks take
			t.Errorf("ended %v after Ctrl+C", took)
		}
		if !strings.Contains(stdout.String(), "Press Ctrl+C") || !strings.Contains(stdout.String(), "KeyboardInterrupt") {
			t.Errorf("output:\n%s", stdout.String())
		}
	})
}

func countOf(xs []string, s string) (n int) {
	for _, x := range xs {
		if x == s {
			n++
		}
	}
	return n
}

func countPrefix(xs []string, p string) (n int) {
	for _, x := range xs {
		if strings.HasPrefix(x, p) {
			n++
		}
	}
	return n
}

func countSuffix(xs []string, p string) (n int) {
	for _, x := range xs {
		if strings.HasSuffix(x, p) {
			n++
		}
	}
	return n
}

// readSignal is a reader that sends on reads each time it is read.
type readSignal struct {
	r     io.Reader
	reads chan<- struct{}
}

func (s readSignal) Read(p []byte) (int, error) {
	s.reads <- struct{}{}
	return s.r.Read(p)
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestListShowsTheLessonsInOrderInEachLanguage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no tour progress: no ✓
	lessons := allLessons(t)
	for _, lang := range lesson.Languages {
		out, _, code := runCmd(t, "list", "--lang", lang)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != len(lessons)+2+len(exercise.All()) {
			t.Fatalf("%s: exit %d, %d lines for %d lessons, a heading and %d exercises:\n%s", lang, code, len(lines), len(lessons),
				len(exercise.All()), out)
		}
		for i, e := range exercise.All() {
			if line := lines[len(lessons)+2+i]; !strings.HasPrefix(strings.TrimSpace(line), fmt.Sprintf("%d  %s ", i+1, e.Name)) {
				t.Errorf("%s: exercise line %d is %q, want exercise %d, %s", lang, i+1, line, i+1, e.Name)
			}
		}
		for i, info := range lessons {
			if !strings.HasPrefix(strings.TrimSpace(lines[i]), fmt.Sprintf("%d  %s ", i+1, info.Name)) {
				t.Errorf("%s: line %d is %q, want lesson %d, %s", lang, i+1, lines[i], i+1, info.Name)
			}
		}
	}
}

func TestVsPythonShowsBothRunsSideBySide(t *testing.T) {
	out, errOut, code := runCmdNow(context.Background(), "coroutine", "--vs", "python", "--python", "/nonexistent/python3")
	if code != 2 || strings.Count(errOut, "\n") != 1 || out != "" {
		t.Errorf("no python: exit %d, stderr %q; want 2, one line, and nothing run (TestVsPythonRefusesAnInterpreterBeforeTheLesson)", code, errOut)
	}
	twinPython(t, "gather")
	out, errOut, code = runCmdNow(context.Background(), "gather", "--vs", "python", "--scale", "0.05", "--no-color")
	if code != 0 || !strings.Contains(out, "gather · asyncdemo (aio) beside CPython") || strings.Contains(out, "difference(s)") {
		t.Errorf("exit %d, stderr %q:\n%s", code, errOut, out)
	}
}

// An optional value given after a space, as people type it, is the flag's:
// "--code python" is "--code=python", "--interrupt 0.2" is
// "--interrupt=0.2". A word no such flag takes is still an error.
func TestOptionalFlagValueAfterASpace(t *testing.T) {
	spaced, _, code := runCmd(t, "gather", "--code", "python", "--no-color")
	joined, _, _ := runCmd(t, "gather", "--code=python", "--no-color")
	if code != exitOK || spaced != joined || !strings.Contains(spaced, "asyncio.create_task") {
		t.Errorf("--code python: exit %d, and not what --code=python shows:\n%s", code, spaced)
	}
	out, errOut, code := runCmd(t, "cancel", "--interrupt", "0.2", "--json")
	if code != exitOK || !strings.Contains(out, `"text":"KeyboardInterrupt"`) || !strings.Contains(out, `"t":0.2`) {
		t.Errorf("--interrupt 0.2: exit %d, stderr %q:\n%s", code, errOut, out)
	}
	for _, args := range [][]string{{"gather", "python"}, {"gather", "--code", "rust"}, {"cancel", "--interrupt=2s", "0.2"}} {
		if _, errOut, code := runCmd(t, args...); code != exitUsage || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line", args, code, errOut)
		}
	}
}

// Without a Ctrl+C, cancel's tasks just finish: the closing words say so,
// rather than explaining cancellations that did not happen.
func TestCancelWithoutCtrlCSaysNothingWasCancelled(t *testing.T) {
	out, _, code := runCmd(t, "cancel", "--no-color")
	after := "Cancel only asks"
	if code != exitOK || !strings.Contains(out, "No Ctrl+C came") || strings.Contains(out, after) {
		t.Errorf("exit %d:\n%s", code, out)
	}
	out, _, _ = runCmd(t, "cancel", "--interrupt", "--no-color")
	if strings.Contains(out, "No Ctrl+C came") || !strings.Contains(out, after) {
		t.Errorf("with --interrupt, the usual explanation is wanted:\n%s", out)
	}
}
