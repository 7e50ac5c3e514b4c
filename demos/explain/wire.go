package explain

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// The recorder's frames (see Explainer in _asyncrec.py): a JSON object on
// one line, or 'B', a little-endian uint32 n and n bytes of records of six
// little-endian float64s.

// wire is a JSON frame: every kind's fields, "k" saying which.
type wire struct {
	K      string  `json:"k"`
	T      float64 `json:"t"`
	T0     float64 `json:"t0"`
	T1     float64 `json:"t1"`
	Python string  `json:"python"`

	S    int    `json:"s"`    // out, flush: the stream
	Task string `json:"task"` // out
	X    string `json:"x"`    // out

	ID     int     `json:"id"`
	Thread string  `json:"thread"` // loop
	Run    float64 `json:"run"`    // loopend
	Busy   float64 `json:"busy"`   // loopend
	Idle   float64 `json:"idle"`   // loopend

	Longest   float64 `json:"longest"`    // loopend
	LongestID int     `json:"longest_id"` // loopend
	Type      string  `json:"type"`       // foreign

	Fn   string `json:"fn"`   // code, warn
	Lib  string `json:"lib"`  // code
	File string `json:"file"` // code, warn, exc
	Line int    `json:"line"` // code, warn, exc
	Name string `json:"name"` // name
	Exc  string `json:"exc"`  // error, exc

	Cb      string    `json:"cb"`       // block
	ReadyAt float64   `json:"ready_at"` // block
	Ready   []int     `json:"ready"`    // block
	NReady  int       `json:"nready"`   // block
	At      []Place   `json:"at"`       // block
	Coro    *wireCode `json:"coro"`     // block
	GC      float64   `json:"gc"`       // block

	Msg     string `json:"msg"`      // warn, exc
	DefFile string `json:"def_file"` // warn
	DefLine int    `json:"def_line"` // warn
	Code    string `json:"code"`     // exc
	AtFile  string `json:"at_file"`  // exc
	AtLine  int    `json:"at_line"`  // exc
	AtCode  string `json:"at_code"`  // exc
	Closed  bool   `json:"closed"`   // exc
	Why     string `json:"why"`      // norun

	N     int         `json:"n"`       // await; timer, untimer
	From  int         `json:"from"`    // await
	Lv    []wireLevel `json:"lv"`      // await
	Lines []int       `json:"lines"`   // scope
	Needs [][]int     `json:"needs"`   // scope
	How   string      `json:"how"`     // cancel, nested, child
	What  string      `json:"what"`    // child; tamper
	Hfile string      `json:"handler"` // cancel
	Hline int         `json:"hline"`   // cancel
	Hcode string      `json:"hcode"`   // cancel

	When  float64     `json:"when"`  // timer
	Stack []wireFrame `json:"stack"` // timer
	// timer: a time.sleep that held the loop, or one in a to_thread job
	Blocking bool   `json:"blocking"`
	Job      bool   `json:"job"`
	Args     string `json:"args"` // args
}

// wireLevel is what one of the learner's coroutines awaits (an "await"
// frame's lv).
type wireLevel struct {
	L     int    `json:"l"`    // its level in its task's chain: 0 for the task's own coroutine
	F     int    `json:"f"`    // its serial number
	C     int    `json:"c"`    // its function's code id
	Line  int    `json:"line"` // the line it waits at
	Scope int    `json:"sc"`   // the scope its await point is in, 0 if the source did not tell
	S     int    `json:"s"`    // that point
	K     string `json:"k"`    // what it awaits: work, pause, task or other
	Fp    string `json:"fp"`   // the call and its arguments, for work
	R     string `json:"r"`    // the call's receiver (self), if any
	Fn    string `json:"fn"`   // the awaited function
	T     int    `json:"t"`    // the awaited task's id, for a task
}

