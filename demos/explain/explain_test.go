package explain

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// foundPython is the interpreter the tests run programs with, found once.
var foundPython = sync.OnceValues(func() (string, error) { return twin.Runner{}.Interpreter(context.Background()) })

// python returns a Python 3.11 or newer, or skips the test (fails it under
// CI), as testenv says; go test -short skips it too.
func python(t testing.TB) string {
	t.Helper()
	testenv.SkipShort(t, "CPython")
	path, err := foundPython()
	if err != nil {
		testenv.Missing(t, "CPython 3.11 or newer", err.Error(), "install python3 (3.11+)")
	}
	return path
}

// corpusSlow is how long a step must hold the loop to be a blocking call
// in the corpus: more than a loaded machine stalls a clean program, less
// than the blocking programs' half second.
const corpusSlow = 200 * time.Millisecond

// explainProgram runs p with c in testdata and returns its recording and
// the lines it wrote.
func explainProgram(t testing.TB, p Program, c Config) (*Recording, []Line) {
	t.Helper()
	var lines []Line
	if c.Python == "" {
		c.Python = python(t)
	}
	c.Output = func(l Line) { lines = append(lines, l) }
	if c.Dir == "" {
		c.Dir = "testdata"
	}
	if c.Slow == 0 {
		c.Slow = corpusSlow
	}
	s, err := Start(context.Background(), p, c)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return rec, lines
}

// wants are what a corpus program says explain must make of it, in its
// comments: "# want: KIND [LINE]" for each finding (the summary aside),
// "# want: not-run" when Python cannot run it, "# exit: N", and "# env:
// KEY=VALUE" for what its environment needs (a stand-in module's path).
type wants struct {
	findings []string // "blocking 17", "clean"
	exit     int
	env      []string // "# env: KEY=VALUE": the program's environment has it too
}

func readWants(t *testing.T, path string) (wants, bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w wants
	found := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# want: "); ok {
			w.findings, found = append(w.findings, strings.TrimSpace(rest)), true
		}
		if rest, ok := strings.CutPrefix(line, "# exit: "); ok {
			w.exit, _ = strconv.Atoi(strings.TrimSpace(rest))
		}
		if rest, ok := strings.CutPrefix(line, "# env: "); ok {
			w.env = append(w.env, strings.TrimSpace(rest))
		}
	}
	return w, found
}

// TestCorpus runs each program of testdata that says what it wants, and
// checks the findings, with their lines, and the exit code.
func TestCorpus(t *testing.T) {
	python(t)
	paths, err := filepath.Glob("testdata/*.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		w, ok := readWants(t, path)
		if !ok {
			continue
		}
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec, lines := explainProgram(t, Program{Script: name}, Config{Env: w.env})
			var got []string
			if rec.NotRun != "" {
				got = append(got, "not-run")
			} else {
				for _, f := range rec.Findings(lesson.Labels("en")) {
					switch {
					case f.Kind == FindingSummary:
					case f.Line != 0:
						if f.File != name {
							t.Errorf("%s finding in %s, want %s", f.Kind, f.File, name)
						}
						got = append(got, f.Kind+" "+strconv.Itoa(f.Line))
					default:
						got = append(got, f.Kind)
					}
				}
			}
			if !slices.Equal(got, w.findings) || rec.Exit != w.exit {
				t.Errorf("findings %q, exit %d; want %q, exit %d\noutput: %+v\nfindings: %+v",
					got, rec.Exit, w.findings, w.exit, lines, rec.Findings(lesson.Labels("en")))
			}
		})
	}
}

