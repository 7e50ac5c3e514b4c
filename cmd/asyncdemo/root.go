package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"asyncdemo/demos"
	"asyncdemo/demos/twin"
	"asyncdemo/timing"
)

// IOStreams is where a command reads and writes; tests pass buffers.
type IOStreams struct {
	In         io.Reader
	Out, Err   io.Writer
	IsTerminal bool   // Out is a terminal: colour and width apply
	Width      int    // Out's width in columns; 0 when unknown
	NoColorEnv bool   // NO_COLOR is set
	Term       string // $TERM
	Lang       string // the language the environment asks for (LANG, LC_ALL)
	// ClaimInterrupt tells the program that the lesson running handles
	// Ctrl+C itself: it returns the context the next Ctrl+C cancels, and
	// a function to give Ctrl+C back. SelfInterrupt sends the process a
	// SIGINT. Tests replace both.
	ClaimInterrupt func() (context.Context, func())
	SelfInterrupt  func()
}

// Options are the flags every lesson takes.
type Options struct {
	IO        *IOStreams
	Scale     float64
	Style     string
	JSON      bool
	Trace     string
	NoCompare bool
	NoColor   bool
	ASCII     bool
	Code      string   // --code: "go", "python" or "both"; empty: run the lesson
	Lang      string   // --lang: the language of the lessons' texts
	Step      bool     // --step: after the run, replay it an event at a time
	Big       bool     // --big: projector mode
	Vs        string   // --vs python: run the Python twin too and show both
	Python    string   // --python: the interpreter for the twin
	args      []string // the lesson's flags as given, passed on to the twin
}

// asyncdemoOnly are the flags the Python twins do not take.
var asyncdemoOnly = []string{"vs", "python", "code", "trace", "no-color", "ascii", "big", "step", "lang", "style", "json"}

// usageError is a bad command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func isUsage(err error) bool {
	var u usageError
	var du demos.UsageError
	return errors.As(err, &u) || errors.As(err, &du) || strings.HasPrefix(err.Error(), "unknown command") ||
		strings.HasPrefix(err.Error(), "unknown flag") || strings.HasPrefix(err.Error(), "unknown shorthand flag")
}

// Lessons are listed in teaching order, not alphabetically. (cobra keeps
// this setting in a package variable.)
func init() { cobra.EnableCommandSorting = false }

var groups = []*cobra.Group{
	{ID: "Basics", Title: "Basics: the loop, coroutines, tasks, futures"},
	{ID: "Concurrency", Title: "Concurrency: many tasks, cancellation, threads"},
	{ID: "Redis and HTTP", Title: "Redis and HTTP, for real"},
	{ID: "Tools", Title: "Tools"},
}

