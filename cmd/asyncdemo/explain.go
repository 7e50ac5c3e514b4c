package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rivo/uniseg"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/explain"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// explainOptions are asyncdemo explain's flags.
type explainOptions struct {
	IO      *IOStreams
	Program explain.Program
	Python  string        // --python
	Slow    time.Duration // --slow
	JSON    bool
	Trace   string
	NoColor bool
	ASCII   bool
	Big     bool
	Lang    string
	look    look // the theme and the terminal's colours
	// VirtualTime runs the program on a virtual clock, so that a test's
	// output is exact (a hidden flag).
	VirtualTime bool
	// Dir is the program's working directory, where its path is found;
	// "" is asyncdemo's own (tests set it).
	Dir string
}

// exitError ends the command with the program's own exit code, and no
// message: the program has said what it had to.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit status " + strconv.Itoa(e.code) }

// ExitCode is the code asyncdemo exits with.
func (e exitError) ExitCode() int { return e.code }

// newExplainCmd wires asyncdemo explain. runF, if not nil, replaces the
// run, for tests.
func newExplainCmd(opts *Options, runF func(*explainOptions) error) *cobra.Command {
	eo := &explainOptions{IO: opts.IO, Slow: explain.DefaultSlow}
	cmd := &cobra.Command{
		Use:   "explain [flags] PROGRAM.py [ARGS...] | -m MODULE [ARGS...]",
		Short: "run your own asyncio program and explain what it did",
		Long: "Runs your own asyncio program with CPython 3.11 or newer, unchanged, and explains what it did:\n" +
			"its output as it happens, with the time and the task that printed it; a timeline of its\n" +
			"tasks (when each ran, waited, or was ready but held up by another step); and findings in\n" +
			"plain words, each with the line, what it cost and the lesson that teaches the fix: a call\n" +
			"that blocked the loop, a coroutine never awaited, an exception never retrieved, a task\n" +
			"destroyed while pending. asyncdemo's flags may come before or after the program; the rest\n" +
			"after its name is the program's own, and everything after a --.\n\n" +
			"The exit code is the program's. Ctrl+C goes to the program as it would without asyncdemo;\n" +
			"what was found until then is still shown.",
		Example: "  asyncdemo explain my.py\n  asyncdemo explain my.py --its-own-flag\n" +
			"  asyncdemo explain -m mypkg.main\n  asyncdemo explain my.py --slow 0.1 --trace t.json\n" +
			"  asyncdemo explain my.py --json\n  asyncdemo explain my.py -- --json    # --json is my.py's own",
		GroupID: "Tools",
		Args: func(cmd *cobra.Command, args []string) error {
			if eo.Program.Module == "" && len(args) == 0 {
				return lesson.UsageError{Err: errors.New("explain needs a program: asyncdemo explain PROGRAM.py [ARGS...], or -m MODULE")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if eo.Program.Module == "" {
				eo.Program.Script, args = args[0], args[1:]
			}
			// asyncdemo's flags may follow the program too (asyncdemo
			// explain my.py --json); the rest is the program's.
			own, rest := ownFlags(cmd.Flags(), args)
			if err := cmd.Flags().Parse(own); err != nil {
				return lesson.UsageError{Err: fmt.Errorf("explain: %w", err)}
			}
			eo.Program.Args = rest
			for _, name := range []string{"code", "vs", "step", "scale", "style", "no-compare"} {
				if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
					return lesson.UsageError{Err: fmt.Errorf("--%s does not apply to explain, which runs your program as it is", name)}
				}
			}
			eo.Python, eo.JSON, eo.Trace, eo.NoColor = opts.Python, opts.JSON, opts.Trace, opts.NoColor
			eo.ASCII, eo.Big, eo.Lang, eo.look = opts.ASCII, opts.Big, opts.Lang, opts.look()
			if runF != nil {
				return runF(eo)
			}
			return explainRun(cmd.Context(), eo)
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // what follows the program's name is the program's, but for asyncdemo's flags (ownFlags)
	f.StringVarP(&eo.Program.Module, "module", "m", "", "run a `MODULE` as python -m does (what follows is its arguments)")
	f.Var(slowValue{&eo.Slow}, "slow", "a step that holds the loop at least `S` seconds is a blocking call")
	f.BoolVar(&eo.VirtualTime, "virtual-time", false, "run the program on a virtual clock (for asyncdemo's tests)")
	f.MarkHidden("virtual-time")
	return cmd
}

// ownFlags splits a program's arguments into asyncdemo's flags among them
// (with their values: "--json", "--trace", "t.json") and the program's
// own, each in their order. A flag fs does not know is the program's, and
// so are -h, --help and -m (the program's own help, and python's -m, which
// asyncdemo takes only before the program). A "--" ends asyncdemo's flags
// (it is left out): what follows is the program's, whatever it is.
func ownFlags(fs *pflag.FlagSet, args []string) (own, others []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return own, append(others, args[i+1:]...)
		}
		var f *pflag.Flag
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case strings.HasPrefix(a, "--") && len(a) > 2:
			f = fs.Lookup(name)
		case len(a) == 2 && a[0] == '-':
			f = fs.ShorthandLookup(a[1:])
		}
		if f == nil || f.Hidden || f.Name == "help" || f.Name == "module" {
			others = append(others, a)
			continue
		}
		own = append(own, a)
		if !hasValue && f.NoOptDefVal == "" && i+1 < len(args) { // its value is the next argument
			own = append(own, args[i+1])
			i++
		}
	}
	return own, others
}

