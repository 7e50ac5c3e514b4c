package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
)

// showCode prints the functions that run for the lesson in the style, and
// (later) its Python twin, highlighted when colour is on; with plain, the
// twin as a learner would write it, without the recorder and the flags.
func showCode(out io.Writer, info lesson.Info, style lesson.Style, which string, plain bool, lk look, labels map[string]string) error {
	if info.Tool {
		return lesson.UsageError{Err: fmt.Errorf("%s is a tool, not a lesson: it has no lesson code to show", info.Name)}
	}
	if which == "go" || which == "both" {
		src, err := lesson.FuncSource(demos.Source, info.Code[style]...)
		if err != nil {
			return err
		}
		p := lk.printer(out)
		p.Heading(fmt.Sprintf(labels["code_heading"], info.Name, style))
		if err := highlight(out, src, "go", lk); err != nil {
			return err
		}
	}
	if which == "python" || which == "both" {
		source, heading, runs := twin.Source, "code_python", "code_python_runs"
		if plain {
			source, heading, runs = twin.PlainSource, "code_python_plain", "code_python_plain_runs"
		}
		src, ok := source(info.Name)
		if !ok {
			return fmt.Errorf("%s has no Python twin", info.Name)
		}
		if which == "both" {
			fmt.Fprintln(out)
		}
		p := lk.printer(out)
		p.Heading(fmt.Sprintf(labels[heading], info.Name))
		if err := highlight(out, strings.TrimRight(src, "\n"), "python", lk); err != nil {
			return err
		}
		fmt.Fprintln(out)
		p.Note(fmt.Sprintf(labels[runs], info.Name))
	}
	return nil
}
