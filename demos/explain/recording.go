package explain

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asyncdemo/asyncdemo/timing"
)

// Recording is what a program did, as the recorder saw it. Times count
// from the moment the recorder started, just before the program's first
// line.
type Recording struct {
	Program Program
	Python  string // the interpreter's path
	Version string // its version, such as "3.11.2"; "" if the recorder never started
	Slow    time.Duration
	// Exit is the program's exit code: its exit status, or 128 plus the
	// number of the signal that ended it (130 for Ctrl+C).
	Exit int
	// Elapsed is how long the program ran, to the end of its own code.
	Elapsed time.Duration
	// Tasks are the tasks it made, in the order it made them; asyncio.run's
	// own clean-up tasks are left out.
	Tasks    []*Task
	Loops    []*Loop   // the event loops it ran, in the order they first ran
	Blocks   []Block   // the steps that held a loop at least Slow
	Warnings []Warning // coroutines never awaited
	Logged   []Logged  // what a loop logged: exceptions never retrieved, tasks destroyed while pending
	Foreign  []string  // the kinds of event loop it ran that the recorder could not record (uvloop's)
	Cancels  []Cancel  // cancelled tasks that went on, or returned normally
	Nested   []Nested  // asyncio.run (or a loop's run) refused because a loop ran already
	Children []Child   // other processes it started, which are not traced
	// Missed are stretches where a coroutine awaited things one after
	// another that it might have started together (see missed.go).
	Missed []Missed
	// Lines are the whole lines it wrote, stdout and stderr: the last
	// KeptLines of them, after DroppedLines.
	Lines        []Line
	DroppedLines int
	Marks        []timing.Mark
	// NotRun says why Python did not run the program at all: "syntax" (a
	// syntax error), "module" (no such module), "open" (it cannot read
	// the file); "" when it ran. Python has said so in its own words.
	NotRun string
	// Checks is what the recorder notes for asyncdemo check (Config.Check).
	Checks

	dir     string        // the program's working directory, for short file names
	waiting map[int]Place // where tasks pending when their loop closed waited
	t0      float64
	tasks   taskTable
	codes   map[int]code
	exited  bool // its code ended ("exit" came)
	exitT   time.Duration
	last    time.Duration // the latest time seen
	loop    int           // the loop whose records come now

	awaitFrames map[int]*wire       // "await" frames not yet matched to their record
	scopes      map[int]wireScope   // the await points of the program's functions
	awaits      map[int]*taskAwaits // what each task's coroutines await
	candidates  []candidate         // runs of awaits one after another, to judge at the end
	peakOf      *[2]int             // peak's answer, once worked out
}

// wireScope is a "scope" frame: a function's await points.
type wireScope struct {
	lines []int
	needs [][]int
}

// Task is one task of the program.
type Task struct {
	ID     int
	Name   string // asyncio's name: "Task-2", or the program's own
	Fn     string // its coroutine's function, such as "fetch" or "Worker.run"
	File   string // where that function is defined
	Line   int
	Parent int // the task that made it; 0 if none did

	Loop    int // the event loop it belongs to (Loop.ID)
	Created time.Duration
	Ended   time.Duration // when State is not ""
	// State is how it ended: "done", "cancelled", "error", "destroyed" (it
	// was destroyed while pending), or "" if it was pending when the
	// program ended.
	State string
	Error string // how it failed, with State "error": "ValueError: boom"
	Steps []Step // when it ran, in order
	// Hidden is set for asyncio's own tasks (asyncio.run's clean-up),
	// which the timeline and the counts leave out.
	Hidden bool
	// Lib is the library its coroutine function is defined in, by its
	// top-level module or package ("redis", "aiohttp", "asyncio": an
	// installed package or the standard library); "" when that is the
	// program's own code. Such a task was made by a library for itself
	// (a redis.asyncio connection's disconnect, aiohttp resolving a
	// host), not by the program.
	Lib string

	num int // asyncio's number, Task-num; -1 for a task named by the program
}

// Who returns the task as output names it: its name and its coroutine's
// function, "Task-2 fetch" (just the name when the two are the same).
func (t *Task) Who() string {
	if t.Fn == "" || t.Fn == t.Name {
		return t.Name
	}
	fn := t.Fn
	if i := strings.LastIndex(fn, "<locals>."); i >= 0 {
		fn = fn[i+len("<locals>."):]
	}
	if fn == t.Name {
		return t.Name
	}
	return t.Name + " " + fn
}

// Step is a stretch in which a task ran: from Start to End, having been
// ready to run since Ready. Steps of a task that ran again at once are one.
type Step struct {
	Ready, Start, End time.Duration
}

