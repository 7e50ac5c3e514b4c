package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/exercise"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// newListCmd builds "asyncdemo list": the lessons in teaching order, one
// line each.
func newListCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "the lessons in order, one line each, ✓ for those finished in the tour, and its score; then the exercises, ✓ for those passed",
		GroupID: "Tools",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			return listRun(opts)
		},
	}
}

// listRun is asyncdemo list: the lessons, the tour's score, and the
// exercises. On a terminal each title wraps under itself, and the other
// words too, at the terminal's width; piped, a row is a line.
func listRun(opts *Options) error {
	out, width := opts.IO.Out, opts.IO.Width
	if err := listTo(out, opts, width); err != nil {
		return err
	}
	if right, made := loadProgress(io.Discard).score(); made > 0 {
		fmt.Fprintf(out, "\n%s\n", wrapTo(fmt.Sprintf(lesson.Labels(opts.Lang)["list_score"], right, made), width))
	}
	return listExercisesTo(out, opts, width)
}

// wrapTo wraps s at width, or leaves it whole for width 0 (not a terminal).
func wrapTo(s string, width int) string {
	if width <= 0 {
		return s
	}
	return timing.Wrap(s, width)
}

// writeTable writes rows of cells to out, the columns aligned with two
// spaces between them, each row's last cell wrapped under itself at width
// (0: not wrapped, a row a line).
func writeTable(out io.Writer, rows [][]string, width int) error {
	var colW []int
	for _, r := range rows {
		for i, c := range r[:len(r)-1] {
			if i == len(colW) {
				colW = append(colW, 0)
			}
			colW[i] = max(colW[i], runewidth.StringWidth(c))
		}
	}
	indent := 0
	for _, w := range colW {
		indent += w + 2
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r[:len(r)-1] {
			b.WriteString(c + strings.Repeat(" ", colW[i]-runewidth.StringWidth(c)+2))
		}
		last := r[len(r)-1]
		if width > 0 {
			last = strings.ReplaceAll(timing.Wrap(last, max(width-indent, 16)), "\n", "\n"+strings.Repeat(" ", indent))
		}
		b.WriteString(last + "\n")
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// listTo writes the list of lessons to out, each title wrapped at width
// (0: a lesson a line).
func listTo(out io.Writer, opts *Options, width int) error {
	done := loadProgress(opts.IO.Err).Done
	var rows [][]string
	for _, l := range demos.All() {
		info := lesson.Describe(l, opts.Lang)
		if info.Tool {
			continue
		}
		mark := " "
		if slices.Contains(done, info.Name) {
			mark = "✓" // finished in the tour
		}
		rows = append(rows, []string{fmt.Sprintf("%s %2d", mark, len(rows)+1), info.Name, info.Title})
	}
	return writeTable(out, rows, width)
}

// listExercisesTo writes the exercises to out, each with the lesson it
// follows and ✓ passed or ✗ not yet, wrapped at width (0: not wrapped).
func listExercisesTo(out io.Writer, opts *Options, width int) error {
	say := exerciseSay(opts.Lang)
	status := loadExerciseProgress(opts.IO.Err).Status
	fmt.Fprintf(out, "\n%s\n", wrapTo(say("list_exercises"), width))
	var rows [][]string
	for i, e := range exercise.All() {
		mark := " "
		switch status[e.Name] {
		case statusPassed:
			mark = "✓"
		case statusFailed:
			mark = "✗"
		}
		rows = append(rows, []string{fmt.Sprintf("%s %2d", mark, i+1), e.Name, say("list_exercise_line", e.Text(opts.Lang).Title, e.Lesson)})
	}
	return writeTable(out, rows, width)
}

// summaryRun is asyncdemo with no arguments: what it is, the lessons one
// line each, the tools (the exercises' ways in among them), and the three commands to start with, on one
// screen (24 rows at most, the prompt's included, at 50 columns). A
// lesson's title longer than the terminal is cut after a word; the words
// around it wrap: the introduction, the tools (between names), and what
// each command does (under itself). The full help is --help.
func summaryRun(cmd *cobra.Command, opts *Options) error {
	ios := opts.IO
	width := ios.Width
	if width <= 0 {
		width = 80
	}
	labels := lesson.Labels(opts.Lang)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", timing.Wrap(labels["root_intro"], width))
	if err := listTo(&b, opts, 0); err != nil { // a lesson a line, cut below
		return err
	}
	// Of the exercises' commands, the ways in are named among the tools;
	// hint and solution are named by what those print.
	exerciseEntries := []string{"exercises", "check", "watch"}
	var tools, exercises []string
	for _, c := range cmd.Commands() {
		switch {
		case !c.IsAvailableCommand():
		case c.GroupID == "Tools":
			tools = append(tools, c.Name())
		case c.GroupID == "Exercises" && slices.Contains(exerciseEntries, c.Name()):
			exercises = append(exercises, c.Name())
		}
	}
	// The exercises come after the lessons' list (and list shows them).
	at := len(tools)
	if i := slices.Index(tools, "list"); i >= 0 {
		at = i + 1
	}
	tools = slices.Insert(tools, at, exercises...)
	fmt.Fprintf(&b, "\n%s\n\n", wrapList(labels["root_tools"], tools, labels["list_sep"], width))
	hints := [][2]string{{"asyncdemo gather", labels["root_run"]}, {"asyncdemo tour", labels["root_tour"]}, {"asyncdemo --help", labels["root_help"]}}
	cmdW := 0
	for _, h := range hints {
		cmdW = max(cmdW, runewidth.StringWidth(h[0]))
	}
	indent := strings.Repeat(" ", 2+cmdW+2)
	for _, h := range hints { // what it does wraps under itself
		text := strings.ReplaceAll(timing.Wrap(h[1], max(width-len(indent), 16)), "\n", "\n"+indent)
		fmt.Fprintf(&b, "  %s%s  %s\n", h[0], strings.Repeat(" ", cmdW-runewidth.StringWidth(h[0])), text)
	}
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if _, err := io.WriteString(ios.Out, cutToWidth(line, width)); err != nil {
			return err
		}
	}
	return nil
}

// wrapList returns format (one %s) with items joined by sep, wrapped at
// width between items, never inside one: each is a command to type, and
// sms-server must not break at its hyphen.
func wrapList(format string, items []string, sep string, width int) string {
	prefix, suffix, _ := strings.Cut(format, "%s")
	var b strings.Builder
	b.WriteString(prefix)
	col := runewidth.StringWidth(prefix)
	for i, item := range items {
		piece := item
		if i < len(items)-1 {
			piece += strings.TrimRight(sep, " ")
		} else {
			piece += suffix
		}
		if i > 0 {
			if col+1+runewidth.StringWidth(piece) > width && col > 0 {
				b.WriteString("\n")
				col = 0
			} else if strings.HasSuffix(sep, " ") {
				b.WriteString(" ")
				col++
			}
		}
		b.WriteString(piece)
		col += runewidth.StringWidth(piece)
	}
	return b.String()
}

// cutToWidth shortens a line wider than width columns to end with "…",
// after a word where one ends near enough.
func cutToWidth(line string, width int) string {
	text, nl := strings.CutSuffix(line, "\n")
	if runewidth.StringWidth(text) <= width {
		return line
	}
	cut := runewidth.Truncate(text, width-1, "")
	if i := strings.LastIndexByte(cut, ' '); i > 0 && runewidth.StringWidth(cut[i:]) <= 12 {
		cut = strings.TrimRight(cut[:i], " ,:;")
	}
	if nl {
		return cut + "…\n"
	}
	return cut + "…"
}
