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