func TestBlockingNamesTheLineWhatWaitedAndTheFix(t *testing.T) {
	rec, lines := explainProgram(t, Program{Script: "blocking.py"}, Config{})
	if len(rec.Blocks) != 1 {
		t.Fatalf("blocks %+v", rec.Blocks)
	}
	b := rec.Blocks[0]
	if d := b.End - b.Start; d < 500*time.Millisecond || len(b.At) == 0 || b.At[0].Code != "time.sleep(0.5)" || b.At[0].Line != 17 {
		t.Errorf("block of %v at %+v, want 0.5 s at line 17, time.sleep(0.5)", d, b.At)
	}
	waited := []string{}
	for _, id := range b.Ready {
		waited = append(waited, rec.Task(id).Who())
	}
	if !slices.Equal(waited, []string{"Task-2 fetch", "Task-4 fetch"}) {
		t.Errorf("ready meanwhile: %q, want both fetches", waited)
	}
	f := rec.Findings(lesson.Labels("en"))[0]
	if !strings.Contains(f.Text, "Task-2 fetch and Task-4 fetch had to wait") || !strings.Contains(f.Text, "await asyncio.sleep") {
		t.Errorf("finding: %s", f.Text)
	}
	// fetch(0.1)'s sleep ended while the blocker held the loop: it was
	// held from then, about 0.1 s, to the blocker's end. On real time a
	// loaded machine can also hold it a few milliseconds elsewhere (a
	// step that ran long while it was ready): only holds of 50 ms and
	// more, the blocking threshold, count here.
	var held []timing.Span
	for _, s := range rec.Run().Spans {
		if s.Phase == timing.PhaseHeld && strings.HasPrefix(s.Task, "Task-2 fetch") && s.End-s.Start >= 50*time.Millisecond {
			held = append(held, s)
		}
	}
	if len(held) != 1 || held[0].Start < 90*time.Millisecond || held[0].Start > b.Start+150*time.Millisecond ||
		held[0].End < b.End {
		t.Errorf("fetch(0.1) held %+v; the block ran %v to %v", held, b.Start, b.End)
	}
	var tasks []string
	for _, l := range lines {
		tasks = append(tasks, l.Task+": "+l.Text)
	}
	want := []string{"Task-2 fetch: fetching 0.1", "Task-3 blocker: blocking", "Task-4 fetch: fetching 0.2", "Task-2 fetch: got 0.1", "Task-4 fetch: got 0.2"}
	if !slices.Equal(tasks, want) {
		t.Errorf("lines %q, want %q", tasks, want)
	}
}

func TestBlockingCallsAreToldApart(t *testing.T) {
	cases := []struct{ program, what, fix string }{
		{"cpu.py", "Line 14, `while time.monotonic() < deadline:`", "It computes without an await"},
		{"callback.py", "Line 9, `time.sleep(0.5)`", "time.sleep blocks the whole thread"},
	}
	for _, c := range cases {
		t.Run(c.program, func(t *testing.T) {
			t.Parallel()
			rec, _ := explainProgram(t, Program{Script: c.program}, Config{})
			fs := rec.Findings(lesson.Labels("en"))
			if fs[0].Kind != FindingBlocking || !strings.HasPrefix(fs[0].Text, c.what) || !strings.Contains(fs[0].Text, c.fix) {
				t.Errorf("finding %+v\nwant it to start %q and say %q", fs[0], c.what, c.fix)
			}
		})
	}
}

func TestVirtualTimeIsExact(t *testing.T) {
	rec, lines := explainProgram(t, Program{Script: "blocking.py"}, Config{VirtualTime: true})
	if len(rec.Blocks) != 1 || rec.Blocks[0].End-rec.Blocks[0].Start != 500*time.Millisecond || rec.Elapsed != 700*time.Millisecond {
		t.Fatalf("blocks %+v, elapsed %v: want one of 0.5 s exactly, 0.7 s in all", rec.Blocks, rec.Elapsed)
	}
	if b := rec.Blocks[0]; len(b.At) != 1 || b.At[0].Line != 17 {
		t.Errorf("virtual time.sleep notes where it was called: %+v", b.At)
	}
	var at []time.Duration
	for _, l := range lines {
		at = append(at, l.T)
	}
	if want := []time.Duration{0, 0, 500 * time.Millisecond, 500 * time.Millisecond, 700 * time.Millisecond}; !slices.Equal(at, want) {
		t.Errorf("lines at %v, want %v", at, want)
	}
}

