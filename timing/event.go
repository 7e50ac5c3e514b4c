package timing

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Event kinds.
const (
	KindEvent   = "event"   // something a task printed
	KindState   = "state"   // a task's state changed
	KindSummary = "summary" // a run ended
	KindCompare = "compare" // two runs compared
	KindFinding = "finding" // something asyncdemo explain found in a program, in words
)

// Event is one thing that happened in a run. Its JSON form (see
// [Event.MarshalJSON]) is the --json contract: fields may be added, never
// renamed or removed.
type Event struct {
	Kind  string        // KindEvent, KindState, KindSummary or KindCompare
	T     time.Duration // since the run started; "t" in seconds, for kinds other than summary and compare
	Run   string        // "concurrent", "sequential", or a lesson's variant name
	Style string        // "aio" or "go"
	Task  string        // the task the event belongs to, if any
	Text  string        // what the human output shows after the gutter, without colour
	State string        // for KindState: pending, running, done, cancelled, ...
	// Phase is, for a span a Python twin writes (see package twin), the
	// stretch of a task's life it is, such as [PhaseWait]; "" for the
	// task's life and for every other event.
	Phase string

	Elapsed time.Duration // for KindSummary: how long the run took

	// For KindCompare: the two runs' elapsed times and Sequential/Concurrent
	// rounded to 2 decimals.
	Concurrent time.Duration
	Sequential time.Duration
	Speedup    float64
	// For KindCompare between runs named otherwise than "concurrent" and
	// "sequential" (workers against sync-client): their names, in that
	// order; "" for those two.
	ConcurrentRun, SequentialRun string

	// Stream is "stderr" for a line a program wrote there (asyncdemo
	// explain); "" for stdout and for everything else.
	Stream string
	// For KindFinding: which finding ("blocking", "never-awaited", ...),
	// the file and line it is about (File "" and Line 0 if none), and the
	// asyncdemo lesson that teaches the fix ("await --blocking"). Elapsed is
	// the time it cost, if it cost any.
	Finding string
	File    string
	Line    int
	Lesson  string

	// For KindState with --step: the step's number in the lesson (from 1),
	// and what the step shows as a JSON object: Loop, what an aio-style
	// event loop holds (its ready queue, timers, tasks); Goroutines, the
	// go style's goroutines and what each is blocked on. A task's state
	// change has neither.
	// Both are held as JSON text (not json.RawMessage), so that events
	// still compare with ==.
	Step       int
	Loop       string
	Goroutines string
}

// MarshalJSON encodes e as one JSON object with its fields in a fixed order,
// durations as seconds rounded to the millisecond, for example
//
//	{"kind":"event","t":1.002,"run":"concurrent","style":"aio","task":"do_some_work(2)","text":"Waiting: 2"}
//	{"kind":"summary","run":"concurrent","elapsed":4.003}
//	{"kind":"compare","concurrent":4.003,"sequential":7.004,"speedup":1.75}
//	{"kind":"state","t":1.0,"run":"concurrent","style":"aio","text":"...","step":5,"loop":{...}}
//	{"kind":"finding","t":0.5,"run":"my.py","style":"python","task":"Task-3 blocker","text":"...","elapsed":2.0,"finding":"blocking","file":"my.py","line":12,"lesson":"await --blocking"}
//
// Empty strings and a zero line are left out; "t" is left out for kinds
// summary and compare.
func (e Event) MarshalJSON() ([]byte, error) {
	if math.IsNaN(e.Speedup) || math.IsInf(e.Speedup, 0) {
		return nil, fmt.Errorf("timing: marshal %s event: speedup %v is not a JSON number", e.Kind, e.Speedup)
	}
	return e.appendJSON(make([]byte, 0, 128)), nil
}

// appendJSON appends e's JSON object to b.
func (e Event) appendJSON(b []byte) []byte {
	b = append(b, `{"kind":`...)
	b = appendJSONString(b, e.Kind)
	if e.Kind != KindSummary && e.Kind != KindCompare {
		b = append(b, `,"t":`...)
		b = appendSeconds(b, e.T)
	}
	b = appendStringField(b, "run", e.Run)
	b = appendStringField(b, "style", e.Style)
	b = appendStringField(b, "task", e.Task)
	b = appendStringField(b, "text", e.Text)
	b = appendStringField(b, "state", e.State)
	b = appendStringField(b, "phase", e.Phase)
	if e.Kind == KindSummary || e.Elapsed != 0 {
		b = append(b, `,"elapsed":`...)
		b = appendSeconds(b, e.Elapsed)
	}
	if e.Kind == KindCompare || e.Concurrent != 0 || e.Sequential != 0 || e.Speedup != 0 {
		b = append(b, `,"concurrent":`...)
		b = appendSeconds(b, e.Concurrent)
		b = append(b, `,"sequential":`...)
		b = appendSeconds(b, e.Sequential)
		b = append(b, `,"speedup":`...)
		b = appendFloat(b, math.Round(e.Speedup*100)/100)
		b = appendStringField(b, "concurrent_run", e.ConcurrentRun)
		b = appendStringField(b, "sequential_run", e.SequentialRun)
	}
	b = appendStringField(b, "stream", e.Stream)
	b = appendStringField(b, "finding", e.Finding)
	b = appendStringField(b, "file", e.File)
	if e.Line != 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(e.Line), 10)
	}
	b = appendStringField(b, "lesson", e.Lesson)
	if e.Step != 0 {
		b = append(b, `,"step":`...)
		b = strconv.AppendInt(b, int64(e.Step), 10)
	}
	if len(e.Loop) > 0 {
		b = append(append(b, `,"loop":`...), e.Loop...)
	}
	if len(e.Goroutines) > 0 {
		b = append(append(b, `,"goroutines":`...), e.Goroutines...)
	}
	return append(b, '}')
}

