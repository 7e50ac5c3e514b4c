package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/explain"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
	"github.com/rivo/uniseg"
)

// corpus is where explain's test programs are, from this package.
const corpus = "../../demos/explain/testdata"

// explainPython skips a test that needs CPython 3.11+ where there is none
// (fails it under CI), and under go test -short.
func explainPython(t *testing.T) {
	t.Helper()
	testenv.SkipShort(t, "CPython")
	if _, err := (twin.Runner{}).Interpreter(context.Background()); err != nil {
		testenv.Missing(t, "CPython 3.11 or newer", err.Error(), "install python3 (3.11+)")
	}
}

// pythonVersion masks the interpreter's version, which differs from machine
// to machine, in a golden file.
var pythonVersion = regexp.MustCompile(`(CPython|python) 3\.\d+\.\d+`)

// TestExplainGolden runs a program that blocks its loop on virtual time,
// so that every time is exact, and compares the whole output: the
// program's lines with their tasks, the timeline, the findings.
func TestExplainGolden(t *testing.T) {
	explainPython(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			var out, errOut bytes.Buffer
			eo := &explainOptions{
				IO:      &IOStreams{Out: &out, Err: &errOut, In: strings.NewReader(""), Width: 80},
				Program: explain.Program{Script: "blocking.py"}, Dir: corpus, Slow: explain.DefaultSlow,
				Lang: lang, VirtualTime: true,
			}
			if err := explainRun(context.Background(), eo); err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			name := "explain_blocking"
			if lang != "en" {
				name = lang + "_" + name
			}
			golden(t, name, pythonVersion.ReplaceAllString(out.String(), "$1 3.x"))
		})
	}
}

func TestExplainJSON(t *testing.T) {
	explainPython(t)
	trace := filepath.Join(t.TempDir(), "trace.json")
	// The flags after the program, as the issue writes them: asyncdemo explain my.py --json.
	out, errOut, code := runCmdNow(context.Background(), "explain", "--virtual-time", filepath.Join(corpus, "blocking.py"),
		"--json", "--trace", trace)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	kinds := map[string]int{}
	var blocking timing.Event
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e timing.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON event: %q: %v", line, err)
		}
		kinds[e.Kind]++
		if e.Kind == timing.KindFinding && e.Finding == explain.FindingBlocking {
			blocking = e
		}
	}
	if kinds[timing.KindEvent] != 5 || kinds[timing.KindState] != 8 || kinds[timing.KindFinding] != 2 || kinds[timing.KindSummary] != 1 {
		t.Errorf("kinds %v, want 5 lines, a pending and an end for each of 4 tasks, 2 findings, a summary\n%s", kinds, out)
	}
	want := timing.Event{Kind: timing.KindFinding, Run: filepath.Join(corpus, "blocking.py"), Style: "python", Task: "Task-3 blocker",
		Elapsed: 500 * time.Millisecond, Finding: "blocking", File: filepath.Join(corpus, "blocking.py"), Line: 17, Lesson: "await --blocking"}
	blocking.Text = ""
	if blocking != want {
		t.Errorf("blocking finding %+v\nwant %+v", blocking, want)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) || !bytes.Contains(b, []byte(`{"name":"held","ph":"X"`)) || !bytes.Contains(b, []byte(`"name":"Task-3 blocker blocking.py:15"`)) {
		t.Errorf("trace:\n%s", b)
	}
}

