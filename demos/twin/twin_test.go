package twin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/timing"
)

// twins returns the names of the embedded twins: py/*.py but the helpers.
func twins(t *testing.T) []string {
	t.Helper()
	paths, err := fs.Glob(files, "py/*.py")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		if name := strings.TrimSuffix(path.Base(p), ".py"); !strings.HasPrefix(name, "_") {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		t.Fatal("no twins embedded")
	}
	return names
}

func TestSourceOfEveryTwin(t *testing.T) {
	for _, name := range twins(t) {
		src, ok := Source(name)
		if !ok {
			t.Errorf("Source(%q): no twin", name)
			continue
		}
		for _, must := range []string{"import asyncio", "from _asyncdemo import", `"""Lesson `} {
			if !strings.Contains(src, must) {
				t.Errorf("Source(%q) lacks %q", name, must)
			}
		}
	}
	for _, name := range []string{"push", "sms-server", "_asyncdemo", "_asyncrec", "", "../twin", "py/gather", "gather.py"} {
		if _, ok := Source(name); ok {
			t.Errorf("Source(%q) found a twin", name)
		}
	}
}

func TestWriteFilesWritesTheHelpersToo(t *testing.T) {
	dir := t.TempDir()
	if err := writeFiles(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range append(twins(t), "_asyncdemo", "_asyncrec") {
		if _, err := os.Stat(filepath.Join(dir, name+".py")); err != nil {
			t.Error(err)
		}
	}
}

func TestEventsReadsJSONLines(t *testing.T) {
	in := `{"kind":"event","t":1.002,"run":"concurrent","style":"python","task":"do_some_work(2)","text":"Waiting: 2"}

{"kind":"state","t":0.0,"run":"run","style":"python","task":"do_some_work(2)","state":"pending"}
{"kind":"summary","run":"concurrent","style":"python","elapsed":4.003}
{"kind":"compare","concurrent":4.003,"sequential":7.004,"speedup":1.75}
`
	evs, err := Events(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []timing.Event{
		{Kind: "event", T: 1002 * time.Millisecond, Run: "concurrent", Style: "python", Task: "do_some_work(2)", Text: "Waiting: 2"},
		{Kind: "state", Run: "run", Style: "python", Task: "do_some_work(2)", State: "pending"},
		{Kind: "summary", Run: "concurrent", Style: "python", Elapsed: 4003 * time.Millisecond},
		{Kind: "compare", Concurrent: 4003 * time.Millisecond, Sequential: 7004 * time.Millisecond, Speedup: 1.75},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i := range want {
		if evs[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, evs[i], want[i])
		}
	}
	for _, bad := range []string{"{\"kind\":\"event\"}\nnot json\n", "{\"kind\":\"event\"}\n{\"t\":1}\n"} {
		if _, err := Events(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("Events(%q) = %v, want an error naming line 2", bad, err)
		}
	}
}

// fakePython writes a shell script that stands in for a Python 3.11
// interpreter: it answers the version probe, and runs body for a twin.
func fakePython(t *testing.T, body string) string {
	t.Helper()
	return fakePythonVersion(t, "3.11.9", body)
}

// fakePythonVersion is fakePython answering that it is version v ("" for
// no answer, as a program that is no Python).
func fakePythonVersion(t *testing.T, v, body string) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run a fake interpreter")
	}
	path := filepath.Join(t.TempDir(), "python3")
	probe := `if [ "$1" = -S ] && [ "$2" = -c ]; then echo ` + v + `; exit 0; fi` + "\n"
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+probe+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunnerErrors(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer

	err := Runner{Python: filepath.Join(t.TempDir(), "no-such-python")}.Run(ctx, "gather", nil, &out)
	if !errors.Is(err, ErrNoPython) {
		t.Errorf("--python pointing nowhere: %v, want ErrNoPython", err)
	}
	if err == nil || !strings.Contains(err.Error(), "apt-get install python3") {
		t.Errorf("the error does not say how to install Python: %v", err)
	}

	if err := (Runner{}).Run(ctx, "push", nil, &out); err == nil || !strings.Contains(err.Error(), `no python twin for lesson "push"`) {
		t.Errorf("a lesson with no twin: %v", err)
	}

	msg := "the python twin of queue needs the redis and aiohttp modules: apt-get install python3-redis python3-aiohttp (or pip install redis aiohttp)"
	missing := fakePython(t, "echo '"+msg+"' >&2; exit 3")
	err = Runner{Python: missing}.Run(ctx, "queue", nil, &out)
	if !errors.Is(err, ErrMissingModules) || !strings.Contains(err.Error(), msg) {
		t.Errorf("exit 3: %v, want ErrMissingModules with the twin's message", err)
	}

	failing := fakePython(t, "echo 'Traceback (most recent call last):' >&2; echo 'ValueError: boom' >&2; exit 1")
	err = Runner{Python: failing}.Run(ctx, "gather", nil, &out)
	if err == nil || errors.Is(err, ErrNoPython) || !strings.Contains(err.Error(), "ValueError: boom") || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("exit 1: %v, want the exit status and the end of stderr", err)
	}

	old := fakePythonVersion(t, "3.10.13", "echo 'the twin ran' >&2; exit 1")
	if err := (Runner{Python: old}).Run(ctx, "gather", nil, &out); !errors.Is(err, ErrOldPython) ||
		err.Error() != "--python "+old+" is Python 3.10.13: the python twins need Python 3.11 or newer" {
		t.Errorf("Python 3.10: %v, want ErrOldPython, one line, without running the twin", err)
	}

	notPython := fakePythonVersion(t, "", "exit 0")
	if err := (Runner{Python: notPython}).Run(ctx, "gather", nil, &out); !errors.Is(err, ErrNoPython) || !strings.Contains(err.Error(), "not a Python interpreter") {
		t.Errorf("a program that is no Python: %v, want ErrNoPython saying so", err)
	}
}

