package lesson

import (
	"fmt"
	"math"
	"strings"

	"github.com/asyncdemo/asyncdemo/timing"
)

// Question is a lesson's prediction question for the tour. Its answer is
// not stored: it is read off what the run measured.
type Question struct {
	// Kind says what is measured: "elapsed", how long run Run took, in the
	// lesson's seconds; "first", which choice's text the run printed
	// first; "count", how many times it printed Text.
	Kind    string
	Run     string // the run measured; "" for the first
	Text    string // for "count": the event text counted
	Choices []Choice
}

// Choice is one answer offered.
type Choice struct {
	Label string  // what is shown, e.g. "4 s"
	Value float64 // for "elapsed" and "count"
	Text  string  // for "first": the start of an event's text
}

// Check reads the answer off the runs: the index of the right choice and
// what was measured, e.g. "it took 4.00 s". scale is --scale, to turn real
// seconds into the lesson's.
func (q Question) Check(runs []timing.Run, scale float64) (right int, measured string, err error) {
	run, ok := q.run(runs)
	if !ok {
		return 0, "", fmt.Errorf("no run %q to check the answer against", q.Run)
	}
	switch q.Kind {
	case "elapsed":
		secs := run.Elapsed.Seconds() / scale
		measured := fmt.Sprintf("%.2f s", secs)
		if scale != 1 { // the lesson's seconds, and the real ones
			measured += fmt.Sprintf(" (%.2f s at --scale %g)", run.Elapsed.Seconds(), scale)
		}
		return closest(q.Choices, secs), measured, nil
	case "count":
		n := 0
		for _, e := range run.Events {
			if e.Kind == timing.KindEvent && e.Text == q.Text {
				n++
			}
		}
		return closest(q.Choices, float64(n)), fmt.Sprint(n), nil
	case "first":
		for _, e := range run.Events {
			for i, c := range q.Choices {
				if e.Kind == timing.KindEvent && strings.HasPrefix(e.Text, c.Text) {
					return i, e.Text, nil
				}
			}
		}
		return 0, "", fmt.Errorf("the run printed none of the choices")
	}
	return 0, "", fmt.Errorf("unknown question kind %q", q.Kind)
}

func (q Question) run(runs []timing.Run) (timing.Run, bool) {
	for _, r := range runs {
		if q.Run == "" || r.Name == q.Run {
			return r, true
		}
	}
	return timing.Run{}, false
}

func closest(choices []Choice, v float64) int {
	best := 0
	for i, c := range choices {
		if math.Abs(c.Value-v) < math.Abs(choices[best].Value-v) {
			best = i
		}
	}
	return best
}
