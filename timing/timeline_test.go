package timing

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
)

func span(task string, start, end time.Duration, state string) Span {
	return Span{Task: task, Start: start, End: end, State: state}
}

// gatherRuns is `asyncdemo gather`: 1, 2 and 4 s tasks, concurrently and
// one after another, with the small delays a real run has.
func gatherRuns() (concurrent, sequential Run) {
	concurrent = Run{Name: "concurrent", Style: "aio", Elapsed: 4003 * ms, Spans: []Span{
		span("do_some_work(1)", 1*ms, 1002*ms, StateDone),
		span("do_some_work(2)", 1*ms, 2002*ms, StateDone),
		span("do_some_work(4)", 2*ms, 4003*ms, StateDone),
	}, Events: []Event{
		{Kind: KindEvent, T: 1 * ms, Task: "do_some_work(1)", Text: "Waiting: 1"},
		{Kind: KindEvent, T: 1 * ms, Task: "do_some_work(2)", Text: "Waiting: 2"},
		{Kind: KindEvent, T: 2 * ms, Task: "do_some_work(4)", Text: "Waiting: 4"},
		{Kind: KindEvent, T: 1002 * ms, Task: "do_some_work(1)", Text: "Done after 1s"},
		{Kind: KindEvent, T: 2002 * ms, Task: "do_some_work(2)", Text: "Done after 2s"},
		{Kind: KindEvent, T: 4003 * ms, Task: "do_some_work(4)", Text: "Done after 4s"},
		{Kind: KindEvent, T: 4003 * ms, Text: `Task ret: "Done after 4s"`},
		{Kind: KindSummary, Elapsed: 4003 * ms},
	}}
	sequential = Run{Name: "sequential", Style: "aio", Elapsed: 7004 * ms, Spans: []Span{
		span("do_some_work(1)", 0, 1001*ms, StateDone),
		span("do_some_work(2)", 1001*ms, 3002*ms, StateDone),
		span("do_some_work(4)", 3002*ms, 7004*ms, StateDone),
	}}
	return concurrent, sequential
}

// cancelRun is `asyncdemo cancel`: Ctrl+C at 0.8 s cancels what is left;
// main was still running when the run ended.
func cancelRun() Run {
	return Run{Name: "cancel", Style: "aio", Elapsed: 803 * ms, Spans: []Span{
		span("main", 0, 0, ""),
		span("do_some_work(0.5)", 1*ms, 502*ms, StateDone),
		span("do_some_work(2)", 1*ms, 801*ms, StateCancelled),
		span("do_some_work(2)'", 2*ms, 802*ms, StateCancelled),
		span("fetch", 100*ms, 300*ms, StateError),
	}}
}

// blockedRun is what asyncdemo explain draws for a program whose blocker
// task holds the loop 2 s with time.sleep while fetch's 1 s sleep is due:
// fetch is held for the second after it was ready; oops fails, and
// slow is cancelled.
func blockedRun() Run {
	phase := func(task, phase string, start, end time.Duration) Span {
		return Span{Task: task, Start: start, End: end, Phase: phase}
	}
	return Run{Name: "blocking.py", Style: "python", Elapsed: 2010 * ms, Spans: []Span{
		span("Task-1 main", 0, 2010*ms, StateDone),
		span("Task-2 fetch", 1*ms, 2005*ms, StateDone),
		span("Task-3 blocker", 1*ms, 2003*ms, StateDone),
		span("Task-4 oops", 1*ms, 2004*ms, StateError),
		span("Task-5 slow", 1*ms, 2006*ms, StateCancelled),
		phase("Task-1 main", PhaseRan, 0, 0),
		phase("Task-2 fetch", PhaseRan, 1*ms, 2*ms),
		phase("Task-3 blocker", PhaseHeld, 1*ms, 2*ms),
		phase("Task-3 blocker", PhaseRan, 2*ms, 2003*ms),
		phase("Task-2 fetch", PhaseHeld, 1002*ms, 2004*ms),
		phase("Task-2 fetch", PhaseRan, 2004*ms, 2005*ms),
		phase("Task-4 oops", PhaseHeld, 2*ms, 2004*ms),
		phase("Task-4 oops", PhaseRan, 2004*ms, 2004*ms),
		phase("Task-1 main", PhaseRan, 2009*ms, 2010*ms),
	}}
}

// manySpans is `asyncdemo gather --tasks n`: n tasks of 1, 2 and 4 s.
func manySpans(n int) Run {
	run := Run{Name: "concurrent", Style: "aio", Spans: make([]Span, n)}
	names := []string{"1s", "2s", "4s"}
	for i := range run.Spans {
		d := time.Duration(1<<(i%3)) * time.Second
		start := time.Duration(i) * 2 * time.Microsecond
		run.Spans[i] = Span{Task: "do_some_work(" + strconv.Itoa(i) + ")", Group: names[i%3], Start: start, End: start + d, State: StateDone}
		run.Elapsed = max(run.Elapsed, start+d)
	}
	return run
}