type wireCode struct {
	Fn   string `json:"fn"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// Record kinds.
const (
	recStep    = 1
	recCreated = 2
	recEnded   = 3
	recAwait   = 4
	recLoop    = 5
)

// readFrames reads frames until the end of r, into s.
func readFrames(r *bufio.Reader, s *Session) error {
	var rec [6]float64
	var buf []byte
	for {
		b, err := r.Peek(1)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if b[0] == 'B' {
			var head [5]byte
			if _, err := io.ReadFull(r, head[:]); err != nil {
				return fmt.Errorf("a record frame: %w", err)
			}
			n := int(binary.LittleEndian.Uint32(head[1:]))
			if n%48 != 0 {
				return fmt.Errorf("a record frame of %d bytes, not whole records", n)
			}
			if cap(buf) < n {
				buf = make([]byte, n) // kept for the frames that follow: a program of 10⁵ tasks sends 19 MB
			}
			buf = buf[:n]
			if _, err := io.ReadFull(r, buf); err != nil {
				return fmt.Errorf("a record frame: %w", err)
			}
			s.mu.Lock()
			for off := 0; off < n; off += 48 {
				for i := range rec {
					rec[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[off+8*i:]))
				}
				s.rec.record(rec)
			}
			s.mu.Unlock()
			continue
		}
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		var w wire
		if !parseOut(line, &w) {
			if jerr := json.Unmarshal(line, &w); jerr != nil {
				return fmt.Errorf("%w: %q", jerr, truncate(string(line), 80))
			}
		}
		s.mu.Lock()
		s.frame(&w)
		if r.Buffered() == 0 && s.quiet != nil { // the program is quiet for now
			s.quiet()
		}
		s.mu.Unlock()
		if err == io.EOF {
			return nil
		}
	}
}

// outPrefix starts an "out" frame as the recorder writes it:
// {"k":"out","s":1,"t":12.5,"task":"...","x":"..."}.
const outPrefix = `{"k":"out","s":`

// parseOut reads an "out" frame, the most common by far (a program that
// prints megabytes sends one a line), without encoding/json's reflection.
// It reports false for anything else, or anything it does not expect.
func parseOut(line []byte, w *wire) bool {
	rest, ok := bytes.CutPrefix(bytes.TrimRight(line, "\n"), []byte(outPrefix))
	if !ok || len(rest) < 2 || rest[0] < '0' || rest[0] > '9' {
		return false
	}
	w.K, w.S = "out", int(rest[0]-'0')
	rest, ok = bytes.CutPrefix(rest[1:], []byte(`,"t":`))
	if !ok {
		return false
	}
	i := bytes.IndexByte(rest, ',')
	if i < 0 {
		return false
	}
	t, err := strconv.ParseFloat(string(rest[:i]), 64)
	if err != nil {
		return false
	}
	w.T = t
	if rest, ok = bytes.CutPrefix(rest[i:], []byte(`,"task":`)); !ok {
		return false
	}
	if w.Task, rest, ok = jsonString(rest); !ok {
		return false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"x":`)); !ok {
		return false
	}
	if w.X, rest, ok = jsonString(rest); !ok {
		return false
	}
	return string(rest) == "}"
}

// jsonString reads the JSON string b starts with, as Python's json.dumps
// writes it (ASCII, with \uXXXX escapes), and returns what follows it.
func jsonString(b []byte) (string, []byte, bool) {
	if len(b) < 2 || b[0] != '"' {
		return "", nil, false
	}
	escaped := false
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			escaped = true
			i++ // the escaped byte
		case '"':
			raw := b[:i+1]
			if !escaped {
				return string(raw[1:i]), b[i+1:], true
			}
			if s, ok := unescape(raw[1:i]); ok {
				return s, b[i+1:], true
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", nil, false
			}
			return s, b[i+1:], true
		}
	}
	return "", nil, false
}

// unescape undoes a JSON string's common escapes; false for \u and the
// rest, which encoding/json knows.
func unescape(b []byte) (string, bool) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(b) {
			return "", false
		}
		switch b[i] {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case '"', '\\', '/':
			out = append(out, b[i])
		default:
			return "", false
		}
	}
	return string(out), true
}

// frame takes a JSON frame. s.mu is held.
func (s *Session) frame(w *wire) {
	rec := s.rec
	switch w.K {
	case "hello":
		rec.t0, rec.Version = w.T0, w.Python
		s.start = time.Now() // the recorder's clock starts now: Go's counts from here too
	case "out":
		s.out.write(w.S, rec.at(w.T), w.Task, w.X)
	case "flush":
		s.out.flush(w.S)
	case "read":
		s.out.read()
	default:
		rec.frame(w)
	}
}

// truncate shortens s to n bytes, for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