func TestRunnerPassesArgsAndStreamsStdout(t *testing.T) {
	echo := fakePython(t, `shift 3; echo "{\"kind\":\"event\",\"t\":0.0,\"run\":\"run\",\"text\":\"$*\"}"`)
	var out bytes.Buffer
	if err := (Runner{Python: echo}).Run(context.Background(), "gather", []string{"--json", "--scale", "0.1"}, &out); err != nil {
		t.Fatal(err)
	}
	evs, err := Events(&out)
	if err != nil || len(evs) != 1 || evs[0].Text != "--json --scale 0.1" {
		t.Errorf("events %+v, %v; want the args echoed", evs, err)
	}
}

// startReady runs the fake twin python, which prints "ready" and then
// waits, and returns once it is ready a function that presses Ctrl+C (ctx
// done) and returns what Run returned.
func startReady(t *testing.T, python string, grace time.Duration) (ctrlC func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	done := make(chan error, 1)
	go func() {
		done <- Runner{Python: python, Grace: grace}.Run(ctx, "workers", nil, w)
		w.Close()
	}()
	buf := make([]byte, 6)
	if _, err := r.Read(buf); err != nil || string(buf) != "ready\n" {
		cancel()
		<-done
		t.Fatalf("read %q, %v", buf, err)
	}
	return func() error {
		cancel()
		return <-done
	}
}

func TestRunnerStopsTheTwinWithSIGINT(t *testing.T) {
	// The fake twin says it is ready, then exits 130 on SIGINT, as a twin does.
	sleeper := fakePython(t, `trap 'echo interrupted >&2; exit 130' INT; echo ready; while :; do sleep 0.05; done`)
	ctrlC := startReady(t, sleeper, 5*time.Second)
	start := time.Now()
	if err := ctrlC(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	// Under the 5 s grace, however loaded the machine: past it, the twin
	// was killed, not stopped by SIGINT.
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("took %v to stop: SIGINT was not sent, and the twin was killed after the grace", took)
	}
}

func TestRunnerKillsATwinThatIgnoresSIGINT(t *testing.T) {
	stubborn := fakePython(t, `trap '' INT; echo ready; while :; do sleep 0.05; done`)
	ctrlC := startReady(t, stubborn, 200*time.Millisecond)
	if err := ctrlC(); err == nil || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Run = %v, want an error saying the twin was killed, not a clean stop", err)
	}
}

