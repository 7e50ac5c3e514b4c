package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/timing"
)

// loopStep is what a --step state says of the loop, in the form that
// testdata/step_cpython.py writes CPython's: the ready queue, the timers
// (due time in ms) and the tasks, at each iteration and as each run
// starts.
type loopStep struct {
	Run       string     `json:"run"`
	Iteration int        `json:"iteration"`
	Starting  bool       `json:"starting"`
	Stopped   string     `json:"stopped"`
	Ready     []string   `json:"ready"`
	Timers    [][2]any   `json:"timers"`
	Tasks     []taskStep `json:"tasks"`
}

// taskStep is a task as a --step state says it, in step_cpython.py's
// form: its wake time in ms.
type taskStep struct {
	Name       string `json:"name"`
	State      string `json:"state"`
	Waiting    string `json:"waiting"`
	WakeAt     *int   `json:"wake_at"`
	Cancelling bool   `json:"cancelling"`
	Result     string `json:"result"`
}

func (t taskStep) String() string {
	s := t.Name + ": " + t.State
	if t.Cancelling {
		s += " (cancelling)"
	}
	if t.Waiting != "" {
		s += ", waiting on " + t.Waiting
	}
	if t.WakeAt != nil {
		s += fmt.Sprintf(" until %d", *t.WakeAt)
	}
	if t.Result != "" {
		s += " = " + t.Result
	}
	return s
}

func (s loopStep) String() string {
	var timers []string
	for _, t := range s.Timers {
		timers = append(timers, fmt.Sprintf("%v %v", t[0], t[1]))
	}
	start := ""
	if s.Starting {
		start = " starting"
	}
	tasks := make([]string, len(s.Tasks))
	for i, t := range s.Tasks {
		tasks[i] = t.String()
	}
	return fmt.Sprintf("%s #%d%s %s ready=[%s] timers=[%s] tasks=[%s]", s.Run, s.Iteration, start, s.Stopped,
		strings.Join(s.Ready, "; "), strings.Join(timers, "; "), strings.Join(tasks, "; "))
}

// goLoopSteps reads the loop's states from --step --json output.
func goLoopSteps(t *testing.T, out string) []loopStep {
	t.Helper()
	var steps []loopStep
	for _, e := range events(t, out) {
		if e.Kind != timing.KindState || e.Loop == "" {
			continue
		}
		var l struct {
			Iteration int
			Starting  bool
			Stopped   string
			Ready     []string
			Timers    []struct {
				When float64
				What string
			}
			Tasks []struct {
				Name, State, Waiting, Result string
				WakeAt                       float64 `json:"wake_at"`
				Cancelling                   bool
			}
		}
		if err := json.Unmarshal([]byte(e.Loop), &l); err != nil {
			t.Fatalf("state %d: %v: %s", e.Step, err, e.Loop)
		}
		s := loopStep{Run: e.Run, Iteration: l.Iteration, Starting: l.Starting, Stopped: l.Stopped, Ready: l.Ready}
		for _, tm := range l.Timers {
			s.Timers = append(s.Timers, [2]any{fmt.Sprint(int(tm.When*1000 + 0.5)), tm.What})
		}
		for _, tk := range l.Tasks {
			ts := taskStep{Name: tk.Name, State: tk.State, Waiting: tk.Waiting, Cancelling: tk.Cancelling, Result: tk.Result}
			if tk.Waiting == "sleep" {
				ms := int(tk.WakeAt*1000 + 0.5)
				ts.WakeAt = &ms
			}
			s.Tasks = append(s.Tasks, ts)
		}
		steps = append(steps, s)
	}
	return steps
}

// TestStepStatesMatchCPython runs gather, nest and cancel with --step
// --json on fake time, and checks what the loop held at each point (the
// ready queue in order, the timers, each task's state, what it awaits and
// its result) against CPython's loop running the same programs
// (testdata/step_cpython.py, on demos/aio's virtual clock).
func TestStepStatesMatchCPython(t *testing.T) {
	py := twinPython(t, "gather")
	for _, c := range []struct{ name, args, pyArgs string }{
		{"gather", "gather", "gather"},
		{"gather_with_gather", "gather --with gather --durations 4,2,1", "gather --with gather --durations 4,2,1"},
		{"nest", "nest", "nest"},
		{"nest_412", "nest --durations 4,1,2", "nest --durations 4,1,2"},
		{"cancel", "cancel --interrupt", "cancel"},
		{"cancel_after_one", "cancel --interrupt=1.5s", "cancel --interrupt 1.5"},
		{"cancel_no_drain", "cancel --interrupt --no-drain", "cancel --no-drain"},
		{"cancel_outer", "cancel --mode outer --interrupt=2.5s", "cancel --mode outer --interrupt 2.5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, append(strings.Fields(c.args), "--step", "--json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got := goLoopSteps(t, out)
			if len(got) < 3 {
				t.Fatalf("%d loop states in --step --json's output, want one per iteration:\n%s", len(got), out)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, py, append([]string{filepath.Join("testdata", "step_cpython.py")}, strings.Fields(c.pyArgs)...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			pyOut, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
			}
			var want []loopStep
			for _, line := range strings.Split(strings.TrimSpace(string(pyOut)), "\n") {
				var s loopStep
				if err := json.Unmarshal([]byte(line), &s); err != nil {
					t.Fatalf("step_cpython.py: %v: %s", err, line)
				}
				for i := range s.Timers {
					s.Timers[i][0] = fmt.Sprint(s.Timers[i][0])
				}
				want = append(want, s)
			}
			for i := range max(len(got), len(want)) {
				var g, w string
				if i < len(got) {
					g = got[i].String()
				}
				if i < len(want) {
					w = want[i].String()
				}
				if g != w {
					t.Errorf("state %d differs from CPython's:\n     go: %s\nCPython: %s", i+1, g, w)
				}
			}
		})
	}
}

