package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestMain checks for leaked goroutines and removes the built binary.
func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	// chroma's regexp engine keeps a clock for its match timeouts, which
	// stops by itself a second after the last match (--code in colour).
	if err := goleak.Find(goleak.IgnoreAnyFunction("github.com/dlclark/regexp2/v2.runClock")); code == 0 && err != nil {
		fmt.Fprintln(os.Stderr, "goleak:", err)
		code = 1
	}
	os.Exit(code)
}

// runCmd runs the command line in a synctest bubble, so that every sleep
// takes no real time and every printed time is exact.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		stdout, stderr, code = runCmdNow(context.Background(), args...)
	})
	return stdout, stderr, code
}

// runCmdNow runs the command line as main would. A lesson's own "real
// SIGINT" (cancel --interrupt) cancels the context instead, as the signal
// handler in main does.
func runCmdNow(ctx context.Context, args ...string) (string, string, int) {
	var out bytes.Buffer
	errOut, code := runCmdTo(ctx, &out, args...)
	return out.String(), errOut, code
}

// runCmdTo is runCmdNow writing the standard output to out as it comes.
func runCmdTo(ctx context.Context, out io.Writer, args ...string) (string, int) {
	var errb bytes.Buffer
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	code := execute(ctx, testStreams(ctx, cancel, out, &errb), args)
	return errb.String(), code
}

// testStreams are the streams a test runs a command with: no terminal, and
// Ctrl+C as main's signal handler gives it, cancel standing for the
// program's own.
func testStreams(ctx context.Context, cancel context.CancelCauseFunc, out, errOut io.Writer) *IOStreams {
	var mu sync.Mutex
	var claimed context.CancelCauseFunc
	return &IOStreams{
		Out: out, Err: errOut, In: strings.NewReader(""),
		ClaimInterrupt: func() (context.Context, func()) {
			lctx, lcancel := context.WithCancelCause(ctx)
			mu.Lock()
			claimed = lcancel
			mu.Unlock()
			return lctx, func() { lcancel(nil) }
		},
		SelfInterrupt: func() { // as main's signal handler does
			mu.Lock()
			lesson := claimed
			claimed = nil
			mu.Unlock()
			if lesson != nil {
				lesson(errInterrupt)
				return
			}
			cancel(errInterrupt)
		},
	}
}

// lessonInfo returns the registry's Info of the lesson named name, with its
// English texts.
func lessonInfo(t testing.TB, name string) lesson.Info {
	t.Helper()
	for _, l := range demos.All() {
		if l.Info().Name == name {
			return lesson.Describe(l, "en")
		}
	}
	t.Fatalf("no lesson %q in the registry", name)
	return lesson.Info{}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/asyncdemo -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/asyncdemo -update rewrites it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

// The aio style is deterministic: its output is compared whole, for every
// lesson that runs in a synctest bubble (with its AutoArgs), and for the
// flags below.
func TestLessonOutputGolden(t *testing.T) {
	type goldenCase struct{ name, args string }
	var cases []goldenCase
	for _, info := range bubbleLessons(t) {
		cases = append(cases, goldenCase{info.Name, strings.Join(append([]string{info.Name}, info.AutoArgs...), " ")})
	}
	cases = append(cases, []goldenCase{
		{"await_blocking", "await --blocking"},
		{"gather_with_gather", "gather --with gather --durations 3,1,2"},
		{"gather_scale", "gather --scale 0.1 --ascii"},
		{"gather_no_compare", "gather --no-compare --durations 1"},
		{"gather_tasks", "gather --tasks 1000 --scale 0.01"},
		{"gather_json", "gather --json"},
		{"task_json", "task --json"},
		{"nest_gather", "nest --variant gather --durations 4,1,2"},
		{"nest_as_completed", "nest --variant as-completed --durations 4,1,2"},
		{"cancel_outer", "cancel --interrupt=2.5s --mode outer"},
		{"cancel_no_drain", "cancel --interrupt --no-drain"},
		{"gather_big", "gather --big"},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := strings.Fields(c.args)
			out, errOut, code := runCmd(t, args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr: %s", code, errOut)
			}
			golden(t, c.name, inChanceOrder(lessonInfo(t, args[0]), out))
		})
	}
}

func events(t *testing.T, out string) []timing.Event {
	t.Helper()
	var evs []timing.Event
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e timing.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		evs = append(evs, e)
	}
	return evs
}

