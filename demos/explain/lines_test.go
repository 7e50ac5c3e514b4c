package explain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shown records what an assembler sends, one string per Line.
type shown []string

func (s *shown) emit(l Line) {
	var flags []string
	if l.Open {
		flags = append(flags, "open")
	}
	if l.More {
		flags = append(flags, "more")
	}
	*s = append(*s, fmt.Sprintf("%d %s %q %s", l.Stream, l.Task, l.Text, strings.Join(flags, ",")))
}

func TestAssemblerSendsWholeLinesAsTheyEnd(t *testing.T) {
	var got shown
	a := &assembler{emit: got.emit}
	a.write(1, 1*time.Millisecond, "Task-2 fetch", "fetching")
	a.write(1, 2*time.Millisecond, "Task-2 fetch", " ")
	a.write(1, 3*time.Millisecond, "Task-2 fetch", "1\ngot ")
	if want := []string{`1 Task-2 fetch "fetching 1" `}; !slices.Equal(got, want) {
		t.Fatalf("after the first newline: %q, want %q", got, want)
	}
	a.write(2, 4*time.Millisecond, "", "oops\n")
	a.write(1, 5*time.Millisecond, "Task-3 fetch", "1\n\n")
	a.close()
	want := []string{
		`1 Task-2 fetch "fetching 1" `,
		`2  "oops" `,
		`1 Task-2 fetch "got 1" `, // the task and time of the line's first piece
		`1 Task-3 fetch "" `,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if a.lines[2].T != 3*time.Millisecond || len(a.lines) != 4 {
		t.Errorf("recorded lines %+v", a.lines)
	}
}

func TestAssemblerShowsAFlushedPromptAndEndsItAtARead(t *testing.T) {
	var got shown
	a := &assembler{emit: got.emit}
	a.write(1, 0, "", "name? ")
	a.flush(1)
	a.read() // the user typed a name and Enter: the terminal ended the line
	a.write(1, time.Second, "", "hello bob\n")
	a.write(1, time.Second, "", "more? ")
	a.flush(1)
	a.write(1, time.Second, "", "(y/n) ")
	a.flush(1)
	a.write(2, time.Second, "", "warning\n") // another stream: the open line ends first
	a.write(1, time.Second, "", "y\n")
	a.close()
	want := []string{
		`1  "name? " open`,
		`1  "hello bob" `,
		`1  "more? " open`,
		`1  "(y/n) " open,more`,
		`1  "" more`,
		`2  "warning" `,
		`1  "y" `,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	var lines []string
	for _, l := range a.lines {
		lines = append(lines, l.Text)
	}
	if want := []string{"name? ", "hello bob", "warning", "more? (y/n) y"}; !slices.Equal(lines, want) {
		t.Errorf("recorded lines %q, want %q", lines, want)
	}
}

func TestAssemblerEndsWhatIsLeftAtClose(t *testing.T) {
	var got shown
	a := &assembler{emit: got.emit}
	a.write(2, 0, "", "Traceback")
	a.write(1, 0, "", "partial")
	a.flush(1)
	a.close()
	want := []string{`1  "partial" open`, `1  "" more`, `2  "Traceback" `}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestARecordingKeepsTheLastLines(t *testing.T) {
	a := &assembler{}
	n := 3*KeptLines + 7
	for i := range n {
		a.write(1, time.Duration(i), "", strconv.Itoa(i)+"\n")
	}
	lines, dropped := a.kept()
	if len(lines) != KeptLines || dropped != n-KeptLines || lines[0].Text != strconv.Itoa(n-KeptLines) ||
		lines[len(lines)-1].Text != strconv.Itoa(n-1) {
		t.Errorf("kept %d lines from %q, dropped %d; want the last %d of %d", len(lines), lines[0].Text, dropped, KeptLines, n)
	}
}