// TestStepPipedGolden prints --step's states as text among the lesson's
// lines, as it does when piped.
func TestStepPipedGolden(t *testing.T) {
	out, errOut, code := runCmd(t, "gather", "--step", "--no-compare")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "gather_step", out)
}

// TestStepGoStyleListsGoroutines: the go style's steps list the lesson's
// goroutines by the names of their spans, each with what it is blocked
// on, and say that Go's order is not fixed.
func TestStepGoStyleListsGoroutines(t *testing.T) {
	out, errOut, code := runCmd(t, "gather", "--style", "go", "--step", "--json", "--no-compare")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	type g struct{ Name, State, At, Func string }
	var last []g
	steps := 0
	for _, e := range events(t, out) {
		if e.Kind != timing.KindState || e.Goroutines == "" {
			continue
		}
		steps++
		last = nil
		if err := json.Unmarshal([]byte(e.Goroutines), &last); err != nil {
			t.Fatal(err)
		}
	}
	if steps != 6 { // Waiting ×3, Task ret ×3
		t.Errorf("%d steps, want one per printed line, 6", steps)
	}
	var text []string
	for _, x := range last {
		text = append(text, fmt.Sprintf("%s %s %s", x.Name, x.State, x.At))
	}
	joined := strings.Join(text, "\n")
	if !strings.Contains(joined, "running") {
		t.Errorf("no goroutine is running at the last step:\n%s", joined)
	}
	out, _, _ = runCmd(t, "gather", "--style", "go", "--step", "--no-compare")
	for _, want := range []string{"do_some_work(4)", "select", "not fixed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the go style's steps do not say %q:\n%s", want, out)
		}
	}
}

// TestStepInARealTerminal steps through gather in tmux: forward, back
// (exactly the step it was), to the next printed line, then q; then again
// with Ctrl+C. Each time the lesson's output is left on the screen, the
// exit code is 0 and 130, and the terminal is back in canonical mode with
// echo.
func TestStepInARealTerminal(t *testing.T) {
	bin := binary(t)
	s := newTmux(t, "LANG=C.UTF-8", "PS1=$ ")
	s.keys(bin+" gather --step --scale 0.05 --no-compare", "Enter")
	s.waitFor("step 1 of", 1)
	s.waitFor("the loop starts at", 1)
	s.keys("Right", "Space", "Enter") // three steps forward
	s.waitFor("step 4 of", 1)
	step4 := s.screen()
	if !strings.Contains(step4, "ran step do_some_work(1)") || !strings.Contains(step4, "_on_completion(do_some_w") ||
		strings.Contains(step4, "_done_callback") { // --with wait builds no gather
		t.Errorf("step 4 does not show do_some_work(1)'s step and the callback it made ready (asyncio.wait's, and no gather's):\n%s", step4)
	}
	s.keys("Left")
	s.waitFor("step 3 of", 1)
	if scr := s.screen(); !strings.Contains(scr, "sleep's timer: wake do_some_work(1)") {
		t.Errorf("back at step 3, the timer that ran is not shown:\n%s", scr)
	}
	s.keys("Right")
	s.waitFor("step 4 of", 1)
	if scr := s.screen(); scr != step4 {
		t.Errorf("step 4 again is not what it was:\n%s\nthen:\n%s", scr, step4)
	}
	s.keys("Down") // the next iteration that printed: the last, after the loop
	s.waitFor("Task ret: Done after 4s", 1)
	s.keys("q")
	s.waitForShell()
	s.keys("echo exit=$?", "Enter")
	s.waitFor("exit=0", 1)
	if scr := s.screen(); !strings.Contains(scr, "Waiting: 1") || strings.Contains(scr, "step 4 of") {
		t.Errorf("after q, the lesson's output is not what the screen shows:\n%s", scr)
	}

	s.keys("clear; "+bin+" gather --step --scale 0.05 --no-compare", "Enter")
	s.waitFor("step 1 of", 1)
	s.keys("Right", "C-c")
	s.waitFor("asyncdemo: interrupted", 1)
	s.waitForShell()
	s.keys("echo exit=$?", "Enter")
	s.waitFor("exit=130", 1)
	s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(icrnl|opost|isig|icanon|echo)' | tr '\\n' ' '; echo", "Enter")
	s.waitFor("icrnl opost isig icanon echo \n", 1)

	// SIGTERM from outside, as kill sends it, while the view waits for a key.
	// (The pid goes to a file: the view's screen hides what came before.)
	pidFile := filepath.Join(t.TempDir(), "pid")
	s.keys("clear; sh -c 'echo $$ > "+pidFile+"; exec "+bin+" gather --step --scale 0.05 --no-compare'", "Enter")
	s.waitFor("step 1 of", 1)
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s.waitFor("asyncdemo: terminated", 1)
	s.waitForShell()
	s.keys("echo exit=$?", "Enter")
	s.waitFor("exit=143", 1)
	s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(icrnl|opost|isig|icanon|echo)' | tr '\\n' ' '; echo", "Enter")
	s.waitFor("icrnl opost isig icanon echo \n", 1)
}