func TestTimelineGolden(t *testing.T) {
	concurrent, sequential := gatherRuns()
	tests := []struct {
		file string
		tl   Timeline
		runs []Run
	}{
		{"gather.golden", Timeline{NoColor: true}, []Run{concurrent, sequential}},
		{"gather_ascii.golden", Timeline{NoColor: true, ASCII: true}, []Run{concurrent, sequential}},
		{"gather_color.golden", Timeline{}, []Run{concurrent, sequential}},
		{"gather_wide.golden", Timeline{NoColor: true, Width: 120}, []Run{concurrent, sequential}},
		{"narrow_40.golden", Timeline{NoColor: true, Width: 40}, []Run{concurrent, sequential}},
		{"narrow_40_ascii.golden", Timeline{NoColor: true, Width: 40, ASCII: true}, []Run{concurrent, sequential}},
		{"cancelled.golden", Timeline{NoColor: true}, []Run{cancelRun()}},
		{"cancelled_ascii.golden", Timeline{NoColor: true, ASCII: true}, []Run{cancelRun()}},
		{"grouped_100k.golden", Timeline{NoColor: true}, []Run{manySpans(100_000)}},
		{"phases.golden", Timeline{NoColor: true}, []Run{blockedRun()}},
		{"phases_ascii.golden", Timeline{NoColor: true, ASCII: true}, []Run{blockedRun()}},
		{"phases_grouped.golden", Timeline{NoColor: true, MaxRows: 3}, []Run{blockedRun()}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			golden(t, tt.file, tt.tl.Render(tt.runs...)+"\n")
		})
	}
}

func TestTimelineFitsWidth(t *testing.T) {
	concurrent, sequential := gatherRuns()
	long := Run{Name: "a run with a very long name indeed, longer than forty columns", Elapsed: 50 * ms, Spans: []Span{
		span("a task with a very long name that will not fit in the label column", 0, 50*ms, StateDone),
		span("短", 10*ms, 20*ms, StateCancelled),
	}}
	for _, width := range []int{0, 1, 40, 41, 57, 80, 100, 200} {
		for _, ascii := range []bool{false, true} {
			for _, runs := range [][]Run{{concurrent, sequential}, {cancelRun()}, {long}, {manySpans(1000)}, {blockedRun()}} {
				tl := Timeline{Width: width, ASCII: ascii}
				out := tl.Render(runs...)
				limit := max(width, 40)
				if width == 0 {
					limit = 80
				}
				for _, line := range strings.Split(out, "\n") {
					if w := lipgloss.Width(line); w > limit {
						t.Errorf("Width %d: line of %d columns: %q", width, w, line)
					}
					if ascii && runs[0].Name != long.Name { // labels are the caller's
						plain := Timeline{Width: width, ASCII: true, NoColor: true}.Render(runs...)
						for _, r := range plain {
							if r > 127 {
								t.Fatalf("ASCII chart has %q:\n%s", r, plain)
							}
						}
					}
				}
			}
		}
	}
}

func TestTimelineNarrowWidthClampsTo40(t *testing.T) {
	concurrent, sequential := gatherRuns()
	if a, b := (Timeline{Width: 10}).Render(concurrent, sequential), (Timeline{Width: 40}).Render(concurrent, sequential); a != b {
		t.Errorf("Width 10 differs from Width 40:\n%s\n%s", a, b)
	}
}

func TestTimelineGroupsManyRows(t *testing.T) {
	out := Timeline{NoColor: true}.Render(manySpans(1_000_000))
	lines := strings.Split(out, "\n")
	// title, 3 group rows, axis, axis labels
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(lines), out)
	}
	for i, want := range []string{"1s ×333334 ", "2s ×333333 ", "4s ×333333 "} {
		if !strings.HasPrefix(lines[1+i], want) {
			t.Errorf("row %d = %q, want prefix %q", i, lines[1+i], want)
		}
	}
}

func TestTimelineTooManyGroupsGoToOther(t *testing.T) {
	run := Run{Name: "workers", Elapsed: time.Second}
	for i := range 20 {
		run.Spans = append(run.Spans, Span{Task: fmt.Sprint("worker-", i), Start: 0, End: time.Second, State: StateDone})
	}
	out := Timeline{NoColor: true, MaxRows: 5}.Render(run)
	lines := strings.Split(out, "\n")
	if len(lines) != 1+6+2 {
		t.Fatalf("want 5 group rows and an other row:\n%s", out)
	}
	if !strings.HasPrefix(lines[1], "worker-0 ×1 ") || !strings.HasPrefix(lines[6], "other ×15 ") {
		t.Errorf("rows:\n%s", out)
	}
}

