package timing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Timeline draws runs as a chart: one row per task with its bars on a shared
// time axis, labels on the left. When a run has more than MaxRows rows, its
// spans are merged by [Span.Group] into one row per group, labelled
// "<group> ×<count>", so a million spans still draw as a few rows. A run
// that kept only its end ([Run.Partial]) is drawn from [Run.From], with a
// line under its title that says how many of its tasks are drawn.
//
// A run whose spans have phases ([Span.Phase]) draws each task's life as a
// thin line (waiting), the stretches it ran as full blocks and those it was
// ready but held by another step as light shade, and marks a cancelled or
// failed task after its end. A run whose spans have only wait phases
// ([PhaseWait]) draws each task's life as a bar, as a run without phases
// does, and the stretches it waited over it as a thin line.
//
// The zero Timeline is ready to use: 80 columns, Unicode blocks, colour.
type Timeline struct {
	Width   int  // columns to fit in: 0 means 80; at least 40
	ASCII   bool // draw with ASCII only: '#' bars, 'x' cancelled, '|' and '-' axis
	NoColor bool
	Theme   *Theme          // the colours; nil is DarkTheme
	Profile termenv.Profile // the colours the terminal shows; the zero value is true colour
	MaxRows int             // rows per run before spans are grouped; 0 means 12
	Big     bool            // projector mode: bars two lines high, runs apart, the axis bold
	Words   Legend
}

// Legend are the words of a chart's legend, for another language; empty
// ones are English.
type Legend struct {
	Cancelled, Error string
	Ran, Waiting     string // for runs with phases
	Held             string
}

func (l Legend) or(english Legend) Legend {
	pick := func(s, e string) string {
		if s != "" {
			return s
		}
		return e
	}
	return Legend{pick(l.Cancelled, english.Cancelled), pick(l.Error, english.Error), pick(l.Ran, english.Ran),
		pick(l.Waiting, english.Waiting), pick(l.Held, english.Held)}
}

var englishLegend = Legend{Cancelled: "cancelled", Error: "error", Ran: "ran", Waiting: "waiting",
	Held: "ready, held by another step"}

// glyphs is the set of characters a chart is drawn with.
type glyphs struct {
	full, cancelled, failed, tick, bar, axis, corner, thin rune
	halfStart                                              rune   // right half block; 0 when bars snap to whole cells
	eighths                                                []rune // left 1/8 to 7/8 blocks
	cancelMark                                             rune   // drawn after a cancelled bar; 0 for none
	times, ellipsis, mark                                  string
	// For runs with phases: waiting, held, and the mark after a failed task.
	wait, held, failMark, phaseCancelMark rune
}

var (
	unicodeGlyphs = glyphs{
		full: '█', cancelled: '░', failed: '▒', tick: '┬', bar: '│', axis: '─', corner: '└', thin: '▏',
		halfStart: '▐', eighths: []rune(" ▏▎▍▌▋▊▉"), cancelMark: '✗', times: "×", ellipsis: "…", mark: "▲",
		wait: '─', held: '░', failMark: '!', phaseCancelMark: '✗',
	}
	asciiGlyphs = glyphs{
		full: '#', cancelled: 'x', failed: '!', tick: '|', bar: '|', axis: '-', corner: '|', thin: '#',
		times: "x", ellipsis: "...", mark: "^",
		wait: '-', held: '=', failMark: '!', phaseCancelMark: 'x',
	}
)

// cell states, in the order painting gives way: a weak (partial) glyph never
// covers a strong one.
const (
	cellEmpty uint8 = iota
	cellWeak
	cellStrong
)

// cell is one column of a row's bar area.
type cell struct {
	r      rune
	weight uint8
}

// row is one line of a run's chart: a task, or a group of spans.
type row struct {
	key, label string
	color      int
	// Its spans, merged: the bar a grouped row draws, and how they ended.
	start, end       time.Duration
	count, cancelled int
	failed           int
	overlap          bool // some of its spans overlap: several tasks share the name
	cells            []cell
}

// chart is one run, laid out.
type chart struct {
	run     Run
	rows    []row
	grouped bool
	phased  bool // its spans have ran or held phases
	waited  bool // some of its cells are drawn as waits (PhaseWait) over a bar
}