// pythonFor returns an interpreter for a twin that needs no module beyond
// the standard library, or skips the test (fails it under CI) as testenv
// says; go test -short skips it too.
func pythonFor(t *testing.T) string {
	t.Helper()
	testenv.SkipShort(t, "a Python twin")
	path, err := Runner{}.Interpreter(context.Background())
	if err != nil {
		testenv.Missing(t, "a Python for the twins", err.Error(), "install python3 (3.11+)")
	}
	return path
}

func TestRunnerRunsARealTwin(t *testing.T) {
	python := pythonFor(t)
	var out bytes.Buffer
	err := Runner{Python: python}.Run(context.Background(), "nest", []string{"--json", "--scale", "0.01", "--variant", "as-completed", "--durations", "4,1,2"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := Events(&out)
	if err != nil {
		t.Fatal(err)
	}
	var rets []string
	for _, e := range evs {
		if e.Style != "python" || e.Run != "as-completed" {
			t.Errorf("event %+v: want style python, run as-completed", e)
		}
		if r, ok := strings.CutPrefix(e.Text, "Task ret: "); ok {
			rets = append(rets, r)
		}
	}
	if got := strings.Join(rets, ", "); got != "Done after 1s, Done after 2s, Done after 4s" {
		t.Errorf("as_completed gave %s, want completion order", got)
	}

	err = Runner{Python: python}.Run(context.Background(), "gather", []string{"--durations", "1,x"}, &out)
	if err == nil || !strings.Contains(err.Error(), "exit status 2") || !strings.Contains(err.Error(), "--durations: 'x' is not a number of seconds") {
		t.Errorf("a bad flag: %v, want exit 2 naming the flag and the value", err)
	}
}

func TestMissingModulesIsOneLineNotATraceback(t *testing.T) {
	python := pythonFor(t)
	// An empty directory first on PYTHONPATH with a redis.py that fails to
	// import stands in for a machine without the module.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "redis.py"), []byte("raise ImportError('no redis here')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYTHONPATH", dir)
	var out bytes.Buffer
	err := Runner{Python: python}.Run(context.Background(), "queue", []string{"--redis", "redis://127.0.0.1:1/3"}, &out)
	if !errors.Is(err, ErrMissingModules) {
		t.Fatalf("Run = %v, want ErrMissingModules", err)
	}
	want := "the python twin of queue needs the redis and aiohttp modules: apt-get install python3-redis python3-aiohttp (or pip install redis aiohttp)"
	if !strings.HasSuffix(err.Error(), want) || strings.Contains(err.Error(), "Traceback") {
		t.Errorf("error %q, want it to end with %q", err, want)
	}
}

// TestTwinsPrintOutsideTextAsAsyncdemoDoes: a twin run on its own prints
// text from outside (an HTTP answer, a queue's values) through printable,
// which escapes what could act on a terminal exactly as timing.Printable
// does for asyncdemo's own output: an ESC never reaches the terminal.
func TestTwinsPrintOutsideTextAsAsyncdemoDoes(t *testing.T) {
	python := pythonFor(t)
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	samples := []string{"plain 中文 é", "title\x1b]0;pwned\x07", "tab\tnewline\nbell\x07 del\x7f c1\u0085", "rtl \u202eevil\u202c \u2066x\u2069 \u200f \u061c", "\x00\x1b[2J"}
	in, err := json.Marshal(samples)
	if err != nil {
		t.Fatal(err)
	}
	code := "import json, sys\nfrom _asyncdemo import printable\nprint(json.dumps([printable(s) for s in json.loads(sys.stdin.read())]))"
	cmd := exec.Command(python, "-c", code)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", python, err)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for i, s := range samples {
		if want := timing.Printable(s); i >= len(got) || got[i] != want {
			t.Errorf("printable(%q) = %q, want %q", s, got[min(i, len(got)-1)], want)
		}
	}
}
