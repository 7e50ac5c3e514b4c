package twin

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/timing"
)

func TestRunsRebuildsSpansMarksAndTotals(t *testing.T) {
	evs, err := Events(strings.NewReader(`
{"kind":"event","t":0.001,"run":"cancel-tasks","style":"python","task":"do_some_work(1)","text":"Waiting: 1"}
{"kind":"event","t":0.081,"run":"cancel-tasks","style":"python","text":"KeyboardInterrupt"}
{"kind":"span","t":0.001,"run":"cancel-tasks","style":"python","task":"do_some_work(1)","text":"do_some_work(1)","state":"cancelled","elapsed":0.087}
{"kind":"span","t":0.002,"run":"cancel-tasks","style":"python","task":"wait","text":"wait","elapsed":0.09}
{"kind":"span","t":0.003,"run":"cancel-tasks","style":"python","task":"wait","text":"wait","state":"done","phase":"wait","elapsed":0.05}
{"kind":"mark","t":0.08,"run":"cancel-tasks","style":"python","text":"Ctrl+C"}
{"kind":"summary","run":"cancel-tasks","style":"python","elapsed":0.093}
{"kind":"event","t":0.5,"run":"stopped","style":"python","text":"no summary"}
{"kind":"compare","concurrent":0.1,"sequential":0.2,"speedup":2.0}
`))
	if err != nil {
		t.Fatal(err)
	}
	runs := Runs(evs)
	if len(runs) != 2 {
		t.Fatalf("got %d runs, want 2: %+v", len(runs), runs)
	}
	r := runs[0]
	if r.Name != "cancel-tasks" || r.Style != "python" || r.Elapsed != 93*time.Millisecond {
		t.Errorf("run %q style %q elapsed %v", r.Name, r.Style, r.Elapsed)
	}
	want := []timing.Span{
		{Task: "do_some_work(1)", Group: "do_some_work(1)", Start: time.Millisecond, End: 88 * time.Millisecond, State: "cancelled"},
		{Task: "wait", Group: "wait", Start: 2 * time.Millisecond, End: 92 * time.Millisecond},
		{Task: "wait", Group: "wait", Start: 3 * time.Millisecond, End: 53 * time.Millisecond, State: "done", Phase: timing.PhaseWait},
	}
	if !slices.Equal(r.Spans, want) {
		t.Errorf("spans %+v, want %+v", r.Spans, want)
	}
	if len(r.Marks) != 1 || r.Marks[0] != (timing.Mark{T: 80 * time.Millisecond, Label: "Ctrl+C"}) {
		t.Errorf("marks %+v", r.Marks)
	}
	if len(r.Events) != 3 || r.Events[2].Kind != timing.KindSummary {
		t.Errorf("events %+v: want the two events and the summary", r.Events)
	}
	if s := runs[1]; s.Name != "stopped" || s.Elapsed != 500*time.Millisecond {
		t.Errorf("a run with no summary: %+v, want it to end at its last event", s)
	}
}

func TestCompareLeavesSpansAndMarksToTheTimeline(t *testing.T) {
	goEvs := []timing.Event{
		{Kind: timing.KindEvent, Run: "r", Text: "Waiting: 1"},
		{Kind: timing.KindSummary, Run: "r", Elapsed: time.Second},
	}
	pyEvs := []timing.Event{
		{Kind: timing.KindEvent, Run: "r", Text: "Waiting: 1"},
		{Kind: KindSpan, Run: "r", Task: "x", Elapsed: time.Second},
		{Kind: KindMark, Run: "r", Text: "Ctrl+C"},
		{Kind: timing.KindSummary, Run: "r", Elapsed: time.Second},
	}
	if rep := Compare(goEvs, pyEvs, DefaultTolerance()); !rep.OK() {
		t.Errorf("spans and marks were compared as events:\n%s", rep)
	}
}
