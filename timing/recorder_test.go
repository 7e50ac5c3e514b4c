package timing

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// collector is a Sink that keeps what it gets.
type collector struct {
	mu     sync.Mutex
	events []Event
}

func (c *collector) Event(e Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
}

func (c *collector) all() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// byTimeAndTask orders events that happened at the same instant in
// different goroutines, whose order is up to the scheduler.
func byTimeAndTask(a, b Event) int {
	if a.T != b.T {
		return int(a.T - b.T)
	}
	return strings.Compare(a.Task+a.Text, b.Task+b.Text)
}

func TestRecorderTimestampsConcurrentTasksExactly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := &collector{}
		r := NewRecorder(sink)
		time.Sleep(time.Second) // before StartRun: does not count
		r.StartRun("concurrent", "go")
		var wg sync.WaitGroup
		for _, x := range []int{1, 2, 4} {
			wg.Go(func() {
				task := fmt.Sprintf("do_some_work(%d)", x)
				r.Begin(task, fmt.Sprintf("%ds", x))
				r.Printf(task, "Waiting: %d", x)
				time.Sleep(time.Duration(x) * time.Second)
				r.Printf(task, "Done after %ds", x)
				r.End(task, StateDone)
			})
		}
		wg.Wait()
		if got := r.Elapsed(); got != 4*time.Second {
			t.Errorf("Elapsed() = %v, want 4s", got)
		}
		run := r.EndRun()

		ev := func(sec int, x int, text string) Event {
			return Event{Kind: KindEvent, T: time.Duration(sec) * time.Second, Run: "concurrent", Style: "go",
				Task: fmt.Sprintf("do_some_work(%d)", x), Text: text}
		}
		want := []Event{
			ev(0, 1, "Waiting: 1"), ev(0, 2, "Waiting: 2"), ev(0, 4, "Waiting: 4"),
			ev(1, 1, "Done after 1s"), ev(2, 2, "Done after 2s"), ev(4, 4, "Done after 4s"),
		}
		summary := Event{Kind: KindSummary, Run: "concurrent", Style: "go", Elapsed: 4 * time.Second}

		got := sink.all()
		if len(got) != len(want)+1 || got[len(got)-1] != summary {
			t.Fatalf("sink got %v, want 6 events then %v", got, summary)
		}
		events := got[:len(want)]
		slices.SortStableFunc(events, byTimeAndTask)
		if !slices.Equal(events, want) {
			t.Errorf("events:\ngot  %v\nwant %v", events, want)
		}
		if !slices.Equal(run.Events, sink.all()) {
			t.Errorf("Run.Events differ from what the sink got:\n%v\n%v", run.Events, sink.all())
		}

		if run.Name != "concurrent" || run.Style != "go" || run.Elapsed != 4*time.Second {
			t.Errorf("run = %q %q %v, want concurrent go 4s", run.Name, run.Style, run.Elapsed)
		}
		spans := slices.Clone(run.Spans)
		slices.SortFunc(spans, func(a, b Span) int { return strings.Compare(a.Task, b.Task) })
		wantSpans := []Span{
			{Task: "do_some_work(1)", Group: "1s", Start: 0, End: 1 * time.Second, State: StateDone},
			{Task: "do_some_work(2)", Group: "2s", Start: 0, End: 2 * time.Second, State: StateDone},
			{Task: "do_some_work(4)", Group: "4s", Start: 0, End: 4 * time.Second, State: StateDone},
		}
		if !slices.Equal(spans, wantSpans) {
			t.Errorf("spans:\ngot  %v\nwant %v", spans, wantSpans)
		}
	})
}

func TestRecorderStateEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := &collector{}
		r := NewRecorder(sink)
		r.StartRun("task", "aio")
		r.State("do_some_work(2)", "pending")
		time.Sleep(2 * time.Second)
		r.State("do_some_work(2)", "finished")
		r.EndRun()
		want := []Event{
			{Kind: KindState, T: 0, Run: "task", Style: "aio", Task: "do_some_work(2)", State: "pending"},
			{Kind: KindState, T: 2 * time.Second, Run: "task", Style: "aio", Task: "do_some_work(2)", State: "finished"},
			{Kind: KindSummary, Run: "task", Style: "aio", Elapsed: 2 * time.Second},
		}
		if got := sink.all(); !slices.Equal(got, want) {
			t.Errorf("got  %v\nwant %v", got, want)
		}
	})
}

func TestRecorderSpansNestAndCloseInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRecorder(nil)
		r.StartRun("nest", "aio")
		r.Begin("a", "")
		time.Sleep(time.Second)
		r.Begin("a", "")
		r.Begin("b", "")
		time.Sleep(time.Second)
		r.End("a", StateDone) // the inner a
		r.End("missing", StateDone)
		time.Sleep(time.Second)
		r.End("a", StateCancelled) // the outer a
		r.End("a", StateError)     // none open: ignored
		time.Sleep(time.Second)
		run := r.EndRun() // b is still open

		want := []Span{
			{Task: "a", Start: 0, End: 3 * time.Second, State: StateCancelled},
			{Task: "a", Start: time.Second, End: 2 * time.Second, State: StateDone},
			{Task: "b", Start: time.Second, End: 4 * time.Second, State: ""},
		}
		if !slices.Equal(run.Spans, want) {
			t.Errorf("spans:\ngot  %v\nwant %v", run.Spans, want)
		}
	})
}

func TestRecorderBeginSpanEndSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRecorder(nil)
		r.StartRun("first", "aio")
		stale := r.BeginSpan("old", "")
		r.EndRun()

		r.StartRun("second", "aio")
		a := r.BeginSpan("a", "1s")
		r.Begin("a", "1s")
		time.Sleep(time.Second)
		r.EndSpan(a, StateDone)
		r.EndSpan(a, StateError)       // already closed: ignored
		r.EndSpan(stale, StateDone)    // another run's span: ignored
		r.EndSpan(SpanID{}, StateDone) // the zero SpanID: ignored
		time.Sleep(time.Second)
		r.End("a", StateCancelled) // the span Begin opened
		b := r.BeginSpan("b", "")
		time.Sleep(time.Second)
		run := r.EndRun()
		r.EndSpan(b, StateDone) // after the run: ignored

		want := []Span{
			{Task: "a", Group: "1s", Start: 0, End: time.Second, State: StateDone},
			{Task: "a", Group: "1s", Start: 0, End: 2 * time.Second, State: StateCancelled},
			{Task: "b", Start: 2 * time.Second, End: 3 * time.Second},
		}
		if !slices.Equal(run.Spans, want) {
			t.Errorf("spans:\ngot  %v\nwant %v", run.Spans, want)
		}
	})
}

func TestRecorderBeginPhaseIsAStretchOfTheTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRecorder(nil)
		r.StartRun("workers", "go")
		r.Begin("worker-1", "worker-1")
		wait := r.BeginPhase("worker-1", PhaseWait)
		time.Sleep(time.Second)
		r.EndSpan(wait, StateDone)
		time.Sleep(time.Second)
		r.BeginPhase("worker-1", PhaseWait) // still waiting at the run's end
		time.Sleep(time.Second)
		r.End("worker-1", StateDone) // ends the task's life, not its phase
		run := r.EndRun()

		want := []Span{
			{Task: "worker-1", Group: "worker-1", Start: 0, End: 3 * time.Second, State: StateDone},
			{Task: "worker-1", Group: "worker-1", Start: 0, End: time.Second, State: StateDone, Phase: PhaseWait},
			{Task: "worker-1", Group: "worker-1", Start: 2 * time.Second, End: 3 * time.Second, Phase: PhaseWait},
		}
		if !slices.Equal(run.Spans, want) {
			t.Errorf("spans:\ngot  %v\nwant %v", run.Spans, want)
		}
	})
}