// Loop is an event loop the program ran.
type Loop struct {
	ID     int
	Thread string        // the thread it ran in
	Start  time.Duration // when it first ran
	End    time.Duration // when it closed (or the program ended)
	Ran    time.Duration // how long it was running (run_forever, run_until_complete)
	Busy   time.Duration // of which running callbacks (steps)
	Idle   time.Duration // and waiting for I/O or a timer; the rest is its own work
	// Longest is the longest step it ran, a step of task LongestTask (0
	// for a callback of no task).
	Longest     time.Duration
	LongestTask int
}

// Block is a step that held a loop at least Recording.Slow: nothing else
// on the loop could run meanwhile.
type Block struct {
	Task       int           // the task it was a step of; 0 for a callback of no task
	Callback   string        // that callback's name, when Task is 0
	Start, End time.Duration // when it ran
	Ready      []int         // tasks that were ready to run when it ended (some of them)
	NReady     int           // how many callbacks were ready: Ready's tasks and more
	// At are the lines of the program's own code the watchdog found it
	// at, the most often seen first; none if it ended before a look.
	At []Place
	// GC is how long Python's garbage collector paused during the step:
	// the collector's doing, not the step's code.
	GC time.Duration
}

// Place is a line of the program where a blocking step was seen.
type Place struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Fn    string `json:"fn"`
	Code  string `json:"code"`  // the line's source, such as "time.sleep(2)"
	Inner string `json:"inner"` // the innermost function, when not this line: "recv_into (socket.py:706)"
	// Lib is the module of the library the line called into, where it
	// was stuck: "requests.api", "redis.commands.core"; "" for a builtin
	// (time.sleep, a socket's recv) or the program's own code.
	Lib string `json:"lib"`
	N   int    `json:"n"` // how many of the watchdog's looks found it here
}

// Warning is a coroutine the program made and never awaited.
type Warning struct {
	T       time.Duration
	Msg     string // Python's words: "coroutine 'fetch' was never awaited"
	File    string // where it was dropped (usually where it was made)
	Line    int
	Fn      string // the coroutine's function
	DefFile string // where that is defined
	DefLine int
}

// Logged is what a loop logged through its exception handler.
type Logged struct {
	T      time.Duration
	Msg    string // "Task exception was never retrieved", "Task was destroyed but it is pending!", ...
	Task   int    // the task it is about, if any
	Exc    string // the exception, if any: "ValueError: boom"
	File   string // where the exception was raised, in the program's code
	Line   int
	Code   string
	AtFile string // where a pending task was waiting
	AtLine int
	AtCode string
	Closed bool // the loop was closed by then
}

// Cancel is a task that was cancelled and did not stop.
type Cancel struct {
	T    time.Duration
	Task int
	// How is "went" (it caught the CancelledError and went on: File:Line
	// is where it waited again) or "returned" (it returned normally).
	How  string
	File string
	Line int
	Code string
	// Handler is the except block that may have caught it (HandlerLine
	// 0 if none was found in the source).
	Handler     string
	HandlerLine int
	HandlerCode string
}

// Nested is a call that runs an event loop made while one was running in
// the same thread, which Python refuses with a RuntimeError.
type Nested struct {
	T    time.Duration
	How  string // "asyncio.run", "asyncio.Runner.run", "loop.run_until_complete", "loop.run_forever"
	Msg  string // Python's words
	Task int    // the task that made it, 0 if none
	Fn   string // the coroutine function it was given, if any: its coroutine is never awaited
	File string // the program's line that made it
	Line int
	Code string
}

// Child is another process the program started.
type Child struct {
	T    time.Duration
	How  string // the audit event: subprocess.Popen, os.system, os.exec, os.fork, ...
	What string // its command, if known
}

// code is a coroutine function the recorder named once, for its tasks.
type code struct {
	fn, file string
	line     int
	lib      string // the library it is defined in; "" if the program's
}

// at converts a recorder time to time since its start.
func (r *Recording) at(t float64) time.Duration {
	d := time.Duration(math.Round((t - r.t0) * float64(time.Second)))
	r.last = max(r.last, d)
	return d
}

// taskTable holds the tasks by id. The recorder numbers them 1, 2, 3, ...
// in the order the program makes them (across its loops), so they are
// kept in a slice indexed by id rather than in a map: a program of 10⁵
// tasks sends half a million records, each looking its task up.
type taskTable []*Task