// Goroutines print in no fixed order at the same instant: the go style is
// compared as JSON events sorted by time, then text.
func TestGoStyleEventsGolden(t *testing.T) {
	var cases []string
	for _, info := range allLessons(t) {
		if goStyleInBubble(info) {
			cases = append(cases, strings.Join(append([]string{info.Name}, info.AutoArgs...), " "))
		}
	}
	for _, lesson := range append(cases, "thread --style aio") {
		t.Run(lesson, func(t *testing.T) {
			args := strings.Fields(lesson)
			if !strings.Contains(lesson, "--style") {
				args = append(args, "--style", "go")
			}
			out, errOut, code := runCmd(t, append(args, "--json")...)
			if code != 0 {
				t.Fatalf("exit %d, stderr: %s", code, errOut)
			}
			evs := events(t, out)
			lines := make([]string, len(evs))
			for i, e := range evs {
				lines[i] = fmt.Sprintf("%-10s|%-7s|%7.3f| %s %s %s", e.Run, e.Kind, e.T.Seconds(), e.Task, e.Text, e.State)
				switch e.Kind {
				case timing.KindSummary:
					lines[i] += fmt.Sprintf("elapsed=%.3f", e.Elapsed.Seconds())
				case timing.KindCompare:
					lines[i] += fmt.Sprintf("%.3f vs %.3f: %.2f", e.Concurrent.Seconds(), e.Sequential.Seconds(), e.Speedup)
				}
			}
			sortWithinInstants(lines)
			golden(t, "go_"+strings.ReplaceAll(strings.ReplaceAll(lesson, " ", "_"), "-", ""), strings.Join(lines, "\n")+"\n")
		})
	}
}

// sortWithinInstants sorts runs of lines that share run, kind and time.
func sortWithinInstants(lines []string) {
	key := func(s string) string { // run and time
		f := strings.SplitN(s, "|", 4)
		return f[0] + "|" + f[2]
	}
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && key(lines[j]) == key(lines[i]) {
			j++
		}
		slices.Sort(lines[i:j])
		i = j
	}
}

func TestGatherTakesLongestNotSum(t *testing.T) {
	for _, style := range []string{"aio", "go"} {
		out, _, code := runCmd(t, "gather", "--json", "--style", style, "--durations", "3,1,2")
		if code != 0 {
			t.Fatalf("%s: exit %d", style, code)
		}
		var compare *timing.Event
		for _, e := range events(t, out) {
			if e.Kind == timing.KindCompare {
				compare = &e
			}
		}
		if compare == nil {
			t.Fatalf("%s: no compare event", style)
		}
		if compare.Concurrent != 3*time.Second || compare.Sequential != 6*time.Second || compare.Speedup != 2 {
			t.Errorf("%s: compare = %v vs %v (%.2f×), want 3s vs 6s (2×)", style, compare.Concurrent, compare.Sequential, compare.Speedup)
		}
	}
}

func TestBlockingAwaitSerialisesOnlyTheLoop(t *testing.T) {
	want := map[string]time.Duration{"aio": 4 * time.Second, "go": 2 * time.Second}
	for style, total := range want {
		out, _, code := runCmd(t, "await", "--blocking", "--json", "--style", style, "--no-compare")
		if code != 0 {
			t.Fatalf("%s: exit %d", style, code)
		}
		for _, e := range events(t, out) {
			if e.Kind == timing.KindSummary && e.Elapsed != total {
				t.Errorf("%s --blocking took %v, want %v", style, e.Elapsed, total)
			}
		}
	}
}

func TestBadInputIsAUsageError(t *testing.T) {
	cases := []struct{ args, mention string }{
		{"gather --durations 1,x", `"--durations" flag: "x"`},
		{"gather --durations ,", `--durations`},
		{"gather --durations -1", `"-1"`},
		{"gather --durations 1e9", `"1e9" is out of range`},
		{"gather --with sleep", `"sleep" is not one of wait, gather`},
		{"gather --tasks lots", `"lots" is not a whole number`},
		{"gather --tasks 100000000", `out of range`},
		{"gather --scale 0", `"0" is out of range`},
		{"gather --scale NaN", `"NaN" is not a number`},
		{"gather --style rust", `"rust" is not one of aio, go`},
		{"gather --lang fr", `"fr" is not one of en, zh`},
		{"gather --vs java", `"java" is not one of python`},
		{"gather --code=ruby", `"ruby" is not one of go, python, both`},
		{"coroutine -x two", `"two"`},
		{"gather --nope", `unknown flag: --nope`},
		{"gatherr", `unknown lesson "gatherr"`},
		{"gather extra", `takes no arguments, got "extra"`},
		{"gather --plain", `--plain goes with --code`},
	}
	for _, c := range cases {
		out, errOut, code := runCmd(t, strings.Fields(c.args)...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2", c.args, code)
		}
		if out != "" {
			t.Errorf("%s: printed to stdout: %q", c.args, out)
		}
		if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.mention) {
			t.Errorf("%s: stderr %q, want one line mentioning %s", c.args, errOut, c.mention)
		}
	}
}

