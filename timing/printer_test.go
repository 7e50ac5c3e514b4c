package timing

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPrinterNoColor(t *testing.T) {
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{"event", Event{Kind: KindEvent, T: 1002 * ms, Task: "do_some_work(2)", Text: "Waiting: 2"}, "  1.002s  Waiting: 2\n"},
		{"event without task", Event{Kind: KindEvent, T: 0, Text: "main: start"}, "  0.000s  main: start\n"},
		{"long run", Event{Kind: KindEvent, T: 1234567 * ms, Task: "t", Text: "late"}, "1234.567s  late\n"},
		{"multi-line text", Event{Kind: KindEvent, T: 2 * time.Second, Task: "t", Text: "one\ntwo"}, "  2.000s  one\n          two\n"},
		{"state", Event{Kind: KindState, T: 0, Task: "do_some_work(2)", State: "pending"}, "  0.000s  do_some_work(2): pending\n"},
		{"summary", Event{Kind: KindSummary, Run: "concurrent", Elapsed: 4003 * ms}, "  total 4.003s\n\n"},
		{
			"compare faster",
			Event{Kind: KindCompare, Concurrent: 4003 * ms, Sequential: 7004 * ms, Speedup: 1.75},
			"concurrent 4.00 s vs sequential 7.00 s: 1.75× faster\n\n",
		},
		{
			"compare slower",
			Event{Kind: KindCompare, Concurrent: 6 * time.Second, Sequential: 5 * time.Second, Speedup: 0.83},
			"concurrent 6.00 s vs sequential 5.00 s: 1.20× slower\n\n",
		},
		{
			"compare without speedup",
			Event{Kind: KindCompare, Concurrent: 2 * time.Second, Sequential: 6 * time.Second},
			"concurrent 2.00 s vs sequential 6.00 s: 3.00× faster\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			NewPrinter(&out, true).Event(tt.e)
			if got := out.String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestPrinterHeadingAndNote(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, true)
	p.Width = 40
	p.Heading("concurrent · aio")
	p.Note("Three coroutines sleep at the same time on one event loop, so the whole takes about as long as the longest one.\nA second paragraph line.")
	p.Note("事件循环同时运行三个协程，所以总时间约等于最长的那个，而不是三者之和。")
	want := `── concurrent · aio ──
Three coroutines sleep at the same time
on one event loop, so the whole takes
about as long as the longest one.
A second paragraph line.

事件循环同时运行三个协程，所以总时间约等
于最长的那个，而不是三者之和。

`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPrinterNoteDefaultWidth(t *testing.T) {
	var out bytes.Buffer
	NewPrinter(&out, true).Note(strings.Repeat("word ", 40))
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if len(line) > 80 {
			t.Errorf("line of %d columns, want at most 80: %q", len(line), line)
		}
	}
}

func TestWrapBreaksLongWords(t *testing.T) {
	got := Wrap("ab supercalifragilistic cd", 10)
	want := "ab superca\nlifragilis\ntic cd"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// dim is the escape of the dark theme's dim colour, #a0a0a0.
const dim = "\x1b[38;2;160;160;160m"

func TestPrinterColor(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, false)
	tasks := []string{"do_some_work(1)", "do_some_work(2)", "do_some_work(4)", "do_some_work(1)"}
	for _, task := range tasks {
		p.Event(Event{Kind: KindEvent, T: time.Second, Task: task, Text: "Waiting"})
	}
	p.Event(Event{Kind: KindState, Task: "do_some_work(1)", State: "pending"})
	p.Event(Event{Kind: KindSummary, Elapsed: time.Second})
	p.Heading("h")

	lines := strings.Split(out.String(), "\n")
	for _, line := range lines[:len(tasks)] {
		if !strings.Contains(line, dim+"  1.000s\x1b[0m  ") {
			t.Errorf("gutter is not in the theme's dim colour: %q", line)
		}
	}
	// The text's colour: the escape before "Waiting".
	colorOf := func(line string) string {
		i := strings.LastIndex(line, "Waiting")
		return line[strings.LastIndex(line[:i], "\x1b["):i]
	}
	c1, c2, c4, again := colorOf(lines[0]), colorOf(lines[1]), colorOf(lines[2]), colorOf(lines[3])
	if c1 == c2 || c2 == c4 || c1 == c4 {
		t.Errorf("tasks 1, 2, 4 share colours: %q %q %q", c1, c2, c4)
	}
	if c1 != again {
		t.Errorf("same task, different colours: %q and %q", c1, again)
	}
	if !strings.Contains(out.String(), dim+"  0.000s  do_some_work(1): pending\x1b[0m") {
		t.Errorf("state line is not dim:\n%q", out.String())
	}
	if !strings.Contains(out.String(), "\x1b[1m  total 1.000s\x1b[0m\n\n") || !strings.Contains(out.String(), "\x1b[1m── h ──\x1b[0m\n") {
		t.Errorf("summary and heading are not bold:\n%q", out.String())
	}
}

func TestPrinterKeepsFirstError(t *testing.T) {
	w := &failingWriter{}
	p := NewPrinter(w, true)
	p.Event(Event{Kind: KindEvent, Text: "a"})
	p.Heading("b")
	if err := p.Err(); err == nil || !errors.Is(err, p.Err()) || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Err() = %v, want the wrapped write error", err)
	}
	if w.writes != 1 {
		t.Errorf("%d writes after a failure, want 1", w.writes)
	}
}