// get returns the task of id, or nil.
func (tt taskTable) get(id int) *Task {
	if id <= 0 || id >= len(tt) {
		return nil
	}
	return tt[id]
}

// maxTaskGap is how far past the tasks known a task id may be: the
// recorder's ids are consecutive, so one much further is not its own (and
// is not made room for).
const maxTaskGap = 1 << 20

// task returns the task id, made if it is new. For an id that cannot be
// the recorder's it returns a task kept nowhere.
func (r *Recording) task(id int) *Task {
	if t := r.tasks.get(id); t != nil {
		return t
	}
	if id <= 0 || id >= len(r.tasks)+maxTaskGap {
		return &Task{ID: id, num: -1}
	}
	for len(r.tasks) <= id {
		r.tasks = append(r.tasks, nil)
	}
	t := &Task{ID: id, num: -1}
	r.tasks[id] = t
	return t
}

// record takes a binary record.
func (r *Recording) record(rec [6]float64) {
	switch int(rec[0]) {
	case recStep:
		t := r.task(int(rec[1]))
		t.Steps = append(t.Steps, Step{Ready: r.at(rec[2]), Start: r.at(rec[3]), End: r.at(rec[4])})
	case recCreated:
		t := r.task(int(rec[1]))
		c := r.codes[int(rec[2])]
		t.Fn, t.File, t.Line, t.Lib = c.fn, c.file, c.line, c.lib
		t.Parent, t.Created, t.num = int(rec[3]), r.at(rec[4]), int(rec[5])
		t.Loop = r.loop
	case recAwait:
		r.awaitRecord(int(rec[1]), int(rec[3]))
	case recLoop:
		r.loop = int(rec[1])
	case recEnded:
		t := r.task(int(rec[1]))
		t.Ended = r.at(rec[3])
		switch int(rec[2]) {
		case 1:
			t.State = timing.StateDone
		case 2:
			t.State = timing.StateCancelled
		default:
			t.State = timing.StateError
		}
	}
}

// frame takes a JSON frame of the recording's own.
func (r *Recording) frame(w *wire) {
	switch w.K {
	case "code":
		r.codes[w.ID] = code{w.Fn, w.File, w.Line, w.Lib}
	case "name":
		r.task(w.ID).Name = w.Name
	case "error":
		r.task(w.ID).Error = w.Exc
	case "loop":
		r.Loops = append(r.Loops, &Loop{ID: w.ID, Thread: w.Thread, Start: r.at(w.T)})
	case "loopend":
		for _, l := range r.Loops {
			if l.ID == w.ID {
				l.End, l.Ran, l.Busy, l.Idle = r.at(w.T), seconds(w.Run), seconds(w.Busy), seconds(w.Idle)
				l.Longest, l.LongestTask = seconds(w.Longest), w.LongestID
			}
		}
	case "foreign":
		if !slices.Contains(r.Foreign, w.Type) {
			r.Foreign = append(r.Foreign, w.Type)
		}
	case "block":
		b := Block{Task: w.ID, Callback: w.Cb, Start: r.at(w.T0), End: r.at(w.T1), Ready: w.Ready, NReady: w.NReady, At: w.At,
			GC: seconds(w.GC)}
		if w.ID != 0 && w.Coro != nil {
			t := r.task(w.ID)
			if t.Fn == "" {
				t.File, t.Line = w.Coro.File, w.Coro.Line
			}
		}
		r.Blocks = append(r.Blocks, b)
	case "warn":
		r.Warnings = append(r.Warnings, Warning{T: r.at(w.T), Msg: w.Msg, File: w.File, Line: w.Line, Fn: w.Fn,
			DefFile: w.DefFile, DefLine: w.DefLine})
	case "exc":
		r.Logged = append(r.Logged, Logged{T: r.at(w.T), Msg: w.Msg, Task: w.ID, Exc: w.Exc, File: w.File, Line: w.Line,
			Code: w.Code, AtFile: w.AtFile, AtLine: w.AtLine, AtCode: w.AtCode, Closed: w.Closed})
	case "waiting":
		if r.waiting == nil {
			r.waiting = map[int]Place{}
		}
		r.waiting[w.ID] = Place{File: w.File, Line: w.Line, Code: w.Code}
	case "await":
		if r.awaitFrames == nil {
			r.awaitFrames = map[int]*wire{}
		}
		r.awaitFrames[w.N] = w
	case "scope":
		if r.scopes == nil {
			r.scopes = map[int]wireScope{}
		}
		r.scopes[w.ID] = wireScope{w.Lines, w.Needs}
	case "cancel":
		r.Cancels = append(r.Cancels, Cancel{T: r.at(w.T), Task: w.ID, How: w.How, File: w.File, Line: w.Line, Code: w.Code,
			Handler: w.Hfile, HandlerLine: w.Hline, HandlerCode: w.Hcode})
	case "nested":
		r.Nested = append(r.Nested, Nested{T: r.at(w.T), How: w.How, Msg: w.Msg, Task: w.ID, Fn: w.Fn, File: w.File, Line: w.Line,
			Code: w.Code})
	case "child":
		r.Children = append(r.Children, Child{T: r.at(w.T), How: w.How, What: w.What})
	case "norun":
		r.NotRun = w.Why
	case "exit":
		r.exited, r.exitT = true, r.at(w.T)
	default:
		r.checkFrame(w)
	}
}

