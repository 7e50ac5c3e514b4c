package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// twinRun is what the lesson's Python twin did: its runs, and how they
// line up against the Go lesson's.
type twinRun struct {
	runs   []timing.Run
	report twin.Report
}

// runTwin runs the lesson's Python twin with the same flags (and extra,
// from a TwinHost). With --json it writes the twin's events (style
// "python") after the Go ones. Otherwise it prints the twin's events as
// they happen, as the Go run's were. It returns the twin's runs, with
// their spans for the timeline and the trace, and the comparison.
//
// When the Go lesson failed (goFailed), the twin is expected to fail too,
// as a lesson does (exit 1): what it said is shown, and its runs compared.
//
// r is the runner, its interpreter found already (r.Python, r.Version).
func runTwin(ctx context.Context, opts *Options, r twin.Runner, info lesson.Info, env *lesson.Env, extra []string, goFailed bool) (*twinRun, error) {
	args := append(slices.Clone(opts.args), extra...)
	args = append(args, ctrlCAt(info, env, opts)...)
	args = append(args, "--json", "--spans")
	live := &liveEvents{ctx: ctx, printer: env.Printer}
	if opts.JSON {
		live.json = opts.IO.Out
	}
	if env.Printer != nil {
		env.Printer.Note(env.Say("vs_now", r.Version, r.Python, info.Name, strings.Join(opts.args, " ")))
		if env.Style == lesson.StyleGo {
			env.Printer.Note(env.Say("vs_go_style"))
		}
	}
	err := r.Run(ctx, info.Name, args, live)
	var failed *twin.FailedError
	if goFailed && errors.As(err, &failed) && failed.Code == 1 {
		if env.Printer != nil {
			env.Printer.Note(env.Say("vs_twin_failed", lastLine(failed.Stderr)))
		}
		err = nil
	}
	if err == nil {
		err = live.close()
	}
	if err == nil && len(live.events) == 0 {
		err = fmt.Errorf("%s printed no events", r.Python)
	}
	if err != nil {
		return nil, fmt.Errorf("--vs python: %w", err)
	}
	var goEvents []timing.Event
	for _, run := range env.Runs {
		goEvents = append(goEvents, run.Events...)
	}
	// The runs' totals are compared already; the comparison line follows
	// from them.
	pyEvents := slices.DeleteFunc(live.events, func(e timing.Event) bool { return e.Kind == timing.KindCompare })
	return &twinRun{runs: twin.Runs(pyEvents), report: twin.Compare(goEvents, pyEvents, info.Twin.Tolerance())}, nil
}

// lastLine is the last line of s.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// liveEvents reads a twin's JSON Lines as it writes them and keeps them
// all. It prints each event with the printer, under a heading for each
// run, as the Go run was printed; or, with json set, copies the lines of
// the --json schema there (not the spans and marks). Once ctx is done it
// prints no more: what a twin says as it stops is not the lesson.
type liveEvents struct {
	ctx     context.Context
	printer *timing.Printer
	json    io.Writer
	events  []timing.Event
	partial []byte // the start of a line not yet complete
	run     string
	err     error
}

func (l *liveEvents) Write(p []byte) (int, error) {
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.line(l.partial[:i])
		l.partial = l.partial[i+1:]
	}
}

// line takes one line of the twin's output.
func (l *liveEvents) line(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || l.err != nil {
		return
	}
	var e timing.Event
	if err := json.Unmarshal(line, &e); err != nil {
		l.err = fmt.Errorf("reading the twin's events: %w", err)
		return
	}
	l.events = append(l.events, e)
	switch {
	case e.Kind == twin.KindSpan || e.Kind == twin.KindMark: // for the timeline
		return
	case l.ctx.Err() != nil:
		return
	case l.json != nil:
		if _, err := l.json.Write(slices.Concat(line, []byte{'\n'})); err != nil {
			l.err = err
		}
		return
	}
	switch e.Kind {
	case timing.KindEvent, timing.KindState, timing.KindSummary:
		if e.Run != l.run {
			l.run = e.Run
			l.printer.Heading(e.Run + " · " + e.Style)
		}
	}
	l.printer.Event(e)
}

// close reports a last line without its newline, or one that was not an
// event.
func (l *liveEvents) close() error {
	if len(bytes.TrimSpace(l.partial)) > 0 {
		l.line(l.partial)
		l.partial = nil
	}
	return l.err
}

// ctrlCAt returns the flag that makes the twin of a lesson that waits for
// Ctrl+C (cancel, without --interrupt) get it at the moment the learner
// pressed it in the Go run, so that the two runs can be compared; nothing
// for other lessons.
func ctrlCAt(info lesson.Info, env *lesson.Env, opts *Options) []string {
	if !info.HandlesInterrupt || len(env.Runs) == 0 || slices.ContainsFunc(opts.args, func(a string) bool {
		return strings.HasPrefix(a, "--interrupt")
	}) {
		return nil
	}
	for _, m := range env.Runs[0].Marks {
		if m.Label == "Ctrl+C" {
			return []string{"--interrupt=" + strconv.FormatFloat(m.T.Seconds()/opts.Scale, 'f', 3, 64)}
		}
	}
	return nil
}

// pairRuns puts each of the twin's runs under the Go run of the same name,
// for one timeline; runs only one side made come after.
func pairRuns(goRuns, pyRuns []timing.Run) []timing.Run {
	var runs []timing.Run
	left := slices.Clone(pyRuns)
	for _, g := range goRuns {
		runs = append(runs, g)
		if i := slices.IndexFunc(left, func(p timing.Run) bool { return p.Name == g.Name }); i >= 0 {
			runs = append(runs, left[i])
			left = slices.Delete(left, i, i+1)
		}
	}
	return append(runs, left...)
}
