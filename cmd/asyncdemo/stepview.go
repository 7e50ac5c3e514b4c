package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	_ "github.com/asyncdemo/asyncdemo/cmd/asyncdemo/internal/noquery" // before bubbletea: no query at start-up

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// showSteps shows --step's frames once the lesson has run: in a terminal,
// the full-screen view, after which the lesson's output is printed so that
// it stays in the scrollback; piped, the frames as text among the output.
func (r *lessonRun) showSteps(ctx context.Context) error {
	ios := r.opts.IO
	if r.step.json != nil {
		return nil
	}
	frames, out := r.step.Frames(), r.step.out.String()
	in, inFile := ios.In.(*os.File)
	tty, outFile := ios.Out.(*os.File)
	cut, err := lesson.CutSource(demos.Source, r.info.Code[r.env.Style]...)
	if err != nil {
		return err
	}
	if !inFile || !outFile || !ios.IsTerminal || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(tty.Fd())) {
		return writeStepText(ios.Out, out, frames, lineOf(cut), r.env.Labels, r.look)
	}
	v := newStepView(r.info, frames, out, r.look, r.env.Labels)
	v.src = cut
	if !r.look.noColor {
		var b strings.Builder
		if highlight(&b, cut.Text, "go", r.look) == nil {
			v.coloured = strings.Split(b.String(), "\n")
		}
	}
	err = runStepView(ctx, ios, in, tty, v)
	io.WriteString(ios.Out, out) // the lesson's output stays in the scrollback
	return err
}

// runStepView runs the view full-screen until q, Ctrl+C or ctx's end (a
// signal from outside). The terminal is restored however it ends, a forced
// exit included.
func runStepView(ctx context.Context, ios *IOStreams, in, out *os.File, v *stepView) error {
	fd := int(in.Fd())
	old, err := term.GetState(fd)
	if err != nil {
		return fmt.Errorf("reading the keyboard: %w", err)
	}
	remove := ios.atForcedExit(func() {
		io.WriteString(out, "\x1b[?1049l\x1b[?25h") // leave the alternate screen, show the cursor
		term.Restore(fd, old)
	})
	defer remove()
	p := tea.NewProgram(v, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out),
		tea.WithAltScreen(), tea.WithoutSignalHandler())
	_, err = p.Run()
	term.Restore(fd, old)
	switch {
	case v.interrupted:
		return lesson.ErrInterrupted
	case errors.Is(err, tea.ErrProgramKilled):
		return nil // the program's context ended: its cause says why
	}
	return err
}

// stepView is the full-screen view of --step: bubbletea's model.
type stepView struct {
	info        lesson.Info
	frames      []stepFrame
	out         string
	src         lesson.Cut
	coloured    []string // src's lines, highlighted as --code shows them; nil without colour
	i           int      // the frame shown
	w, h        int
	st          stepStyles
	words       stepWords // the view's words, in the lesson's language
	interrupted bool      // quit with Ctrl+C
}

// stepStyles are the view's styles, defined once.
type stepStyles struct {
	box, title, changed, current, dim, key lipgloss.Style
}

// newStepStyles returns the view's styles in the theme's colours (as the
// printer's, whose contrast timing/theme_test.go measures), or none.
func newStepStyles(noColor bool, theme *timing.Theme) stepStyles {
	r := lipgloss.NewRenderer(os.Stdout)
	if noColor || theme == nil {
		r.SetColorProfile(termenv.Ascii)
		theme = timing.DarkTheme
	}
	return stepStyles{
		box:     r.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color(theme.Dim)).Padding(0, 1),
		title:   r.NewStyle().Bold(true),
		changed: r.NewStyle().Bold(true).Foreground(lipgloss.Color(theme.Tasks[2])),
		current: r.NewStyle().Reverse(true),
		dim:     r.NewStyle().Foreground(lipgloss.Color(theme.Dim)),
		key:     r.NewStyle().Bold(true),
	}
}

