package timing

import (
	"fmt"
	"sync"
	"time"
)

// Span is one task's bar on the timeline: its life, from its creation to
// its end, or, with a Phase, a stretch of it.
type Span struct {
	Task  string // label, e.g. "do_some_work(2)"
	Group string // spans of one Group share a row when a run has too many rows, e.g. "2s"
	Start time.Duration
	End   time.Duration
	State string // how it ended: "done", "cancelled", "error", or "" if still running at the run's end
	// Phase is "" for the task's life, or PhaseRan, PhaseHeld or
	// PhaseWait for a stretch inside it, drawn over it. A run with ran or
	// held phases draws each task's life as waiting, and its phases on
	// top; a run with only wait phases draws each task's life as a bar,
	// and its waits over it as waiting.
	Phase string
}

// Phases of a task's life, for a run that knows them.
const (
	PhaseRan  = "ran"  // the task's code ran: a step of it held the loop (asyncdemo explain)
	PhaseHeld = "held" // it was ready to run, but another step held the loop (asyncdemo explain)
	// PhaseWait is a stretch a lesson knows its task spent waiting, not
	// running: for a reply from a server, such as a blocking take from
	// Redis (workers).
	PhaseWait = "wait"
)

// How a span ended: the states the Timeline and the trace tell apart.
const (
	StateDone      = "done"
	StateCancelled = "cancelled"
	StateError     = "error"
)

// Run is a finished run: what [Recorder.EndRun] returns.
type Run struct {
	Name    string
	Style   string
	Elapsed time.Duration
	Spans   []Span  // in the order they began
	Events  []Event // the events sent to the sink, summary last; nil with Recorder.DropEvents
	Marks   []Mark  // moments the timeline marks, such as a Ctrl+C

	// A run that outgrew its Recorder's Window keeps only its end: Spans
	// holds every span still running at From or begun since, Events every
	// event after From (and the summary); what is over by From is dropped,
	// and only counted here. A run kept whole has all three zero.
	From          time.Duration
	DroppedSpans  int
	DroppedEvents int // not counting those DropEvents left out
}

// Partial reports whether the run lost its beginning to the Recorder's
// Window: then it has len(r.Spans)+r.DroppedSpans spans in all.
func (r Run) Partial() bool { return r.DroppedSpans > 0 || r.DroppedEvents > 0 }

// Mark is a moment of a run that the timeline marks with a label.
type Mark struct {
	T     time.Duration
	Label string
}

// Recorder timestamps what a lesson does and sends it to a [Sink]. Times are
// real, measured from [Recorder.StartRun]. It is safe for concurrent use, so
// go-style lessons can record from many goroutines.
//
// It keeps what it records for the [Run] that [Recorder.EndRun] returns, up
// to a bound: its last [Recorder.Window] events and finished spans, and the
// spans still open. So a run that goes on for ever (a lesson consuming a
// real Redis) holds as much after a million messages as after ten
// thousand. The sink still gets every event.
type Recorder struct {
	// DropEvents, when set before a run starts, stops the Recorder keeping
	// events for Run.Events; they still go to the sink. A run with a
	// million tasks sets it.
	DropEvents bool
	// Window, when set before a run starts, is how many events and how
	// many finished spans the run keeps at most: past that, the oldest are
	// dropped (see [Run.Partial]). NewRecorder sets it to DefaultWindow;
	// 0 keeps everything, for a run whose size its flags bound and whose
	// every span must be counted, such as gather --tasks.
	Window int
	// OnSpan, when set before a run starts, is called as each span begins
	// and ends, on the goroutine that begins or ends it, with the
	// Recorder's lock held (--step's go style names goroutines with it).
	OnSpan func(task string, begun bool)
	// Spans, when set before a run starts, is how many spans the run is
	// expected to record. A run kept whole (Window 0) makes room for them
	// at once and hands them to its [Run] as they are, instead of copying
	// them all at its end; past that many, it goes on as without.
	Spans int

	mu    sync.Mutex
	sink  Sink
	run   string
	style string
	gen   uint32 // which run a SpanID belongs to
	sw    Stopwatch
	// The run's spans: slot i is first[i], or past len(first) in chunks,
	// so that a million of them never need copying; meta beside each.
	first     []Span
	firstMeta []slotMeta
	chunks    [][]slot
	nSpans    int // slots in first and chunks
	nOpen     int
	open      map[string]int32 // task -> its most recently opened span, for End
	events    []Event          // kept whole: when win is nil
	marks     []Mark
	// win is the run's window, when it keeps one: then chunks hold only
	// the spans still open, and ended ones go to win.
	win *window
}

// chunkSize is how many spans a chunk holds.
const chunkSize = 1024

// slot is one recorded span and what the Recorder needs to close it.
type slot struct {
	Span
	slotMeta
}

