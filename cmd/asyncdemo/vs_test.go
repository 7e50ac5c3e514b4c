package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// TestVsPythonTimelines runs lessons with --vs python and checks the
// timeline they draw: each Go run with the twin's run of the same name
// right under it, on one axis, and, read back from the --trace file, the
// twin's bars where the Go run has them. Bars are compared for the
// lessons' own work (do_some_work, more_work); the task that drives a run
// is the tutorial's in Go ("wait", "main") and modern Python's in the twin
// (the coroutine asyncio.run runs), so those rows are not.
func TestVsPythonTimelines(t *testing.T) {
	cases := []struct {
		args   []string
		titles []string // the timeline's run titles, top to bottom, without the times
	}{
		{[]string{"gather"}, []string{"concurrent (aio)", "concurrent (python)", "sequential (aio)", "sequential (python)"}},
		{[]string{"gather", "--durations", "4,1,2", "--no-compare"}, []string{"concurrent (aio)", "concurrent (python)"}},
		{[]string{"thread"}, []string{"threadsafe-call (aio)", "threadsafe-call (python)", "threadsafe-coroutine (aio)", "threadsafe-coroutine (python)"}},
		{[]string{"cancel", "--interrupt=1.5s"}, []string{"cancel-tasks (aio)", "cancel-tasks (python)"}},
		{[]string{"nest", "--variant", "as-completed"}, []string{"as-completed (aio)", "as-completed (python)"}},
		{[]string{"queue"}, []string{"queue-poll (aio)", "queue-poll (python)"}},
		{[]string{"sms"}, []string{"sms (aio)", "sms (python)"}},
		{[]string{"workers"}, []string{"workers (aio)", "workers (python)"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel() // the runs mostly sleep
			twinPython(t, c.args[0])
			trace := filepath.Join(t.TempDir(), "trace.json")
			// The report holds the twin to 25% of each time plus 50 ms: at
			// 0.3 a lesson-second is 300 ms, so a loaded machine's stall
			// of 100 ms is still within 25% of any event past the first
			// second, and a difference of a lesson-second is not.
			scale := "0.3"
			if lessonInfo(t, c.args[0]).Network {
				scale = "0.2" // as the fidelity test: the queue lessons' own waits are scaled to it
			}
			args := append(slices.Clone(c.args), "--vs", "python", "--scale", scale, "--no-color", "--trace", trace)
			out, errOut, code := runCmdNow(context.Background(), args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s\n%s", code, errOut, out)
			}
			var titles []string
			for _, m := range runTitle.FindAllStringSubmatch(out, -1) {
				titles = append(titles, m[1])
			}
			if !slices.Equal(titles, c.titles) {
				t.Errorf("timeline runs %q, want %q\n%s", titles, c.titles, out)
			}
			if d := untimedDifferences(out); len(d) > 0 {
				t.Errorf("the runs differ other than in time: %q\n%s", d, out)
			}
			checkTwinBars(t, trace, scale)
		})
	}
}

// untimedDifferences returns the differences a --vs python report lists
// other than in time ("time differs", "total differs"). Both runs here are
// on real time, where a loaded machine can delay one side's thread or
// process by tens of milliseconds (a Python thread's first step came 56 ms
// late at a load average of 8.5): the times are TestTwinFidelity's to
// check, on virtual time where the lesson allows it; this test checks the
// drawing, and that both sides printed the same events in the same order.
func untimedDifferences(report string) []string {
	_, list, ok := strings.Cut(report, "difference(s):\n")
	if !ok {
		return nil
	}
	var diffs []string
	for _, line := range strings.Split(list, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if !strings.Contains(line, ": time differs: ") && !strings.Contains(line, ": total differs: ") {
			diffs = append(diffs, line)
		}
	}
	// An event python "lacks" at one time and "adds" at another is the
	// same event, moved in time past an event of another thread or
	// process (sms: the twin's consumer, slow to start at a load average
	// of 6, printed "Waiting: 5" after the producer's next LPUSH): a
	// difference in time, not in what was printed.
	moved := func(d string) (run, event string, ok bool) {
		for _, kind := range []string{": python lacks ", ": python adds "} {
			if run, rest, found := strings.Cut(d, kind); found {
				if i := strings.LastIndex(rest, " at "); i >= 0 {
					return run, rest[:i], true
				}
			}
		}
		return "", "", false
	}
	var kept []string
	for i, d := range diffs {
		run, event, ok := moved(d)
		paired := false
		for j, e := range diffs {
			if r, ev, ok2 := moved(e); ok && ok2 && j != i && r == run && ev == event &&
				strings.Contains(d, ": python lacks ") != strings.Contains(e, ": python lacks ") {
				paired = true
			}
		}
		if !paired {
			kept = append(kept, d)
		}
	}
	return kept
}

// runTitle matches a run's title line in a timeline, such as
// "concurrent (python) 0.403s".
var runTitle = regexp.MustCompile(`(?m)^(\S+ \((?:aio|go|python)\)) [0-9.]+m?s$`)

