package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// --step shows a lesson from inside: after each iteration of its event
// loop (aio style), what ran, the ready queue, the timers and every task;
// at each event of the go style, every goroutine and what it is blocked
// on. The lesson runs at full speed first, so its times are true, while a
// stepper keeps a frame per step; then, in a terminal, a full-screen view
// (stepview.go) goes through the frames a key at a time. Piped, the
// frames are printed as text among the lesson's lines; with --json, each
// is a JSON object of kind "state", written as it happens.
//
// A run that goes on for long (the Redis lessons run until idle, or
// until Ctrl+C) would pile up frames without end: the stepper keeps only
// the last stepWindow, and the view says when earlier ones were dropped.

// stepWindow is how many frames a stepper keeps: the last ones. A frame
// of a lesson's few tasks takes a few kilobytes, one of 64 tasks or more
// some tens; a thousand steps is more than anyone goes through a key at a
// time.
const stepWindow = 1000

// stepWords are --step's words in the lesson's language (its labels,
// those whose keys begin with step_), English for any the language lacks.
// The names of asyncio's and Go's own things (Task.__step, _done_callback,
// await, chan receive) stay as they are: a learner finds them so in the
// docs.
type stepWords map[string]string

// say is the label key in w's language, formatted with args if any.
func (w stepWords) say(key string, args ...any) string {
	format, ok := w[key]
	if !ok {
		format = lesson.Labels("en")[key]
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// callback is a ready queue's entry or a timer's callback, in words.
func (w stepWords) callback(c aio.Callback) string {
	switch c.Kind {
	case "step":
		return w.say("step_cb_step", c.Task)
	case "sleep":
		return w.say("step_cb_sleep", c.Task)
	}
	return c.String()
}

// ran is what ran, in words, with how it ended and where (a task's step).
func (w stepWords) ran(r aio.Ran) string {
	s := w.callback(r.Callback)
	switch {
	case len(r.At) > 0:
		s += " → " + w.say("step_outcome_at", w.outcome(r.Outcome), r.At[0])
	case r.Outcome != "":
		s += " → " + w.outcome(r.Outcome)
	}
	return s
}

// outcome is how a task's step ended: "await", "returned", "raised",
// "cancelled".
func (w stepWords) outcome(o string) string { return w.say("step_outcome_" + o) }

// goroutineState is a goroutine's state in words: the runtime's wait
// reasons stay as Go names them.
func (w stepWords) goroutineState(state string) string {
	switch state {
	case "running":
		return w.say("step_g_running")
	case "waits to print":
		return w.say("step_g_waits_to_print")
	}
	return state
}

// stepFrame is one step: what the loop, or the goroutines, held then.
type stepFrame struct {
	N          int           // from 1
	Run, Style string        // the lesson's run
	T          time.Duration // since the run started
	Out        int           // how many bytes of the lesson's output were printed by then
	Loop       *aio.LoopState
	Goroutines []goroutineState
	Event      string // go style: the line printed at this step
	End        bool   // the last frame: the lesson has ended
}

// goroutineState is one goroutine of a go-style lesson at a step.
type goroutineState struct {
	Name  string      `json:"name"`  // the span it began, or "main", or the function it runs
	State string      `json:"state"` // runtime's wait reason: "select", "chan receive", "sync.WaitGroup.Wait", ...; "running"
	At    string      `json:"at"`    // the lesson's line it is at, file:line
	Func  string      `json:"func"`  // the lesson's function it is in
	frame []aio.Frame // At and Func, for the source view
}

// stepper keeps the frames of a --step run.
type stepper struct {
	rec   *timing.Recorder
	json  *timing.JSONWriter // --json: frames are written as they come
	words stepWords          // for the frames' summaries in JSON
	// src, if set, is the lesson's code: a func literal the program hands
	// the loop (CallSoonThreadsafe(func() { moreWork(x) })) is called by
	// its source, not by Go's name for it (demos.threadCallsAio.func2).
	src sourceLine
	out *lockedOutput // what the lesson printed; nil with --json

	mu     sync.Mutex
	n      int // frames taken
	keep   int // how many frames to keep: the last ones
	frames []stepFrame
	gnames map[uint64]string // goroutine id → the span it began (go style)
}

// lockedOutput is the lesson's output, written by its goroutines and read
// by the stepper as each frame is taken.
type lockedOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *lockedOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *lockedOutput) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Len()
}