// seconds converts float seconds to a Duration.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// finish puts the recording in order once the program has ended, elapsed
// after it started (on Go's clock).
func (r *Recording) finish(elapsed time.Duration) {
	execd := slices.ContainsFunc(r.Children, func(c Child) bool { return c.How == "os.exec" })
	switch {
	case r.exited:
		r.Elapsed = r.exitT
	case r.Version != "" && !execd: // (a program that became another ran on)
		r.Elapsed = max(r.last, 0)
	default:
		r.Elapsed = elapsed
	}
	if r.dir == "" {
		r.dir, _ = os.Getwd()
	}
	destroyed := map[int]bool{}
	for _, l := range r.Logged {
		if l.Task != 0 && strings.HasPrefix(l.Msg, "Task was destroyed") {
			destroyed[l.Task] = true
		}
	}
	r.Tasks = r.Tasks[:0]
	for _, t := range r.tasks {
		if t == nil {
			continue
		}
		if t.Name == "" {
			t.Name = "Task-" + strconv.Itoa(t.num)
			if t.num < 0 {
				t.Name = "task " + strconv.Itoa(t.ID)
			}
		}
		t.Hidden = strings.HasPrefix(t.Fn, "BaseEventLoop.")
		if t.State == "" && destroyed[t.ID] {
			t.State = "destroyed"
		}
		r.Tasks = append(r.Tasks, t)
	}
	for _, l := range r.Loops {
		if l.End == 0 {
			l.End = r.Elapsed
		}
	}
	r.judgeMissed()
}

// Task returns the task of id, or nil.
func (r *Recording) Task(id int) *Task { return r.tasks.get(id) }

// UsedAsyncio reports whether the program ran an event loop.
func (r *Recording) UsedAsyncio() bool { return len(r.Loops) > 0 || len(r.Foreign) > 0 }

// Where returns file:line as output shows it: the program's script as
// the learner named it, another file relative to the program's working
// directory when it is inside it.
func (r *Recording) Where(file string, line int) string {
	if file == "" {
		return ""
	}
	script := r.Program.Script
	if script != "" && !filepath.IsAbs(script) {
		script = filepath.Join(r.dir, script)
	}
	switch rel, err := filepath.Rel(r.dir, file); {
	case script != "" && filepath.Clean(file) == filepath.Clean(script):
		file = r.Program.Script
	case err == nil && !strings.HasPrefix(rel, ".."):
		file = rel
	}
	if line <= 0 {
		return file
	}
	return file + ":" + strconv.Itoa(line)
}

// heldEnough is how long a task must have been ready, and held by other
// steps, for the timeline to draw it.
const heldEnough = time.Millisecond

// Run returns the recording as a timing run, for the timeline and the
// trace: one row per task (its name, its coroutine's function and where
// that is defined), its life drawn as waiting, with when it ran and when
// it was ready but held by another step drawn over it; the lines it wrote
// as events; the marks (Ctrl+C).
func (r *Recording) Run() timing.Run {
	return r.run(r.Program.Name(), r.Elapsed, r.Elapsed, r.Tasks, r.Lines, r.Marks)
}

// OwnRun returns Run without the tasks libraries made for themselves
// (Task.Lib), for a timeline of the program's own tasks alone, and the
// tasks it left out (asyncio's own, Hidden, are never shown, nor here).
func (r *Recording) OwnRun() (run timing.Run, left []*Task) {
	own := make([]*Task, 0, len(r.Tasks))
	for _, t := range r.Tasks {
		switch {
		case t.Hidden:
		case t.Lib != "":
			left = append(left, t)
		default:
			own = append(own, t)
		}
	}
	return r.run(r.Program.Name(), r.Elapsed, r.Elapsed, own, r.Lines, r.Marks), left
}