// newRootCmd builds the command tree: one subcommand per lesson, in order.
func newRootCmd(ios *IOStreams) *cobra.Command {
	lang := ios.Lang
	if lang == "" {
		lang = "en"
	}
	opts := &Options{IO: ios, Scale: 1, Style: string(demos.StyleAio), Lang: lang}
	root := &cobra.Command{
		Use:   "asyncdemo",
		Short: "Learn async programming by running it",
		Long: "asyncdemo re-tells a classic Python asyncio tutorial as lessons you run. Each lesson runs for\n" +
			"real on an asyncio-exact event loop (--style aio) or as idiomatic Go (--style go), shows\n" +
			"what happened when, and times concurrency against the sequential run.",
		Example:       "  asyncdemo gather\n  asyncdemo gather --scale 0.1 --style go\n  asyncdemo await --blocking",
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRun: func(*cobra.Command, []string) {
			if opts.ASCII && !opts.JSON {
				opts.IO.Out = &asciiWriter{w: opts.IO.Out}
			}
		},
	}
	root.SetOut(ios.Out)
	root.SetErr(ios.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddGroup(groups...)
	pf := root.PersistentFlags()
	pf.Var(scaleValue{&opts.Scale}, "scale", "multiply every duration by F (0.1 turns 4 s into 0.4 s)")
	pf.Var(styleValue{&opts.Style}, "style", "aio: the tutorial's program on asyncdemo's event loop; go: idiomatic Go")
	pf.BoolVar(&opts.JSON, "json", false, "print one JSON object per event (JSON Lines) and nothing else")
	pf.StringVar(&opts.Trace, "trace", "", "write the timeline to `FILE` as Chrome Trace Event JSON (open it in Perfetto)")
	pf.BoolVar(&opts.NoCompare, "no-compare", false, "skip the sequential run")
	pf.BoolVar(&opts.NoColor, "no-color", false, "no colour (also when NO_COLOR is set or output is not a terminal)")
	pf.BoolVar(&opts.ASCII, "ascii", false, "print ASCII characters only: the timeline, headings and marks (for terminals and fonts that lack them)")
	pf.Var(codeValue{&opts.Code}, "code", "show the lesson's code instead of running it: the Go that runs (for --style), and its modern-Python twin; =go or =python for one")
	pf.Lookup("code").NoOptDefVal = "both"
	pf.Var(choiceFlag{&opts.Vs, []string{"python"}}, "vs", "run the lesson's Python twin as well and show both side by side (needs python3 3.11+)")
	pf.StringVar(&opts.Python, "python", "", "the Python interpreter for --vs python (default: python3 on PATH, then /usr/bin/python3)")
	pf.BoolVar(&opts.Big, "big", false, "projector mode: bars two lines high, a wider gutter, bold text")
	pf.BoolVar(&opts.Step, "step", false, "replay the run one event at a time, Enter for the next (for talking a class through it)")
	pf.Var(langValue{&opts.Lang}, "lang", "the language of the lessons' texts: en or zh (default from LANG / LC_ALL)")
	root.AddCommand(newTourCmd(opts), newListCmd(opts))
	for _, lesson := range demos.All() {
		root.AddCommand(newLessonCmd(opts, lesson, nil))
	}
	return root
}

// newLessonCmd wires one lesson's command. runF, if not nil, replaces the
// run, for tests.
func newLessonCmd(opts *Options, lesson demos.Lesson, runF func(*Options, demos.Lesson) error) *cobra.Command {
	info := demos.Describe(lesson, opts.Lang)
	args := noArgs
	use := info.Name
	if taker, ok := lesson.(demos.ArgsTaker); ok {
		use += " " + info.Args
		args = func(_ *cobra.Command, args []string) error {
			if err := taker.SetArgs(args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	long := info.Title + "."
	if info.Before != "" {
		long += "\n\n" + info.Before
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   info.Title,
		Long:    long,
		GroupID: info.Group,
		Args:    args,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts, lesson)
			}
			opts.args = nil
			cmd.Flags().Visit(func(f *pflag.Flag) {
				switch {
				case slices.Contains(asyncdemoOnly, f.Name):
				case f.Value.Type() == "bool": // the twins' switches take no value
					if f.Value.String() == "true" {
						opts.args = append(opts.args, "--"+f.Name)
					}
				default:
					opts.args = append(opts.args, "--"+f.Name+"="+f.Value.String())
				}
			})
			return runLesson(cmd.Context(), opts, lesson)
		},
	}
	lesson.AddFlags(cmd.Flags())
	return cmd
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 1 {
		took, err := valueOfOptionalFlag(cmd, args[0])
		if err != nil {
			return usageError{err}
		}
		if took {
			return nil
		}
	}
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return usageError{fmt.Errorf("unknown lesson %q (run asyncdemo with no arguments for the list)", args[0])}
		}
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])}
	}
	return nil
}