// slotMeta is what the Recorder needs to close a span.
type slotMeta struct {
	prev int32 // the open span of the same task that Begin opened before this one, or -1
	// use counts the slot's begins and ends: odd while its span is open.
	// A SpanID holds the count its span began with, so that a slot used
	// again by a window's next span is not closed by an old SpanID.
	use uint32
}

// isOpen reports whether m's slot holds a span that has not ended.
func (m *slotMeta) isOpen() bool { return m.use%2 == 1 }

// slot returns span i and its meta. r.mu must be held.
func (r *Recorder) slot(i int32) (*Span, *slotMeta) {
	if int(i) < len(r.first) {
		return &r.first[i], &r.firstMeta[i]
	}
	i -= int32(len(r.first))
	s := &r.chunks[i/chunkSize][i%chunkSize]
	return &s.Span, &s.slotMeta
}

// SpanID names a span opened by [Recorder.BeginSpan], to close it with
// [Recorder.EndSpan]. It is only good in the run that opened it.
type SpanID struct {
	gen   uint32
	index int32
	use   uint32
}

// Mark returns id as a number, to be kept where a SpanID does not fit, such
// as in an aio.Task (see aio.WithTaskObserver); [Recorder.SpanOfMark] turns
// it back. The number does not say which run the span belongs to.
func (id SpanID) Mark() uint64 { return uint64(uint32(id.index))<<32 | uint64(id.use) }

// SpanOfMark returns the SpanID of the run in progress whose [SpanID.Mark]
// is mark. Use it only for spans opened in the run in progress.
func (r *Recorder) SpanOfMark(mark uint64) SpanID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return SpanID{gen: r.gen, index: int32(uint32(mark >> 32)), use: uint32(mark)}
}

// NewRecorder returns a Recorder that sends events to sink (nil for none),
// keeping a window of DefaultWindow. Its clock starts now;
// [Recorder.StartRun] restarts it.
func NewRecorder(sink Sink) *Recorder {
	r := &Recorder{sink: sink, sw: StartStopwatch(), Window: DefaultWindow, open: make(map[string]int32)}
	r.reset()
	return r
}

// StartRun starts a run named run in style: from now on t counts from 0.
// Spans and events of an unfinished previous run are discarded.
func (r *Recorder) StartRun(run, style string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.run, r.style = run, style
	r.reset()
	r.sw = StartStopwatch()
}

// reset forgets the current run's spans and events, and starts keeping
// the next run's whole or in a window, as r.Window says. r.mu must be
// held.
func (r *Recorder) reset() {
	r.first, r.firstMeta, r.chunks, r.nSpans, r.nOpen, r.events, r.marks, r.win = nil, nil, nil, 0, 0, nil, nil, nil
	if r.Window > 0 {
		r.win = newWindow(r.Window)
	}
	clear(r.open)
	r.gen++
}

// Mark records a moment of the run for the timeline to mark, such as the
// moment Ctrl+C arrived.
func (r *Recorder) Mark(label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.marks = append(r.marks, Mark{T: r.sw.Elapsed(), Label: label})
}

// Printf records an event of task whose text is fmt.Sprintf(format, args...).
func (r *Recorder) Printf(task, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.send(Event{Kind: KindEvent, T: r.sw.Elapsed(), Run: r.run, Style: r.style, Task: task, Text: text})
}

// State records that task is now in state (pending, running, done, ...).
func (r *Recorder) State(task, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.send(Event{Kind: KindState, T: r.sw.Elapsed(), Run: r.run, Style: r.style, Task: task, State: state})
}

// send keeps e and hands it to the sink. r.mu must be held.
func (r *Recorder) send(e Event) {
	switch {
	case r.DropEvents:
	case r.win != nil:
		r.win.event(e)
	default:
		r.events = append(r.events, e)
	}
	if r.sink != nil {
		r.sink.Event(e)
	}
}

// Begin opens a span for task, in group, starting now. [Recorder.End]
// closes it.
func (r *Recorder) Begin(task, group string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	prev, ok := r.open[task]
	if !ok {
		prev = -1
	}
	r.open[task] = r.begin(task, group, prev).index
}

// BeginSpan opens a span for task, in group, starting now, and returns it
// for [Recorder.EndSpan]. It is Begin without the lookup by task name, for
// lessons that record very many spans.
func (r *Recorder) BeginSpan(task, group string) SpanID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.begin(task, group, -1)
}

// BeginPhase opens a stretch of task's life in phase (such as
// [PhaseWait]), starting now, and returns it for [Recorder.EndSpan]. The
// timeline draws it over the task's bar.
func (r *Recorder) BeginPhase(task, phase string) SpanID {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.begin(task, task, -1)
	s, _ := r.slot(id.index)
	s.Phase = phase
	return id
}

