package explain

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/twin"
)

// checked runs testdata/check/name on virtual time with Config.Check.
func checked(t *testing.T, name string, limit time.Duration) *Recording {
	t.Helper()
	rec, _ := explainProgram(t, Program{Script: name}, Config{Dir: "testdata/check", VirtualTime: true, Check: true, Limit: limit})
	return rec
}

// TestCheckRecordsTimers checks that each asyncio.sleep is a timer with
// the call that set it, due when it was, and that a timeout that did not
// expire was cancelled.
func TestCheckRecordsTimers(t *testing.T) {
	rec := checked(t, "sleeps.py", 0)
	type got struct {
		call           string
		set, due       time.Duration
		cancelled      bool
		stackLen, line int
	}
	var gots []got
	for _, tm := range rec.Timers {
		g := got{set: tm.Set, due: tm.Due, cancelled: tm.Cancelled, stackLen: len(tm.Stack)}
		if len(tm.Stack) > 0 {
			g.call, g.line = tm.Stack[0].Call(), tm.Stack[0].Line
		}
		gots = append(gots, g)
	}
	s := time.Second
	want := []got{
		{"download(1)", 0, s, false, 2, 6},
		{"download(2)", s, 3 * s, false, 2, 6},
		{"main()", 3 * s, 13 * s, true, 1, 13}, // the timeout, cancelled at 3.5 s
		{"download(0.5)", 3 * s, 3*s + s/2, false, 1, 6},
		{"download(0.25)", 3 * s, 3*s + s/4, false, 1, 6},
	}
	if !slices.Equal(gots, want) {
		t.Errorf("timers:\n%+v\nwant\n%+v", gots, want)
	}
	if len(rec.Timers) == 5 && rec.Timers[2].CancelledAt != 3*s+s/2 {
		t.Errorf("the timeout was cancelled at %v, want 3.5s", rec.Timers[2].CancelledAt)
	}
	var calls []string
	for _, task := range rec.Tasks {
		if !task.Hidden {
			calls = append(calls, rec.Call(task))
		}
	}
	if want := []string{"main()", "download(0.5)", "download(0.25)"}; !slices.Equal(calls, want) {
		t.Errorf("tasks %q, want %q", calls, want)
	}
	if len(rec.Tampered) != 0 || rec.Limited || rec.Exit != 0 {
		t.Errorf("tampered %q, limited %v, exit %d", rec.Tampered, rec.Limited, rec.Exit)
	}
}

// TestCheckReportsTampering checks that a program that replaces
// asyncio.sleep and time.monotonic and patches its loop's clock is
// reported, and that what it writes to the recorder's old fd does not
// reach asyncdemo.
func TestCheckReportsTampering(t *testing.T) {
	rec := checked(t, "patches.py", time.Minute)
	for _, want := range []string{"asyncio.sleep", "time.monotonic", "the event loop's time"} {
		if !slices.Contains(rec.Tampered, want) {
			t.Errorf("tampered %q, want %q among them", rec.Tampered, want)
		}
	}
	if rec.Elapsed != 500*time.Millisecond {
		t.Errorf("elapsed %v, want the 0.5 s its sleep took (not the 4 s it wrote on fd 3)", rec.Elapsed)
	}
}

// TestCheckLimitStopsAProgramThatWaitsForEver checks that a program on
// virtual time that would wait for ever is stopped at its limit, saying
// where it waited.
func TestCheckLimitStopsAProgramThatWaitsForEver(t *testing.T) {
	rec := checked(t, "forever.py", 30*time.Second)
	if !rec.Limited || rec.Elapsed != 30*time.Second {
		t.Fatalf("limited %v after %v, want stopped at 30s", rec.Limited, rec.Elapsed)
	}
	main := rec.Tasks[0]
	if p, ok := rec.Waiting(main.ID); !ok || p.Line != 6 {
		t.Errorf("main waited at %+v (%v), want line 6", p, ok)
	}
}

// TestCheckIgnoresPythonPath checks that what PYTHONPATH would run before
// the recorder (a sitecustomize.py that replaces asyncio.sleep) does not
// run under a check, and that a recorder edited in the cache is written
// again before it runs.
func TestCheckIgnoresPythonPath(t *testing.T) {
	python(t)
	site, err := filepath.Abs("testdata/check/site")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYTHONPATH", site)
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // a cache of its own: other tests read the shared one
	path, _, err := twin.Recorder()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("raise SystemExit('an edited recorder ran')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, lines := explainProgram(t, Program{Script: "sleeps.py"}, Config{Dir: "testdata/check", VirtualTime: true, Check: true})
	for _, l := range lines {
		t.Errorf("the program wrote %q", l.Text)
	}
	if rec.Elapsed != 3500*time.Millisecond || len(rec.Tampered) != 0 {
		t.Errorf("elapsed %v, tampered %q: want 3.5 s, nothing", rec.Elapsed, rec.Tampered)
	}
}