// slowValue is --slow: seconds, more than 0, at most an hour.
type slowValue struct{ p *time.Duration }

func (v slowValue) String() string { return strconv.FormatFloat(v.p.Seconds(), 'g', -1, 64) }
func (v slowValue) Type() string   { return "S" }
func (v slowValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%q is not a number of seconds", s)
	}
	if f < 0.001 || f > 3600 {
		return fmt.Errorf("%q is out of range (0.001 to 3600 seconds)", s)
	}
	*v.p = time.Duration(f * float64(time.Second))
	return nil
}

var _ pflag.Value = slowValue{}

// explainRun runs the program and explains it: its output as it comes,
// then the timeline and the findings; or, with --json, all of it as JSON
// Lines. It returns an exitError with the program's exit code when that
// is not 0.
func explainRun(ctx context.Context, eo *explainOptions) error {
	// What it prints goes out when the program is quiet for a moment, not a
	// write a line: a program that prints megabytes into a file or a pipe
	// is not slowed down by asyncdemo's writes.
	bw := bufio.NewWriterSize(eo.IO.Out, 64<<10)
	ios := *eo.IO
	ios.Out = bw
	err := explainRunOn(ctx, eo, &ios, func() { bw.Flush() })
	if ferr := bw.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// explainRunOn is explainRun on ios, whose Out is flushed by flush.
func explainRunOn(ctx context.Context, eo *explainOptions, ios *IOStreams, flush func()) error {
	if err := eo.Program.Check(eo.Dir); err != nil {
		return lesson.UsageError{Err: fmt.Errorf("explain: %w", err)}
	}
	if eo.Trace != "" {
		if _, err := os.Stat(filepath.Dir(eo.Trace)); err != nil {
			return lesson.UsageError{Err: fmt.Errorf("--trace %q: %v", eo.Trace, err)}
		}
	}
	python, version, err := twin.Runner{Python: eo.Python}.Find(ctx)
	if err != nil && !errors.Is(err, twin.ErrMissingModules) {
		return fmt.Errorf("explain: %w", err)
	}
	labels := lesson.Labels(eo.Lang)
	say := func(key string, args ...any) string { return fmt.Sprintf(labels[key], args...) }
	width := ios.Width
	if width <= 0 {
		width = 80
	}
	noColor := eo.NoColor || ios.NoColorEnv || !ios.IsTerminal
	name := eo.Program.Name()

	var printer *timing.Printer
	var jsonOut *timing.JSONWriter
	if eo.JSON {
		jsonOut = timing.NewJSONWriter(ios.Out)
	} else {
		printer = timing.NewPrinter(ios.Out, noColor)
		printer.Width, printer.Big, printer.Tasks = width, eo.Big, true
		printer.Theme, printer.Profile = eo.look.theme, eo.look.profile
		printer.Heading(say("explain_heading", name, version))
	}
	out := func(l explain.Line) {
		e := timing.Event{Kind: timing.KindEvent, T: l.T, Run: name, Style: "python", Task: l.Task, Text: l.Text}
		if l.Stream == 2 {
			e.Stream = "stderr"
		}
		switch {
		case jsonOut != nil:
			if l.Text != "" || !l.More {
				jsonOut.Event(e)
			}
		case l.Open:
			printer.Open(e, l.More)
		case l.More:
			printer.Open(e, true)
			printer.EndLine()
		default:
			printer.Event(e)
		}
	}
	sess, err := explain.Start(ctx, eo.Program, explain.Config{
		Python: python, Slow: eo.Slow, Stdin: ios.In, Output: out, Quiet: flush, VirtualTime: eo.VirtualTime, Dir: eo.Dir,
	})
	if errors.Is(err, explain.ErrNoProgram) {
		return lesson.UsageError{Err: fmt.Errorf("explain: %w", err)}
	}
	if err != nil {
		return err
	}
	stopCtrlC := passCtrlC(ctx, ios, sess)
	rec, err := sess.Wait()
	stopCtrlC()
	if rec == nil {
		return err
	}
	if rec.NotRun != "" { // Python has said why, in its own words
		if jsonOut != nil {
			jsonOut.Event(timing.Event{Kind: timing.KindSummary, Run: name, Style: "python", Elapsed: rec.Elapsed})
		}
		return exitError{max(rec.Exit, 1)}
	}

	// The findings and the timeline's runs are worked out side by side
	// (for a program of 10⁵ tasks each takes a tenth of a second), and
	// only what is shown: --json has no timeline.
	var findings []explain.Finding
	found := make(chan struct{})
	go func() {
		defer close(found)
		findings = rec.Findings(labels)
	}()
	var runs []timing.Run // the timeline's: one, or one a loop
	if jsonOut == nil {
		runs = rec.Runs(labels["explain_loop_run"])
	}
	var whole timing.Run // the trace's: every loop in one
	if eo.Trace != "" {
		if len(runs) == 1 {
			whole = runs[0] // Runs is Run for a program of one loop
		} else {
			whole = rec.Run()
		}
	}
	<-found
	if jsonOut != nil {
		writeExplainJSON(jsonOut, rec, name, findings)
	} else {
		explainHuman(printer, ios, eo, rec, runs, findings, say, width, noColor)
	}
	if eo.Trace != "" {
		if terr := writeTrace(eo.Trace, []timing.Run{whole}); terr != nil && err == nil {
			err = terr
		}
	}
	if err == nil && jsonOut != nil {
		err = jsonOut.Err()
	}
	if err == nil && printer != nil {
		err = printer.Err()
	}
	if err != nil {
		return err
	}
	if rec.Exit != 0 {
		return exitError{rec.Exit}
	}
	return nil
}

// passCtrlC leaves Ctrl+C to the program while it runs: the terminal sends
// it to the program too (it is in asyncdemo's process group), which reacts
// as it would without asyncdemo; asyncdemo only marks the moment on the
// timeline, and goes on to show what the program did. It returns a function
// that gives Ctrl+C back.
func passCtrlC(ctx context.Context, ios *IOStreams, sess *explain.Session) (stop func()) {
	if ios.ClaimInterrupt == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			lctx, release := ios.ClaimInterrupt()
			select {
			case <-lctx.Done():
				release()
				if ctx.Err() != nil { // SIGTERM: the program is told to stop
					return
				}
				sess.Mark("Ctrl+C")
			case <-done:
				release()
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// explainHuman prints, after the program's output, how it ended, its
// timeline and the findings.
func explainHuman(p *timing.Printer, ios *IOStreams, eo *explainOptions, rec *explain.Recording, runs []timing.Run,
	findings []explain.Finding, say func(string, ...any) string, width int, noColor bool) {
	name := eo.Program.Name()
	fmt.Fprintln(ios.Out)
	p.Note(say("explain_exit", name, rec.Exit, fmt.Sprintf("%.3f s", rec.Elapsed.Seconds())))
	for _, m := range rec.Marks {
		if m.Label == "Ctrl+C" {
			p.Note(say("explain_interrupted", fmt.Sprintf("%.3f s", m.T.Seconds())))
			break
		}
	}
	if slices.ContainsFunc(runs, func(r timing.Run) bool { return len(r.Spans) > 0 }) {
		tl := timing.Timeline{Width: width, ASCII: eo.ASCII || ios.Term == "dumb" || ios.Term == "linux", NoColor: noColor, Big: eo.Big,
			Theme: eo.look.theme, Profile: eo.look.profile,
			Words: timing.Legend{Ran: say("explain_legend_ran"), Waiting: say("explain_legend_waiting"), Held: say("explain_legend_held"),
				Cancelled: say("explain_legend_cancelled"), Error: say("explain_legend_error")}}
		fmt.Fprintf(ios.Out, "%s\n\n", tl.Render(runs...))
	}
	p.Heading(say("explain_findings", name))
	n := 0
	for _, f := range findings {
		title := f.Title
		if f.Kind != explain.FindingSummary && f.Kind != explain.FindingClean && f.Kind != explain.FindingNoAsyncio && !f.Note {
			n++
			title = findingHeading(n, f, p.ItemWidth())
		}
		p.Item(title, f.Text)
	}
}

// findingHeading is the heading of the nth finding: its number and title,
// where it is, and what it cost in words, "1. Blocking call — my.py:17 —
// held the loop 0.500 s". A cost never goes without its words: a figure
// alone would not say whether it is time lost or time to gain. When the
// heading is wider than width, the cost goes whole on a line of its own,
// never wrapped away from what it is.
func findingHeading(n int, f explain.Finding, width int) string {
	head := fmt.Sprintf("%d. %s", n, f.Title)
	if f.Where != "" {
		head += " — " + f.Where
	}
	if f.Cost <= 0 || f.CostText == "" {
		return head
	}
	if one := head + " — " + f.CostText; uniseg.StringWidth(one) <= width {
		return one
	}
	return head + "\n" + f.CostText
}

// writeExplainJSON writes, after the program's output events, each task's
// state (pending when made, then how it ended), the findings and the
// summary.
func writeExplainJSON(j *timing.JSONWriter, rec *explain.Recording, name string, findings []explain.Finding) {
	for _, t := range rec.Tasks {
		if t.Hidden {
			continue
		}
		j.Event(timing.Event{Kind: timing.KindState, T: t.Created, Run: name, Style: "python", Task: t.Who(), State: "pending"})
		if t.State != "" {
			at := t.Ended
			if t.State == "destroyed" {
				at = rec.Elapsed
			}
			j.Event(timing.Event{Kind: timing.KindState, T: at, Run: name, Style: "python", Task: t.Who(), State: t.State})
		}
	}
	for _, f := range findings {
		j.Event(timing.Event{Kind: timing.KindFinding, T: f.T, Run: name, Style: "python", Task: f.Task, Text: f.Text,
			Elapsed: f.Cost, Finding: f.Kind, File: f.File, Line: f.Line, Lesson: f.Lesson})
	}
	j.Event(timing.Event{Kind: timing.KindSummary, Run: name, Style: "python", Elapsed: rec.Elapsed})
}