func TestTimelineTaskWithSeveralSpansIsOneRow(t *testing.T) {
	run := Run{Name: "workers", Elapsed: 4 * time.Second, Spans: []Span{
		span("worker-1", 0, time.Second, StateDone),
		span("worker-2", 0, 2*time.Second, StateDone),
		span("worker-1", 2*time.Second, 4*time.Second, StateDone),
	}}
	out := Timeline{NoColor: true, Width: 40}.Render(run)
	want := "worker-1 │███████▌       ███████████████"
	if lines := strings.Split(out, "\n"); len(lines) != 5 || lines[1] != want {
		t.Errorf("got:\n%s\nwant row %q", out, want)
	}
}

func TestTimelinePhasesAreDrawnOverTheirTask(t *testing.T) {
	out := Timeline{NoColor: true, Width: 60}.Render(blockedRun())
	lines := strings.Split(out, "\n")
	if len(lines) < 1+5+3 {
		t.Fatalf("want a row per task, the axis and a legend:\n%s", out)
	}
	fetch := strings.TrimPrefix(lines[2], "Task-2 fetch   │")
	if !strings.HasPrefix(fetch, "█─") || !strings.Contains(fetch, "─░") || !strings.HasSuffix(fetch, "░█") {
		t.Errorf("fetch ran, waited, was held, then ran: %q\n%s", fetch, out)
	}
	if !strings.HasSuffix(lines[4], "!") || !strings.HasSuffix(lines[5], "✗") {
		t.Errorf("oops failed (!), slow was cancelled (✗):\n%s", out)
	}
	legend := strings.Join(strings.Fields(strings.Join(lines[8:], " ")), " ")
	if legend != "█ ran ─ waiting ░ ready, held by another step ✗ cancelled ! error" {
		t.Errorf("legend, wrapped to 60 columns: %q", legend)
	}
	zh := Timeline{NoColor: true, Width: 60, Words: Legend{Ran: "运行"}}.Render(blockedRun())
	if !strings.Contains(zh, "█ 运行  ─ waiting") {
		t.Errorf("a legend word of another language:\n%s", zh)
	}
}

// TestTimelineMarksATaskThatEndsInAStep: a task that fails (or is
// cancelled) at the end of a short step, as explain draws it: the step's
// cell rounds into the cell after the task's life, where its mark would
// go; the mark goes right after it, never lost (a legend saying "! failed"
// over rows without one was a new user's first question).
func TestTimelineMarksATaskThatEndsInAStep(t *testing.T) {
	for _, state := range []string{StateError, StateCancelled} {
		run := Run{Name: "crash.py", Style: "python", Elapsed: 305 * ms, Spans: []Span{
			span("Task-1 main", 0, 305*ms, StateDone),
			span("Task-2 boom", 0, 101*ms, state),
			{Task: "Task-1 main", Start: 0, End: 1 * ms, Phase: PhaseRan},
			{Task: "Task-2 boom", Start: 0, End: 1 * ms, Phase: PhaseRan},
			{Task: "Task-2 boom", Start: 100 * ms, End: 101 * ms, Phase: PhaseRan},
			{Task: "Task-1 main", Start: 304 * ms, End: 305 * ms, Phase: PhaseRan},
		}}
		out := Timeline{NoColor: true, Width: 80}.Render(run)
		mark := map[string]string{StateError: "█!", StateCancelled: "█✗"}[state]
		if row := strings.Split(out, "\n")[2]; !strings.Contains(row, mark) {
			t.Errorf("%s: the row lacks %q after its last step:\n%s", state, mark, out)
		}
	}
}

// waitedRun is two workers that wait in Redis, then handle a message.
func waitedRun() Run {
	wait := func(task string, start, end time.Duration) Span {
		return Span{Task: task, Group: task, Start: start, End: end, Phase: PhaseWait}
	}
	return Run{Name: "workers", Style: "aio", Elapsed: 4 * time.Second, Spans: []Span{
		span("worker-1", 0, 4*time.Second, StateDone),
		span("worker-2", 0, 4*time.Second, StateDone),
		wait("worker-1", 0, time.Second),
		span("do_some_work(2)", time.Second, 3*time.Second, StateDone),
		wait("worker-1", 3*time.Second, 4*time.Second),
		wait("worker-2", 0, 4*time.Second),
		wait("nobody", 0, 4*time.Second), // a task without a bar: drawn nowhere
	}}
}

