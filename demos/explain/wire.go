package explain

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
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

	N     int         `json:"n"`     // timer, untimer
	When  float64     `json:"when"`  // timer
	Stack []wireFrame `json:"stack"` // timer
	What  string      `json:"what"`  // tamper
	// timer: a time.sleep that held the loop, or one in a to_thread job
	Blocking bool   `json:"blocking"`
	Job      bool   `json:"job"`
	Args     string `json:"args"` // args
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
)

// readFrames reads frames until the end of r, into s.
func readFrames(r *bufio.Reader, s *Session) error {
	var rec [6]float64
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
			buf := make([]byte, n)
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
		if jerr := json.Unmarshal(line, &w); jerr != nil {
			return fmt.Errorf("%w: %q", jerr, truncate(string(line), 80))
		}
		s.mu.Lock()
		s.frame(&w)
		s.mu.Unlock()
		if err == io.EOF {
			return nil
		}
	}
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
