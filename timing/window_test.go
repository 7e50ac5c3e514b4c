package timing

import (
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// recordQueue records what a queue lesson on a real Redis records: main and
// a worker from the start, then n messages one after another, each a span
// and two events a millisecond apart. The worker's span is still open when
// the run ends.
func recordQueue(r *Recorder, n int) Run {
	r.StartRun("queue-poll", "go")
	r.Begin("main", "main")
	r.BeginSpan("worker-1", "workers")
	for i := range n {
		name := "do_some_work(1)"
		r.Begin(name, name)
		r.Printf(name, "Waiting %d", i)
		time.Sleep(time.Millisecond)
		r.Printf(name, "Done %d", i)
		r.End(name, StateDone)
	}
	r.End("main", StateDone)
	return r.EndRun()
}

func TestRecorderWindowKeepsTheEndOfALongRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := &collector{}
		r := NewRecorder(sink)
		r.Window = 100
		run := recordQueue(r, 1000)

		// The sink got everything, as it happened.
		if got := len(sink.all()); got != 2001 {
			t.Errorf("sink got %d events, want 2000 and the summary", got)
		}
		// The last 100 events are kept: the last one dropped was message
		// 950's Waiting, at 950 ms, so the record starts there; the 100
		// spans to end last go back to 901 ms, so those ended before
		// 950 ms go too.
		if !run.Partial() || run.From != 950*ms {
			t.Errorf("Partial() = %v, From = %v; want true, 950ms", run.Partial(), run.From)
		}
		if len(run.Events) != 100 || run.DroppedEvents != 1901 {
			t.Errorf("%d events kept, %d dropped; want 100 (the summary last) and 1901", len(run.Events), run.DroppedEvents)
		}
		if e := run.Events[0]; e.Text != "Done 950" || e.T != 951*ms {
			t.Errorf("first event kept = %+v, want Done 950 at 951ms", e)
		}
		if e := run.Events[len(run.Events)-1]; e.Kind != KindSummary || e.Elapsed != 1000*ms {
			t.Errorf("last event kept = %+v, want the summary", e)
		}
		if len(run.Spans) != 53 || run.DroppedSpans != 949 {
			t.Fatalf("%d spans kept, %d dropped; want 53 and 949", len(run.Spans), run.DroppedSpans)
		}
		// In the order they began: main and the worker, then messages 949
		// to 999 (949 ends at 950 ms: it is still there at From).
		want := []Span{
			{Task: "main", Group: "main", End: 1000 * ms, State: StateDone},
			{Task: "worker-1", Group: "workers", End: 1000 * ms}, // still open
		}
		for i := 949; i < 1000; i++ {
			want = append(want, Span{Task: "do_some_work(1)", Group: "do_some_work(1)",
				Start: time.Duration(i) * ms, End: time.Duration(i+1) * ms, State: StateDone})
		}
		if !reflect.DeepEqual(run.Spans, want) {
			t.Errorf("spans kept:\ngot  %v\nwant %v", run.Spans, want)
		}

		// The timeline is drawn from 950 ms and says so.
		got := Timeline{NoColor: true}.Render(run)
		if !strings.Contains(got, "the last 53 of 1,002 tasks, from 0.950s (earlier ones not kept)") {
			t.Errorf("the timeline does not say what it draws:\n%s", got)
		}
		golden(t, "window.golden", got)
		golden(t, "window_ascii.golden", Timeline{NoColor: true, ASCII: true}.Render(run))
	})
}

func TestRecorderWindowKeepsAShortRunWhole(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The same run recorded both ways (on the bubble's clock, at the
		// same times): a run within its window comes out as it did before
		// there were windows.
		whole, windowed := NewRecorder(nil), NewRecorder(nil)
		whole.Window = 0
		runs := []Run{recordQueue(whole, 100), recordQueue(windowed, 100)}
		if runs[1].Partial() || !reflect.DeepEqual(runs[0], runs[1]) {
			t.Errorf("within its window, a run differs from one kept whole:\nwindowed %+v\nwhole    %+v", runs[1], runs[0])
		}
		if len(runs[1].Spans) != 102 || len(runs[1].Events) != 201 {
			t.Errorf("kept %d spans and %d events, want 102 and 201", len(runs[1].Spans), len(runs[1].Events))
		}
	})
}

