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
	rec  *timing.Recorder
	json *timing.JSONWriter // --json: frames are written as they come
	out  *lockedOutput      // what the lesson printed; nil with --json

	mu     sync.Mutex
	n      int // frames taken
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

func newStepper() *stepper { return &stepper{gnames: map[uint64]string{}} }

// watch is lesson.Env.Watch: a frame after each loop iteration.
func (s *stepper) watch(run string, ls aio.LoopState) {
	f := stepFrame{Run: run, Style: string(lesson.StyleAio), T: s.rec.Elapsed(), Loop: &ls}
	s.add(f)
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
		s.frames = append(s.frames, f)
	}
	s.mu.Unlock()
	if s.json != nil {
		s.json.Event(f.event())
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

// Frames returns the frames kept so far.
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

// event is the frame as a --json object of kind state.
func (f stepFrame) event() timing.Event {
	e := timing.Event{Kind: timing.KindState, T: f.T, Run: f.Run, Style: f.Style, Step: f.N, Text: f.summary()}
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

// summary is the frame in a line.
func (f stepFrame) summary() string {
	switch {
	case f.End:
		return "the lesson has ended"
	case f.Loop != nil:
		s := f.Loop
		switch {
		case s.Starting:
			return fmt.Sprintf("the loop starts at %s: %d ready", secs(s.Time), s.ReadyCount)
		case s.Stopped == aio.ErrInterrupted.Error():
			return fmt.Sprintf("iteration %d at %s: KeyboardInterrupt, the loop stops", s.Iteration, secs(s.Time))
		}
		ran := make([]string, len(s.Ran))
		for i, r := range s.Ran {
			ran[i] = r.String()
			if r.Took >= time.Millisecond { // a blocking call holds the loop
				ran[i] += " (held the loop " + secs(r.Took) + ")"
			}
		}
		text := fmt.Sprintf("iteration %d at %s", s.Iteration, secs(s.Time))
		if s.Waited >= time.Millisecond {
			text += fmt.Sprintf(", after waiting %s", secs(s.Waited))
		}
		if len(s.Ran) == 0 {
			text += ": ran nothing"
		} else {
			text += ": ran " + strings.Join(ran, ", ")
		}
		if s.Stopped == "stop" {
			text += "; the loop stops"
		}
		return text
	}
	return "printed " + f.Event
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

// taskLine says what a task is doing, in words.
func taskLine(t aio.TaskState) string {
	switch t.State {
	case "done":
		return "done, result " + t.Result
	case "failed":
		return "failed: " + t.Result
	case "cancelled":
		return "cancelled"
	}
	var what string
	switch t.Waiting {
	case "":
		what = "ready to step"
		if len(t.At) == 0 {
			what = "not started"
		}
	case "sleep":
		what = "waiting: sleep until " + secs(t.WakeAt)
	default:
		what = "waiting on " + t.Waiting
	}
	if t.Cancelling {
		what = "cancelling, " + what
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

// at says where a task or goroutine is: file:line, and the line itself.
func (src sourceLine) at(fs []aio.Frame) string {
	if len(fs) == 0 {
		return ""
	}
	s := "  at " + fs[0].String()
	if src != nil {
		if line := src(fs[0]); line != "" {
			if i := strings.Index(line, " // "); i >= 0 {
				line = strings.TrimSpace(line[:i])
			}
			if r := []rune(line); len(r) > 100 {
				line = string(r[:99]) + "…"
			}
			s += ": " + line
		}
	}
	return s
}

// writeStepText writes the lesson's output with the frames among it, as
// --step prints them when piped (or when the keys do not come from the
// terminal); goNote is said before the go style's first step (Go hides its
// scheduler). The frames' headings and labels are in lk's quiet colour, the
// time gutter's, so that they stand apart from the lesson's lines (none
// with no colour).
func writeStepText(w io.Writer, out string, frames []stepFrame, src sourceLine, goNote string, lk look) error {
	printed := 0
	noted := false
	for _, f := range frames {
		if f.Out > printed {
			io.WriteString(w, out[printed:f.Out])
			printed = f.Out
		}
		if f.End {
			break
		}
		if f.Style == string(lesson.StyleGo) && !noted {
			fmt.Fprintf(w, "  %s\n", lk.dim("("+goNote+")"))
			noted = true
		}
		writeFrameText(w, f, src, lk)
	}
	_, err := io.WriteString(w, out[printed:])
	return err
}

// writeFrameText writes one frame as text, its heading and labels in lk's
// quiet colour.
func writeFrameText(w io.Writer, f stepFrame, src sourceLine, lk look) {
	fmt.Fprintf(w, "  %s\n", lk.dim(fmt.Sprintf("┄ step %d · %s · %s", f.N, f.Run, f.summary())))
	row := func(label string, items []string) {
		if len(items) == 0 {
			return
		}
		for i, it := range items {
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(w, "    %s %s\n", lk.dim(fmt.Sprintf("%-10s", label)), it)
		}
	}
	if s := f.Loop; s != nil {
		var ready, timers, ts, tasks []string
		for _, c := range s.Ready {
			ready = append(ready, c.String())
		}
		if s.ReadyCount > len(s.Ready) {
			ready = append(ready, fmt.Sprintf("… %d in all", s.ReadyCount))
		}
		if len(ready) == 0 {
			ready = []string{"(empty)"}
		}
		for _, t := range s.Timers {
			timers = append(timers, t.String())
		}
		if s.TimerCount > len(s.Timers) {
			timers = append(timers, fmt.Sprintf("… %d in all", s.TimerCount))
		}
		for _, c := range s.Threadsafe {
			ts = append(ts, c.String())
		}
		width := 0
		for _, t := range s.Tasks {
			width = max(width, len(t.Name))
		}
		for _, t := range s.Tasks {
			line := fmt.Sprintf("%-*s  %s", width, t.Name, taskLine(t))
			if t.State == "pending" {
				line += src.at(t.At)
			}
			tasks = append(tasks, line)
		}
		if s.TaskCount > len(s.Tasks) {
			tasks = append(tasks, fmt.Sprintf("… %d in all", s.TaskCount))
		}
		row("ready", ready)
		row("timers", timers)
		row("threads", ts)
		row("tasks", tasks)
		return
	}
	width := 0
	for _, g := range f.Goroutines {
		width = max(width, len(g.Name))
	}
	var gs []string
	for _, g := range f.Goroutines {
		gs = append(gs, fmt.Sprintf("%-*s  %-8s%s", width, g.Name, g.State, src.at(g.frame)))
	}
	row("goroutines", gs)
}