func TestProgramsRunAsPythonRunsThem(t *testing.T) {
	t.Run("exit code, stdout and stderr, no asyncio", func(t *testing.T) {
		t.Parallel()
		rec, lines := explainProgram(t, Program{Script: "no_asyncio.py", Args: []string{"a", "b c"}}, Config{})
		want := []Line{{Stream: 1, Text: "hello a b c"}, {Stream: 2, Text: "oops"}}
		for i := range lines {
			lines[i].T = 0
		}
		if rec.Exit != 3 || rec.UsedAsyncio() || !slices.Equal(lines, want) {
			t.Errorf("exit %d, asyncio %v, lines %+v", rec.Exit, rec.UsedAsyncio(), lines)
		}
	})
	t.Run("a syntax error is Python's own message", func(t *testing.T) {
		t.Parallel()
		rec, lines := explainProgram(t, Program{Script: "syntax_error.py"}, Config{})
		text := lineTexts(lines)
		if rec.Exit != 1 || rec.NotRun != "syntax" || !strings.Contains(text, `syntax_error.py", line 7`) ||
			!strings.HasSuffix(text, "SyntaxError: invalid syntax") || strings.Contains(text, "Traceback") {
			t.Errorf("exit %d, not run %q:\n%s", rec.Exit, rec.NotRun, text)
		}
	})
	t.Run("a traceback starts at the program", func(t *testing.T) {
		t.Parallel()
		rec, lines := explainProgram(t, Program{Script: "uncaught.py"}, Config{})
		text := lineTexts(lines)
		first, _, _ := strings.Cut(strings.TrimPrefix(text, "Traceback (most recent call last):\n"), "\n")
		if rec.Exit != 1 || !strings.Contains(first, `uncaught.py", line 13, in <module>`) || strings.Contains(text, "_asyncrec") ||
			strings.Contains(text, "<string>") || !strings.HasSuffix(text, "RuntimeError: no luck") {
			t.Errorf("exit %d:\n%s", rec.Exit, text)
		}
	})
	t.Run("a module, as python -m runs it", func(t *testing.T) {
		t.Parallel()
		rec, lines := explainProgram(t, Program{Module: "clean_gather"}, Config{})
		if rec.Exit != 0 || lineTexts(lines) != "[0.05, 0.1, 0.2]" || len(rec.Tasks) < 4 {
			t.Errorf("exit %d, %d tasks:\n%s", rec.Exit, len(rec.Tasks), lineTexts(lines))
		}
		rec, lines = explainProgram(t, Program{Module: "no_such_module"}, Config{})
		if rec.Exit != 1 || rec.NotRun != "module" || !strings.HasSuffix(lineTexts(lines), ": No module named no_such_module") {
			t.Errorf("no such module: exit %d, not run %q:\n%s", rec.Exit, rec.NotRun, lineTexts(lines))
		}
	})
	t.Run("it reads stdin, and its prompt shows first", func(t *testing.T) {
		t.Parallel()
		rec, lines := explainProgram(t, Program{Script: "prompt.py"}, Config{Stdin: strings.NewReader("bob\n")})
		if rec.Exit != 0 || len(lines) != 2 || lines[0].Text != "name? " || !lines[0].Open || lines[1].Text != "hello bob" || lines[1].More {
			t.Errorf("exit %d, lines %+v", rec.Exit, lines)
		}
	})
	t.Run("what bypasses sys.stdout is shown too", func(t *testing.T) {
		t.Parallel()
		_, lines := explainProgram(t, Program{Script: "raw.py"}, Config{})
		// It comes on another pipe: it may come a moment out of order.
		got := strings.Split(lineTexts(lines), "\n")
		slices.Sort(got)
		if !slices.Equal(got, []string{"from print", "from the fd"}) {
			t.Errorf("lines %q", got)
		}
	})
}

// lineTexts joins the lines' texts, one a line.
func lineTexts(lines []Line) string {
	var texts []string
	for _, l := range lines {
		texts = append(texts, l.Text)
	}
	return strings.Join(texts, "\n")
}

func TestStartRefusesAScriptThatIsNotThere(t *testing.T) {
	for _, p := range []Program{{Script: "no_such.py"}, {Script: "."}} {
		if _, err := Start(context.Background(), p, Config{Python: "python3", Dir: "testdata"}); !errors.Is(err, ErrNoProgram) {
			t.Errorf("Start(%q) = %v, want ErrNoProgram", p.Script, err)
		}
	}
}

