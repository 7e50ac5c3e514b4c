package timing

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteTrace writes runs as Chrome Trace Event JSON (the JSON Object Format),
// which Perfetto (ui.perfetto.dev) and chrome://tracing open. Each run is a
// process named after the run; each task is a thread (a track) of its own,
// numbered in order of first appearance; each span is a complete event ("X")
// with args {"state": ...} ("running" for a span still open when the run
// ended), and a span with a phase ([Span.Phase]) a complete event named and
// categorised by its phase ("ran", "held") inside its task's; each event of
// kind "event" is an instant event
// ("i") on its task's track, named after its text. Events without a task go
// on track 0, "(run)". A run that kept only its end ([Run.Partial]) says so
// in its process labels, and marks the moment its record starts.
//
// The output is deterministic, one trace event per line, and linear in the
// number of spans and events.
func WriteTrace(w io.Writer, runs ...Run) error {
	tw := traceWriter{w: bufio.NewWriter(w)}
	tw.raw(`{"traceEvents":[`)
	for i, run := range runs {
		tw.run(i+1, run)
	}
	tw.raw("\n],\"displayTimeUnit\":\"ms\"}\n")
	if err := tw.w.Flush(); err != nil {
		return fmt.Errorf("timing: write trace: %w", err)
	}
	return nil
}

// traceWriter writes trace events, separating them with commas.
type traceWriter struct {
	w      *bufio.Writer
	buf    []byte
	events int
}

func (tw *traceWriter) raw(s string) { tw.w.WriteString(s) } // errors surface at Flush

// begin starts a trace event object in tw.buf.
func (tw *traceWriter) begin(name, ph string, pid, tid int) {
	tw.buf = tw.buf[:0]
	if tw.events > 0 {
		tw.buf = append(tw.buf, ',')
	}
	tw.events++
	tw.buf = append(tw.buf, "\n{\"name\":"...)
	tw.buf = appendJSONString(tw.buf, name)
	tw.buf = append(tw.buf, `,"ph":"`...)
	tw.buf = append(tw.buf, ph...)
	tw.buf = append(tw.buf, `","pid":`...)
	tw.buf = strconv.AppendInt(tw.buf, int64(pid), 10)
	tw.buf = append(tw.buf, `,"tid":`...)
	tw.buf = strconv.AppendInt(tw.buf, int64(tid), 10)
}

// end finishes the event in tw.buf and writes it.
func (tw *traceWriter) end() {
	tw.buf = append(tw.buf, '}')
	tw.w.Write(tw.buf) // errors surface at Flush
}

// metadata writes an "M" event whose args hold one field.
func (tw *traceWriter) metadata(name string, pid, tid int, key, value string, number bool) {
	tw.begin(name, "M", pid, tid)
	tw.buf = append(tw.buf, `,"args":{"`...)
	tw.buf = append(tw.buf, key...)
	tw.buf = append(tw.buf, `":`...)
	if number {
		tw.buf = append(tw.buf, value...)
	} else {
		tw.buf = appendJSONString(tw.buf, value)
	}
	tw.buf = append(tw.buf, '}')
	tw.end()
}

// run writes one run as process pid.
func (tw *traceWriter) run(pid int, run Run) {
	name := run.Name
	if name == "" {
		name = "run " + strconv.Itoa(pid)
	}
	tw.metadata("process_name", pid, 0, "name", name, false)
	tw.metadata("process_sort_index", pid, 0, "sort_index", strconv.Itoa(pid), true)
	labels := run.Style
	if run.Partial() {
		labels = strings.TrimPrefix(labels+", "+keptLine(run), ", ")
	}
	if labels != "" {
		tw.metadata("process_labels", pid, 0, "labels", labels, false)
	}

	// Number the tracks: tasks in order of first appearance, from 1.
	tids := make(map[string]int)
	tid := func(task string) int {
		if task == "" {
			return 0
		}
		t, ok := tids[task]
		if !ok {
			t = len(tids) + 1
			tids[task] = t
			tw.metadata("thread_name", pid, t, "name", task, false)
		}
		return t
	}
	spanTids := make([]int32, len(run.Spans))
	for i, s := range run.Spans {
		spanTids[i] = int32(tid(s.Task))
	}
	eventTrack := false
	for _, e := range run.Events {
		if e.Kind == KindEvent {
			eventTrack = eventTrack || e.Task == ""
			tid(e.Task)
		}
	}
	if eventTrack {
		tw.metadata("thread_name", pid, 0, "name", "(run)", false)
	}

	for i, s := range run.Spans {
		start, end := max(s.Start, 0), spanEnd(s, run.Elapsed)
		if s.Phase != "" {
			tw.begin(s.Phase, "X", pid, int(spanTids[i]))
			tw.buf = append(tw.buf, `,"cat":`...)
			tw.buf = appendJSONString(tw.buf, s.Phase)
			tw.buf = append(tw.buf, `,"ts":`...)
			tw.buf = appendMicros(tw.buf, start)
			tw.buf = append(tw.buf, `,"dur":`...)
			tw.buf = appendMicros(tw.buf, end-start)
			tw.end()
			continue
		}
		tw.begin(s.Task, "X", pid, int(spanTids[i]))
		tw.buf = append(tw.buf, `,"cat":"task","ts":`...)
		tw.buf = appendMicros(tw.buf, start)
		tw.buf = append(tw.buf, `,"dur":`...)
		tw.buf = appendMicros(tw.buf, end-start)
		tw.buf = append(tw.buf, `,"args":{"state":`...)
		state := s.State
		if state == "" {
			state = "running"
		}
		tw.buf = appendJSONString(tw.buf, state)
		tw.buf = append(tw.buf, '}')
		tw.end()
	}
	for _, e := range run.Events {
		if e.Kind != KindEvent {
			continue
		}
		tw.begin(e.Text, "i", pid, tid(e.Task))
		tw.buf = append(tw.buf, `,"cat":"event","s":"t","ts":`...)
		tw.buf = appendMicros(tw.buf, max(e.T, 0))
		tw.end()
	}
	for _, m := range run.Marks { // such as Ctrl+C: a line across the whole run
		tw.begin(m.Label, "i", pid, 0)
		tw.buf = append(tw.buf, `,"cat":"mark","s":"p","ts":`...)
		tw.buf = appendMicros(tw.buf, max(m.T, 0))
		tw.end()
	}
	if run.Partial() { // where what was kept starts
		tw.begin("earlier spans and events not kept", "i", pid, 0)
		tw.buf = append(tw.buf, `,"cat":"window","s":"p","ts":`...)
		tw.buf = appendMicros(tw.buf, max(run.From, 0))
		tw.end()
	}
}

// appendMicros appends d in microseconds, with up to 3 decimals.
func appendMicros(b []byte, d time.Duration) []byte {
	us, ns := int64(d/time.Microsecond), int64(d%time.Microsecond)
	b = strconv.AppendInt(b, us, 10)
	if ns == 0 {
		return b
	}
	frac := []byte{'.', byte('0' + ns/100), byte('0' + ns/10%10), byte('0' + ns%10)}
	for frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	return append(b, frac...)
}