func TestExplainBadInput(t *testing.T) {
	explainPython(t)
	cases := []struct {
		name     string
		args     []string
		code     int
		out, err string // what they must contain; err "" must be empty
	}{
		{"no program", []string{"explain"}, exitUsage, "", "asyncdemo: explain needs a program: asyncdemo explain PROGRAM.py [ARGS...], or -m MODULE\n"},
		{"no such file", []string{"explain", "no/such.py"}, exitUsage, "", "asyncdemo: explain: no/such.py: no such file\n"},
		{"a bad --slow", []string{"explain", "--slow", "0", "x.py"}, exitUsage, "", `--slow`},
		{"--vs is no explain flag", []string{"explain", "--vs", "python", filepath.Join(corpus, "blocking.py")}, exitUsage, "",
			"asyncdemo: --vs does not apply to explain, which runs your program as it is\n"},
		{"no Python", []string{"explain", "--python", "/no/python3", filepath.Join(corpus, "blocking.py")}, exitFailure, "",
			"asyncdemo: explain: --python /no/python3: not found"},
		{"a syntax error is Python's own", []string{"explain", "--no-color", filepath.Join(corpus, "syntax_error.py")}, 1,
			"SyntaxError: invalid syntax\n", ""},
		{"the exit code is the program's, and so are the arguments after it", []string{"explain", filepath.Join(corpus, "no_asyncio.py"), "x", "-v"}, 3,
			"hello x -v\n", ""},
		{"asyncdemo's flags may follow the program; after -- all is the program's", []string{"explain", filepath.Join(corpus, "no_asyncio.py"),
			"--its-own", "--lang", "zh", "-v", "--no-color", "--", "--json", "--"}, 3, "hello --its-own -v --json --\n", ""},
		{"a flag of asyncdemo's after the program, without its value", []string{"explain", filepath.Join(corpus, "no_asyncio.py"), "--slow"},
			exitUsage, "", "asyncdemo: explain: flag needs an argument: --slow\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCmdNow(context.Background(), c.args...)
			if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.err) || (c.err == "") != (errOut == "") ||
				strings.Count(errOut, "\n") > 1 {
				t.Errorf("exit %d, stdout:\n%s\nstderr: %q\nwant exit %d, stdout with %q, stderr with %q", code, out, errOut, c.code, c.out, c.err)
			}
		})
	}
	// A syntax error: Python's message and nothing of asyncdemo's after it.
	out, _, _ := runCmdNow(context.Background(), "explain", "--no-color", filepath.Join(corpus, "syntax_error.py"))
	if !strings.HasSuffix(out, "SyntaxError: invalid syntax\n") || strings.Contains(out, "found") {
		t.Errorf("syntax error:\n%s", out)
	}
}

func TestExplainEscapesTheProgramsOutput(t *testing.T) {
	explainPython(t)
	out, errOut, code := runCmdNow(context.Background(), "explain", filepath.Join(corpus, "escapes.py"))
	if code != exitOK || strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `\x1b]0;pwned\x07title \x1b[31mred\x1b[0m`) {
		t.Errorf("exit %d (%s):\n%q", code, errOut, out)
	}
}