// valueOfOptionalFlag takes arg as the value of a flag whose value is
// optional (--code, --interrupt) given just before it without one, so that
// "--code python" means "--code=python", as people type it. It reports
// whether exactly one such flag took it, and, when the one such flag
// given refused it, why.
func valueOfOptionalFlag(cmd *cobra.Command, arg string) (bool, error) {
	var takers []*pflag.Flag
	var tried []string // why each flag refused arg
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.NoOptDefVal == "" || f.Value.Type() == "bool" {
			return
		}
		// Given without a value, it holds what NoOptDefVal sets (which may
		// print differently: 0.8s is 800ms).
		was := f.Value.String()
		if f.Value.Set(f.NoOptDefVal) == nil && f.Value.String() == was {
			takers = append(takers, f)
		} else {
			f.Value.Set(was)
		}
	})
	var took *pflag.Flag
	for _, f := range takers {
		if err := f.Value.Set(arg); err != nil {
			f.Value.Set(f.NoOptDefVal)
			tried = append(tried, fmt.Sprintf("--%s: %v", f.Name, err))
		} else {
			if took != nil {
				took.Value.Set(took.NoOptDefVal) // two could take it: neither does
				f.Value.Set(f.NoOptDefVal)
				return false, nil
			}
			took = f
		}
	}
	if took == nil && len(takers) == 1 {
		// Meant for the one flag given bare, most likely: say why it
		// cannot be that flag's value.
		return false, fmt.Errorf("%s (write --%s=VALUE)", tried[0], takers[0].Name)
	}
	return took != nil, nil
}

// runLesson runs a lesson with the common flags: prints what to watch, the
// runs, the timeline and what happened; or only JSON; and writes the trace.
func runLesson(ctx context.Context, opts *Options, lesson demos.Lesson) error {
	return runLessonWith(ctx, opts, lesson, lessonHooks{})
}

// lessonHooks let the tour run a lesson its way.
type lessonHooks struct {
	introShown  bool                 // the title and what to watch are on the screen already
	beforeAfter func(env *demos.Env) // called after the timeline, before what happened
}