// bar is a task's bar in a trace.
type bar struct {
	run, style, task, state string
	start, end              time.Duration
}

// checkTwinBars reads a --trace file written with --vs python and checks
// that the python runs have the lesson's bars of the aio runs: the same
// tasks, ending the same way, at about the same times. Both runs are on
// real time at scale, where a loaded machine delays a Python process's
// first steps by tens of milliseconds (53 ms at a load average of 10): a
// bar may be off by the fidelity test's ratio or half a lesson-second,
// whichever is more, so that a bar a whole lesson-second out of place
// still fails.
func checkTwinBars(t *testing.T, path, scale string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var trace struct {
		TraceEvents []struct {
			Name, Ph string
			Pid      int
			Ts, Dur  float64
			Args     map[string]any
		}
	}
	if err := json.Unmarshal(b, &trace); err != nil {
		t.Fatalf("the trace is not JSON: %v", err)
	}
	runs, styles := map[int]string{}, map[int]string{}
	for _, e := range trace.TraceEvents {
		switch {
		case e.Ph == "M" && e.Name == "process_name":
			runs[e.Pid] = fmt.Sprint(e.Args["name"])
		case e.Ph == "M" && e.Name == "process_labels":
			styles[e.Pid] = fmt.Sprint(e.Args["labels"])
		}
	}
	bars := map[string][]bar{} // by style
	for _, e := range trace.TraceEvents {
		if e.Ph != "X" || !(strings.HasPrefix(e.Name, "do_some_work(") || strings.HasPrefix(e.Name, "more_work(")) {
			continue
		}
		us := func(f float64) time.Duration { return time.Duration(f * float64(time.Microsecond)) }
		bars[styles[e.Pid]] = append(bars[styles[e.Pid]], bar{
			run: runs[e.Pid], style: styles[e.Pid], task: e.Name, state: fmt.Sprint(e.Args["state"]),
			start: us(e.Ts), end: us(e.Ts + e.Dur),
		})
	}
	goBars, pyBars := bars["aio"], bars["python"]
	if len(goBars) == 0 {
		t.Fatalf("no bars of the lesson's work in the trace")
	}
	order := func(a, b bar) int {
		return strings.Compare(a.run+a.task+fmt.Sprint(a.start/(20*time.Millisecond)), b.run+b.task+fmt.Sprint(b.start/(20*time.Millisecond)))
	}
	slices.SortFunc(goBars, order)
	slices.SortFunc(pyBars, order)
	if len(goBars) != len(pyBars) {
		t.Fatalf("go has %d bars, python %d:\ngo %v\npython %v", len(goBars), len(pyBars), goBars, pyBars)
	}
	tol := twinTolerance(t, "gather") // as the fidelity test holds event times
	f, err := strconv.ParseFloat(scale, 64)
	if err != nil {
		t.Fatal(err)
	}
	slack := max(tol.Slack, time.Duration(f*float64(time.Second)/2))
	near := func(py, goT time.Duration) bool {
		d := py - goT
		return d.Abs() <= max(time.Duration(tol.Ratio*float64(goT)), slack)
	}
	for i, g := range goBars {
		p := pyBars[i]
		if g.run != p.run || g.task != p.task || g.state != p.state || !near(p.start, g.start) || !near(p.end, g.end) {
			t.Errorf("bar %d: go %+v, python %+v", i, g, p)
		}
	}
}

func TestVsPythonRefusesAnExternalRedis(t *testing.T) {
	for _, lesson := range twinHosts(t) {
		out, errOut, code := runCmdNow(context.Background(), lesson, "--vs", "python", "--redis", "redis://127.0.0.1:1/3")
		if code != exitUsage || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--redis") || strings.Contains(out, "Waiting") {
			t.Errorf("%s: exit %d, stderr %q; want 2, one line naming --redis, and no run\n%s", lesson, code, errOut, out)
		}
	}
	t.Setenv("REDIS_URL", "redis://127.0.0.1:1/3")
	if _, errOut, code := runCmdNow(context.Background(), "queue", "--vs", "python"); code != exitUsage || !strings.Contains(errOut, "REDIS_URL") {
		t.Errorf("REDIS_URL: exit %d, stderr %q; want 2 naming REDIS_URL", code, errOut)
	}
}

func TestPairRunsPutsEachTwinRunUnderItsGoRun(t *testing.T) {
	run := func(name, style string) timing.Run { return timing.Run{Name: name, Style: style} }
	got := pairRuns(
		[]timing.Run{run("concurrent", "aio"), run("sequential", "aio"), run("go-only", "aio")},
		[]timing.Run{run("sequential", "python"), run("python-only", "python"), run("concurrent", "python")})
	var names []string
	for _, r := range got {
		names = append(names, r.Name+"/"+r.Style)
	}
	want := []string{"concurrent/aio", "concurrent/python", "sequential/aio", "sequential/python", "go-only/aio", "python-only/python"}
	if !slices.Equal(names, want) {
		t.Errorf("got %q, want %q", names, want)
	}
}

