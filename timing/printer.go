package timing

import (
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// taskColors is how many colours tasks are told apart by: a [Theme] has
// as many.
const taskColors = len(Theme{}.Tasks)

// colorIndex picks name's colour from the palette: the sum of its bytes,
// so the same name always gets the same colour, and names that differ only
// in a last digit (worker-1, worker-2) get different ones.
func colorIndex(name string) int {
	sum := 0
	for i := 0; i < len(name); i++ {
		sum += int(name[i])
	}
	return sum % taskColors
}

// Printer is the human [Sink]. It prints each event after a quiet gutter
// with the elapsed seconds, as in "  1.002s  Waiting: 2", the text in a
// colour chosen by task name, from Theme. Colour is off when NoColor is
// set; callers decide from NO_COLOR, --no-color and whether Out is a
// terminal. A Printer is safe for concurrent use.
type Printer struct {
	Out     io.Writer
	NoColor bool
	Theme   *Theme          // the colours; nil is DarkTheme
	Profile termenv.Profile // the colours Out shows; the zero value is true colour
	Width   int             // terminal width for Note; 0 means 80
	Big     bool            // projector mode: a wider gutter and bold, high-contrast text
	// Words are the printer's own words, for another language; empty ones
	// are English.
	Words Words
	// Tasks, when set, prints each event's task between the gutter and the
	// text, dim, in a column as wide as the widest task so far, and leaves
	// the text uncoloured and unwrapped: for output that does not name its
	// task itself (asyncdemo explain, where the text is a program's own).
	Tasks bool

	mu    sync.Mutex
	taskW int // the task column's width, with Tasks
	err   error
}

// NewPrinter returns a Printer that writes to out.
func NewPrinter(out io.Writer, noColor bool) *Printer {
	return &Printer{Out: out, NoColor: noColor}
}

// Colours other than a task's, for paint.
const (
	dimColor  = taskColors     // the theme's Dim: the gutter, states; Strong and bold with Big
	boldColor = taskColors + 1 // the terminal's foreground, bold
)

// paint returns s in colour i (a task colour, dimColor or boldColor), or s
// itself with colour off.
func (p *Printer) paint(i int, s string) string {
	profile := p.Profile
	if p.NoColor {
		profile = termenv.Ascii
	}
	theme := p.Theme
	if theme == nil {
		theme = DarkTheme
	}
	switch i {
	case dimColor:
		if p.Big {
			return Paint(profile, theme.Strong, true, false, s)
		}
		return Paint(profile, theme.Dim, false, false, s)
	case boldColor:
		return Paint(profile, "", true, false, s)
	}
	return Paint(profile, theme.Tasks[i], p.Big, false, s)
}

// width returns the columns the printer fits its lines in: Width, 80 when
// that is unknown, and at most BigWidth in projector mode.
func (p *Printer) width() int {
	width := p.Width
	if width <= 0 {
		width = 80
	}
	if p.Big {
		width = min(width, BigWidth)
	}
	return width
}

// proseWidth returns the columns a paragraph, a heading or a comparison
// fits in: width, at most ProseWidth.
func (p *Printer) proseWidth() int { return min(p.width(), ProseWidth) }

// itemIndent indents an Item's text, and its title's later lines.
const itemIndent = "   "

// ItemWidth returns the columns an Item's title and text are wrapped to,
// after their indent: a caller that lays out a title of several lines
// itself (a line of the title for each "\n") fits them in it.
func (p *Printer) ItemWidth() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.itemWidth()
}

func (p *Printer) itemWidth() int { return max(p.proseWidth()-len(itemIndent), 20) }

// gutter returns the time gutter for t: seconds with 3 decimals,
// right-aligned to 8 columns, e.g. "  1.002s".
func gutter(t time.Duration) string { return fmt.Sprintf("%7.3fs", t.Seconds()) }