// runLessonWith is runLesson with hooks.
func runLessonWith(ctx context.Context, opts *Options, lesson demos.Lesson, hooks lessonHooks) error {
	ios := opts.IO
	info := demos.Describe(lesson, opts.Lang)
	noColor := opts.NoColor || ios.NoColorEnv || !ios.IsTerminal
	if opts.Code != "" {
		return showCode(ios.Out, info, demos.Style(opts.Style), opts.Code, noColor, demos.Labels(opts.Lang))
	}
	width := ios.Width
	if width <= 0 {
		width = 80
	}
	env := &demos.Env{
		Ctx:       ctx,
		Style:     demos.Style(opts.Style),
		Clock:     timing.NewClock(opts.Scale),
		Compare:   info.Compares && !opts.NoCompare,
		Interrupt: ios.SelfInterrupt,
		Tool:      info.Tool,
		Labels:    demos.Labels(opts.Lang),
	}
	release := func() {}
	if info.HandlesInterrupt && ios.ClaimInterrupt != nil {
		var lessonCtx context.Context
		lessonCtx, release = ios.ClaimInterrupt()
		defer release()
		env.Ctx = lessonCtx
	}
	if opts.Trace != "" { // a bad path fails now, before the lesson
		if _, serr := os.Stat(filepath.Dir(opts.Trace)); serr != nil {
			return usageError{fmt.Errorf("--trace %q: %v", opts.Trace, serr)}
		}
	}
	var twinArgs []string
	if opts.Vs == "python" && !info.Tool {
		if host, ok := lesson.(demos.TwinHost); ok { // before the run: a bad combination fails now
			args, stop, err := host.HostTwin(env)
			if err != nil {
				return err
			}
			defer stop()
			twinArgs = args
		}
	}
	out := ios.Out
	if opts.Step && !opts.JSON && !info.Tool {
		// The run happens at full speed, so its times are true; what it
		// printed is then replayed an event at a time.
		var recorded bytes.Buffer
		out = &recorded
		hint := timing.NewPrinter(ios.Out, noColor)
		hint.Width = width
		hint.Note(env.Say("step_hint"))
		defer func() { replay(ios, recorded.String()) }()
	}
	if opts.JSON {
		w := timing.NewJSONWriter(ios.Out)
		env.Rec = timing.NewRecorder(w)
	} else {
		env.Printer = timing.NewPrinter(out, noColor)
		env.Printer.Width = width
		env.Printer.Big = opts.Big
		env.Printer.Words = timing.Words{Total: env.Labels["total"], Vs: env.Labels["vs"], Faster: env.Labels["faster"],
			Slower: env.Labels["slower"], Same: env.Labels["same"]}
		env.Rec = timing.NewRecorder(env.Printer)
		if !info.Tool && !hooks.introShown {
			env.Printer.Heading(fmt.Sprintf("asyncdemo %s — %s", info.Name, info.Title))
			env.Printer.Note(info.Before)
		}
	}
	if info.Tool {
		env.Rec.StartRun(info.Name, "")
	}
	err := lesson.Run(env)
	release() // Ctrl+C from now on (during the twin, say) stops the program
	var py *twinRun
	// A lesson that failed is compared too: the failure may be the point
	// (thread --fail), and its twin should fail the same way.
	failed := err != nil && !errors.Is(err, demos.ErrInterrupted) && !isUsage(err) && len(env.Runs) > 0
	if opts.Vs == "python" && (err == nil || failed) && ctx.Err() == nil && !info.Tool {
		var twinErr error
		py, twinErr = runTwin(ctx, opts, info, env, twinArgs, failed)
		if err == nil {
			err = twinErr
		}
	}
	runs := env.Runs
	if py != nil {
		runs = pairRuns(env.Runs, py.runs)
	}
	// A lesson that failed still gets its timeline and explanation: the
	// failure may be the point (thread --fail). One that was stopped does not.
	if env.Printer != nil && !errors.Is(err, demos.ErrInterrupted) && ctx.Err() == nil && len(env.Runs) > 0 && !info.Tool {
		if worthDrawing(runs) {
			tl := timing.Timeline{Width: width, ASCII: opts.ASCII || ios.Term == "dumb" || ios.Term == "linux", NoColor: noColor, Big: opts.Big}
			fmt.Fprintf(out, "%s\n\n", tl.Render(runs...))
		}
		if hooks.beforeAfter != nil {
			hooks.beforeAfter(env)
		}
		switch {
		case env.Afterword != "":
			env.Printer.Note(env.Afterword)
		case env.Style == demos.StyleGo:
			env.Printer.Note(info.AfterGo)
		default:
			env.Printer.Note(info.After)
		}
	}
	if opts.Trace != "" && len(runs) > 0 {
		if terr := writeTrace(opts.Trace, runs); terr != nil && err == nil {
			err = terr
		}
	}
	if py != nil && env.Printer != nil {
		env.Printer.Heading(env.Say("vs_heading", info.Name, env.Style))
		py.report.Width, py.report.GoLabel, py.report.Words, py.report.ASCII = width, "go ("+string(env.Style)+")", env.Labels, opts.ASCII
		if _, werr := py.report.WriteTo(out); werr != nil && err == nil {
			err = werr
		}
		fmt.Fprintln(out)
	}
	return err
}

// choiceFlag is a flag that takes one of a few words.
type choiceFlag struct {
	p       *string
	choices []string
}

func (v choiceFlag) String() string { return *v.p }
func (v choiceFlag) Type() string   { return strings.Join(v.choices, "|") }
func (v choiceFlag) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(v.choices, ", "))
	}
	*v.p = s
	return nil
}

// replay prints a recorded run line by line, waiting for Enter (a line on
// ios.In) after each event line, those with a time gutter. Once In is at
// its end, or a line is "q", it prints the rest at once.
func replay(ios *IOStreams, recorded string) {
	in := bufio.NewReader(ios.In)
	waiting := ios.In != nil
	for _, line := range strings.SplitAfter(recorded, "\n") {
		io.WriteString(ios.Out, line)
		if waiting && eventLine.MatchString(line) {
			if answer, err := in.ReadString('\n'); err != nil || strings.TrimSpace(answer) == "q" {
				waiting = false
			}
		}
	}
}