// Render draws runs one above the other on one time axis, each under a title
// line such as "concurrent (aio) 4.003s". The result has no trailing newline.
func (tl Timeline) Render(runs ...Run) string {
	if len(runs) == 0 {
		return ""
	}
	width := tl.Width
	if width <= 0 {
		width = 80
	}
	width = max(width, 40)
	maxRows := tl.MaxRows
	if maxRows <= 0 {
		maxRows = 12
	}
	g := unicodeGlyphs
	if tl.ASCII {
		g = asciiGlyphs
	}

	// Lay out rows and find the time axis, from the earliest moment the
	// runs kept.
	from := runs[0].From
	for _, run := range runs {
		from = min(from, run.From)
	}
	charts := make([]chart, len(runs))
	var axisMax time.Duration
	for i, run := range runs {
		charts[i] = layoutRun(run, from, maxRows, g)
		axisMax = max(axisMax, run.Elapsed)
		for _, r := range charts[i].rows {
			axisMax = max(axisMax, r.end)
		}
	}
	if axisMax <= from {
		axisMax = from + time.Second
	}

	labelW := 1
	for _, c := range charts {
		for _, r := range c.rows {
			labelW = max(labelW, lipgloss.Width(r.label))
		}
	}
	labelW = min(labelW, max(8, width/2-2))
	cols := width - labelW - 2 // after the label, a space and the axis line
	scale := float64(cols) / float64(axisMax-from)

	// Paint the bars.
	for i := range charts {
		paintRun(&charts[i], cols, from, scale, g)
	}

	// Draw.
	st := newStyles(tl)
	var lines []string
	var cancelled, failed, phased, waited bool
	for i, c := range charts {
		phased = phased || c.phased
		waited = waited || c.waited
		if tl.Big && i > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, st.bold.Render(truncate(title(c.run), width, g.ellipsis)))
		if c.run.Partial() {
			lines = append(lines, st.dim.Render(truncate(keptLine(c.run), width, g.ellipsis)))
		}
		for _, r := range c.rows {
			cancelled = cancelled || r.cancelled > 0
			failed = failed || r.failed > 0
			lines = append(lines, st.row(r, labelW, g))
			if tl.Big {
				r.label = ""
				lines = append(lines, st.row(r, labelW, g))
			}
		}
		for _, m := range c.run.Marks {
			if m.T >= from {
				lines = append(lines, st.bold.Render(markLine(m, labelW, cols, from, scale, g)))
			}
		}
	}
	lines = append(lines, axisLines(st, labelW, cols, from, axisMax, g)...)
	var legend []string
	words := tl.Words.or(englishLegend)
	cancelGlyph, failGlyph := g.cancelled, g.failed
	if phased {
		cancelGlyph, failGlyph = g.phaseCancelMark, g.failMark
		legend = append(legend, string(g.full)+" "+words.Ran, string(g.wait)+" "+words.Waiting, string(g.held)+" "+words.Held)
	} else if waited {
		legend = append(legend, string(g.wait)+" "+words.Waiting)
	}
	if cancelled {
		legend = append(legend, string(cancelGlyph)+" "+words.Cancelled)
	}
	if failed {
		legend = append(legend, string(failGlyph)+" "+words.Error)
	}
	// The legend, under the bars, on as many lines as it needs.
	indent := strings.Repeat(" ", labelW+2)
	for line := ""; len(legend) > 0; {
		if line != "" && lipgloss.Width(indent+line+"  "+legend[0]) > width {
			lines = append(lines, st.dim.Render(indent+line))
			line = ""
		}
		if line == "" && lipgloss.Width(indent+legend[0]) > width {
			indent = "" // too narrow to start under the bars
		}
		if line != "" {
			line += "  "
		}
		line += legend[0]
		legend = legend[1:]
		if len(legend) == 0 {
			lines = append(lines, st.dim.Render(indent+line))
		}
	}
	return strings.Join(lines, "\n")
}