// TestExplainCtrlCGoesToTheProgram runs the built binary in a process
// group of its own and sends the group SIGINT, as a terminal's Ctrl+C
// does: the program gets it (asyncio.run cancels main, then
// KeyboardInterrupt), asyncdemo shows what it found until then and exits
// with the program's code, 130.
func TestExplainCtrlCGoesToTheProgram(t *testing.T) {
	explainPython(t)
	bin := binary(t)
	cmd := exec.Command(bin, "explain", "--no-color", filepath.Join(corpus, "forever.py"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	var out bytes.Buffer
	sc := bufio.NewScanner(io.TeeReader(stdout, &out))
	for sc.Scan() && !strings.HasSuffix(sc.Text(), "  ready") {
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	out.Write(rest)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Errorf("exit %v, want %d", err, exitInterrupted)
	}
	for _, want := range []string{"KeyboardInterrupt", "forever.py exited with status 130", "Stopped by Ctrl+C at", "Ctrl+C", "Summary"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s\nstderr: %s", want, out.String(), stderr.String())
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// bareFigure matches a finding heading's part that is a figure alone,
// "— 0.502 s", which does not say what the figure is.
var bareFigure = regexp.MustCompile(`—\s*[0-9][0-9.,]*\s*(s|ms|秒)?\s*(—|$)`)

// TestExplainHeadingsSayWhatTheFigureIs runs programs whose findings have
// a cost (a blocking call, awaits one after another) in each language, in
// a 50-column terminal, and checks that each heading says in words what
// its figure is, on one line: "held the loop 0.500 s", not "0.500 s".
func TestExplainHeadingsSayWhatTheFigureIs(t *testing.T) {
	explainPython(t)
	for _, lang := range lesson.Languages {
		labels := lesson.Labels(lang)
		for _, c := range []struct{ script, key, figure string }{
			{"blocking.py", "explain_cost_held", "0.500 s"},
			{"missed.py", "explain_cost_saved", "0.300 s"},
		} {
			t.Run(lang+"/"+c.script, func(t *testing.T) {
				var out, errOut bytes.Buffer
				eo := &explainOptions{
					IO:      &IOStreams{Out: &out, Err: &errOut, In: strings.NewReader(""), Width: 50},
					Program: explain.Program{Script: c.script}, Dir: corpus, Slow: explain.DefaultSlow,
					Lang: lang, VirtualTime: true,
				}
				if err := explainRun(context.Background(), eo); err != nil {
					t.Fatalf("%v\n%s", err, errOut.String())
				}
				_, found, _ := strings.Cut(out.String(), fmt.Sprintf(labels["explain_findings"], c.script))
				words := fmt.Sprintf(labels[c.key], c.figure)
				headings := 0
				for _, line := range strings.Split(found, "\n") {
					if bareFigure.MatchString(line) {
						t.Errorf("a heading shows a bare figure: %q", line)
					}
					if strings.Contains(line, words) {
						headings++
						if w := uniseg.StringWidth(line); w > 50 {
							t.Errorf("heading line %q is %d columns wide, in a 50-column terminal", line, w)
						}
					}
				}
				if headings != 1 {
					t.Errorf("%q is on %d lines of the findings, want 1 (the heading's):\n%s", words, headings, found)
				}
			})
		}
	}
}

// TestFindingHeading lays out headings without Python: the cost after
// the place when the whole fits, else whole on a line of its own; never a
// figure without its words.
func TestFindingHeading(t *testing.T) {
	f := explain.Finding{Title: "Blocking call", Where: "my.py:17", Cost: 500 * time.Millisecond,
		CostText: "held the loop 0.500 s"}
	for _, c := range []struct {
		f     explain.Finding
		width int
		want  string
	}{
		{f, 77, "1. Blocking call — my.py:17 — held the loop 0.500 s"},
		{f, 51, "1. Blocking call — my.py:17 — held the loop 0.500 s"},
		{f, 50, "1. Blocking call — my.py:17\nheld the loop 0.500 s"},
		{explain.Finding{Title: "Garbage collection", Cost: time.Second, CostText: "paused the loop 1.000 s in all"}, 77,
			"1. Garbage collection — paused the loop 1.000 s in all"},
		{explain.Finding{Title: "Blocking call", Where: "my.py:17", Cost: time.Second}, 77, "1. Blocking call — my.py:17"},
	} {
		if got := findingHeading(1, c.f, c.width); got != c.want || bareFigure.MatchString(got) {
			t.Errorf("findingHeading(%+v, %d) = %q, want %q", c.f, c.width, got, c.want)
		}
	}
}

func TestExplainWordsAreInTheCatalogues(t *testing.T) {
	en := lesson.Labels("en")
	for _, key := range []string{"explain_heading", "explain_exit", "explain_interrupted", "explain_findings",
		"explain_legend_ran", "explain_legend_waiting", "explain_legend_held", "explain_legend_cancelled", "explain_legend_error"} {
		if en[key] == "" {
			t.Errorf("no label %q", key)
		}
	}
}

// TestExplainInARealTerminal runs asyncdemo explain in tmux as a person
// would: a program that reads stdin gets what they type; Ctrl+C on a
// program that runs for ever reaches the program (Python's
// KeyboardInterrupt, exit 130, as without asyncdemo), and what was found
// until then is shown; the terminal is left as it was.
func TestExplainInARealTerminal(t *testing.T) {
	explainPython(t)
	bin := binary(t)
	dir, err := filepath.Abs(corpus)
	if err != nil {
		t.Fatal(err)
	}
	s := newTmux(t, "LANG=C.UTF-8", "PS1=$ ")
	s.keys("cd "+dir, "Enter")

	// (What it waits for is never in the typed command: "exit=[$?]" shows
	// as typed, and the status as "exit=[0]".)
	s.keys("clear; "+bin+" explain prompt.py; echo exit=[$?]", "Enter")
	s.waitFor("name? ", 1)
	s.keys("bob", "Enter")
	s.waitFor("exit=[0]", 1)
	if scr := s.screen(); !strings.Contains(scr, "hello bob") {
		t.Errorf("the program did not get what was typed:\n%s", scr)
	}

	s.keys("clear; "+bin+" explain forever_blocked.py; echo exit=[$?]", "Enter")
	s.waitFor("now waiting for Ctrl+C", 1)
	s.keys("C-c")
	s.waitFor("exit=[130]", 1)
	scr := s.screen()
	for _, want := range []string{"KeyboardInterrupt", "forever_blocked.py exited with status 130", "Stopped by Ctrl+C at",
		"1. Blocking call — forever_blocked.py:9", "Summary"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the screen lacks %q:\n%s", want, scr)
		}
	}
	s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo", "Enter")
	s.waitFor("icanon echo", 1)
	if scr := s.screen(); strings.Contains(scr, "-icanon") || strings.Contains(scr, "-echo ") {
		t.Errorf("the terminal was left changed:\n%s", scr)
	}
}