func TestCtrlCAtPassesTheLearnersMomentToTheTwin(t *testing.T) {
	info := lesson.Info{Name: "cancel", HandlesInterrupt: true}
	env := &lesson.Env{Runs: []timing.Run{{Name: "cancel-tasks", Marks: []timing.Mark{{T: 120 * time.Millisecond, Label: "Ctrl+C"}}}}}
	if got := ctrlCAt(info, env, &Options{Scale: 0.1}); !slices.Equal(got, []string{"--interrupt=1.200"}) {
		t.Errorf("Ctrl+C at 0.12 s, scale 0.1: got %q, want --interrupt=1.200", got)
	}
	if got := ctrlCAt(info, env, &Options{Scale: 0.1, args: []string{"--interrupt=0.8s"}}); got != nil {
		t.Errorf("with --interrupt given: got %q, want nothing added", got)
	}
	if got := ctrlCAt(lesson.Info{Name: "gather"}, env, &Options{Scale: 1}); got != nil {
		t.Errorf("a lesson that does not wait for Ctrl+C: got %q", got)
	}
	if got := ctrlCAt(info, &lesson.Env{Runs: []timing.Run{{Name: "cancel-tasks"}}}, &Options{Scale: 1}); got != nil {
		t.Errorf("no Ctrl+C in the run: got %q", got)
	}
}

// A lesson whose failure is the point (thread --fail) is compared too: its
// twin fails the same way, and the exit code is the lesson's.
func TestVsPythonComparesAFailingLesson(t *testing.T) {
	twinPython(t, "thread")
	out, errOut, code := runCmdNow(context.Background(), "thread", "--fail", "--vs", "python", "--scale", "0.1", "--no-color")
	if code != exitFailure || !strings.Contains(out, "The twin failed as the lesson did") ||
		!strings.Contains(out, "threadsafe-coroutine (python)") || !strings.Contains(out, "No differences") ||
		strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %q:\n%s", code, errOut, out)
	}
}

// The report's English words are the catalogue's, and every language has
// them.
func TestReportWordsAreInTheCatalogues(t *testing.T) {
	for _, lang := range lesson.Languages {
		labels := lesson.Labels(lang)
		for key, english := range twin.EnglishWords() {
			if labels[key] == "" || (lang == "en" && labels[key] != english) {
				t.Errorf("%s: label %q is %q; the report's English is %q", lang, key, labels[key], english)
			}
		}
	}
}

// twinHosts are the lessons whose twins run on what the Go lesson starts
// for them (an embedded Redis, an SMS API): lesson.TwinHost.
func twinHosts(t *testing.T) []string {
	var names []string
	for _, l := range demos.All() {
		if _, ok := l.(lesson.TwinHost); ok {
			names = append(names, l.Info().Name)
		}
	}
	if len(names) == 0 {
		t.Fatal("no lesson hosts its twin")
	}
	return names
}

func TestUntimedDifferences(t *testing.T) {
	report := "1 difference(s):\n  a: time differs: go \"x\" at 0.005s, python 0.061s\n  a: python lacks \"y\" at 1.000s\n  b: total differs: go 1s, python 2s\n\nafter\n"
	if got, want := untimedDifferences(report), []string{`a: python lacks "y" at 1.000s`}; !slices.Equal(got, want) {
		t.Errorf("untimedDifferences = %q, want %q", got, want)
	}
	if got := untimedDifferences("No differences: the same events"); got != nil {
		t.Errorf("untimedDifferences of a clean report = %q", got)
	}
}

// TestVsPythonRefusesAnInterpreterBeforeTheLesson: --python that names no
// Python 3.11 is a bad command line, said before the lesson prints or runs
// anything (it used to come after gather's 11 s).
func TestVsPythonRefusesAnInterpreterBeforeTheLesson(t *testing.T) {
	for _, args := range [][]string{
		{"gather", "--vs", "python", "--python", "/nope"},
		{"queue", "--vs", "python", "--python", "/nope"},
		{"cancel", "--vs", "python", "--python", "no-such-python3"},
	} {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			out, errOut, code := runCmdNow(context.Background(), args...)
			if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--python") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing printed, one line naming --python", args, code, out, errOut)
			}
			if took := time.Since(start); took != 0 {
				t.Errorf("%v: refused after %v of the lesson, want before it", args, took)
			}
		})
	}
}

func TestUntimedDifferencesPairsAMovedEvent(t *testing.T) {
	report := `2 difference(s):
  sms: python lacks "Waiting: 5" at 0.005s
  sms: python adds "Waiting: 5" at 0.062s
  sms: python lacks "Done 1" at 0.300s
  sms: python adds "Done 2" at 0.300s
  sms: time differs: go 0.1s, python 0.2s
`
	got := untimedDifferences(report)
	want := []string{`sms: python lacks "Done 1" at 0.300s`, `sms: python adds "Done 2" at 0.300s`}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