// UnmarshalJSON decodes an object written by [Event.MarshalJSON], so tools
// and tests can read --json output back.
func (e *Event) UnmarshalJSON(data []byte) error {
	var w struct {
		Kind, Run, Style, Task, Text, State string
		Phase                               string
		T, Elapsed, Concurrent, Sequential  float64
		Speedup                             float64
		Stream, Finding, File, Lesson       string
		Line, Step                          int
		Loop, Goroutines                    json.RawMessage
		ConcurrentRun                       string `json:"concurrent_run"`
		SequentialRun                       string `json:"sequential_run"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("timing: unmarshal event: %w", err)
	}
	*e = Event{
		Kind: w.Kind, T: seconds(w.T), Run: w.Run, Style: w.Style, Task: w.Task,
		Text: w.Text, State: w.State, Phase: w.Phase, Elapsed: seconds(w.Elapsed),
		Concurrent: seconds(w.Concurrent), Sequential: seconds(w.Sequential), Speedup: w.Speedup,
		Stream: w.Stream, Finding: w.Finding, File: w.File, Line: w.Line, Lesson: w.Lesson,
		Step: w.Step, Loop: string(w.Loop), Goroutines: string(w.Goroutines),
		ConcurrentRun: w.ConcurrentRun, SequentialRun: w.SequentialRun,
	}
	return nil
}

// seconds converts float seconds to a Duration.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// Speedup returns sequential/concurrent rounded to 2 decimals, or 0 when
// either is not positive.
func Speedup(concurrent, sequential time.Duration) float64 {
	if concurrent <= 0 || sequential <= 0 {
		return 0
	}
	return math.Round(float64(sequential)/float64(concurrent)*100) / 100
}

func appendStringField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// appendSeconds appends d as seconds rounded to the millisecond.
func appendSeconds(b []byte, d time.Duration) []byte {
	ms := math.Round(float64(d) / float64(time.Millisecond))
	return appendFloat(b, ms/1000)
}

// appendFloat appends f in its shortest form, always with a decimal point
// ("4.0", not "4") so every reader sees a float.
func appendFloat(b []byte, f float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, '.', '0')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Unlike encoding/json it does
// not escape <, > and &, so reprs such as <Task pending> stay readable.
// Invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript readers.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Sink receives everything a [Recorder] sees, as it happens: kinds event and
// state as they happen, summary at [Recorder.EndRun], compare from
// [Recorder.Compare]. A Recorder calls its Sink with its lock held, so events
// arrive in time order and a Sink must not call back into the Recorder.
type Sink interface {
	Event(e Event)
}

// Multi returns a Sink that sends each event to every sink in turn.
// Nil sinks are skipped.
func Multi(sinks ...Sink) Sink {
	var m multi
	for _, s := range sinks {
		if s != nil {
			m = append(m, s)
		}
	}
	return m
}

type multi []Sink

func (m multi) Event(e Event) {
	for _, s := range m {
		s.Event(e)
	}
}

// JSONWriter is the --json Sink: it writes each event as one JSON object per
// line (JSON Lines) and nothing else. It is safe for concurrent use.
type JSONWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	err error
}

// NewJSONWriter returns a JSONWriter that writes to w.
func NewJSONWriter(w io.Writer) *JSONWriter { return &JSONWriter{w: w} }

// Event writes e as one line. After a write fails, later events are dropped;
// [JSONWriter.Err] reports the failure.
func (j *JSONWriter) Event(e Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	if math.IsNaN(e.Speedup) || math.IsInf(e.Speedup, 0) {
		e.Speedup = 0 // keep the line valid JSON
	}
	j.buf = append(e.appendJSON(j.buf[:0]), '\n')
	if _, err := j.w.Write(j.buf); err != nil {
		j.err = fmt.Errorf("timing: write %s event as JSON: %w", e.Kind, err)
	}
}

// Err returns the first write error, if any.
func (j *JSONWriter) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}