func TestRecorderSpanOfMarkIsTheSpan(t *testing.T) {
	r := NewRecorder(nil)
	r.Window = 2 // slots are used again: a mark must tell their spans apart
	r.StartRun("marks", "aio")
	a := r.BeginSpan("a", "")
	r.BeginSpan("b", "")
	if got := r.SpanOfMark(a.Mark()); got != a {
		t.Errorf("SpanOfMark(%d) = %+v, want %+v", a.Mark(), got, a)
	}
	r.EndSpan(r.SpanOfMark(a.Mark()), StateDone)
	c := r.BeginSpan("c", "")                     // in a's slot, used again
	r.EndSpan(r.SpanOfMark(a.Mark()), StateError) // a's old mark: ignored
	r.EndSpan(r.SpanOfMark(c.Mark()), StateCancelled)
	run := r.EndRun()
	states := map[string]string{}
	for _, s := range run.Spans {
		states[s.Task] = s.State
	}
	if states["a"] != StateDone || states["c"] != StateCancelled {
		t.Errorf("states %v, want a done and c cancelled", states)
	}
}

func TestRecorderManySpansSpanChunks(t *testing.T) {
	r := NewRecorder(nil)
	r.StartRun("many", "aio")
	const n = 3*chunkSize + 7
	ids := make([]SpanID, n)
	for i := range ids {
		ids[i] = r.BeginSpan(fmt.Sprint(i), "g")
	}
	for i := n - 1; i >= 0; i -= 2 {
		r.EndSpan(ids[i], StateDone)
	}
	run := r.EndRun()
	if len(run.Spans) != n {
		t.Fatalf("%d spans, want %d", len(run.Spans), n)
	}
	for i, s := range run.Spans {
		wantState := ""
		if (n-1-i)%2 == 0 {
			wantState = StateDone
		}
		if s.Task != fmt.Sprint(i) || s.State != wantState {
			t.Fatalf("span %d = %+v, want task %d state %q", i, s, i, wantState)
		}
	}
}

func TestRecorderStartRunResets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRecorder(nil)
		r.StartRun("first", "aio")
		r.Begin("a", "")
		r.Printf("a", "hello")
		time.Sleep(time.Second)
		r.StartRun("second", "aio")
		time.Sleep(time.Second)
		r.Printf("b", "hi")
		run := r.EndRun()
		if len(run.Spans) != 0 || len(run.Events) != 2 || run.Events[0].Text != "hi" || run.Events[0].T != time.Second {
			t.Errorf("second run kept the first's data or timed it wrong: %+v", run)
		}
		// After EndRun, the next run starts empty too.
		r.StartRun("third", "aio")
		if run := r.EndRun(); len(run.Events) != 1 || run.Elapsed != 0 {
			t.Errorf("third run = %+v, want only a summary at 0", run)
		}
	})
}

func TestRecorderDropEventsStillSends(t *testing.T) {
	sink := &collector{}
	r := NewRecorder(sink)
	r.DropEvents = true
	r.StartRun("concurrent", "aio")
	r.Printf("t", "x")
	run := r.EndRun()
	if run.Events != nil {
		t.Errorf("Run.Events = %v, want nil with DropEvents", run.Events)
	}
	if got := len(sink.all()); got != 2 {
		t.Errorf("sink got %d events, want 2", got)
	}
}