func (o *lockedOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// newStepper returns a stepper that keeps the last keep frames.
func newStepper(keep int) *stepper { return &stepper{keep: max(keep, 1), gnames: map[uint64]string{}} }

// watch is lesson.Env.Watch: a frame after each loop iteration.
func (s *stepper) watch(run string, ls aio.LoopState) {
	if s.src != nil {
		for i := range ls.Ran {
			s.nameLiteral(&ls.Ran[i].Callback)
		}
		for _, cs := range [][]aio.Callback{ls.Ready, ls.Threadsafe} {
			for i := range cs {
				s.nameLiteral(&cs[i])
			}
		}
		for i := range ls.Timers {
			s.nameLiteral(&ls.Timers[i].Callback)
		}
	}
	f := stepFrame{Run: run, Style: string(lesson.StyleAio), T: s.rec.Elapsed(), Loop: &ls}
	s.add(f)
}

// nameLiteral names a call of a func literal of the lesson's by its
// source, if it is written on one line: "func() { moreWork(x) }".
func (s *stepper) nameLiteral(c *aio.Callback) {
	if c.Kind != "call" || c.Src.File == "" || !goLiteralName.MatchString(c.Name) {
		return
	}
	if lit := funcLiteral(s.src(c.Src)); lit != "" {
		c.Name = lit
	}
}

// goLiteralName is how Go names a func literal: its function's name and
// .funcN.
var goLiteralName = regexp.MustCompile(`\.func\d+(\.\d+)?$`)

// funcLiteral is the first func literal in line, "func() { … }", if it
// ends on the line; "" if not.
func funcLiteral(line string) string {
	i := strings.Index(line, "func(")
	if i < 0 {
		return ""
	}
	depth := 0
	for j := i; j < len(line); j++ {
		switch line[j] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return line[i : j+1]
			}
		}
	}
	return ""
}

// Event is the go style's sink: a frame at each line a goroutine prints.
// It runs with the Recorder's lock held, on the goroutine that printed.
func (s *stepper) Event(e timing.Event) {
	if e.Style != string(lesson.StyleGo) || e.Kind != timing.KindEvent {
		return
	}
	f := stepFrame{Run: e.Run, Style: e.Style, T: e.T, Event: e.Text, Goroutines: s.goroutines()}
	s.add(f)
}

// onSpan names the goroutine that begins a span after it (go style).
func (s *stepper) onSpan(task string, begun bool) {
	if !begun {
		return
	}
	id := goroutineID()
	s.mu.Lock()
	s.gnames[id] = task
	s.mu.Unlock()
}

func (s *stepper) add(f stepFrame) {
	s.mu.Lock()
	s.n++
	f.N = s.n
	if s.out != nil {
		f.Out = s.out.Len()
	}
	if s.json == nil {
		if len(s.frames) == s.keep {
			// Drop the oldest. append reallocates once the slice's
			// capacity is used up, copying the window: O(1) a frame on
			// average, and at most twice the window held.
			s.frames[0] = stepFrame{}
			s.frames = s.frames[1:]
		}
		s.frames = append(s.frames, f)
	}
	s.mu.Unlock()
	if s.json != nil {
		s.json.Event(f.event(s.words))
	}
}

// end adds the last frame, with everything the lesson printed.
func (s *stepper) end() {
	if s.json != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	f := stepFrame{N: s.n, End: true, Out: s.out.Len()}
	if n := len(s.frames); n > 0 {
		f.Run, f.Style, f.T = s.frames[n-1].Run, s.frames[n-1].Style, s.frames[n-1].T
	}
	s.frames = append(s.frames, f)
}

// Frames returns the frames kept so far: the last ones taken, numbered
// from 1 since the first (frames[0].N-1 were dropped).
func (s *stepper) Frames() []stepFrame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stepFrame(nil), s.frames...)
}

// goroutineHeader is the first line of a goroutine in a stack dump.
var goroutineHeader = regexp.MustCompile(`^goroutine (\d+) \[([^\],]+)`)