// TestTourStepsThroughARun: at the tour's prediction, s takes the answer
// and steps through the run in the full-screen view; after q the tour
// shows the run and the verdict, and goes on as usual.
func TestTourStepsThroughARun(t *testing.T) {
	bin := binary(t)
	s := newTmux(t, "XDG_CONFIG_HOME="+t.TempDir(), "LANG=C.UTF-8", "PS1=$ ")
	s.keys(bin+" tour --scale 0.05 --from gather", "Enter")
	s.waitFor("Predict first", 1)
	s.keys("Down", "s") // b) 4 s, and step through
	s.waitFor("step 1 of", 1)
	s.keys("g")
	s.waitFor("the lesson has ended", 1)
	s.keys("q")
	s.waitFor("✓ Right: you said 4 s; it took 4.", 1)
	s.waitFor("Enter for the next lesson", 1)
	s.keys("q")
	s.waitFor("Stopped. asyncdemo tour goes on from nest.", 1)
}

// waitForShell waits until the view has gone and the shell's prompt is
// back: keys typed before then would go to the view.
func (s *tmuxSession) waitForShell() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scr := s.screen()
		if !strings.Contains(scr, "q quit") && strings.HasSuffix(strings.TrimRight(scr, " \n"), "$") {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the view never gave the terminal back to the shell:\n%s", scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStepWorksForEveryLesson runs every lesson's aio style with --step
// --json: each tells what its loop held at each step. Those on real
// sockets (Redis, HTTP) run on real time; their tasks' awaits on the
// calls that run off the loop show as waiting on to_thread, and the calls
// from the main goroutine as what the loop ran.
func TestStepWorksForEveryLesson(t *testing.T) {
	for _, info := range allLessons(t) {
		t.Run(info.Name, func(t *testing.T) {
			args := append(append([]string{info.Name}, info.AutoArgs...), "--step", "--json")
			var out, errOut string
			var code int
			if info.Network {
				testenv.SkipShort(t, "real sockets")
				out, errOut, code = runCmdNow(context.Background(), append(args, "--scale", "0.05")...)
			} else {
				out, errOut, code = runCmd(t, args...)
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			steps, iterations := 0, 0
			var all strings.Builder
			for _, e := range events(t, out) {
				if e.Kind == timing.KindState && e.Step > 0 {
					steps++
					if e.Step != steps {
						t.Errorf("step %d is numbered %d", steps, e.Step)
					}
					if strings.Contains(e.Loop, `"iteration"`) && !strings.Contains(e.Loop, `"starting"`) {
						iterations++
					}
					all.WriteString(e.Loop + "\n")
				}
			}
			if iterations == 0 {
				t.Fatalf("no loop iteration among %d steps:\n%s", steps, out)
			}
			switch info.Name {
			case "sms":
				if !strings.Contains(all.String(), `"waiting":"to_thread"`) {
					t.Errorf("no task waits on to_thread (the HTTP call) at any step")
				}
				fallthrough
			case "queue", "thread":
				if !strings.Contains(all.String(), "run_coroutine_threadsafe(do_some_work(") {
					t.Errorf("the loop never ran a coroutine handed over with run_coroutine_threadsafe")
				}
				if info.Name == "thread" && !strings.Contains(all.String(), `"func() { moreWork(x) }()"`) {
					t.Errorf("the functions handed over with call_soon_threadsafe are not called by their source")
				}
			}
		})
	}
}

// TestNoTerminalQueryAtStart: Bubble Tea's init asks the terminal its
// background colour unless lipgloss was told it already; package noquery
// tells it, and must be initialised first.
func TestNoTerminalQueryAtStart(t *testing.T) {
	testenv.SkipShort(t, "the built binary")
	bin := binary(t)
	cmd := exec.Command(bin, "--help")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	trace := stderr.String()
	quiet := strings.Index(trace, "init github.com/asyncdemo/asyncdemo/cmd/asyncdemo/internal/noquery ")
	tea := strings.Index(trace, "init github.com/charmbracelet/bubbletea ")
	if quiet < 0 || tea >= 0 && tea < quiet {
		t.Errorf("package noquery is not initialised before bubbletea:\n%s", trace)
	}
}

// TestStepViewKeys drives the view's model as keys would: forward, back to
// exactly the screen it was, to the next step that printed, to the end and
// the start, and q and Ctrl+C to quit.
func TestStepViewKeys(t *testing.T) {
	state := func(it int, ready ...string) *aio.LoopState {
		s := &aio.LoopState{Iteration: it, ReadyCount: len(ready)}
		for _, r := range ready {
			s.Ready = append(s.Ready, aio.Callback{Kind: "step", Task: r})
		}
		return s
	}
	out := "  0.000s  Waiting: 1\n  1.000s  Done\n"
	frames := []stepFrame{
		{N: 1, Run: "r", Style: "aio", Loop: state(0, "a")},
		{N: 2, Run: "r", Style: "aio", Loop: state(1), Out: 21},
		{N: 3, Run: "r", Style: "aio", Loop: state(2, "b"), Out: 21},
		{N: 4, Run: "r", Style: "aio", Loop: state(3), Out: len(out)},
		{N: 5, End: true, Out: len(out)},
	}
	v := newStepView(lessonInfo(t, "gather"), frames, out, look{noColor: true}, nil)
	key := func(k tea.KeyMsg) tea.Cmd {
		_, cmd := v.Update(k)
		return cmd
	}
	runes := func(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
	first := v.View()
	key(tea.KeyMsg{Type: tea.KeyRight})
	key(tea.KeyMsg{Type: tea.KeySpace})
	if v.i != 2 || !strings.Contains(v.View(), "step 3 of 5") {
		t.Fatalf("after → and Space, at frame %d:\n%s", v.i, v.View())
	}
	third := v.View()
	key(tea.KeyMsg{Type: tea.KeyEnter})
	key(tea.KeyMsg{Type: tea.KeyLeft})
	if v.View() != third {
		t.Errorf("back is not exactly the step it was:\n%s\nwas\n%s", v.View(), third)
	}
	key(tea.KeyMsg{Type: tea.KeyDown}) // frame 4 printed "Done"
	if v.i != 3 {
		t.Errorf("↓ went to frame %d, want 3 (the next that printed)", v.i)
	}
	key(runes("r"))
	if v.i != 0 || v.View() != first {
		t.Errorf("r did not restart: frame %d", v.i)
	}
	key(runes("g"))
	if v.i != 4 || !strings.Contains(v.View(), "the lesson has ended") {
		t.Errorf("g went to frame %d", v.i)
	}
	if cmd := key(runes("q")); cmd == nil || v.interrupted {
		t.Errorf("q does not quit")
	}
	if cmd := key(tea.KeyMsg{Type: tea.KeyCtrlC}); cmd == nil || !v.interrupted {
		t.Errorf("Ctrl+C does not quit as an interrupt")
	}
}

// TestStepperKeepsTheLastSteps: a run that goes on (the Redis lessons run
// until idle or Ctrl+C) keeps only the last steps, numbered as they came;
// the view and the piped text say which were dropped, and back stops at
// the first kept, exact as ever within the window.
func TestStepperKeepsTheLastSteps(t *testing.T) {
	s := newStepper(10)
	s.out = &lockedOutput{}
	for i := range 25 {
		fmt.Fprintf(s.out, "line %d\n", i+1)
		s.add(stepFrame{Run: "r", Style: "aio", Loop: &aio.LoopState{Iteration: i + 1}})
	}
	s.end()
	frames := s.Frames()
	if len(frames) != 11 || frames[0].N != 16 || frames[9].N != 25 || !frames[10].End || frames[10].N != 26 {
		var ns []int
		for _, f := range frames {
			ns = append(ns, f.N)
		}
		t.Fatalf("kept steps %v, want 16…25 and the end, 26", ns)
	}

	v := newStepView(lessonInfo(t, "gather"), frames, s.out.String(), look{noColor: true}, nil)
	first := v.View()
	for _, want := range []string{"step 16 of 26", "steps 1–15 were dropped", "keeps the last 10", "stops at step 16", "line 16"} {
		if !strings.Contains(first, want) {
			t.Errorf("the window's first step does not say %q:\n%s", want, first)
		}
	}
	v.Update(tea.KeyMsg{Type: tea.KeyLeft})
	if v.i != 0 || v.View() != first {
		t.Errorf("← at the window's first step moved to frame %d", v.i)
	}
	v.Update(tea.KeyMsg{Type: tea.KeyRight})
	v.Update(tea.KeyMsg{Type: tea.KeyRight})
	third := v.View()
	v.Update(tea.KeyMsg{Type: tea.KeyRight})
	v.Update(tea.KeyMsg{Type: tea.KeyLeft})
	if v.View() != third || !strings.Contains(third, "step 18 of 26") {
		t.Errorf("back within the window is not exactly the step it was:\n%s\nwas\n%s", v.View(), third)
	}

	var b strings.Builder
	if err := writeStepText(&b, s.out.String(), frames, nil, lesson.Labels("en"), look{noColor: true}); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	if !strings.HasPrefix(text, "line 1\n") || !strings.Contains(text, "line 16\n  ┄ steps 1–15 were dropped") ||
		!strings.Contains(text, "┄ step 16 ·") || strings.Contains(text, "┄ step 15 ·") || !strings.Contains(text, "line 25\n  ┄ step 25 ·") {
		t.Errorf("piped, the steps kept and the note:\n%s", text)
	}
}

// TestStepperMemoryStaysBounded feeds a stepper twenty windows' worth of
// steps of 64 tasks each: what it holds afterwards is about one window's,
// not twenty.
func TestStepperMemoryStaysBounded(t *testing.T) {
	const keep = 200
	state := func() *aio.LoopState {
		s := &aio.LoopState{}
		for i := range 64 {
			s.Tasks = append(s.Tasks, aio.TaskState{Name: fmt.Sprintf("do_some_work(%d)", i), State: "pending", Waiting: "sleep",
				At: []aio.Frame{{Func: "demos.doSomeWork.func1", File: "task.go", Line: 85}}})
			s.Ready = append(s.Ready, aio.Callback{Kind: "step", Task: fmt.Sprintf("do_some_work(%d)", i)})
		}
		return s
	}
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	s := newStepper(keep)
	for range keep {
		s.add(stepFrame{Loop: state()})
	}
	one := heap()
	for range 19 * keep {
		s.add(stepFrame{Loop: state()})
	}
	twenty := heap()
	if len(s.Frames()) != keep {
		t.Errorf("%d frames kept, want %d", len(s.Frames()), keep)
	}
	runtime.KeepAlive(s)
	s = nil
	none := heap()
	if one-none < 1<<20 {
		t.Fatalf("a window of steps takes %d KB: too little to measure", (one-none)>>10)
	}
	if twenty-none > 2*(one-none) {
		t.Errorf("after 20 windows of steps the stepper holds %d KB, after one %d KB", (twenty-none)>>10, (one-none)>>10)
	}
}

// stepKeyRE finds the labels --step's code says: "step_…" literals.
var stepKeyRE = regexp.MustCompile(`"(step_[a-z_]*[a-z])"`)

// stepKeys are the labels that step.go and stepview.go say, those made
// from a prefix (outcomes) included.
func stepKeys(t *testing.T) []string {
	t.Helper()
	keys := map[string]bool{}
	for _, file := range []string{"step.go", "stepview.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range stepKeyRE.FindAllStringSubmatch(string(src), -1) {
			keys[m[1]] = true
		}
	}
	for _, o := range []string{"await", "returned", "raised", "cancelled"} { // w.outcome's "step_outcome_" + o
		keys["step_outcome_"+o] = true
	}
	return slices.Sorted(maps.Keys(keys))
}

// stepVerbRE finds a format's verbs.
var stepVerbRE = regexp.MustCompile(`%(\[\d+\])?[a-z]`)

// TestStepTextsHaveBothLanguages: every word --step shows (task states,
// what a task waits on, the headings, the keys, the ready queue's and the
// timers' entries) is in both catalogues, the Chinese its own and with the
// same values; and --lang zh's steps, piped and in the view, show none of
// the English words.
func TestStepTextsHaveBothLanguages(t *testing.T) {
	raw := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "demos", "lesson", "text", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var c struct{ Labels map[string]string }
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		raw[lang] = c.Labels
	}
	keys := stepKeys(t)
	if len(keys) < 40 {
		t.Fatalf("found %d step_ labels in step.go and stepview.go: %v", len(keys), keys)
	}
	for _, k := range keys {
		en, zh := raw["en"][k], raw["zh"][k]
		switch {
		case en == "":
			t.Errorf("%s: no English", k)
		case zh == "":
			t.Errorf("%s: no Chinese", k)
		case zh == en:
			t.Errorf("%s: the Chinese is the English, %q", k, en)
		}
		verbs := func(s string) []string { v := stepVerbRE.FindAllString(s, -1); slices.Sort(v); return v }
		if !slices.Equal(verbs(en), verbs(zh)) {
			t.Errorf("%s: %q and %q do not take the same values", k, en, zh)
		}
	}

	// The English words of each label, between its values: none may show
	// under --lang zh, as words (not inside a name such as task_wakeup,
	// t.Wait(tasks) or --step).
	type word struct {
		text string
		re   *regexp.Regexp
	}
	var english []word
	for _, k := range keys {
		for _, part := range stepVerbRE.Split(raw["en"][k], -1) {
			part = strings.Trim(part, " ,.:;→/…")
			if strings.Count(part, "")-1 >= 4 && !strings.Contains(raw["zh"][k], part) {
				english = append(english, word{part, regexp.MustCompile(`(?:^|[^\w.\-<(\[])` + regexp.QuoteMeta(part) + `(?:$|[^\w\->(\]])`)})
			}
		}
	}
	check := func(name, text string) {
		t.Helper()
		text = ansi.Strip(text)
		for _, e := range english {
			if loc := e.re.FindStringIndex(text); loc != nil {
				t.Errorf("%s, under --lang zh, says %q: …%s…", name, e.text, text[max(0, loc[0]-80):min(len(text), loc[1]+80)])
			}
		}
	}
	for _, args := range []string{"gather --no-compare", "nest --variant as-completed", "cancel --interrupt",
		"cancel --interrupt --mode outer", "thread --variant threadsafe-call", "gather --style go --no-compare"} {
		out, errOut, code := runCmd(t, append(strings.Fields(args), "--step", "--lang", "zh")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", args, code, errOut)
		}
		var steps strings.Builder // the steps' lines, not the lesson's
		in := false
		for _, line := range strings.Split(out, "\n") {
			if in = strings.HasPrefix(line, "  ┄") || in && strings.HasPrefix(line, "    "); in {
				steps.WriteString(line + "\n")
			}
		}
		if !strings.Contains(steps.String(), "┄ 第 1 步") {
			t.Errorf("%s: no step in Chinese:\n%s", args, out)
		}
		check(args, steps.String())
	}

	// The view, at a step that shows every kind of entry.
	at := []aio.Frame{{Func: "demos.doSomeWork.func1", File: "task.go", Line: 85}}
	state := &aio.LoopState{Iteration: 3, Time: time.Second, Waited: time.Second,
		Ran: []aio.Ran{
			{Callback: aio.Callback{Kind: "sleep", Task: "a"}},
			{Callback: aio.Callback{Kind: "step", Task: "a"}, Outcome: "await", At: at, Took: 2 * time.Millisecond},
			{Callback: aio.Callback{Kind: "step", Task: "b"}, Outcome: "returned"},
			{Callback: aio.Callback{Kind: "step", Task: "c"}, Outcome: "raised"},
			{Callback: aio.Callback{Kind: "step", Task: "d"}, Outcome: "cancelled"},
		},
		Ready:      []aio.Callback{{Kind: "step", Task: "a"}, {Kind: "callback", Name: "gather.<locals>._done_callback", Task: "b"}},
		ReadyCount: 70,
		Timers:     []aio.Timer{{When: 2 * time.Second, Callback: aio.Callback{Kind: "sleep", Task: "a"}}, {When: 3 * time.Second, Callback: aio.Callback{Kind: "call", Name: "loop.stop"}}},
		TimerCount: 70,
		Threadsafe: []aio.Callback{{Kind: "call", Name: "run_coroutine_threadsafe"}},
		Tasks: []aio.TaskState{
			{Name: "a", State: "pending", Waiting: "sleep", WakeAt: 2 * time.Second, At: at},
			{Name: "b", State: "done", Result: "'Done'"},
			{Name: "c", State: "failed", Result: "boom"},
			{Name: "d", State: "cancelled"},
			{Name: "e", State: "pending", Cancelling: true},
			{Name: "f", State: "pending", Waiting: "asyncio.wait", At: at},
			{Name: "g", State: "pending", At: at},
		},
		TaskCount: 70,
	}
	frames := []stepFrame{
		{N: 5, Run: "r", Style: "aio", Loop: &aio.LoopState{Starting: true}},
		{N: 6, Run: "r", Style: "aio", Loop: state},
		{N: 7, Run: "r", Style: "aio", Loop: &aio.LoopState{Iteration: 4, Stopped: "stop"}},
		{N: 8, Run: "r", Style: "aio", Loop: &aio.LoopState{Iteration: 5, Stopped: aio.ErrInterrupted.Error()}},
		{N: 9, Run: "r", Style: "go", Event: "Waiting: 1", Goroutines: []goroutineState{
			{Name: "main", State: "running", At: "gather.go:70"}, {Name: "w", State: "waits to print", At: "gather.go:71"}}},
		{N: 10, End: true},
	}
	v := newStepView(lessonInfo(t, "gather"), frames, "", look{noColor: true}, lesson.Labels("zh"))
	v.Update(tea.WindowSizeMsg{Width: 200, Height: 80})
	for i := range frames {
		v.i = i
		check(fmt.Sprintf("the view at frame %d", i), v.View())
	}
	v.frames = nil
	check("the view of no steps", v.View())
}

// TestStepViewFitsTheTerminal draws a step at 50 and 200 columns, in
// English and Chinese: no line is wider than the terminal (which would
// cut it), and at 50 columns, in one column, the step's number, the ready
// queue, the timers and the tasks are all there.
func TestStepViewFitsTheTerminal(t *testing.T) {
	at := []aio.Frame{{Func: "demos.doSomeWork.func1", File: "task.go", Line: 85}}
	state := &aio.LoopState{Iteration: 3, Time: time.Second,
		Ran:        []aio.Ran{{Callback: aio.Callback{Kind: "step", Task: "do_some_work(1)"}, Outcome: "returned"}},
		Ready:      []aio.Callback{{Kind: "callback", Name: "gather.<locals>._done_callback", Task: "do_some_work(1)"}},
		ReadyCount: 1,
		Timers:     []aio.Timer{{When: 2 * time.Second, Callback: aio.Callback{Kind: "sleep", Task: "do_some_work(2)"}}},
		TimerCount: 1,
		Tasks: []aio.TaskState{
			{Name: "do_some_work(1)", State: "done", Result: "'Done after 1s'"},
			{Name: "do_some_work(2)", State: "pending", Waiting: "sleep", WakeAt: 2 * time.Second, At: at},
		},
		TaskCount: 2,
	}
	out := "  0.000s  Waiting: 1\n  0.000s  Waiting: 2\n  1.000s  Done\n"
	frames := []stepFrame{
		{N: 1, Run: "concurrent", Style: "aio", Loop: &aio.LoopState{Starting: true}},
		{N: 2, Run: "concurrent", Style: "aio", Loop: state, Out: len(out)},
		{N: 3, End: true, Out: len(out)},
	}
	for _, c := range []struct {
		cols int
		lang string
		want []string
	}{
		{50, "en", []string{"step 2 of 3", "1. gather.<locals>._done_callback(do_so", "2.000s  wake do_some_work(2)", "done, result 'Done after 1s'", "Done", "q quit"}},
		{50, "zh", []string{"第 2 步，共 3 步", "1. gather.<locals>._done_callback(do_so", "2.000s  唤醒 do_some_work(2)", "已完成", "q 退出"}},
		{200, "en", []string{"step 2 of 3", "1. gather.<locals>._done_callback(do_some_work(1))", "2.000s  wake do_some_work(2) (sleep)", "q quit"}},
		{200, "zh", []string{"第 2 步，共 3 步", "2.000s  唤醒 do_some_work(2)（sleep）", "q 退出"}},
	} {
		v := newStepView(lessonInfo(t, "gather"), frames, out, look{noColor: true}, lesson.Labels(c.lang))
		v.Update(tea.WindowSizeMsg{Width: c.cols, Height: 30})
		for i := range frames {
			v.i = i
			screen := v.View()
			lines := strings.Split(screen, "\n")
			if ansi.Strip(screen) != screen {
				t.Errorf("%d columns, %s, frame %d: colour without colour", c.cols, c.lang, i)
			}
			if len(lines) > 30 {
				t.Errorf("%d columns, %s, frame %d: %d lines on 30 rows", c.cols, c.lang, i, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > c.cols {
					t.Errorf("%d columns, %s, frame %d: a line of %d columns:\n%s", c.cols, c.lang, i, w, l)
				}
			}
			if i != 1 {
				continue
			}
			joined := strings.ReplaceAll(screen, "\n", " ") // a line wraps between words
			for _, want := range c.want {
				if !strings.Contains(screen, want) && !strings.Contains(joined, want) {
					t.Errorf("%d columns, %s: the step does not show %q:\n%s", c.cols, c.lang, want, screen)
				}
			}
		}
	}
}

// TestStepCtrlCShowsTheStepsSoFar: Ctrl+C during a long run with --step
// (as a Redis lesson on a Redis of one's own runs until it) ends the run,
// not the program: the view shows the steps so far, and after q the
// output stays, the exit code is 130 and the terminal is as it was.
func TestStepCtrlCShowsTheStepsSoFar(t *testing.T) {
	bin := binary(t)
	s := newTmux(t, "LANG=C.UTF-8", "PS1=$ ")
	s.keys(bin+" gather --step --durations 1,60 --no-compare", "Enter")
	s.waitFor("--step: the lesson runs first", 1)
	time.Sleep(1500 * time.Millisecond) // do_some_work(1) is done
	s.keys("C-c")
	s.waitFor("step 1 of", 1)
	s.keys("g")
	s.waitFor("the lesson has ended", 1)
	if scr := s.screen(); !strings.Contains(scr, "Task ret") && !strings.Contains(scr, "Waiting: 60") {
		t.Errorf("the steps so far do not show what the run printed:\n%s", scr)
	}
	s.keys("q")
	s.waitForShell()
	s.keys("echo exit=$?", "Enter")
	s.waitFor("exit=130", 1)
	if scr := s.screen(); !strings.Contains(scr, "Waiting: 60") || !strings.Contains(scr, "asyncdemo: interrupted") {
		t.Errorf("after q, the run's output and the interrupt are not on the screen:\n%s", scr)
	}
	s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(icrnl|opost|isig|icanon|echo)' | tr '\\n' ' '; echo", "Enter")
	s.waitFor("icrnl opost isig icanon echo \n", 1)
}

// TestStepViewHeldTheLoopHasItsOwnHeading: what held the loop in the
// iteration ("✓ step do_some_work(1) → returned") was listed under the
// ready queue's heading, which is what runs next; it has a heading of
// its own, above the ready queue, in both layouts and languages.
func TestStepViewHeldTheLoopHasItsOwnHeading(t *testing.T) {
	state := &aio.LoopState{Iteration: 3, Time: time.Second,
		Ran:        []aio.Ran{{Callback: aio.Callback{Kind: "step", Task: "do_some_work(1)"}, Outcome: "returned"}},
		Ready:      []aio.Callback{{Kind: "callback", Name: "gather.<locals>._done_callback", Task: "do_some_work(1)"}},
		ReadyCount: 1,
	}
	frames := []stepFrame{{N: 1, Run: "concurrent", Style: "aio", Loop: state}}
	for _, cols := range []int{50, 200} {
		for _, lang := range []string{"en", "zh"} {
			words := lesson.Labels(lang)
			v := newStepView(lessonInfo(t, "gather"), frames, "", look{noColor: true}, words)
			v.Update(tea.WindowSizeMsg{Width: cols, Height: 30})
			screen := v.View()
			line := func(s string) int {
				for i, l := range strings.Split(screen, "\n") {
					if strings.Contains(l, s) {
						return i
					}
				}
				return -1
			}
			held, ran, ready := line(words["step_held"]), line("✓ "), line(words["step_ready"])
			if held < 0 || ran < 0 || ready < 0 || !(held < ran && ran < ready) {
				t.Errorf("%d columns, %s: heading %d, what ran %d, ready queue %d, want them in that order:\n%s", cols, lang, held, ran, ready, screen)
			}
		}
	}
}

// TestStepViewLastStepKeepsTheLoopClock: earlier steps said "loop clock
// 1.009s" and the last, after the lesson ended, "29 of 29 · 1.403s", the
// time since the lesson began: it says the loop clock where the loop
// stopped.
func TestStepViewLastStepKeepsTheLoopClock(t *testing.T) {
	frames := []stepFrame{
		{N: 1, Run: "concurrent", Style: "aio", Loop: &aio.LoopState{Starting: true}},
		{N: 2, Run: "concurrent", Style: "aio", Loop: &aio.LoopState{Iteration: 3, Time: time.Second}},
		{N: 3, End: true, T: 1403 * time.Millisecond},
	}
	v := newStepView(lessonInfo(t, "gather"), frames, "", look{noColor: true}, lesson.Labels("en"))
	v.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	v.i = 2
	head, _, _ := strings.Cut(v.View(), "\n")
	if !strings.Contains(head, "step 3 of 3 · loop clock 1.000s") || strings.Contains(head, "1.403") {
		t.Errorf("the last step's heading: %q, want the loop clock where the loop stopped", head)
	}
}

// TestStepOutputStartsAtALine: the output pane, showing the last lines
// printed, began with the rest of a paragraph of the introduction
// (" awaits asyncio.sleep, which hands…"); it starts where a paragraph or
// an event's line does.
func TestStepOutputStartsAtALine(t *testing.T) {
	out := "── gather ──\n\nThree tasks of 1, 2 and 4 s: each\nawaits asyncio.sleep, which hands\nthe loop back.\n\n  0.000s  Waiting: 1\n  0.000s  Waiting: 2\n"
	frames := []stepFrame{{N: 1, Run: "concurrent", Style: "aio", Loop: &aio.LoopState{Starting: true}, Out: len(out)}}
	v := newStepView(lessonInfo(t, "gather"), frames, out, look{noColor: true}, lesson.Labels("en"))
	for n := 1; n <= 8; n++ {
		lines := v.outputLines(frames[0], nil, n)
		if len(lines) > n {
			t.Errorf("%d rows: %d lines", n, len(lines))
		}
		if len(lines) > 0 && (strings.Contains(lines[0], "awaits asyncio.sleep") || strings.Contains(lines[0], "the loop back.")) {
			t.Errorf("%d rows: the pane starts in a paragraph: %q", n, lines)
		}
	}
	if lines := v.outputLines(frames[0], nil, 5); !strings.Contains(strings.Join(lines, "\n"), "Waiting: 1") {
		t.Errorf("5 rows: %q, want the events", lines)
	}
}

// TestStepTextAndViewListTheSameItems: the text --step writes when piped
// and its full-screen view show the same items of each list (the ready
// queue, the timers, the threads' queue, the tasks, the goroutines), in
// English and Chinese: both take them from stepWords.lists.
func TestStepTextAndViewListTheSameItems(t *testing.T) {
	at := []aio.Frame{{Func: "demos.doSomeWork.func1", File: "task.go", Line: 85}}
	state := &aio.LoopState{Iteration: 3, Time: time.Second,
		Ready:      []aio.Callback{{Kind: "step", Task: "a"}, {Kind: "callback", Name: "_wait.<locals>._on_completion", Task: "b"}},
		ReadyCount: 2,
		Timers:     []aio.Timer{{When: 2 * time.Second, Callback: aio.Callback{Kind: "sleep", Task: "a"}}, {When: 3 * time.Second, Callback: aio.Callback{Kind: "call", Name: "loop.stop"}}},
		TimerCount: 2,
		Threadsafe: []aio.Callback{{Kind: "call", Name: "run_coroutine_threadsafe"}},
		Tasks: []aio.TaskState{
			{Name: "a", State: "pending", Waiting: "sleep", WakeAt: 2 * time.Second, At: at},
			{Name: "b", State: "done", Result: "'Done'"},
			{Name: "e", State: "pending", Cancelling: true},
		},
		TaskCount: 3,
	}
	frames := []stepFrame{
		{N: 1, Run: "r", Style: "aio", Loop: state},
		{N: 2, Run: "r", Style: "go", Event: "Waiting: 1", Goroutines: []goroutineState{
			{Name: "main", State: "running", At: "gather.go:70", frame: at}, {Name: "w", State: "waits to print", At: "gather.go:71", frame: at}}},
	}
	for _, lang := range lesson.Languages {
		words := stepWords(lesson.Labels(lang))
		v := newStepView(lessonInfo(t, "gather"), frames, "", look{noColor: true}, words)
		v.Update(tea.WindowSizeMsg{Width: 200, Height: 80})
		for i, f := range frames {
			var text strings.Builder
			writeFrameText(&text, f, nil, words, look{noColor: true})
			v.i = i
			view := v.View()
			l := words.lists(f, nil)
			items := slices.Concat(l.Ready, l.Threads)
			for _, x := range l.Timers {
				items = append(items, x.What)
			}
			for _, r := range slices.Concat(l.Tasks, l.Goroutines) {
				items = append(items, r.What, r.At)
			}
			if len(items) < 4 {
				t.Fatalf("%s, frame %d: %d items: %q", lang, i, len(items), items)
			}
			for _, it := range items {
				if !strings.Contains(text.String(), it) {
					t.Errorf("%s, frame %d: the text does not show %q:\n%s", lang, i, it, text.String())
				}
				if !strings.Contains(view, it) {
					t.Errorf("%s, frame %d: the view does not show %q:\n%s", lang, i, it, view)
				}
			}
		}
	}
}