// markLine draws a mark under a run's bars: an arrow at its moment and its
// label beside it, on whichever side it fits.
func markLine(m Mark, labelW, cols int, from time.Duration, scale float64, g glyphs) string {
	col := min(int(float64(m.T-from)*scale), cols-1)
	arrow := g.mark
	text := arrow + " " + m.Label
	if col+lipgloss.Width(text) > cols {
		text = m.Label + " " + arrow
		col = max(0, col-lipgloss.Width(text)+1)
	}
	return strings.Repeat(" ", labelW+2+col) + text
}

// title returns a run's title line, e.g. "concurrent (aio) 4.003s".
func title(run Run) string {
	var parts []string
	if run.Name != "" {
		parts = append(parts, run.Name)
	}
	if run.Style != "" {
		parts = append(parts, "("+run.Style+")")
	}
	parts = append(parts, fmt.Sprintf("%.3fs", run.Elapsed.Seconds()))
	return strings.Join(parts, " ")
}

// keptLine says what is drawn of a run that kept only its end, e.g. "the
// last 4,998 of 1,000,000 tasks, from 297.512s (earlier ones not kept)".
func keptLine(run Run) string {
	if run.DroppedSpans == 0 { // only events were dropped
		return fmt.Sprintf("all %s tasks, from %.3fs (earlier events not kept)", Thousands(len(run.Spans)), run.From.Seconds())
	}
	return fmt.Sprintf("the last %s of %s tasks, from %.3fs (earlier ones not kept)",
		Thousands(len(run.Spans)), Thousands(len(run.Spans)+run.DroppedSpans), run.From.Seconds())
}