// Event prints e: an event's text, a state change, a run's total or a
// comparison of two runs.
func (p *Printer) Event(e Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e.Task, e.Text, e.State = Printable(e.Task), Printable(e.Text), Printable(e.State)
	var b strings.Builder
	g := gutter(e.T)
	switch e.Kind {
	case KindState:
		text := e.State
		if e.Task != "" {
			text = e.Task + ": " + e.State
		}
		b.WriteString(p.paint(dimColor, g+"  "+text))
		b.WriteByte('\n')
	case KindSummary:
		b.WriteString(p.paint(boldColor, fmt.Sprintf("  %s %.3fs", p.Words.or(english).Total, e.Elapsed.Seconds())))
		b.WriteString("\n\n")
	case KindCompare: // on a narrow terminal, on two lines rather than cut mid-word
		for _, line := range strings.Split(pack(compareParts(e, p.Words.or(english)), p.proseWidth()), "\n") {
			b.WriteString(p.paint(boldColor, line) + "\n")
		}
		b.WriteString("\n")
	default:
		p.line(&b, e)
		b.WriteByte('\n')
	}
	p.write(b.String())
}

// line writes an event's line: the gutter, the task with Tasks, and the
// text. p.mu must be held, and e's strings be printable.
func (p *Printer) line(b *strings.Builder, e Event) {
	g := gutter(e.T)
	if p.Big {
		g = "  " + g + "  "
	}
	b.WriteString(p.paint(dimColor, g))
	b.WriteString("  ")
	margin := len(g) + 2
	if p.Tasks {
		if w := lipgloss.Width(e.Task); w > 0 {
			p.taskW = max(p.taskW, w)
		}
		if p.taskW > 0 {
			b.WriteString(p.paint(dimColor, e.Task))
			b.WriteString(strings.Repeat(" ", p.taskW-lipgloss.Width(e.Task)+2))
			margin += p.taskW + 2
		}
	}
	// Continuation lines start under the text, not under the gutter,
	// and a line too long for the terminal wraps the same way; but a
	// program's own lines (Tasks) keep their spaces, as it wrote them.
	indent := "\n" + strings.Repeat(" ", margin)
	text := e.Text
	if width := p.width() - margin; p.Width > 0 && width >= 20 && !p.Tasks {
		text = Wrap(text, width)
	}
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString(indent)
		}
		if e.Task == "" || p.Tasks {
			b.WriteString(line)
		} else {
			b.WriteString(p.paint(colorIndex(e.Task), line))
		}
	}
}

// Open prints e as Event prints an event of kind event, but leaves its line
// open, without a newline: a program's prompt, waiting for what the user
// types. With more, it prints only e's text, going on with the line left
// open. [Printer.EndLine] ends it.
func (p *Printer) Open(e Event, more bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e.Task, e.Text = Printable(e.Task), Printable(e.Text)
	if more {
		p.write(e.Text)
		return
	}
	var b strings.Builder
	p.line(&b, e)
	p.write(b.String())
}

// EndLine ends a line left open by [Printer.Open].
func (p *Printer) EndLine() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.write("\n")
}

// Words are the few words a Printer writes itself.
type Words struct {
	Total, Vs, Faster, Slower, Same string
}

func (w Words) or(english Words) Words {
	pick := func(s, e string) string {
		if s != "" {
			return s
		}
		return e
	}
	return Words{pick(w.Total, english.Total), pick(w.Vs, english.Vs), pick(w.Faster, english.Faster),
		pick(w.Slower, english.Slower), pick(w.Same, english.Same)}
}

var english = Words{Total: "total", Vs: "vs", Faster: "faster", Slower: "slower", Same: "about the same"}

// compareText returns the human line for a compare event, e.g.
// "concurrent 4.00 s vs sequential 7.00 s: 1.75× faster".
func compareText(e Event, w Words) string { return strings.Join(compareParts(e, w), " ") }