func TestPrinterZeroValueWorks(t *testing.T) {
	var out bytes.Buffer
	p := &Printer{Out: &out}
	p.Event(Event{Kind: KindEvent, Task: "t", Text: "x"})
	if !strings.Contains(out.String(), "\x1b[") {
		t.Errorf("zero Printer with colour on printed no colour: %q", out.String())
	}
}

func TestPrinterTasksColumn(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, true)
	p.Tasks, p.Width = true, 40
	for _, e := range []Event{
		{Kind: KindEvent, T: 0, Text: "start"},
		{Kind: KindEvent, T: 1 * ms, Task: "Task-2 fetch", Text: "fetching 1"},
		{Kind: KindEvent, T: 2 * ms, Task: "Task-10 get", Text: "two\nlines"},
		{Kind: KindEvent, T: 3 * ms, Text: "\x1b[31mred\x1b[0m"},
		{Kind: KindEvent, T: 4 * ms, Text: `  File "/tmp/a/rather/long/path/to/the/program.py", line 3`},
	} {
		p.Event(e)
	}
	want := "  0.000s  start\n" +
		"  0.001s  Task-2 fetch  fetching 1\n" +
		"  0.002s  Task-10 get   two\n" +
		"                        lines\n" +
		"  0.003s                \\x1b[31mred\\x1b[0m\n" +
		"  0.004s                  File \"/tmp/a/rather/long/path/to/the/program.py\", line 3\n"
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	var colored bytes.Buffer
	p = NewPrinter(&colored, false)
	p.Tasks = true
	p.Event(Event{Kind: KindEvent, T: 0, Task: "Task-2 fetch", Text: "plain"})
	if got := colored.String(); !strings.Contains(got, dim+"Task-2 fetch\x1b[0m  plain\n") {
		t.Errorf("the task dim, the program's text uncoloured: %q", got)
	}
}

func TestPrinterOpenLine(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, true)
	p.Open(Event{Kind: KindEvent, T: 1 * time.Second, Text: "name? "}, false)
	p.Open(Event{Kind: KindEvent, Text: "(default \x07bob) "}, true)
	p.EndLine()
	p.Event(Event{Kind: KindEvent, T: 2 * time.Second, Text: "hello"})
	if got, want := out.String(), "  1.000s  name? (default \\x07bob) \n  2.000s  hello\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPrinterItem(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, true)
	p.Width = 40
	p.Item("1. Blocking call — my.py:13", "Line 13, `time.sleep(2)`, held the loop for 2.00 s: no other task could run.")
	want := "1. Blocking call — my.py:13\n" +
		"   Line 13, `time.sleep(2)`, held the\n" +
		"   loop for 2.00 s: no other task could\n" +
		"   run.\n\n"
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// A title wider than the line (a finding's at 50 columns) wraps under
	// itself, between words, instead of being cut by the terminal.
	out.Reset()
	p.Item("2. Awaits one after another — /tmp/x/small.py:10 — 0.201 s", "These awaits took 704 ms.")
	want = "2. Awaits one after another\n" + // UAX #14 breaks before an em dash too
		"   — /tmp/x/small.py:10 — 0.201 s\n" +
		"   These awaits took 704 ms.\n\n"
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestBigGutterIsBoldAndStrong: in projector mode the time gutter, which
// the lessons tell the class to watch, is bold and as readable as text,
// never faint; the tasks are bold too.
func TestBigGutterIsBoldAndStrong(t *testing.T) {
	for _, theme := range []*Theme{DarkTheme, LightTheme} {
		var out bytes.Buffer
		p := NewPrinter(&out, false)
		p.Big, p.Theme = true, theme
		p.Event(Event{Kind: KindEvent, T: time.Second, Task: "do_some_work(1)", Text: "Waiting: 1"})
		p.Event(Event{Kind: KindState, Task: "do_some_work(1)", State: "pending"})
		strong := Paint(0, theme.Strong, true, false, "    1.000s  ")
		if got := out.String(); !strings.HasPrefix(got, strong) || strings.Contains(got, "\x1b[2m") || !strings.Contains(got, ";1mWaiting: 1") {
			t.Errorf("%s theme: gutter not bold in %s, or something faint: %q", theme.Name, theme.Strong, got)
		}
		for _, bg := range theme.Backgrounds {
			if c, _ := Contrast(theme.Strong, bg); c < 7 {
				t.Errorf("%s theme: the big gutter's contrast on %s is %.1f, want at least 7 (WCAG AAA)", theme.Name, bg, c)
			}
		}
	}
}