func TestNewRecorderKeepsADefaultWindow(t *testing.T) {
	r := NewRecorder(nil)
	if r.Window != DefaultWindow {
		t.Fatalf("Window = %d, want DefaultWindow (%d)", r.Window, DefaultWindow)
	}
	r.StartRun("queue-poll", "aio")
	const n = 3 * DefaultWindow
	for i := range n {
		r.EndSpan(r.BeginSpan("do_some_work(1)", "do_some_work(1)"), StateDone)
		r.Printf("do_some_work(1)", "Done %d", i)
	}
	run := r.EndRun()
	if len(run.Spans) > DefaultWindow || len(run.Spans)+run.DroppedSpans != n {
		t.Errorf("kept %d spans and dropped %d, want at most %d of %d", len(run.Spans), run.DroppedSpans, DefaultWindow, n)
	}
	if len(run.Events) > DefaultWindow || len(run.Events)+run.DroppedEvents != n+1 {
		t.Errorf("kept %d events and dropped %d, want at most %d of %d", len(run.Events), run.DroppedEvents, DefaultWindow, n+1)
	}
}

func TestRecorderWindowZeroKeepsEverything(t *testing.T) {
	r := NewRecorder(nil)
	r.Window = 0 // gather --tasks
	r.StartRun("concurrent", "aio")
	const n = 2*DefaultWindow + 1
	for range n {
		r.EndSpan(r.BeginSpan("do_some_work(1)", "1s"), StateDone)
	}
	if run := r.EndRun(); run.Partial() || len(run.Spans) != n || len(run.Events) != 1 {
		t.Errorf("kept %d spans, %d events, partial %v; want %d, 1, false", len(run.Spans), len(run.Events), run.Partial(), n)
	}
}

// TestRecorderWindowMemoryStaysBounded counts what the Recorder holds as a
// run goes on: what a window keeps, and the slots of the spans open at
// once, never more however many messages it has seen.
func TestRecorderWindowMemoryStaysBounded(t *testing.T) {
	const window, inFlight = 500, 8
	r := NewRecorder(nil)
	r.Window = window
	r.StartRun("workers", "aio")
	r.Begin("main", "main")
	var open []SpanID
	for i := range 100 * window {
		// Up to inFlight messages at once, some by name and some by
		// SpanID, as the queue and workers lessons record them.
		if len(open) == inFlight {
			r.EndSpan(open[0], StateDone)
			open = open[1:]
			r.End("do_some_work(2)", StateDone)
		}
		open = append(open, r.BeginSpan("do_some_work(1)", "do_some_work(1)"))
		r.Begin("do_some_work(2)", "do_some_work(2)")
		r.Printf("do_some_work(1)", "Waiting %d", i)
		if i%window == 0 {
			r.mu.Lock()
			w := r.win
			held := map[string]int{
				"events":       len(w.events.items),
				"ended spans":  len(w.spans.items),
				"span slots":   r.nSpans,
				"slot seqs":    len(w.seqs),
				"free slots":   cap(w.free),
				"chunks":       len(r.chunks),
				"names open":   len(r.open),
				"open in runs": r.nOpen,
			}
			r.mu.Unlock()
			limits := map[string]int{
				"events": window, "ended spans": window, "span slots": 2*inFlight + 1, "slot seqs": 2*inFlight + 1,
				"free slots": 2*inFlight + 1, "chunks": 1, "names open": 3, "open in runs": 2*inFlight + 1,
			}
			for what, n := range held {
				if n > limits[what] {
					t.Fatalf("after %d messages the Recorder holds %d %s, want at most %d", i, n, what, limits[what])
				}
			}
		}
	}
	run := r.EndRun()
	if len(run.Spans) > window+2*inFlight+1 || len(run.Events) > window {
		t.Errorf("the run kept %d spans and %d events, want at most %d and %d", len(run.Spans), len(run.Events), window+2*inFlight+1, window)
	}
}

func TestRecorderWindowOldSpanIDDoesNotCloseTheNextSpan(t *testing.T) {
	r := NewRecorder(nil)
	r.StartRun("queue-poll", "go")
	a := r.BeginSpan("a", "a")
	r.EndSpan(a, StateDone)
	r.BeginSpan("b", "b") // in a's slot
	r.EndSpan(a, StateCancelled)
	r.EndSpan(a, StateCancelled)
	run := r.EndRun()
	want := []Span{{Task: "a", Group: "a", State: StateDone}, {Task: "b", Group: "b"}}
	for i := range run.Spans { // the times are real: leave them out
		run.Spans[i].Start, run.Spans[i].End = 0, 0
	}
	if !reflect.DeepEqual(run.Spans, want) {
		t.Errorf("spans = %+v, want b still open: %+v", run.Spans, want)
	}
}