// goroutineID is the calling goroutine's id, as stack dumps show it.
func goroutineID() uint64 {
	var buf [64]byte
	m := goroutineHeader.FindSubmatch(buf[:runtime.Stack(buf[:], false)])
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseUint(string(m[1]), 10, 64)
	return id
}

// goroutines lists the goroutines that are in the lesson's own code (the
// package demos), each with what it is blocked on: the runtime's wait
// reason in a dump of every goroutine's stack. The goroutine that printed
// the line is "running".
func (s *stepper) goroutines() []goroutineState {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	self := goroutineID()
	s.mu.Lock()
	defer s.mu.Unlock()
	var gs []goroutineState
	for _, block := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(block, "\n")
		m := goroutineHeader.FindStringSubmatch(lines[0])
		if m == nil {
			continue
		}
		id, _ := strconv.ParseUint(m[1], 10, 64)
		state := m[2]
		if i := strings.Index(state, " ("); i >= 0 {
			state = state[:i] // synctest's "(durable)"
		}
		switch {
		case id == self:
			state = "running"
		case strings.Contains(block, "github.com/asyncdemo/asyncdemo/timing.(*Recorder)"):
			// Blocked on the Recorder's lock, which this step holds: it
			// is printing, or beginning a span, and waits its turn.
			state = "waits to print"
		}
		var frames []aio.Frame
		for i := 1; i+1 < len(lines); i += 2 {
			fn := lines[i]
			if p := strings.LastIndexByte(fn, '('); p > 0 {
				fn = fn[:p]
			}
			if !strings.HasPrefix(fn, "github.com/asyncdemo/asyncdemo/demos.") {
				continue
			}
			loc := strings.TrimSpace(lines[i+1])
			if sp := strings.IndexByte(loc, ' '); sp >= 0 {
				loc = loc[:sp]
			}
			file, line, _ := strings.Cut(loc, ":")
			if k := strings.LastIndexByte(file, '/'); k >= 0 {
				file = file[k+1:]
			}
			n, _ := strconv.Atoi(line)
			frames = append(frames, aio.Frame{Func: strings.TrimPrefix(fn, "github.com/asyncdemo/asyncdemo/"), File: file, Line: n})
		}
		if len(frames) == 0 {
			continue
		}
		name := s.gnames[id]
		switch {
		case name != "":
		case slices.ContainsFunc(frames, func(f aio.Frame) bool { return strings.Contains(f.Func, "Lesson).Run") }):
			name = "main" // the lesson's own goroutine
		default:
			name = strings.TrimPrefix(frames[0].Func, "demos.") // not begun yet
		}
		gs = append(gs, goroutineState{Name: name, State: state, At: frames[0].String(), Func: frames[0].Func, frame: frames})
	}
	return gs
}

// event is the frame as a --json object of kind state: its text in w's
// words, the rest as the loop names it.
func (f stepFrame) event(w stepWords) timing.Event {
	e := timing.Event{Kind: timing.KindState, T: f.T, Run: f.Run, Style: f.Style, Step: f.N, Text: f.summary(w)}
	if f.Loop != nil {
		b, _ := json.Marshal(loopJSON(*f.Loop))
		e.Loop = string(b)
	}
	if f.Goroutines != nil {
		b, _ := json.Marshal(f.Goroutines)
		e.Goroutines = string(b)
	}
	return e
}

