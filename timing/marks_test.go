package timing

import (
	"strings"
	"testing"
	"time"
)

func TestTimelineMarksAMoment(t *testing.T) {
	run := Run{Name: "cancel", Elapsed: 4 * time.Second,
		Spans: []Span{{Task: "a", Start: 0, End: 4 * time.Second, State: StateCancelled}},
		Marks: []Mark{{T: time.Second, Label: "Ctrl+C"}}}
	out := Timeline{Width: 50, NoColor: true}.Render(run)
	lines := strings.Split(out, "\n")
	// "a │" is 3 columns; 1 s of 4 s over the 47 columns left is column 11.
	if len(lines) < 3 || lines[2] != strings.Repeat(" ", 3+11)+"▲ Ctrl+C" {
		t.Errorf("mark line %q in\n%s", lines[2], out)
	}
	run.Marks[0].T = 4 * time.Second // at the end: the label goes to the left of the arrow
	lines = strings.Split(Timeline{Width: 50, NoColor: true, ASCII: true}.Render(run), "\n")
	if !strings.HasSuffix(lines[2], "Ctrl+C ^") || len(lines[2]) != 50 {
		t.Errorf("mark at the end: %q (%d columns)", lines[2], len(lines[2]))
	}
}

func TestTraceHasTheMarks(t *testing.T) {
	var b strings.Builder
	run := Run{Name: "cancel", Elapsed: time.Second, Marks: []Mark{{T: 800 * time.Millisecond, Label: "Ctrl+C"}}}
	if err := WriteTrace(&b, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"name":"Ctrl+C","ph":"i"`) || !strings.Contains(b.String(), `"cat":"mark","s":"p","ts":800000`) {
		t.Errorf("no mark in the trace:\n%s", b.String())
	}
}

func TestPrinterSaysAboutTheSameAndWrapsUnderTheText(t *testing.T) {
	var b strings.Builder
	p := NewPrinter(&b, true)
	p.Event(Event{Kind: KindCompare, Concurrent: 4 * time.Second, Sequential: 4010 * time.Millisecond})
	p.Event(Event{Kind: KindCompare, Concurrent: 0, Sequential: 0})
	if got := b.String(); got != "concurrent 4.00 s vs sequential 4.01 s: about the same\n\nconcurrent 0.00 s vs sequential 0.00 s\n\n" {
		t.Errorf("compare lines: %q", got)
	}
	b.Reset()
	p.Width = 40
	p.Event(Event{Kind: KindEvent, T: time.Second, Task: "t", Text: "a long line of text that does not fit in forty columns"})
	want := "  1.000s  a long line of text that does\n          not fit in forty columns\n"
	if got := b.String(); got != want {
		t.Errorf("wrapped event:\n%q\nwant\n%q", got, want)
	}
}
