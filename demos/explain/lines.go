package explain

import (
	"strings"
	"time"
)

// Line is a line the program wrote, or a piece of one: what [Config.Output]
// receives as the program writes.
//
// A line comes whole when the program ends it with a newline. A line the
// program flushes unfinished (a prompt such as input("name? ") writes) comes
// Open: it stays open on the screen, and the next piece of the same line
// comes with More, going on from it, until one comes that is not Open. A
// piece with More, not Open and no Text only ends the open line: someone
// else wrote meanwhile. A line the program read after (the user typed
// Enter, which ended the line on the screen) ends with no piece at all.
type Line struct {
	T      time.Duration // when the line's first piece was written
	Stream int           // 1 stdout, 2 stderr
	Task   string        // the task that wrote it, when more than one task existed; else ""
	Text   string        // without its newline; as written (escape it before it reaches a terminal)
	Open   bool          // the line goes on after this piece
	More   bool          // this piece goes on with the line left open
}

// KeptLines is how many of the lines a program wrote its Recording keeps
// (the last ones), for the trace: a program that prints megabytes would
// otherwise hold them all.
const KeptLines = 10_000

// assembler turns the pieces the program writes into Lines.
type assembler struct {
	emit    func(Line)
	parts   [3]part // by stream: 1 stdout, 2 stderr
	open    int     // the stream whose line is open on the screen; 0 for none
	lines   []Line  // the last whole lines (at least KeptLines, fewer than twice that), for the recording
	dropped int     // and how many came before them
}

// keep keeps l among the recording's lines.
func (a *assembler) keep(l Line) {
	if len(a.lines) >= 2*KeptLines {
		n := copy(a.lines, a.lines[len(a.lines)-KeptLines:])
		clear(a.lines[n:])
		a.dropped += len(a.lines) - n
		a.lines = a.lines[:n]
	}
	a.lines = append(a.lines, l)
}

// kept returns the last KeptLines lines, and how many were dropped.
func (a *assembler) kept() ([]Line, int) {
	if n := len(a.lines) - KeptLines; n > 0 {
		return a.lines[n:], a.dropped + n
	}
	return a.lines, a.dropped
}

// part is a line being written.
type part struct {
	started bool
	t       time.Duration
	task    string
	text    strings.Builder // not yet shown
	whole   strings.Builder // all of it, for the recording
	shown   bool            // some of it is shown already, open
}

func (a *assembler) send(l Line) {
	if a.emit != nil {
		a.emit(l)
	}
}

// write takes a piece of text the program wrote on stream at t, by task.
func (a *assembler) write(stream int, t time.Duration, task, text string) {
	if stream != 1 && stream != 2 {
		stream = 2
	}
	p := &a.parts[stream]
	for text != "" {
		piece, rest, newline := strings.Cut(text, "\n")
		if newline && !p.started && a.open == 0 { // a whole line: no need to build it
			a.send(Line{T: t, Stream: stream, Task: task, Text: piece})
			a.keep(Line{T: t, Stream: stream, Task: task, Text: piece})
			text = rest
			continue
		}
		text = rest
		if !p.started {
			p.started, p.t, p.task = true, t, task
		}
		p.text.WriteString(piece)
		p.whole.WriteString(piece)
		if newline {
			a.end(stream)
		}
	}
}

// end sends stream's line, which the program has ended.
func (a *assembler) end(stream int) {
	p := &a.parts[stream]
	a.endOther(stream)
	if p.shown {
		a.send(Line{T: p.t, Stream: stream, Task: p.task, Text: p.text.String(), More: true})
	} else {
		a.send(Line{T: p.t, Stream: stream, Task: p.task, Text: p.text.String()})
	}
	a.keep(Line{T: p.t, Stream: stream, Task: p.task, Text: p.whole.String()})
	a.open = 0
	*p = part{}
}

// endOther ends the line of another stream than stream left open on the
// screen: what comes next of that line starts a line of its own.
func (a *assembler) endOther(stream int) {
	if a.open != 0 && a.open != stream {
		a.send(Line{Stream: a.open, More: true})
		a.parts[a.open].shown = false
		a.open = 0
	}
}

// flush shows what stream's line has so far, leaving it open: the program
// flushed it.
func (a *assembler) flush(stream int) {
	if stream != 1 && stream != 2 {
		return
	}
	p := &a.parts[stream]
	if p.text.Len() == 0 {
		return
	}
	a.endOther(stream)
	a.send(Line{T: p.t, Stream: stream, Task: p.task, Text: p.text.String(), Open: true, More: p.shown})
	p.text.Reset()
	p.shown, a.open = true, stream
}

// read notes that the program read stdin: the user's Enter ended the line
// open on the screen, and the program's line with it.
func (a *assembler) read() {
	if a.open == 0 {
		return
	}
	p := &a.parts[a.open]
	a.keep(Line{T: p.t, Stream: a.open, Task: p.task, Text: p.whole.String()})
	*p = part{}
	a.open = 0
}

// close sends what is left: lines without their newline, and the end of
// an open line.
func (a *assembler) close() {
	for _, stream := range []int{a.open, 1, 2} {
		if stream != 0 && a.parts[stream].started {
			a.end(stream)
		}
	}
	if a.open != 0 {
		a.send(Line{Stream: a.open, More: true})
		a.open = 0
	}
}