// TestOutputShowsDuringABurstAndItsWait: lines written faster than the
// recorder flushes its pipe for each one still show within its watchdog's
// interval, not when the program next writes; and os._exit, which skips
// atexit, loses none.
func TestOutputShowsDuringABurstAndItsWait(t *testing.T) {
	var mu sync.Mutex
	var waiting time.Time
	var lines []Line
	start := time.Now()
	s, err := Start(context.Background(), Program{Script: "burst.py", Args: []string{"3"}}, Config{
		Python: python(t), Dir: "testdata",
		Output: func(l Line) {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, l)
			if l.Text == "waiting" {
				waiting = time.Now()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Exit != 0 || len(lines) != 2001 || lines[2000].Text != "again 999" {
		t.Fatalf("exit %d, %d lines, the last %+v", rec.Exit, len(lines), lines[len(lines)-1])
	}
	if waiting.IsZero() || waiting.Sub(start) > 2500*time.Millisecond {
		t.Errorf("the line before the 3 s wait came %v after the start", waiting.Sub(start))
	}
}

func TestSeveralAsyncioRunsAreDrawnOneLoopEach(t *testing.T) {
	rec, _ := explainProgram(t, Program{Script: "runs.py"}, Config{})
	runs := rec.Runs("%s · loop %d")
	if len(rec.Loops) != 3 || len(runs) != 3 {
		t.Fatalf("%d loops, %d runs; want 3 of each", len(rec.Loops), len(runs))
	}
	for i, run := range runs {
		tasks := map[string]bool{}
		for _, s := range run.Spans {
			tasks[s.Task] = true
		}
		if want := fmt.Sprintf("runs.py · loop %d", i+1); run.Name != want || len(tasks) != 3 || len(run.Events) != 1 ||
			run.Events[0].Text != fmt.Sprintf("run %d [0.05, 0.1]", i) {
			t.Errorf("run %d: %q, tasks %v, events %+v; want %q with its main and two works, and its line", i, run.Name, tasks, run.Events, want)
		}
	}
}

// TestTasksMadeInOneStepAreAllRecorded makes 10,000 tasks in one step of
// main (a gather): the recorder sends its records while that step still
// runs (every 4,096), and none may be lost or misplaced: each task is
// made by main, after main, and ends after it ran.
func TestTasksMadeInOneStepAreAllRecorded(t *testing.T) {
	const n = 10_000
	rec, lines := explainProgram(t, Program{Script: "bench_tasks.py", Args: []string{strconv.Itoa(n)}}, Config{VirtualTime: true})
	if rec.Exit != 0 || len(lines) != 1 {
		t.Fatalf("exit %d, lines %q", rec.Exit, lineTexts(lines))
	}
	var main *Task
	made := 0
	for _, task := range rec.Tasks {
		switch {
		case task.Hidden:
		case task.Fn == "main":
			main = task
		default:
			made++
			if main == nil || task.Parent != main.ID || task.Created < main.Created || task.State != "done" ||
				len(task.Steps) == 0 || task.Steps[0].Start < task.Created || task.Ended < task.Steps[len(task.Steps)-1].End {
				t.Fatalf("task %+v (main %+v): want made by main, ran, then done", task, main)
			}
		}
	}
	if main == nil || made != n {
		t.Fatalf("main %v, %d tasks made by it; want %d", main != nil, made, n)
	}
}

func TestAForkedChildIsNotTracedButShown(t *testing.T) {
	rec, lines := explainProgram(t, Program{Script: "forked.py"}, Config{})
	got := strings.Split(lineTexts(lines), "\n")
	slices.Sort(got) // the child's comes on a pipe of its own
	if rec.Exit != 0 || !slices.Equal(got, []string{"from the child", "from the parent"}) || len(rec.Children) != 1 ||
		rec.Children[0].How != "os.fork" {
		t.Errorf("exit %d, lines %q, children %+v", rec.Exit, got, rec.Children)
	}
}