func TestTimelineWaitsAreDrawnOverTheirTasksBar(t *testing.T) {
	for _, ascii := range []bool{false, true} {
		out := Timeline{NoColor: true, Width: 60, ASCII: ascii}.Render(waitedRun())
		lines := strings.Split(out, "\n")
		if len(lines) != 1+3+2+1 {
			t.Fatalf("want a row per task (no row for a wait), the axis and a legend:\n%s", out)
		}
		g := unicodeGlyphs
		if ascii {
			g = asciiGlyphs
		}
		wait, full := regexp.QuoteMeta(string(g.wait)), regexp.QuoteMeta(string(g.full))
		bars := func(line string) string { _, b, _ := strings.Cut(line, string(g.bar)); return b }
		w1 := bars(lines[1])
		if !regexp.MustCompile(`^(` + wait + `){10,11}(` + full + `){21,22}(` + wait + `){10,11}$`).MatchString(w1) {
			t.Errorf("worker-1 waited 1 s, worked 2 s, waited 1 s: %q\n%s", w1, out)
		}
		if w2 := bars(lines[2]); !regexp.MustCompile(`^(`+wait+`)+$`).MatchString(w2) || utf8.RuneCountInString(w2) != utf8.RuneCountInString(w1) {
			t.Errorf("worker-2 only waited: %q\n%s", w2, out)
		}
		if work := bars(lines[3]); !regexp.MustCompile(`^ {10,11}(`+full+`){20,22}`).MatchString(work) || strings.Contains(work, string(g.wait)) {
			t.Errorf("do_some_work(2) has no waits, and is a bar: %q\n%s", work, out)
		}
		if legend := strings.TrimSpace(lines[6]); legend != string(g.wait)+" waiting" {
			t.Errorf("legend %q, want only the waits'", legend)
		}
	}
	zh := Timeline{NoColor: true, Width: 60, Words: Legend{Waiting: "等待"}}.Render(waitedRun())
	if !strings.HasSuffix(zh, "─ 等待") {
		t.Errorf("a legend word of another language:\n%s", zh)
	}
	run := waitedRun()
	run.Spans = slices.DeleteFunc(run.Spans, func(s Span) bool { return s.Phase != "" })
	if out := (Timeline{NoColor: true, Width: 60}).Render(run); strings.Contains(out, "─ waiting") || strings.Count(out, "─") > 60 {
		t.Errorf("a run without waits has no waits and no legend:\n%s", out)
	}
}

func TestTimelineNoRuns(t *testing.T) {
	if got := (Timeline{}).Render(); got != "" {
		t.Errorf("Render() = %q, want empty", got)
	}
	if got := (Timeline{NoColor: true}).Render(Run{Name: "empty"}); !strings.HasPrefix(got, "empty 0.000s\n") {
		t.Errorf("Render(empty run) = %q", got)
	}
}

func BenchmarkTimelineMillionSpans(b *testing.B) {
	run := manySpans(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		_ = Timeline{}.Render(run)
	}
}

func TestTimelineDrawsAPartialRunFromWhereItsRecordStarts(t *testing.T) {
	// The last second of a 10 s run that kept only its end: a worker that
	// began at 0 is cut at 9 s, and so is the Ctrl+C mark before it.
	run := Run{Name: "workers", Style: "aio", Elapsed: 10 * time.Second, From: 9 * time.Second,
		DroppedSpans: 1996, DroppedEvents: 3992,
		Spans: []Span{
			span("worker-1", 0, 10*time.Second, ""),
			span("do_some_work(1)", 8900*ms, 9400*ms, StateDone),
			span("do_some_work(1)", 9500*ms, 9900*ms, StateDone),
			span("do_some_work(2)", 9200*ms, 9800*ms, StateCancelled),
		},
		Marks: []Mark{{T: 5 * time.Second, Label: "before"}, {T: 9800 * ms, Label: "Ctrl+C"}},
	}
	got := Timeline{NoColor: true}.Render(run)
	if strings.Contains(got, "before") {
		t.Errorf("a mark from before the record starts is drawn:\n%s", got)
	}
	golden(t, "partial.golden", got)

	// Beside a run kept whole, both are drawn from 0.
	whole := Run{Name: "whole", Elapsed: 2 * time.Second, Spans: []Span{span("a", 0, 2*time.Second, StateDone)}}
	tl := Timeline{NoColor: true}
	if got := tl.Render(whole, run); !strings.Contains(got, "\n                0s") {
		t.Errorf("the axis does not start at 0:\n%s", got)
	}
}

func TestThousands(t *testing.T) {
	tests := map[int]string{0: "0", 999: "999", 1000: "1,000", 1002: "1,002", 1234567: "1,234,567", -12345: "-12,345"}
	for n, want := range tests {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
