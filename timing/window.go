package timing

import (
	"cmp"
	"slices"
	"time"
)

// DefaultWindow is how many events, and how many finished spans, a
// [Recorder] keeps of a run unless told otherwise ([Recorder.Window]). A
// lesson run on a real Redis takes messages until Ctrl+C, two events and a
// span each: kept whole, a million of them held 300 MB. 10,000 is more than
// any scripted lesson records, so those keep everything and draw as before;
// more than a timeline of 80 columns and a dozen rows can show, and a trace
// Perfetto opens at once; and, at a few hundred bytes apiece, a few MB
// however long the run.
const DefaultWindow = 10_000

// window is what a Recorder keeps of a run when it keeps a bounded window:
// the last size events and finished spans, and every span still open.
// Whatever it drops makes the kept record start later: cut is the latest
// moment anything dropped happened (an event) or ended (a span).
type window struct {
	seq    int64   // how many spans the run has begun
	seqs   []int64 // the seq of the span in each slot of the Recorder's chunks
	free   []int32 // slots whose span has ended, for the next ones to begin
	spans  ring[keptSpan]
	events ring[Event]

	droppedSpans, droppedEvents int
	cut                         time.Duration
}

// keptSpan is a finished span and its place in the order spans began.
type keptSpan struct {
	Span
	seq int64
}

func newWindow(size int) *window {
	return &window{spans: ring[keptSpan]{size: size}, events: ring[Event]{size: size}}
}

// ended keeps s, which has just ended, dropping the span that ended longest
// ago if the window is full.
func (w *window) ended(s Span, seq int64) {
	if old, ok := w.spans.push(keptSpan{s, seq}); ok {
		w.droppedSpans++
		w.cut = max(w.cut, old.End)
	}
}

// event keeps e, dropping the oldest event if the window is full.
func (w *window) event(e Event) {
	if old, ok := w.events.push(e); ok {
		w.droppedEvents++
		w.cut = max(w.cut, old.T)
	}
}

// run fills in what run keeps: the finished spans kept and open (each
// with its seq, in any order), and the events kept. Whatever happened
// before the cut is dropped too, so that everything after run.From is
// there: every span that ended after it or had not ended, every event.
func (w *window) run(run *Run, open []keptSpan, dropEvents bool) {
	spans := append(w.spans.all(), open...)
	slices.SortFunc(spans, func(a, b keptSpan) int { return cmp.Compare(a.seq, b.seq) })
	if !dropEvents {
		run.Events = w.events.all()
	}
	run.DroppedSpans, run.DroppedEvents = w.droppedSpans, w.droppedEvents
	if run.Partial() {
		run.From = w.cut
		spans = slices.DeleteFunc(spans, func(s keptSpan) bool {
			gone := s.End < run.From // a span still open ends at the run's end
			if gone {
				run.DroppedSpans++
			}
			return gone
		})
		run.Events = slices.DeleteFunc(run.Events, func(e Event) bool {
			gone := e.Kind != KindSummary && e.T < run.From
			if gone {
				run.DroppedEvents++
			}
			return gone
		})
	}
	if len(spans) > 0 {
		run.Spans = make([]Span, len(spans))
		for i, s := range spans {
			run.Spans[i] = s.Span
		}
	}
}

// ring keeps the last size values pushed.
type ring[T any] struct {
	size  int
	items []T
	next  int // once the ring is full, the oldest value, which the next push replaces
}

// push adds v; if the ring was full, it returns the value v replaced.
func (r *ring[T]) push(v T) (old T, dropped bool) {
	if len(r.items) < r.size {
		r.items = append(r.items, v)
		return old, false
	}
	old, r.items[r.next] = r.items[r.next], v
	r.next = (r.next + 1) % r.size
	return old, true
}

// all returns the values kept, oldest first, in a new slice; nil if there
// are none.
func (r *ring[T]) all() []T {
	if len(r.items) == 0 {
		return nil
	}
	return append(slices.Clone(r.items[r.next:]), r.items[:r.next]...)
}