// Thousands formats n with commas between groups of three digits: 100,000.
func Thousands(n int) string {
	if n < 0 {
		return "-" + Thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// spanEnd returns when s ends on the chart: a span with no end is drawn to
// the run's end. A phase always has its end, 0 included.
func spanEnd(s Span, runEnd time.Duration) time.Duration {
	if s.Phase != "" {
		return max(s.End, s.Start)
	}
	if s.End < s.Start || (s.State == "" && s.End == 0) {
		return max(runEnd, s.Start)
	}
	return s.End
}

// layoutRun finds run's rows: one per task, or, past maxRows tasks, one per
// group (at most maxRows, then one "other" row). Bars start at from at the
// earliest. It is linear in the spans and allocates nothing per span.
func layoutRun(run Run, from time.Duration, maxRows int, g glyphs) chart {
	c := chart{run: run}
	for i := range run.Spans {
		if p := run.Spans[i].Phase; p == PhaseRan || p == PhaseHeld {
			c.phased = true
			break
		}
	}
	last := -1 // rows are looked up by a short linear scan, trying the last hit first
	find := func(key string) int {
		if last >= 0 && c.rows[last].key == key {
			return last
		}
		for i := range c.rows {
			if c.rows[i].key == key {
				last = i
				return i
			}
		}
		return -1
	}

	for _, s := range run.Spans {
		if s.Phase != "" { // a stretch of a task's life: drawn on its row
			continue
		}
		i := find(s.Task)
		if i < 0 {
			if len(c.rows) == maxRows {
				c.grouped = true
				break
			}
			c.rows = append(c.rows, row{key: s.Task, label: s.Task, color: colorIndex(s.Task)})
			last = len(c.rows) - 1
			i = last
		}
		c.rows[i].add(s, from, run.Elapsed)
	}
	if !c.grouped {
		for i := range c.rows {
			if r := &c.rows[i]; r.overlap { // many tasks of one name at once: say how many
				r.label = r.key + " " + g.times + strconv.Itoa(r.count)
			}
		}
		return c
	}

	c.rows, last = c.rows[:0], -1
	other := row{key: "other", color: colorIndex("other")}
	for _, s := range run.Spans {
		if s.Phase != "" {
			continue
		}
		key := s.Group
		if key == "" {
			key = s.Task
		}
		i := find(key)
		if i < 0 {
			if len(c.rows) == maxRows {
				other.add(s, from, run.Elapsed)
				continue
			}
			c.rows = append(c.rows, row{key: key, color: colorIndex(key)})
			last = len(c.rows) - 1
			i = last
		}
		c.rows[i].add(s, from, run.Elapsed)
	}
	if other.count > 0 {
		c.rows = append(c.rows, other)
	}
	for i := range c.rows {
		r := &c.rows[i]
		r.label = r.key + " " + g.times + strconv.Itoa(r.count)
	}
	return c
}

// add merges s, cut to start at from at the earliest, into r's totals.
func (r *row) add(s Span, from, runEnd time.Duration) {
	start, end := max(s.Start, from), spanEnd(s, runEnd)
	if r.count > 0 && start < r.end {
		r.overlap = true
	}
	if r.count == 0 || start < r.start {
		r.start = start
	}
	r.end = max(r.end, end)
	r.count++
	switch s.State {
	case StateCancelled:
		r.cancelled++
	case StateError:
		r.failed++
	}
}

// state returns how a grouped row's spans ended: cancelled or error if all
// of them did, otherwise done.
func (r *row) state() string {
	switch r.count {
	case r.cancelled:
		return StateCancelled
	case r.failed:
		return StateError
	}
	return StateDone
}

// paintRun draws each row's bars into cols cells, the first at from, scale
// cells per nanosecond.
func paintRun(c *chart, cols int, from time.Duration, scale float64, g glyphs) {
	for i := range c.rows {
		c.rows[i].cells = make([]cell, cols)
	}
	if c.phased {
		paintPhases(c, scale, g)
		return
	}
	if c.grouped {
		for i := range c.rows {
			r := &c.rows[i]
			paint(r.cells, float64(r.start-from)*scale, float64(r.end-from)*scale, r.state(), g)
		}
		return
	}
	last, waits := 0, false
	for _, s := range c.run.Spans {
		if s.Phase != "" {
			waits = true
			continue
		}
		i := rowOf(c.rows, s.Task, last)
		if i < 0 {
			continue // every task has a row when the run is not grouped
		}
		last = i
		start, end := max(s.Start, from), spanEnd(s, c.run.Elapsed)
		paint(c.rows[last].cells, float64(start-from)*scale, float64(end-from)*scale, s.State, g)
	}
	if waits {
		paintWaits(c, from, scale, g)
	}
}

// rowOf returns the index of the row of task in rows, trying last first;
// -1 if there is none.
func rowOf(rows []row, task string, last int) int {
	if last >= 0 && last < len(rows) && rows[last].key == task {
		return last
	}
	for i := range rows {
		if rows[i].key == task {
			return i
		}
	}
	return -1
}

// paintWaits draws the wait phases of a run without ran or held phases
// over their tasks' bars, in the cells they cover for the most part (and
// a partial cell at the bar's edge beside them): a wait shorter than half
// a cell does not show. A wait never draws where its task's bar is not.
func paintWaits(c *chart, from time.Duration, scale float64, g glyphs) {
	last := -1
	for _, s := range c.run.Spans {
		if s.Phase != PhaseWait {
			continue
		}
		if last = rowOf(c.rows, s.Task, last); last < 0 {
			continue
		}
		cells := c.rows[last].cells
		start, end := max(s.Start, from), spanEnd(s, c.run.Elapsed)
		a := max(int(math.Round(float64(start-from)*scale)), 0)
		z := min(int(math.Round(float64(end-from)*scale)), len(cells))
		if a < z { // a wait to the bar's edge takes the edge's partial cell too
			if a > 0 && cells[a-1].weight == cellWeak {
				a--
			}
			if z < len(cells) && cells[z].weight == cellWeak {
				z++
			}
		}
		for j := a; j < z; j++ {
			if cells[j].weight != cellEmpty {
				cells[j] = cell{g.wait, cellStrong}
				c.waited = true
			}
		}
	}
}

// paint draws one bar from start to end (in cells) into cells.
func paint(cells []cell, start, end float64, state string, g glyphs) {
	n := len(cells)
	put := func(i int, r rune, w uint8) bool {
		if i < 0 || i >= n || cells[i].weight > w || (cells[i].weight == w && w == cellWeak) {
			return false
		}
		cells[i] = cell{r, w}
		return true
	}
	glyph := g.full
	switch state {
	case StateCancelled:
		glyph = g.cancelled
	case StateError:
		glyph = g.failed
	}

	if glyph != g.full || g.halfStart == 0 {
		// Whole cells, at least one.
		a, z := int(math.Round(start)), int(math.Round(end))
		a = min(a, n-1)
		z = max(z, a+1)
		for i := a; i < z && i < n; i++ {
			put(i, glyph, cellStrong)
		}
		if state == StateCancelled && g.cancelMark != 0 && !put(z, g.cancelMark, cellWeak) {
			cells[min(z, n)-1] = cell{g.cancelMark, cellStrong}
		}
		return
	}

	// Full blocks, a half block where the bar starts mid-cell, and an
	// eighth block where it ends mid-cell.
	painted := false
	half := math.Round(start*2) / 2
	i := int(half)
	eighths := int(math.Round(end * 8))
	endFull, rem := eighths/8, eighths%8
	if half != float64(i) {
		if i < endFull || (i == endFull && rem > 4) {
			painted = put(i, g.halfStart, cellWeak) || painted
		}
		i++
	}
	for ; i < endFull && i < n; i++ {
		painted = put(i, g.full, cellStrong) || painted
	}
	if rem > 0 && endFull >= i {
		painted = put(endFull, g.eighths[rem], cellWeak) || painted
	}
	if !painted {
		put(min(int(start), n-1), g.thin, cellWeak)
	}
}

// Cell weights of a run with phases: a stronger phase covers a weaker one.
const (
	cellMark uint8 = iota + 1 // a cancelled or failed task's mark, after its end
	cellWait
	cellHeld
	cellRan
)

// paintPhases draws a run with phases: each task's life as waiting, its
// held and ran stretches over it, whole cells each, at least one, and a
// mark after a cancelled or failed task's end. A grouped row draws all of
// its tasks on top of each other.
func paintPhases(c *chart, scale float64, g glyphs) {
	if len(c.rows) == 0 {
		return
	}
	rowOf := make(map[string]int, len(c.rows))
	for i, r := range c.rows {
		rowOf[r.key] = i
	}
	other, hasOther := rowOf["other"]
	// The marks go on after every stretch is drawn: a task's last step
	// may round into the cell after its life, where its mark goes.
	type pending struct {
		row, at int
		mark    rune
	}
	var marks []pending
	for _, s := range c.run.Spans {
		key := s.Task
		if c.grouped {
			key = s.Group
			if key == "" {
				key = s.Task
			}
		}
		i, ok := rowOf[key]
		if !ok {
			if !c.grouped || !hasOther {
				continue
			}
			i = other
		}
		cells := c.rows[i].cells
		n := len(cells)
		start, end := max(s.Start, 0), spanEnd(s, c.run.Elapsed)
		a, z := int(math.Round(float64(start)*scale)), int(math.Round(float64(end)*scale))
		a = min(a, n-1)
		z = max(z, a+1)
		glyph, weight := g.wait, cellWait
		switch s.Phase {
		case PhaseRan:
			glyph, weight = g.full, cellRan
		case PhaseHeld:
			glyph, weight = g.held, cellHeld
		}
		for j := a; j < z && j < n; j++ {
			if cells[j].weight < weight {
				cells[j] = cell{glyph, weight}
			}
		}
		if s.Phase != "" || (s.State != StateCancelled && s.State != StateError) {
			continue
		}
		mark := g.phaseCancelMark
		if s.State == StateError {
			mark = g.failMark
		}
		marks = append(marks, pending{i, z, mark})
	}
	for _, m := range marks {
		cells := c.rows[m.row].cells
		n, z := len(cells), m.at
		if z < n && cells[z].weight > cellMark && z+1 < n && cells[z+1].weight <= cellMark {
			z++ // the task's last step drawn into the cell after its life: the mark right after it
		}
		if z < n && cells[z].weight <= cellMark {
			cells[z] = cell{m.mark, cellMark}
		} else if last := min(z, n-1); cells[last].r != g.failMark && cells[last].r != g.phaseCancelMark {
			cells[last] = cell{m.mark, cellRan} // no room after its end: on its last cell, never lost
		}
	}
}

// styles are a chart's styles, made once per Render.
type styles struct {
	bold, dim style
	colors    []style
}

// style is a colour, bold or not, for a terminal's profile.
type style struct {
	profile termenv.Profile
	hex     string
	bold    bool
}

// Render returns s in the style.
func (st style) Render(s string) string { return Paint(st.profile, st.hex, st.bold, false, s) }

func newStyles(tl Timeline) styles {
	profile, theme := tl.Profile, tl.Theme
	if tl.NoColor {
		profile = termenv.Ascii
	}
	if theme == nil {
		theme = DarkTheme
	}
	st := styles{bold: style{profile, "", true}, dim: style{profile, theme.Dim, false}}
	if tl.Big { // the axis a back row reads too
		st.dim = style{profile, theme.Strong, true}
	}
	for _, c := range theme.Tasks {
		st.colors = append(st.colors, style{profile, c, tl.Big})
	}
	return st
}

// row draws one row: the label, the axis line and the bars, without
// trailing spaces.
func (st styles) row(r row, labelW int, g glyphs) string {
	var b strings.Builder
	color := st.colors[r.color]
	label := truncate(r.label, labelW, g.ellipsis)
	b.WriteString(color.Render(label))
	b.WriteString(strings.Repeat(" ", labelW-lipgloss.Width(label)+1))
	b.WriteString(st.dim.Render(string(g.bar)))
	end := len(r.cells)
	for end > 0 && r.cells[end-1].weight == cellEmpty {
		end--
	}
	var seg []rune
	for i := 0; i < end; {
		j := i
		empty := r.cells[i].weight == cellEmpty
		seg = seg[:0]
		for ; j < end && (r.cells[j].weight == cellEmpty) == empty; j++ {
			if empty {
				seg = append(seg, ' ')
			} else {
				seg = append(seg, r.cells[j].r)
			}
		}
		if empty {
			b.WriteString(string(seg))
		} else {
			b.WriteString(color.Render(string(seg)))
		}
		i = j
	}
	return b.String()
}

// axisLines draws the time axis from from to axisMax under the rows: a line
// with ticks and a line of labels in seconds. The tick for t sits under the
// cell that ends at t, so the corner is from.
func axisLines(st styles, labelW, cols int, from, axisMax time.Duration, g glyphs) []string {
	step, decimals := tickStep(cols, from, axisMax)
	line := make([]rune, labelW+2+cols)
	labels := make([]rune, len(line))
	for i := range line {
		line[i], labels[i] = ' ', ' '
	}
	origin := labelW + 1 // the corner's column
	line[origin] = g.corner
	for i := origin + 1; i < len(line); i++ {
		line[i] = g.axis
	}
	free := 0 // first column a label may use
	first := math.Ceil(from.Seconds()/step-1e-9) * step
	span := (axisMax - from).Seconds()
	for k := 0; ; k++ {
		t := first + float64(k)*step
		if t > axisMax.Seconds()*(1+1e-9) {
			break
		}
		col := origin + int(math.Ceil((t-from.Seconds())/span*float64(cols)-1e-9))
		col = min(col, len(line)-1)
		if col > origin {
			line[col] = g.tick
		}
		text := []rune(strconv.FormatFloat(t, 'f', decimals, 64) + "s")
		at := min(col, len(labels)-len(text))
		if at < free {
			continue
		}
		copy(labels[at:], text)
		free = at + len(text) + 1
	}
	return []string{
		st.dim.Render(string(line)),
		st.dim.Render(strings.TrimRight(string(labels), " ")),
	}
}

// tickStep returns a round tick interval in seconds (1, 2 or 5 times a power
// of ten) for an axis from from to axisMax that leaves room for each label,
// and the decimals its labels need.
func tickStep(cols int, from, axisMax time.Duration) (step float64, decimals int) {
	total := (axisMax - from).Seconds()
	for exp := -9; exp <= 12; exp++ {
		for _, m := range []float64{1, 2, 5} {
			step = m * math.Pow10(exp)
			decimals = max(0, -exp)
			labelW := len(strconv.FormatFloat(axisMax.Seconds(), 'f', decimals, 64)) + 1
			if step/total*float64(cols) >= float64(max(labelW+4, 6)) {
				return step, decimals
			}
		}
	}
	return total, 0
}

// truncate shortens s to at most width columns, ending it with ellipsis.
func truncate(s string, width int, ellipsis string) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	limit := width - lipgloss.Width(ellipsis)
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := lipgloss.Width(string(r))
		if w+rw > limit {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	return b.String() + ellipsis
}
