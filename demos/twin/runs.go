package twin

import (
	"slices"

	"github.com/asyncdemo/asyncdemo/timing"
)

// Kinds a twin writes only when run with --spans, which asyncdemo's
// --vs python passes to draw the twin's runs on the timeline. asyncdemo's
// own --json has neither.
//
//	{"kind":"span","t":0.001,"run":"concurrent","style":"python","task":"do_some_work(2)","text":"do_some_work(2)","state":"done","elapsed":0.202}
//	{"kind":"span","t":0.005,"run":"workers","style":"python","task":"worker-1","text":"worker-1","state":"done","phase":"wait","elapsed":0.5}
//	{"kind":"mark","t":0.081,"run":"cancel-tasks","style":"python","text":"Ctrl+C"}
//
// A span is one bar: Task is its label, Text its group (spans of a group
// share a row when a run has too many rows), T its start, Elapsed its
// length and State how it ended ("" if it was still going when the run
// ended); Phase, if any, says it is a stretch of the task's life
// (timing.PhaseWait: waiting in Redis), drawn over its bar. A twin writes a run's spans and marks after its events, before
// its summary; a run with more spans than a chart can use has none.
const (
	KindSpan = "span"
	KindMark = "mark"
)

// Runs rebuilds the runs a twin recorded from its events, in the order
// they started, as [timing.Recorder.EndRun] would have returned them: Events
// holds the events of kinds event, state and summary; Spans and Marks come
// from the span and mark events. A run with no summary (the twin was
// stopped) ends at its last event.
func Runs(evs []timing.Event) []timing.Run {
	var runs []timing.Run
	for _, e := range evs {
		if e.Kind == timing.KindCompare {
			continue
		}
		i := slices.IndexFunc(runs, func(r timing.Run) bool { return r.Name == e.Run })
		if i < 0 {
			runs = append(runs, timing.Run{Name: e.Run, Style: e.Style})
			i = len(runs) - 1
		}
		r := &runs[i]
		switch e.Kind {
		case KindSpan:
			r.Spans = append(r.Spans, timing.Span{Task: e.Task, Group: e.Text, Start: e.T, End: e.T + e.Elapsed, State: e.State, Phase: e.Phase})
		case KindMark:
			r.Marks = append(r.Marks, timing.Mark{T: e.T, Label: e.Text})
		case timing.KindSummary:
			r.Elapsed = e.Elapsed
			r.Events = append(r.Events, e)
		default:
			r.Elapsed = max(r.Elapsed, e.T)
			r.Events = append(r.Events, e)
		}
	}
	return runs
}