// newStepView returns the view of frames, the lesson having printed out,
// in the colours of lk and the language of labels (the lesson's labels).
func newStepView(info lesson.Info, frames []stepFrame, out string, lk look, labels map[string]string) *stepView {
	return &stepView{info: info, frames: frames, out: out, st: newStepStyles(lk.noColor, lk.theme), words: labels, w: 100, h: 40}
}

func (v *stepView) Init() tea.Cmd { return nil }

// say is the view's word key in the lesson's language, else in English,
// formatted with args if any.
func (v *stepView) say(key string, args ...any) string { return v.words.say(key, args...) }

func (v *stepView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		v.w, v.h = msg.Width, msg.Height
	case tea.KeyMsg:
		switch msg.String() {
		case "right", " ", "enter", "l":
			v.i = min(v.i+1, len(v.frames)-1)
		case "left", "h", "backspace":
			v.i = max(v.i-1, 0)
		case "down", "j":
			v.i = v.nextPrinted()
		case "up", "k":
			v.i = v.previousPrinted()
		case "g", "end", "G":
			v.i = len(v.frames) - 1
		case "r", "home":
			v.i = 0
		case "q", "esc":
			return v, tea.Quit
		case "ctrl+c":
			v.interrupted = true
			return v, tea.Quit
		}
	}
	return v, nil
}

// nextPrinted is the next frame at which more output was printed.
func (v *stepView) nextPrinted() int {
	for j := v.i + 1; j < len(v.frames); j++ {
		if v.frames[j].Out > v.frames[v.i].Out {
			return j
		}
	}
	return len(v.frames) - 1
}

// previousPrinted is the last frame before this one's output came.
func (v *stepView) previousPrinted() int {
	for j := v.i - 1; j > 0; j-- {
		if v.frames[j-1].Out < v.frames[j].Out && v.frames[j].Out < v.frames[v.i].Out {
			return j
		}
	}
	return 0
}

// loopClock returns the loop's clock at frame i: its own, or for the
// frame after the lesson ended, the clock where the loop last stopped, so
// that the last step does not switch to another clock (the time since
// the lesson began). It reports false for a frame of no loop (the go
// style's goroutines).
func (v *stepView) loopClock(i int) (time.Duration, bool) {
	if f := v.frames[i]; f.Loop != nil {
		return f.Loop.Time, true
	} else if !f.End {
		return 0, false
	}
	for j := i - 1; j >= 0; j-- {
		if l := v.frames[j].Loop; l != nil {
			return l.Time, true
		}
		if v.frames[j].Goroutines != nil {
			break
		}
	}
	return 0, false
}