// summary is the frame in a line, in w's words.
func (f stepFrame) summary(w stepWords) string {
	switch {
	case f.End:
		return w.say("step_lesson_ended")
	case f.Loop != nil:
		s := f.Loop
		switch {
		case s.Starting:
			return w.say("step_starts", secs(s.Time), s.ReadyCount)
		case s.Stopped == aio.ErrInterrupted.Error():
			return w.say("step_interrupted", s.Iteration, secs(s.Time))
		}
		ran := make([]string, len(s.Ran))
		for i, r := range s.Ran {
			ran[i] = w.callback(r.Callback)
			if r.Took >= time.Millisecond { // a blocking call holds the loop
				ran[i] = w.say("step_held_for", ran[i], secs(r.Took))
			}
		}
		text := w.say("step_iteration", s.Iteration, secs(s.Time))
		if s.Waited >= time.Millisecond {
			text += w.say("step_waited", secs(s.Waited))
		}
		if len(s.Ran) == 0 {
			text += w.say("step_ran_nothing")
		} else {
			text += w.say("step_ran", strings.Join(ran, w.say("step_list_sep")))
		}
		if s.Stopped == "stop" {
			text += w.say("step_stops")
		}
		return text
	}
	return w.say("step_printed", f.Event)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

// jsonSeconds is a time in seconds, rounded to the millisecond, written
// always with a decimal point (4.0, not 4) as every --json time is.
type jsonSeconds float64

func (s jsonSeconds) MarshalJSON() ([]byte, error) {
	b := strconv.AppendFloat(nil, float64(s), 'f', -1, 64)
	if !bytes.ContainsRune(b, '.') {
		b = append(b, '.', '0')
	}
	return b, nil
}

// seconds rounds d to the millisecond, in seconds, for JSON.
func seconds(d time.Duration) jsonSeconds {
	return jsonSeconds(math.Round(float64(d)/float64(time.Millisecond)) / 1000)
}

// The loop's state as --json writes it.
type (
	loopStateJSON struct {
		Iteration  int         `json:"iteration"`
		Clock      jsonSeconds `json:"clock"`
		Waited     jsonSeconds `json:"waited"`
		Starting   bool        `json:"starting,omitempty"`
		Stopped    string      `json:"stopped,omitempty"`
		Ran        []ranJSON   `json:"ran"`
		Ready      []string    `json:"ready"`
		ReadyCount int         `json:"ready_count"`
		Timers     []timerJSON `json:"timers"`
		TimerCount int         `json:"timer_count"`
		Threadsafe []string    `json:"threadsafe,omitempty"`
		Tasks      []taskJSON  `json:"tasks"`
		TaskCount  int         `json:"task_count"`
	}
	ranJSON struct {
		What    string      `json:"what"`
		Took    jsonSeconds `json:"took"`
		Outcome string      `json:"outcome,omitempty"`
		At      string      `json:"at,omitempty"`
	}
	timerJSON struct {
		When jsonSeconds `json:"when"`
		What string      `json:"what"`
	}
	taskJSON struct {
		Name       string      `json:"name"`
		State      string      `json:"state"`
		Waiting    string      `json:"waiting,omitempty"`
		WakeAt     jsonSeconds `json:"wake_at,omitempty"`
		Cancelling bool        `json:"cancelling,omitempty"`
		Result     string      `json:"result,omitempty"`
		At         string      `json:"at,omitempty"`
	}
)

func loopJSON(s aio.LoopState) loopStateJSON {
	j := loopStateJSON{Iteration: s.Iteration, Clock: seconds(s.Time), Waited: seconds(s.Waited), Starting: s.Starting,
		Stopped: s.Stopped, Ran: []ranJSON{}, Ready: []string{}, ReadyCount: s.ReadyCount, Timers: []timerJSON{},
		TimerCount: s.TimerCount, Tasks: []taskJSON{}, TaskCount: s.TaskCount}
	for _, r := range s.Ran {
		rj := ranJSON{What: r.String(), Took: seconds(r.Took), Outcome: r.Outcome}
		if len(r.At) > 0 {
			rj.At = r.At[0].String()
		}
		j.Ran = append(j.Ran, rj)
	}
	for _, c := range s.Ready {
		j.Ready = append(j.Ready, c.String())
	}
	for _, t := range s.Timers {
		j.Timers = append(j.Timers, timerJSON{When: seconds(t.When), What: t.Callback.String()})
	}
	for _, c := range s.Threadsafe {
		j.Threadsafe = append(j.Threadsafe, c.String())
	}
	for _, t := range s.Tasks {
		tj := taskJSON{Name: t.Name, State: t.State, Waiting: t.Waiting, Cancelling: t.Cancelling, Result: t.Result}
		if t.Waiting == "sleep" {
			tj.WakeAt = seconds(t.WakeAt)
		}
		if len(t.At) > 0 {
			tj.At = t.At[0].String()
		}
		j.Tasks = append(j.Tasks, tj)
	}
	return j
}

// taskLine says what a task is doing, in w's words.
func (w stepWords) taskLine(t aio.TaskState) string {
	switch t.State {
	case "done":
		return w.say("step_task_done", t.Result)
	case "failed":
		return w.say("step_task_failed", t.Result)
	case "cancelled":
		return w.say("step_task_cancelled")
	}
	var what string
	switch t.Waiting {
	case "":
		what = w.say("step_task_ready")
		if len(t.At) == 0 {
			what = w.say("step_task_not_started")
		}
	case "sleep":
		what = w.say("step_task_sleep", secs(t.WakeAt))
	default:
		what = w.say("step_task_waiting", t.Waiting)
	}
	if t.Cancelling {
		what = w.say("step_task_cancelling", what)
	}
	return what
}

// sourceLine returns the lesson's line at f, trimmed, from what --code
// shows; "" if it is not there.
type sourceLine func(f aio.Frame) string

// lineOf returns cut's lines as a sourceLine.
func lineOf(cut lesson.Cut) sourceLine {
	lines := strings.Split(cut.Text, "\n")
	return func(f aio.Frame) string {
		if at, ok := cut.Lines[fmt.Sprintf("%s:%d", f.File, f.Line)]; ok && at < len(lines) {
			return strings.TrimSpace(lines[at])
		}
		return ""
	}
}

// code is the lesson's line where a task or goroutine is (fs[0]),
// without its comment and cut at 100 characters; "" if src does not have it.
func (src sourceLine) code(fs []aio.Frame) string {
	if src == nil || len(fs) == 0 {
		return ""
	}
	line := src(fs[0])
	if i := strings.Index(line, " // "); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	if r := []rune(line); len(r) > 100 {
		line = string(r[:99]) + "…"
	}
	return line
}

// stepRow is a task or a goroutine as --step lists it: its name, what it
// is doing and, while it waits, where (at file:line) and that line of the
// lesson's code.
type stepRow struct {
	Name, What, At, Code string
}

// stepTimer is a timer as --step lists it: when it is due, what it wakes.
type stepTimer struct {
	When time.Duration
	What string
}

// stepLists are a step's lists in words: the one source of the items that
// --step's text (writeFrameText) and its view (stepView) lay out, each in
// its own way. ReadyAll, TimersAll and TasksAll are how many the loop held
// in all, when a list has only the first of them.
type stepLists struct {
	Ready, Threads                []string
	Timers                        []stepTimer
	Tasks, Goroutines             []stepRow
	ReadyAll, TimersAll, TasksAll int
}

// lists returns f's lists in w's words, each row's code from src (none
// when src is nil).
func (w stepWords) lists(f stepFrame, src sourceLine) stepLists {
	var l stepLists
	for _, g := range f.Goroutines {
		r := stepRow{Name: g.Name, What: w.goroutineState(g.State), Code: src.code(g.frame)}
		if g.At != "" {
			r.At = w.say("step_at", g.At)
		}
		l.Goroutines = append(l.Goroutines, r)
	}
	s := f.Loop
	if s == nil {
		return l
	}
	for _, c := range s.Ready {
		l.Ready = append(l.Ready, w.callback(c))
	}
	for _, c := range s.Threadsafe {
		l.Threads = append(l.Threads, w.callback(c))
	}
	for _, t := range s.Timers {
		what := w.callback(t.Callback)
		if t.Kind == "sleep" {
			what = w.say("step_timer_sleep", t.Task)
		}
		l.Timers = append(l.Timers, stepTimer{When: t.When, What: what})
	}
	for _, t := range s.Tasks {
		r := stepRow{Name: t.Name, What: w.taskLine(t)}
		if t.State == "pending" && len(t.At) > 0 {
			r.At, r.Code = w.say("step_at", t.At[0]), src.code(t.At)
		}
		l.Tasks = append(l.Tasks, r)
	}
	l.ReadyAll, l.TimersAll, l.TasksAll = s.ReadyCount, s.TimerCount, s.TaskCount
	return l
}

// inAll is the line that says how many a list holds in all, when it
// shows fewer (shown); none otherwise.
func (w stepWords) inAll(shown, all int) []string {
	if all > shown {
		return []string{w.say("step_in_all", all)}
	}
	return nil
}

// nameWidth is the width of the widest name of rows, for a column.
func nameWidth(rows []stepRow) int {
	n := 0
	for _, r := range rows {
		n = max(n, len(r.Name))
	}
	return n
}

// writeStepText writes the lesson's output with the frames among it, as
// --step prints them when piped (or when the keys do not come from the
// terminal); a note is said before the go style's first step (Go hides its
// scheduler), and before the first if earlier ones were dropped, which; all
// in words' language. The frames' headings and labels are in lk's quiet
// colour, the time gutter's, so that they stand apart from the lesson's
// lines (none with no colour).
func writeStepText(w io.Writer, out string, frames []stepFrame, src sourceLine, words stepWords, lk look) error {
	printed := 0
	noted := false
	if len(frames) > 0 && frames[0].N > 1 {
		first := frames[0]
		io.WriteString(w, out[:first.Out])
		printed = first.Out
		fmt.Fprintf(w, "  ┄ %s\n", words.say("step_dropped", first.N-1, keptSteps(frames), first.N))
	}
	for _, f := range frames {
		if f.Out > printed {
			io.WriteString(w, out[printed:f.Out])
			printed = f.Out
		}
		if f.End {
			break
		}
		if f.Style == string(lesson.StyleGo) && !noted {
			fmt.Fprintf(w, "  %s\n", lk.dim("("+words.say("step_go_note")+")"))
			noted = true
		}
		writeFrameText(w, f, src, words, lk)
	}
	_, err := io.WriteString(w, out[printed:])
	return err
}

// writeFrameText writes one frame as text, in words' language, its
// heading and labels in lk's quiet colour: the lists of words.lists, a
// label before each, a task's or goroutine's line of code after where it
// waits.
func writeFrameText(w io.Writer, f stepFrame, src sourceLine, words stepWords, lk look) {
	fmt.Fprintf(w, "  %s\n", lk.dim(fmt.Sprintf("┄ %s · %s · %s", words.say("step_n", f.N), f.Run, f.summary(words))))
	labels := []string{"step_label_ready", "step_label_timers", "step_label_threads", "step_label_tasks", "step_label_goroutines"}
	width := 0
	for _, l := range labels {
		width = max(width, ansi.StringWidth(words.say(l)))
	}
	row := func(label string, items []string) {
		label = words.say(label)
		pad := strings.Repeat(" ", width-ansi.StringWidth(label))
		for i, it := range items {
			if i == 0 {
				fmt.Fprintf(w, "    %s %s\n", lk.dim(label+pad), it)
			} else {
				fmt.Fprintf(w, "    %s %s\n", strings.Repeat(" ", width), it)
			}
		}
	}
	l := words.lists(f, src)
	if f.Loop == nil {
		nameW := nameWidth(l.Goroutines)
		var gs []string
		for _, g := range l.Goroutines {
			gs = append(gs, fmt.Sprintf("%-*s  %s%s%s", nameW, g.Name, g.What,
				strings.Repeat(" ", max(0, 8-ansi.StringWidth(g.What))), codeAt(g)))
		}
		row("step_label_goroutines", gs)
		return
	}
	ready := append(l.Ready, words.inAll(len(l.Ready), l.ReadyAll)...)
	if len(ready) == 0 {
		ready = []string{words.say("step_empty")}
	}
	var timers, tasks []string
	for _, t := range l.Timers {
		timers = append(timers, secs(t.When)+" "+t.What)
	}
	nameW := nameWidth(l.Tasks)
	for _, t := range l.Tasks {
		tasks = append(tasks, fmt.Sprintf("%-*s  %s%s", nameW, t.Name, t.What, codeAt(t)))
	}
	row("step_label_ready", ready)
	row("step_label_timers", append(timers, words.inAll(len(timers), l.TimersAll)...))
	row("step_label_threads", l.Threads)
	row("step_label_tasks", append(tasks, words.inAll(len(tasks), l.TasksAll)...))
}

// codeAt is where r waits as the text says it: at file:line, and the line.
func codeAt(r stepRow) string {
	switch {
	case r.At == "":
		return ""
	case r.Code == "":
		return "  " + r.At
	}
	return "  " + r.At + ": " + r.Code
}
