package lesson

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/asyncdemo/asyncdemo/timing"
)

// A RunTexter is a lesson whose words after the run say what this run did:
// its After and AfterGo texts, and the Afterword it sets, hold placeholders
// such as {took} that RunValues fills from e.Runs (and the lesson's flags),
// in the language of e.Labels. A figure in them is one the run measured, as
// the time gutter and the timeline show it; a figure of the lesson's own
// time (the 6 s of more_work(6)) is followed by e.AtScale's words when
// --scale changed it.
type RunTexter interface {
	RunValues(e *Env) map[string]string
}

// AfterText returns what is said after the lesson ran: the Afterword if the
// lesson set one, else the After text of the style it ran in (info's), with
// the run's values filled in.
func AfterText(l Lesson, info Info, e *Env) string {
	text := info.After
	switch {
	case e.Afterword != "":
		text = e.Afterword
	case e.Style == StyleGo:
		text = info.AfterGo
	}
	if rt, ok := l.(RunTexter); ok {
		text = Fill(text, rt.RunValues(e))
	}
	return text
}

// Fill replaces each {name} in s with values[name], and those in the
// values it put in (a sentence chosen for the run, naming its figures).
func Fill(s string, values map[string]string) string {
	r := strings.NewReplacer(placeholders(values)...)
	for range 4 {
		filled := r.Replace(s)
		if filled == s {
			break
		}
		s = filled
	}
	return s
}

// Took says how long something the run measured took, as the comparison
// line does: "4.00 s"; "0.006 s" under a tenth of a second. A no-break
// space keeps the figure and its unit on one line.
func Took(d time.Duration) string {
	if d < 100*time.Millisecond {
		return fmt.Sprintf("%.3f\u00a0s", d.Seconds())
	}
	return fmt.Sprintf("%.2f\u00a0s", d.Seconds())
}

// AtScale returns s, words about the lesson's own time such as "6 + 3 s",
// as this run ran it: s at --scale 1, else s and the scale ("6 + 3 s at
// --scale 0.2").
func (e *Env) AtScale(s string) string {
	if scale := e.Clock.Scale(); scale != 1 {
		return s + e.Say("at_scale", scale)
	}
	return s
}

// RunNamed returns the run named name, and whether the lesson ran it.
func (e *Env) RunNamed(name string) (timing.Run, bool) {
	for _, r := range e.Runs {
		if r.Name == name {
			return r, true
		}
	}
	return timing.Run{}, false
}

// SpanOf returns the span of the task named task in run, and whether there
// is one.
func SpanOf(run timing.Run, task string) (timing.Span, bool) {
	for _, s := range run.Spans {
		if s.Task == task && s.Phase == "" {
			return s, true
		}
	}
	return timing.Span{}, false
}

// EventsOf returns the events of run whose text starts with prefix, in
// order.
func EventsOf(run timing.Run, prefix string) []timing.Event {
	var evs []timing.Event
	for _, ev := range run.Events {
		if ev.Kind == timing.KindEvent && strings.HasPrefix(ev.Text, prefix) {
			evs = append(evs, ev)
		}
	}
	return evs
}

// Overtaken finds, among the spans of run whose task starts with prefix,
// one that ended while another, begun before it, was still running: a
// short task finishing while a longer one waits. It reports whether there
// was one.
func Overtaken(run timing.Run, prefix string) (short, long timing.Span, ok bool) {
	for _, a := range run.Spans {
		for _, b := range run.Spans {
			if strings.HasPrefix(a.Task, prefix) && strings.HasPrefix(b.Task, prefix) && a.Phase == "" && b.Phase == "" &&
				b.Start < a.Start && a.End < b.End && a.State == timing.StateDone {
				return a, b, true
			}
		}
	}
	return timing.Span{}, timing.Span{}, false
}

// MostAtOnce returns the largest number of spans of run whose task starts
// with prefix that were running at one moment: how many messages were in
// flight at once, say.
func MostAtOnce(run timing.Run, prefix string) int {
	type edge struct {
		t     time.Duration
		delta int
	}
	var edges []edge
	for _, s := range run.Spans {
		if strings.HasPrefix(s.Task, prefix) && s.Phase == "" {
			edges = append(edges, edge{s.Start, 1}, edge{s.End, -1})
		}
	}
	// At the same moment an end comes before a start: one task handing over
	// to the next is not two at once.
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.delta, b.delta)) })
	most, now := 0, 0
	for _, e := range edges {
		now += e.delta
		most = max(most, now)
	}
	return most
}