func (v *stepView) View() string {
	if len(v.frames) == 0 {
		return v.say("step_nothing") + "\n"
	}
	f := v.frames[v.i]
	var prev *stepFrame
	if v.i > 0 {
		prev = &v.frames[v.i-1]
	}
	w, h := max(v.w, 30), max(v.h, 20)
	header := v.st.title.Render(fmt.Sprintf("asyncdemo %s --step", v.info.Name)) +
		fmt.Sprintf(" · %s · %s · %s", f.Run, f.Style, v.say("step_of", f.N, v.frames[len(v.frames)-1].N))
	if clock, ok := v.loopClock(v.i); ok {
		header += " · " + v.say("step_loop_clock", secs(clock))
	} else {
		header += fmt.Sprintf(" · %s", secs(f.T))
	}
	// The lines above and below the boxes, wrapped to the terminal's
	// width: one cut by the terminal would hide the step's number.
	head := wrapLines(header, w)
	if note := v.droppedNote(); note != "" {
		head = append(head, wrapLines(v.st.dim.Render(note), w)...)
	}
	head = append(head, wrapLines(v.st.title.Render("▸ ")+f.summary(v.words), w)...)
	keys := wrapLines(v.st.dim.Render(v.say("step_keys")), w)
	if w < 80 { // too narrow for two columns of boxes
		body := v.narrow(f, prev, w, h-len(head)-len(keys)-1)
		return strings.Join(slices.Concat(head, body, keys), "\n")
	}
	h -= len(head) + len(keys) - 3

	outH := max(4, h/4)
	topH := h - outH - 4 - 2 // header, what, keys, a blank; the output box's borders
	leftW := w * 11 / 20
	rightW := w - leftW

	var left, right string
	switch {
	case f.Loop != nil:
		srcH := max(5, topH*5/9)
		left = lipgloss.JoinVertical(lipgloss.Left,
			v.box(v.say("step_program"), v.sourceLines(f, srcH-3), leftW, srcH),
			v.box(v.say("step_tasks"), v.taskLines(f, prev), leftW, topH-srcH))
		readyH := max(4, topH/2)
		var rightParts []string
		if ran := v.ranLines(f); len(ran) > 0 {
			ranH := len(ran) + 3 // the title and the borders
			rightParts = append(rightParts, v.box(v.say("step_held"), ran, rightW, ranH))
			readyH = max(4, readyH-ranH/2)
			rightParts = append(rightParts, v.box(v.say("step_ready"), v.readyLines(f, prev), rightW, readyH))
			readyH += ranH
		} else {
			rightParts = append(rightParts, v.box(v.say("step_ready"), v.readyLines(f, prev), rightW, readyH))
		}
		if n := len(f.Loop.Threadsafe); n > 0 {
			tsH := min(n, 3) + 3 // the title and the borders
			rightParts = append(rightParts, v.box(v.say("step_threads"), v.threadLines(f), rightW, tsH))
			readyH += tsH
		}
		rightParts = append(rightParts, v.box(v.say("step_timers"), v.timerLines(f, prev), rightW, topH-readyH))
		right = lipgloss.JoinVertical(lipgloss.Left, rightParts...)
	case f.Goroutines != nil:
		srcH := max(5, topH/2)
		left = lipgloss.JoinVertical(lipgloss.Left,
			v.box(v.say("step_program"), v.sourceLines(f, srcH-3), leftW, srcH),
			v.box(v.say("step_goroutines"), v.goroutineLines(f, prev), leftW, topH-srcH))
		right = v.box(v.say("step_go_style"), wrapLines(v.say("step_go_note"), rightW-4), rightW, topH)
	default:
		left = v.box(v.say("step_program"), wrapLines(v.say("step_ended"), leftW-4), leftW, topH)
		right = v.box("", nil, rightW, topH)
	}
	top := lipgloss.JoinHorizontal(lipgloss.Top, left, right)
	output := v.box(v.say("step_output"), v.outputLines(f, prev, outH-1), w, outH+2)
	return strings.Join(slices.Concat(head, []string{top, output}, keys), "\n")
}

// narrow lays out a step in one column of rows lines, for a terminal
// narrower than two columns of boxes need: each part under a heading,
// without borders, given lines in turn until they run out.
func (v *stepView) narrow(f stepFrame, prev *stepFrame, w, rows int) []string {
	type part struct {
		title string
		lines func(n int) []string // at most n lines
		want  int                  // lines it would fill
	}
	fixed := func(lines []string) func(int) []string {
		return func(n int) []string {
			if len(lines) <= n {
				return lines
			}
			return append(lines[:n-1:n-1], v.st.dim.Render("  "+v.say("step_more", len(lines)-n+1)))
		}
	}
	program := part{v.say("step_program"), func(n int) []string { return v.sourceLines(f, n) }, 3}
	var parts []part
	switch {
	case f.Loop != nil:
		ready, tasks, timers := v.readyLines(f, prev), v.taskLines(f, prev), v.timerLines(f, prev)
		parts = append(parts, program)
		if ran := v.ranLines(f); len(ran) > 0 {
			parts = append(parts, part{v.say("step_held"), fixed(ran), len(ran)})
		}
		parts = append(parts, part{v.say("step_ready"), fixed(ready), len(ready)})
		if len(f.Loop.Threadsafe) > 0 {
			ts := v.threadLines(f)
			parts = append(parts, part{v.say("step_threads"), fixed(ts), len(ts)})
		}
		parts = append(parts, part{v.say("step_timers"), fixed(timers), len(timers)}, part{v.say("step_tasks"), fixed(tasks), len(tasks)})
	case f.Goroutines != nil:
		gs, note := v.goroutineLines(f, prev), wrapLines(v.st.dim.Render(v.say("step_go_note")), w)
		parts = append(parts, program, part{v.say("step_goroutines"), fixed(gs), len(gs)}, part{v.say("step_go_style"), fixed(note), len(note)})
	default:
		ended := wrapLines(v.say("step_ended"), w)
		parts = append(parts, part{v.say("step_program"), fixed(ended), len(ended)})
	}
	out := strings.Count(v.out[:f.Out], "\n") + 1
	parts = append(parts, part{v.say("step_output"), func(n int) []string { return v.outputLines(f, prev, n) }, out})

	// A line each in turn, until the rows or the lines run out.
	n := make([]int, len(parts))
	left := rows - len(parts) // the headings
	for more := true; more && left > 0; {
		more = false
		for i, p := range parts {
			if n[i] < p.want && left > 0 {
				n[i]++
				left--
				more = true
			}
		}
	}
	var lines []string
	for i, p := range parts {
		lines = append(lines, v.st.title.Render(ansi.Truncate("── "+p.title, w, "…")))
		if n[i] == 0 {
			continue
		}
		for _, l := range p.lines(n[i]) {
			lines = append(lines, ansi.Truncate(l, w, "…"))
		}
	}
	return lines
}