func TestCtrlCStopsALessonPromptly(t *testing.T) {
	for _, args := range [][]string{{"gather"}, {"gather", "--style", "go"}, {"gather", "--tasks", "10000"}} {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			time.AfterFunc(1500*time.Millisecond, func() { cancel(errInterrupt) })
			start := time.Now()
			_, errOut, code := runCmdNow(ctx, args...)
			if code != exitInterrupted {
				t.Errorf("%v: exit %d, want 130; stderr %q", args, code, errOut)
			}
			if took := time.Since(start); took != 1500*time.Millisecond {
				t.Errorf("%v: stopped after %v, want at the interrupt (1.5s)", args, took)
			}
		})
	}
}

func TestTraceFileIsChromeTraceJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	_, errOut, code := runCmd(t, "gather", "--trace", path, "--scale", "0.1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var trace struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &trace); err != nil {
		t.Fatalf("trace is not JSON: %v", err)
	}
	var spans int
	for _, e := range trace.TraceEvents {
		if e["ph"] == "X" {
			spans++
		}
	}
	if spans != 8 { // 3 tasks and the wait task; 3 tasks and main
		t.Errorf("trace has %d spans, want 8", spans)
	}
}

func TestHelpListsLessonsInOrder(t *testing.T) {
	out, _, code := runCmd(t)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var last int
	for _, info := range allLessons(t) {
		name := info.Name
		i := strings.Index(out, "  "+name+" ")
		if i < last {
			t.Errorf("help lists %s out of order:\n%s", name, out)
		}
		last = i
	}
}

// TestCodeGolden keeps what --code shows for every lesson and style.
func TestCodeGolden(t *testing.T) {
	for _, info := range allLessons(t) {
		lesson := info.Name
		for _, style := range []string{"aio", "go"} {
			out, errOut, code := runCmd(t, lesson, "--code=go", "--style", style)
			if code != 0 {
				t.Fatalf("%s --code: exit %d: %s", lesson, code, errOut)
			}
			golden(t, "code_"+lesson+"_"+style, out)
		}
		out, errOut, code := runCmd(t, lesson, "--code=python")
		if code != 0 || !strings.Contains(out, "import asyncio") {
			t.Errorf("%s --code=python: exit %d: %s%s", lesson, code, out, errOut)
		}
	}
	if _, errOut, code := runCmd(t, "push", "--code", "1"); code != 2 || !strings.Contains(errOut, "tool") {
		t.Errorf("push --code: exit %d, %q", code, errOut)
	}
}

// TestChineseTextsGolden keeps every lesson's Chinese texts as shown.
func TestChineseTextsGolden(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no tour progress: list shows no ✓
	var cases []string
	for _, info := range bubbleLessons(t) {
		cases = append(cases, strings.Join(append([]string{info.Name}, info.AutoArgs...), " "))
	}
	for _, args := range append(cases, "list") {
		out, errOut, code := runCmd(t, append(strings.Fields(args), "--lang", "zh")...)
		if code != 0 {
			t.Fatalf("%s --lang zh: exit %d: %s", args, code, errOut)
		}
		if name := strings.Fields(args)[0]; name != "list" {
			out = inChanceOrder(lessonInfo(t, name), out)
		}
		golden(t, "zh_"+strings.Fields(args)[0], out)
	}
}

// A Redis password never reaches the screen, whichever way the URL comes.
func TestRedisPasswordsAreNeverPrinted(t *testing.T) {
	for _, args := range [][]string{
		{"queue", "--redis", "redis://:hunter22@127.0.0.1:6379/3x"},
		{"push", "--redis", "redis://alice:hunter22@127.0.0.1:notaport/3", "1"},
		{"workers", "--redis=redis://:hunter22@[::1/3"},
	} {
		out, errOut, code := runCmd(t, args...)
		if code != exitUsage || strings.Contains(out+errOut, "hunter22") || !strings.Contains(errOut, "xxxxx") {
			t.Errorf("%q: exit %d, printed %q %q; want 2 and the password as xxxxx", args, code, out, errOut)
		}
	}
	t.Setenv("REDIS_URL", "redis://:hunter22@127.0.0.1:6379/x")
	out, errOut, code := runCmd(t, "queue")
	if code != exitUsage || strings.Contains(out+errOut, "hunter22") {
		t.Errorf("REDIS_URL: exit %d, printed %q %q", code, out, errOut)
	}
}