// begin opens a span in a new slot, or in a window, in the slot of one
// that has ended. r.mu must be held.
func (r *Recorder) begin(task, group string, prev int32) SpanID {
	var i int32
	if w := r.win; w != nil && len(w.free) > 0 {
		i = w.free[len(w.free)-1]
		w.free = w.free[:len(w.free)-1]
	} else {
		if r.nSpans == 0 && w == nil && r.Spans > 0 { // room for the spans expected, at the first
			r.first, r.firstMeta = make([]Span, r.Spans), make([]slotMeta, r.Spans)
		}
		if n := r.nSpans - len(r.first); n >= 0 && n%chunkSize == 0 {
			r.chunks = append(r.chunks, make([]slot, chunkSize))
		}
		i = int32(r.nSpans)
		r.nSpans++
		if w != nil {
			w.seqs = append(w.seqs, 0)
		}
	}
	s, m := r.slot(i)
	*s = Span{Task: task, Group: group, Start: r.sw.Elapsed()}
	m.prev, m.use = prev, m.use+1
	if w := r.win; w != nil {
		w.seqs[i] = w.seq
		w.seq++
	}
	r.nOpen++
	if r.OnSpan != nil {
		r.OnSpan(task, true)
	}
	return SpanID{gen: r.gen, index: i, use: m.use}
}

// End closes the most recently opened span of task that is still open, with
// state (done, cancelled, error). It does nothing if task has no open span.
func (r *Recorder) End(task, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.open[task]
	if !ok {
		return
	}
	_, m := r.slot(i)
	prev := m.prev
	r.end(i, state)
	if prev >= 0 {
		r.open[task] = prev
	} else {
		delete(r.open, task)
	}
}

// EndSpan closes the span id with state (done, cancelled, error). It does
// nothing if the span is closed already or belongs to another run.
func (r *Recorder) EndSpan(id SpanID, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id.gen != r.gen || id.index < 0 || int(id.index) >= r.nSpans {
		return
	}
	if _, m := r.slot(id.index); m.use == id.use && id.use%2 == 1 {
		r.end(id.index, state)
	}
}

// end closes span i now; in a window, it moves to the window's finished
// spans and frees its slot. r.mu must be held.
func (r *Recorder) end(i int32, state string) {
	s, m := r.slot(i)
	if r.OnSpan != nil {
		r.OnSpan(s.Task, false)
	}
	s.End = r.sw.Elapsed()
	s.State = state
	m.use++
	r.nOpen--
	if w := r.win; w != nil {
		w.ended(*s, w.seqs[i])
		*s = Span{} // let go of its strings
		w.free = append(w.free, i)
	}
}

// Elapsed returns the time since the run started.
func (r *Recorder) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sw.Elapsed()
}

// EndRun ends the run: it sends a summary event and returns the run. Spans
// still open end now with state "".
func (r *Recorder) EndRun() Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	elapsed := r.sw.Elapsed()
	r.send(Event{Kind: KindSummary, Run: r.run, Style: r.style, Elapsed: elapsed})
	run := Run{Name: r.run, Style: r.style, Elapsed: elapsed, Events: r.events, Marks: r.marks}
	if w := r.win; w != nil {
		var open []keptSpan
		for i := range int32(r.nSpans) {
			if s, m := r.slot(i); m.isOpen() {
				s.End = elapsed
				open = append(open, keptSpan{*s, w.seqs[i]})
			}
		}
		w.run(&run, open, r.DropEvents)
	} else if r.nSpans > 0 {
		for i := range int32(r.nSpans) {
			if s, m := r.slot(i); m.isOpen() {
				s.End = elapsed
			}
		}
		if r.nSpans <= len(r.first) {
			run.Spans = r.first[:r.nSpans:r.nSpans] // as they are: reset lets go of them
		} else {
			run.Spans = make([]Span, 0, r.nSpans)
			run.Spans = append(run.Spans, r.first...)
			for _, c := range r.chunks {
				for i := range c {
					if len(run.Spans) == r.nSpans {
						break
					}
					run.Spans = append(run.Spans, c[i].Span)
				}
			}
		}
	}
	r.reset()
	return run
}

// Compare sends a compare event for a concurrent and a sequential run, or
// for two runs of other names, the faster way first.
func (r *Recorder) Compare(concurrent, sequential Run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := Event{
		Kind:       KindCompare,
		Concurrent: concurrent.Elapsed,
		Sequential: sequential.Elapsed,
		Speedup:    Speedup(concurrent.Elapsed, sequential.Elapsed),
	}
	if concurrent.Name != "" && sequential.Name != "" && (concurrent.Name != "concurrent" || sequential.Name != "sequential") {
		e.ConcurrentRun, e.SequentialRun = concurrent.Name, sequential.Name // workers against sync-client
	}
	if r.sink != nil {
		r.sink.Event(e)
	}
}