// droppedNote says, if the stepper dropped the first steps to bound its
// memory, which ones: back stops at the first kept.
func (v *stepView) droppedNote() string {
	dropped := v.frames[0].N - 1
	if dropped <= 0 {
		return ""
	}
	return v.say("step_dropped", dropped, keptSteps(v.frames), dropped+1)
}

// keptSteps is how many of frames are steps, the lesson's end left out.
func keptSteps(frames []stepFrame) int {
	n := len(frames)
	if n > 0 && frames[n-1].End {
		n--
	}
	return n
}

// box draws lines in a bordered box of width w and height h (borders
// included), the title first; lines that do not fit are cut.
func (v *stepView) box(title string, lines []string, w, h int) string {
	inner := max(w-4, 10)
	rows := max(h-2, 1)
	var body []string
	if title != "" {
		body = append(body, v.st.title.Render(ansi.Truncate(title, inner, "…")))
	}
	for _, l := range lines {
		body = append(body, ansi.Truncate(l, inner, "…"))
	}
	if len(body) > rows {
		body = append(body[:rows-1], v.st.dim.Render(v.say("step_more", len(body)-rows+1)))
	}
	for len(body) < rows {
		body = append(body, "")
	}
	return v.st.box.Width(inner + 2).Render(strings.Join(body, "\n"))
}

// mark writes an item, highlighted with a + when it was not there at the
// last step.
func (v *stepView) mark(item string, was []string, prev bool) string {
	if prev && !slices.Contains(was, item) {
		return v.st.changed.Render("+ " + item)
	}
	return "  " + item
}

// ranLines returns what held the loop in f's iteration, in turn, for a
// box of its own above the ready queue (what runs next): at most three
// lines, the line above the boxes naming them all.
func (v *stepView) ranLines(f stepFrame) []string {
	var lines []string
	for i, r := range f.Loop.Ran {
		if i == 2 && len(f.Loop.Ran) > 3 {
			lines = append(lines, v.st.dim.Render("  ✓ "+v.say("step_more", len(f.Loop.Ran)-2)))
			break
		}
		lines = append(lines, v.st.dim.Render("  ✓ "+v.words.ran(r)))
	}
	return lines
}

// lists are f's lists in the view's words: the items the text has too
// (see stepLists), without the lines of code, which the program's box
// shows.
func (v *stepView) lists(f stepFrame) stepLists { return v.words.lists(f, nil) }

func (v *stepView) readyLines(f stepFrame, prev *stepFrame) []string {
	return v.changedLines(f, prev, false, func(p stepFrame) []string {
		var xs []string
		for i, c := range v.lists(p).Ready {
			xs = append(xs, fmt.Sprintf("%d. %s", i+1, c))
		}
		return xs
	}, "step_empty", f.Loop.ReadyCount)
}