// Runs returns the recording as timing runs for the timeline: Run alone
// for a program that ran one event loop (or none); for one that ran
// several (each asyncio.run makes a loop of its own) a run for each loop,
// one above the other on the same time axis, named by label (such as
// "%s · loop %d": the program's name and the loop's number) and each as
// long as its loop ran, with the lines written while it was the latest
// loop to start.
func (r *Recording) Runs(label string) []timing.Run {
	if len(r.Loops) < 2 {
		return []timing.Run{r.Run()}
	}
	runs := make([]timing.Run, len(r.Loops))
	index := map[int]int{}
	for i, l := range r.Loops {
		index[l.ID] = i
	}
	tasks := make([][]*Task, len(r.Loops))
	for _, t := range r.Tasks {
		i := index[t.Loop] // a task of no loop the recorder knew: the first's
		tasks[i] = append(tasks[i], t)
	}
	latest := func(t time.Duration) int { // the loop started last by t
		i := 0
		for j, l := range r.Loops {
			if l.Start <= t {
				i = j
			}
		}
		return i
	}
	lines := make([][]Line, len(r.Loops))
	for _, l := range r.Lines {
		i := latest(l.T)
		lines[i] = append(lines[i], l)
	}
	marks := make([][]timing.Mark, len(r.Loops))
	for _, m := range r.Marks {
		i := latest(m.T)
		marks[i] = append(marks[i], m)
	}
	for i, l := range r.Loops {
		runs[i] = r.run(fmt.Sprintf(label, r.Program.Name(), l.ID), l.End-l.Start, l.End, tasks[i], lines[i], marks[i])
	}
	return runs
}

// run is the timing run of tasks, with lines and marks, elapsed long; the
// tasks still pending at end are drawn to it.
func (r *Recording) run(name string, elapsed, end time.Duration, tasks []*Task, lines []Line, marks []timing.Mark) timing.Run {
	run := timing.Run{Name: name, Style: "python", Elapsed: elapsed, Marks: marks}
	if r.Version != "" {
		run.Style = "python " + r.Version
	}
	// Every task's life first, then the stretches drawn over them, in one
	// slice made once: a program of 100,000 tasks has half a million.
	n := 0
	for _, t := range tasks {
		if !t.Hidden {
			n += 1 + 2*len(t.Steps)
		}
	}
	run.Spans = make([]timing.Span, 0, n)
	labels := make([][2]string, len(tasks))
	for i, t := range tasks {
		if t.Hidden {
			continue
		}
		label, group := r.rowLabel(t)
		labels[i] = [2]string{label, group}
		until := t.Ended
		if t.State == "" || t.State == "destroyed" {
			until = max(end, t.Created)
		}
		state := t.State
		if state == "destroyed" {
			state = ""
		}
		run.Spans = append(run.Spans, timing.Span{Task: label, Group: group, Start: t.Created, End: until, State: state})
	}
	for i, t := range tasks {
		if t.Hidden {
			continue
		}
		label, group := labels[i][0], labels[i][1]
		for _, s := range t.Steps {
			if s.Start-s.Ready >= heldEnough {
				run.Spans = append(run.Spans, timing.Span{Task: label, Group: group, Start: s.Ready, End: s.Start, Phase: timing.PhaseHeld})
			}
			run.Spans = append(run.Spans, timing.Span{Task: label, Group: group, Start: s.Start, End: s.End, Phase: timing.PhaseRan})
		}
	}
	run.Events = make([]timing.Event, 0, len(lines))
	for _, l := range lines {
		e := timing.Event{Kind: timing.KindEvent, T: l.T, Run: run.Name, Style: "python", Task: l.Task, Text: l.Text}
		if l.Stream == 2 {
			e.Stream = "stderr"
		}
		run.Events = append(run.Events, e)
	}
	return run
}

// rowLabel returns a task's row label on the timeline, "Task-2 fetch
// my.py:5", and its group, "fetch my.py:5", under which many tasks share a
// row. A task a library made for itself says which library instead of
// where, "Task-7 Connection.disconnect (redis)": it is not the program's.
func (r *Recording) rowLabel(t *Task) (label, group string) {
	where := ""
	switch {
	case t.Lib != "":
		where = " (" + t.Lib + ")"
	case t.File != "":
		where = fmt.Sprintf(" %s:%d", filepath.Base(t.File), t.Line)
	}
	fn := t.Fn
	if i := strings.LastIndex(fn, "<locals>."); i >= 0 {
		fn = fn[i+len("<locals>."):]
	}
	if fn == "" {
		fn = t.Name
	}
	return t.Who() + where, fn + where
}