// eventLine matches a printed event: a gutter such as "  1.002s  " (after
// any colour codes) and text.
var eventLine = regexp.MustCompile(`^(\x1b\[[0-9;]*m)*\s+[0-9]+\.[0-9]{3}s(\x1b\[[0-9;]*m)*\s`)

// worthDrawing reports whether a timeline would show anything: some task
// ran, and the runs took long enough for bars to mean something.
func worthDrawing(runs []timing.Run) bool {
	for _, r := range runs {
		if len(r.Spans) > 0 && r.Elapsed >= 10*time.Millisecond {
			return true
		}
	}
	return false
}

func writeTrace(path string, runs []timing.Run) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing the trace: %w", err)
	}
	if err := timing.WriteTrace(f, runs...); err != nil {
		f.Close()
		return fmt.Errorf("writing the trace to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the trace to %s: %w", path, err)
	}
	return nil
}

// showCode prints the functions that run for the lesson in the style, and
// (later) its Python twin, highlighted when colour is on.
func showCode(out io.Writer, info demos.Info, style demos.Style, which string, noColor bool, labels map[string]string) error {
	if info.Tool {
		return usageError{fmt.Errorf("%s is a tool, not a lesson: it has no lesson code to show", info.Name)}
	}
	if which == "go" || which == "both" {
		src, err := demos.FuncSource(info.Code[style]...)
		if err != nil {
			return err
		}
		p := timing.NewPrinter(out, noColor)
		p.Heading(fmt.Sprintf(labels["code_heading"], info.Name, style))
		if err := highlight(out, src, "go", noColor); err != nil {
			return err
		}
	}
	if which == "python" || which == "both" {
		src, ok := twin.Source(info.Name)
		if !ok {
			return fmt.Errorf("%s has no Python twin", info.Name)
		}
		if which == "both" {
			fmt.Fprintln(out)
		}
		p := timing.NewPrinter(out, noColor)
		p.Heading(fmt.Sprintf(labels["code_python"], info.Name))
		if err := highlight(out, strings.TrimRight(src, "\n"), "python", noColor); err != nil {
			return err
		}
		fmt.Fprintln(out)
		p.Note(fmt.Sprintf(labels["code_python_runs"], info.Name))
	}
	return nil
}

// langValue is the --lang flag.
type langValue struct{ p *string }

func (v langValue) String() string { return *v.p }
func (v langValue) Type() string   { return strings.Join(demos.Languages, "|") }
func (v langValue) Set(s string) error {
	if !slices.Contains(demos.Languages, s) {
		return fmt.Errorf("%q is not a language asyncdemo speaks (%s)", s, strings.Join(demos.Languages, ", "))
	}
	*v.p = s
	return nil
}

// codeValue is the --code flag.
type codeValue struct{ p *string }

func (v codeValue) String() string { return *v.p }
func (v codeValue) Type() string   { return "go|python" }
func (v codeValue) Set(s string) error {
	switch s {
	case "go", "python", "both":
		*v.p = s
		return nil
	}
	return fmt.Errorf("%q is not go or python", s)
}

// scaleValue is the --scale flag: a factor greater than 0, at most 100.
type scaleValue struct{ p *float64 }

func (v scaleValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v scaleValue) Type() string   { return "F" }
func (v scaleValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%q is not a number", s)
	}
	if f <= 0 || f > 100 {
		return fmt.Errorf("%q is out of range (more than 0, at most 100)", s)
	}
	*v.p = f
	return nil
}

// styleValue is the --style flag.
type styleValue struct{ p *string }

func (v styleValue) String() string { return *v.p }
func (v styleValue) Type() string   { return "aio|go" }
func (v styleValue) Set(s string) error {
	if s != string(demos.StyleAio) && s != string(demos.StyleGo) {
		return fmt.Errorf("%q is not a style (want aio or go)", s)
	}
	*v.p = s
	return nil
}