func (v *stepView) timerLines(f stepFrame, prev *stepFrame) []string {
	return v.changedLines(f, prev, false, func(p stepFrame) []string {
		var xs []string
		for _, t := range v.lists(p).Timers {
			xs = append(xs, fmt.Sprintf("%s  %s", secs(t.When), t.What))
		}
		return xs
	}, "step_none", f.Loop.TimerCount)
}

func (v *stepView) taskLines(f stepFrame, prev *stepFrame) []string {
	return v.changedLines(f, prev, false, func(p stepFrame) []string {
		return rowLines(v.lists(p).Tasks)
	}, "step_no_task", f.Loop.TaskCount)
}

func (v *stepView) goroutineLines(f stepFrame, prev *stepFrame) []string {
	return v.changedLines(f, prev, true, func(p stepFrame) []string {
		return rowLines(v.lists(p).Goroutines)
	}, "", 0)
}

// rowLines lays out rows as the view shows them: the names in a column,
// then what each does and where it waits.
func rowLines(rows []stepRow) []string {
	width := nameWidth(rows)
	var xs []string
	for _, r := range rows {
		s := fmt.Sprintf("%-*s  %s", width, r.Name, r.What)
		if r.At != "" {
			s += "  " + r.At
		}
		xs = append(xs, s)
	}
	return xs
}

// changedLines lists what items makes of f, each marked + where items did
// not make it of prev (see mark); none (a label, "" for nothing) is said
// when the list is empty, and when the list holds only the first of all,
// how many there are in all.
func (v *stepView) changedLines(f stepFrame, prev *stepFrame, goroutines bool, items func(stepFrame) []string, none string, all int) []string {
	was := prevItems(prev, goroutines, items)
	shown := items(f)
	var lines []string
	for _, it := range shown {
		lines = append(lines, v.mark(it, was, prev != nil))
	}
	if len(shown) == 0 && none != "" {
		lines = append(lines, "  "+v.say(none))
	}
	for _, l := range v.words.inAll(len(shown), all) {
		lines = append(lines, "  "+l)
	}
	return lines
}

// prevItems applies items to prev, if it is a frame of the same kind
// (the loop's state, or goroutines).
func prevItems(prev *stepFrame, goroutines bool, items func(stepFrame) []string) []string {
	if prev == nil || prev.End || (prev.Loop == nil) != goroutines {
		return nil
	}
	return items(*prev)
}

// threadLines are the calls waiting in call_soon_threadsafe's queue.
func (v *stepView) threadLines(f stepFrame) []string {
	var lines []string
	for _, c := range v.lists(f).Threads {
		lines = append(lines, "  "+c)
	}
	return lines
}