func TestRecorderCompareSendsSpeedup(t *testing.T) {
	sink := &collector{}
	r := NewRecorder(sink)
	r.Compare(Run{Name: "concurrent", Elapsed: 4003 * time.Millisecond}, Run{Name: "sequential", Elapsed: 7004 * time.Millisecond})
	want := []Event{{Kind: KindCompare, Concurrent: 4003 * time.Millisecond, Sequential: 7004 * time.Millisecond, Speedup: 1.75}}
	if got := sink.all(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestRecorderConcurrentUse(t *testing.T) {
	const goroutines, each = 50, 200
	sink := &collector{}
	r := NewRecorder(sink)
	r.StartRun("concurrent", "go")
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				task := fmt.Sprintf("worker-%d", g)
				r.Begin(task, "workers")
				r.State(task, "running")
				r.Printf(task, "message %d", i)
				_ = r.Elapsed()
				r.End(task, StateDone)
			}
		})
	}
	wg.Wait()
	run := r.EndRun()
	// Its 20,000 events are more than the default window keeps, so it
	// keeps the end of the run, and counts the rest.
	if len(run.Spans)+run.DroppedSpans != goroutines*each {
		t.Fatalf("%d spans kept and %d dropped, want %d in all", len(run.Spans), run.DroppedSpans, goroutines*each)
	}
	for _, s := range run.Spans {
		if s.State != StateDone || s.End < s.Start {
			t.Fatalf("span not closed properly: %+v", s)
		}
	}
	events := sink.all()
	if len(events) != 2*goroutines*each+1 {
		t.Fatalf("%d events, want %d", len(events), 2*goroutines*each+1)
	}
	// The sink sees events in time order.
	for i := 1; i < len(events)-1; i++ {
		if events[i].T < events[i-1].T {
			t.Fatalf("event %d at %v comes after one at %v", i, events[i].T, events[i-1].T)
		}
	}
}

func BenchmarkRecorderBeginSpanEndSpan(b *testing.B) {
	r := NewRecorder(nil)
	r.DropEvents = true
	r.StartRun("concurrent", "aio")
	b.ReportAllocs()
	for b.Loop() {
		r.EndSpan(r.BeginSpan("do_some_work(1)", "1s"), StateDone)
	}
}

func BenchmarkRecorderBeginEnd(b *testing.B) {
	r := NewRecorder(nil)
	r.DropEvents = true
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("do_some_work(%d)", i)
	}
	r.StartRun("concurrent", "aio")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		task := names[i%len(names)]
		r.Begin(task, "1s")
		r.End(task, StateDone)
	}
}

// BenchmarkRecorderRun records what gather --tasks N records: N spans open
// at once in a run kept whole (Window 0), ended in order, and the run's end.
// ns/span and B/span should not grow with N.
func BenchmarkRecorderRun(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("1e%d", len(fmt.Sprint(n))-1), func(b *testing.B) {
			r := NewRecorder(nil)
			r.Window, r.Spans = 0, n
			ids := make([]SpanID, n)
			var spans int
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				r.StartRun("concurrent", "aio")
				for i := range ids {
					ids[i] = r.BeginSpan("do_some_work(0.01)", "do_some_work(0.01)")
				}
				for _, id := range ids {
					r.EndSpan(id, StateDone)
				}
				spans += len(r.EndRun().Spans)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(spans), "ns/span")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(spans), "B/span")
		})
	}
}

func TestSpansHintKeepsTheSameRun(t *testing.T) {
	record := func(hint, n int) Run {
		r := NewRecorder(nil)
		r.Window, r.Spans = 0, hint
		r.StartRun("concurrent", "aio")
		var ids []SpanID
		for i := range n {
			ids = append(ids, r.BeginSpan(fmt.Sprint("t", i), "g"))
		}
		r.Begin("named", "g")
		for i, id := range ids {
			if i%3 != 0 { // every third stays open until the run ends
				r.EndSpan(id, StateDone)
			}
		}
		r.End("named", StateCancelled)
		return r.EndRun()
	}
	names := func(run Run) (s []string) {
		for _, sp := range run.Spans {
			s = append(s, sp.Task+" "+sp.Group+" "+sp.State)
			if sp.End < sp.Start || (sp.State == "" && sp.End != run.Elapsed) {
				s = append(s, "bad times")
			}
		}
		return s
	}
	for _, n := range []int{0, 1, 10, chunkSize + 5} {
		want := names(record(0, n))
		for _, hint := range []int{1, n, n + 1, 2 * n} {
			if got := names(record(hint, n)); !slices.Equal(got, want) {
				t.Errorf("%d spans, hint %d:\n got %q\nwant %q", n, hint, got, want)
			}
		}
	}
}
