package main

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// cheatLine is a line of the cheat sheet: the code, what it does (the
// label "cheat_"+ID, in each language), and the lesson that shows it. A line
// of the old API has Old, what the 2017 tutorial wrote, and Code, what
// replaced it.
type cheatLine struct {
	ID, Old, Code, Lesson string
}

// cheatSection is a heading (a label) and its lines.
type cheatSection struct {
	Title string
	Lines []cheatLine
}

// cheatsheetText is the one page, in the order a learner meets things:
// data, read by parseCheatsheet.
//
//go:embed cheatsheet.txt
var cheatsheetText string

// parseCheatsheet reads the cheat sheet's sections from text, as
// cheatsheet.txt writes them: "== LABEL" starts a section; each line after
// it is "ID | CODE | LESSON", or "ID | OLD | CODE | LESSON" for a call of the
// old API; a line starting with # is a comment.
func parseCheatsheet(text string) ([]cheatSection, error) {
	var sections []cheatSection
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if title, ok := strings.CutPrefix(line, "== "); ok {
			sections = append(sections, cheatSection{Title: title})
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, " | ")
		var l cheatLine
		switch {
		case len(sections) == 0:
			return nil, fmt.Errorf("cheatsheet.txt:%d: a line before the first section", i+1)
		case len(f) == 3:
			l = cheatLine{ID: f[0], Code: f[1], Lesson: f[2]}
		case len(f) == 4:
			l = cheatLine{ID: f[0], Old: f[1], Code: f[2], Lesson: f[3]}
		default:
			return nil, fmt.Errorf("cheatsheet.txt:%d: %d fields, want ID | CODE | LESSON or ID | OLD | CODE | LESSON", i+1, len(f))
		}
		last := &sections[len(sections)-1]
		last.Lines = append(last.Lines, l)
	}
	return sections, nil
}

func newCheatsheetCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "cheatsheet",
		Short:   "asyncio on one page: each call beside the lesson that shows it, and the tutorial's old API beside today's",
		GroupID: "Tools",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			return cheatsheetRun(opts)
		},
	}
}

// cheatsheetRun prints the cheat sheet in the language of --lang, as wide
// as the terminal (80 columns when it is not one): a line for each call,
// what it does beside it and the lesson that shows it on the right.
func cheatsheetRun(opts *Options) error {
	ios := opts.IO
	cheatsheet, err := parseCheatsheet(cheatsheetText)
	if err != nil {
		return err
	}
	words := lesson.Labels(opts.Lang)
	lk := opts.look()
	width := ios.Width
	if width <= 0 {
		width = 80
	}
	p := lk.printer(ios.Out)
	p.Width = width
	p.Heading(words["cheat_title"])
	p.Note(words["cheat_intro"])
	bold := func(s string) string { // the terminal's own colour, bold
		if lk.noColor {
			return s
		}
		return timing.Paint(lk.profile, "", true, false, s)
	}
	codeW, lessonW := 0, 0
	for _, s := range cheatsheet {
		for _, l := range s.Lines {
			codeW = max(codeW, lipgloss.Width(l.Code), lipgloss.Width(l.Old))
			lessonW = max(lessonW, lipgloss.Width(l.Lesson))
		}
	}
	codeW = min(codeW, width*2/5)
	textW := width - 2 - codeW - 2 - 2 - lessonW
	for _, s := range cheatsheet {
		fmt.Fprintln(ios.Out, bold(words[s.Title]))
		for _, l := range s.Lines {
			code, says := l.Code, words["cheat_"+l.ID]
			if l.Old != "" {
				code, says = l.Old, "→\u00a0"+l.Code // the arrow stays with what it points to
				if why := words["cheat_"+l.ID]; why != "" {
					says += words["cheat_because"] + why
				}
			}
			var b strings.Builder
			if textW < cheatStacked {
				cheatStack(&b, bold(code), lipgloss.Width(code), says, l.Lesson, width)
				fmt.Fprintln(ios.Out, b.String())
				continue
			}
			b.WriteString("  " + bold(code))
			if pad := codeW - lipgloss.Width(code); pad >= 0 {
				b.WriteString(strings.Repeat(" ", pad+2))
			} else { // too wide: what it does goes under it
				b.WriteString("\n" + strings.Repeat(" ", 2+codeW+2))
			}
			for i, line := range strings.Split(timing.Wrap(says, textW), "\n") {
				if i > 0 {
					b.WriteString("\n" + strings.Repeat(" ", 2+codeW+2))
				}
				b.WriteString(line)
				if i == 0 {
					b.WriteString(strings.Repeat(" ", max(textW-lipgloss.Width(line), 0)+2) + l.Lesson)
				}
			}
			fmt.Fprintln(ios.Out, strings.TrimRight(b.String(), " "))
		}
		fmt.Fprintln(ios.Out)
	}
	return nil
}

// cheatStacked is the narrowest column of words the cheat sheet's three
// columns may leave; on a narrower terminal (50 columns) each line is
// stacked instead (see cheatStack).
const cheatStacked = 24

// cheatStack writes a line of the cheat sheet for a narrow terminal: the
// code (painted, codeW wide) with the lesson at the right edge, or under it
// there when both do not fit; then what it does, wrapped at width and
// indented under the code.
func cheatStack(b *strings.Builder, code string, codeW int, says, lesson string, width int) {
	b.WriteString("  " + code)
	if gap := width - 2 - codeW - lipgloss.Width(lesson); gap >= 2 {
		b.WriteString(strings.Repeat(" ", gap) + lesson)
	} else {
		b.WriteString("\n" + strings.Repeat(" ", max(width-lipgloss.Width(lesson), 0)) + lesson)
	}
	for _, line := range strings.Split(timing.Wrap(says, width-6), "\n") {
		b.WriteString("\n      " + line)
	}
}