// compareParts returns the compare line's parts, which a narrow terminal
// breaks between, never inside: "concurrent 4.00 s", "vs",
// "sequential 7.00 s:", "1.75× faster" (in Chinese "更快" is one word).
func compareParts(e Event, w Words) []string {
	c, s := e.Concurrent.Seconds(), e.Sequential.Seconds()
	verdict := ""
	switch {
	case c < 0.001 && s < 0.001: // too short to compare
	case math.Abs(c-s) <= 0.02*max(c, s): // within 2%: noise, not a difference
		verdict = w.Same
	case c > 0 && s > 0 && c <= s:
		speedup := e.Speedup
		if speedup == 0 {
			speedup = Speedup(e.Concurrent, e.Sequential)
		}
		verdict = fmt.Sprintf("%.2f× %s", speedup, w.Faster)
	case c > 0 && s > 0:
		verdict = fmt.Sprintf("%.2f× %s", c/s, w.Slower)
	}
	cname, sname := "concurrent", "sequential"
	if e.ConcurrentRun != "" || e.SequentialRun != "" { // workers against sync-client
		cname, sname = e.ConcurrentRun, e.SequentialRun
	}
	parts := []string{fmt.Sprintf("%s %.2f s", cname, c), w.Vs, fmt.Sprintf("%s %.2f s", sname, s)}
	if verdict != "" {
		parts[2] += ":"
		parts = append(parts, verdict)
	}
	return parts
}

// pack puts parts on lines of at most width columns, a space apart,
// breaking only between parts; a part wider than a line is wrapped.
func pack(parts []string, width int) string {
	var b strings.Builder
	col := 0
	for _, part := range parts {
		w := lipgloss.Width(part)
		switch {
		case col == 0:
		case col+1+w <= width:
			b.WriteByte(' ')
			col++
		default:
			b.WriteByte('\n')
			col = 0
		}
		if w > width {
			part = Wrap(part, width)
			w = lipgloss.Width(part[strings.LastIndexByte(part, '\n')+1:])
		}
		b.WriteString(part)
		col += w
	}
	return b.String()
}

// Heading prints a section heading before a run, e.g. "── concurrent · aio ──",
// on more lines if it is wider than a paragraph.
func (p *Printer) Heading(title string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	width := p.proseWidth()
	// A title too long for the line wraps under itself, not mid-word.
	lines := strings.Split(Wrap(Printable(title), max(width-6, 20)), "\n")
	for i, line := range lines {
		prefix, suffix := "   ", ""
		if i == 0 {
			prefix = "── "
		}
		if i == len(lines)-1 {
			suffix = " ──"
		}
		p.write(p.paint(boldColor, prefix+line+suffix) + "\n")
	}
}

// Note prints a paragraph of lesson prose, wrapped (see [Wrap]) to Width
// but at most ProseWidth columns (BigWidth with Big), then a blank line.
// Line breaks in text are kept.
func (p *Printer) Note(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	width := p.proseWidth()
	p.write(Wrap(Printable(text), width) + "\n\n")
}

// Item prints a titled paragraph: title in bold on a line of its own, then
// text wrapped as Note wraps it and indented under it, then a blank line.
func (p *Printer) Item(title, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	width := p.itemWidth()
	var b strings.Builder
	// A title too long for the line (a finding's, with its file and line)
	// wraps under itself, its later lines indented as the text is.
	for i, line := range strings.Split(Wrap(Printable(title), width), "\n") {
		if i > 0 {
			b.WriteString("\n" + itemIndent)
			line = strings.TrimLeft(line, " ")
		}
		b.WriteString(p.paint(boldColor, line))
	}
	for _, line := range strings.Split(Wrap(Printable(text), width), "\n") {
		b.WriteString("\n" + itemIndent + line)
	}
	b.WriteString("\n\n")
	p.write(b.String())
}

// write writes s to Out, keeping the first error. p.mu must be held.
func (p *Printer) write(s string) {
	if p.err != nil {
		return
	}
	if _, err := io.WriteString(p.Out, s); err != nil {
		p.err = fmt.Errorf("timing: print: %w", err)
	}
}

// Err returns the first write error, if any.
func (p *Printer) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