// sourceLines is a window of n lines of the lesson's code around the line
// that ran last: ▶ marks where each step of this iteration stopped (or the
// goroutine that printed), · where the other tasks wait.
func (v *stepView) sourceLines(f stepFrame, n int) []string {
	text := strings.Split(v.src.Text, "\n")
	if len(text) == 0 || v.src.Lines == nil {
		return []string{v.say("step_no_code")}
	}
	marks := map[int]string{} // line of text → its mark
	var names = map[int][]string{}
	focus := -1
	note := func(fr []aio.Frame, mark, name string) {
		for _, x := range fr {
			if at, ok := v.src.Lines[x.File+":"+fmt.Sprint(x.Line)]; ok {
				if marks[at] != "▶" {
					marks[at] = mark
				}
				if name != "" && !slices.Contains(names[at], name) {
					names[at] = append(names[at], name)
				}
				if mark == "▶" {
					focus = at
				}
				return
			}
		}
	}
	if f.Loop != nil {
		for _, t := range f.Loop.Tasks {
			if t.State == "pending" {
				note(t.At, "·", t.Name)
			}
		}
		for _, r := range f.Loop.Ran {
			switch {
			case r.Kind != "step":
			case len(r.At) > 0:
				note(r.At, "▶", "")
			default: // it ran to its end from where it last waited
				note(v.lastAt(r.Task), "▶", r.Task+" "+v.words.outcome(r.Outcome))
			}
		}
	}
	for _, g := range f.Goroutines {
		mark := "·"
		if g.State == "running" {
			mark = "▶"
		}
		note(g.frame, mark, g.Name)
	}
	if focus < 0 { // only the loop's own code ran: stay where the program last was
		for j := v.i - 1; j >= 0 && focus < 0; j-- {
			p := v.frames[j]
			if p.Loop != nil {
				for _, r := range p.Loop.Ran {
					if r.Kind == "step" && len(r.At) > 0 {
						if at, ok := v.src.Lines[r.At[0].File+":"+fmt.Sprint(r.At[0].Line)]; ok {
							focus = at
						}
					}
				}
			}
		}
	}
	if focus < 0 {
		for at := range marks {
			focus = at
			break
		}
	}
	start := max(0, min(focus-n/2, len(text)-n))
	end := min(len(text), start+n)
	// The window's lines lose the indent they all share: in a narrow
	// terminal it would hide their ends.
	indent := -1
	for _, l := range text[start:end] {
		if strings.TrimSpace(l) != "" {
			k := len(l) - len(strings.TrimLeft(l, "\t"))
			if indent < 0 || k < indent {
				indent = k
			}
		}
	}
	dedent := func(l string) string {
		return strings.ReplaceAll(strings.TrimPrefix(l, strings.Repeat("\t", max(indent, 0))), "\t", "    ")
	}
	var lines []string
	for i := start; i < end; i++ {
		line := dedent(text[i])
		mark := marks[i]
		if mark == "" {
			mark = " "
		}
		shown := line
		if i < len(v.coloured) && strings.HasPrefix(v.coloured[i], strings.Repeat("\t", max(indent, 0))) {
			shown = dedent(v.coloured[i])
		}
		row := fmt.Sprintf("%s %s", mark, shown)
		if len(names[i]) > 0 {
			row += v.st.dim.Render("   ← " + strings.Join(names[i], ", "))
		}
		if mark == "▶" {
			row = v.st.current.Render(fmt.Sprintf("%s %s", mark, line))
			if len(names[i]) > 0 {
				row += v.st.dim.Render("   ← " + strings.Join(names[i], ", "))
			}
		}
		lines = append(lines, row)
	}
	return lines
}

// lastAt is where the pending task name last waited before this frame.
func (v *stepView) lastAt(name string) []aio.Frame {
	for j := v.i - 1; j >= 0; j-- {
		if l := v.frames[j].Loop; l != nil {
			for _, t := range l.Tasks {
				if t.Name == name && t.State == "pending" && len(t.At) > 0 {
					return t.At
				}
			}
		}
	}
	return nil
}

// outputLines are the last n lines the lesson had printed by f, those
// printed since the last step highlighted.
func (v *stepView) outputLines(f stepFrame, prev *stepFrame, n int) []string {
	shown := strings.Split(strings.TrimRight(v.out[:f.Out], "\n"), "\n")
	before := 0
	if prev != nil {
		before = strings.Count(strings.TrimRight(v.out[:prev.Out], "\n"), "\n") + 1
		if prev.Out == 0 {
			before = 0
		}
	}
	start := max(0, len(shown)-n)
	for j := start; j > 0 && j < len(shown); j++ { // not in the middle of a paragraph
		if shown[j-1] == "" || outputStart.MatchString(shown[j]) {
			start = j
			break
		}
	}
	var lines []string
	for i, l := range shown[start:] {
		if start+i >= before && prev != nil {
			l = v.st.changed.Render("+") + l
		} else {
			l = " " + l
		}
		lines = append(lines, l)
	}
	return lines
}

// outputStart matches a line of output that starts something, not the
// rest of a paragraph: an event's line (its time gutter) or a heading.
var outputStart = regexp.MustCompile(`^\s*\d+\.\d+s\s|^\s*(──|--|==)`)

// wrapLines breaks s into lines of at most w columns (a CJK character
// takes two), between words where it can.
func wrapLines(s string, w int) []string {
	return strings.Split(ansi.Wrap(s, max(w, 1), ""), "\n")
}
