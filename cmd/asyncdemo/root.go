package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
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
	// Profile is the colours Out shows when it is a terminal (the zero
	// value is true colour); Theme is ASYNCDEMO_THEME; DarkBackground asks
	// the terminal whether its background is dark (nil: it cannot say).
	Profile        termenv.Profile
	Theme          string
	DarkBackground func() bool
	// ClaimInterrupt tells the program that the lesson running handles
	// Ctrl+C itself: it returns the context the next Ctrl+C cancels, and
	// a function to give Ctrl+C back. SelfInterrupt sends the process a
	// SIGINT. Tests replace both.
	ClaimInterrupt func() (context.Context, func())
	SelfInterrupt  func()
	// Quit stops the program as a Ctrl+C that no lesson claims: q typed
	// while a lesson runs in a terminal. nil: q does nothing (tests).
	Quit func()
	// AtForcedExit registers a cleanup to run should the process be forced
	// to exit (a lesson that has not stopped soon after Ctrl+C or SIGTERM,
	// or a second signal) before the command has returned: restore the
	// terminal, save the tour's progress. It returns a function that
	// unregisters it. nil registers nothing (tests).
	AtForcedExit func(cleanup func()) (remove func())
}

// atForcedExit registers cleanup with AtForcedExit, if set.
func (ios *IOStreams) atForcedExit(cleanup func()) (remove func()) {
	if ios.AtForcedExit == nil {
		return func() {}
	}
	return ios.AtForcedExit(cleanup)
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
	Plain     bool     // --plain: with --code, the Python as a learner would write it
	Lang      string   // --lang: the language of the lessons' texts
	Step      bool     // --step: after the run, replay it an event at a time
	Big       bool     // --big: projector mode
	Theme     string   // --theme: auto, dark or light
	Vs        string   // --vs python: run the Python twin too and show both
	Python    string   // --python: the interpreter for the twin
	args      []string // the lesson's flags as given, passed on to the twin
	resolved  *look    // how the output looks, once resolved
}

// asyncdemoOnly are the flags the Python twins do not take.
var asyncdemoOnly = []string{"vs", "python", "code", "plain", "trace", "no-color", "ascii", "big", "step", "lang", "style", "json", "theme"}

// Lessons are listed in teaching order, not alphabetically. (cobra keeps
// this setting in a package variable.)
func init() { cobra.EnableCommandSorting = false }

var groups = []*cobra.Group{
	{ID: "Basics", Title: "Basics: the loop, coroutines, tasks, futures"},
	{ID: "Concurrency", Title: "Concurrency: many tasks, cancellation, threads"},
	{ID: "Redis and HTTP", Title: "Redis and HTTP, for real"},
	{ID: "Exercises", Title: "Exercises: you write the code, asyncdemo checks it by what it measures"},
	{ID: "Tools", Title: "Tools"},
}

// newRootCmd builds the command tree: one subcommand per lesson, in order.
func newRootCmd(ios *IOStreams) *cobra.Command {
	lang := ios.Lang
	if lang == "" {
		lang = "en"
	}
	theme, themeErr := themeDefault(ios.Theme)
	opts := &Options{IO: ios, Scale: 1, Style: string(lesson.StyleAio), Lang: lang, Theme: theme}
	root := &cobra.Command{
		Use:   "asyncdemo",
		Short: "Learn async programming by running it",
		Long: "asyncdemo re-tells a classic Python asyncio tutorial as lessons you run. Each lesson runs for\n" +
			"real on an asyncio-exact event loop (--style aio) or as idiomatic Go (--style go), shows\n" +
			"what happened when, and times concurrency against the sequential run.\n\n" +
			"Exit codes: 0 done, 1 the lesson failed, 2 a bad command line, 130 Ctrl+C, 143 SIGTERM.",
		Example:       "  asyncdemo gather\n  asyncdemo gather --scale 0.1 --style go\n  asyncdemo await --blocking",
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return summaryRun(cmd, opts) },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if themeErr != nil && !cmd.Flags().Changed("theme") {
				return themeErr
			}
			if opts.ASCII && !opts.JSON {
				opts.IO.Out = &asciiWriter{w: opts.IO.Out}
			}
			return nil
		},
	}
	root.Version = version(debug.ReadBuildInfo())
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(ios.Out)
	root.SetErr(ios.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return lesson.UsageError{Err: withoutRawValue(err)} })
	root.AddGroup(groups...)
	pf := root.PersistentFlags()
	pf.Var(scaleValue{&opts.Scale}, "scale", "multiply every duration by F (0.1 turns 4 s into 0.4 s)")
	pf.Var(lesson.ChoiceFlag(&opts.Style, string(lesson.StyleAio), string(lesson.StyleGo)), "style", "aio: the tutorial's program on asyncdemo's event loop; go: idiomatic Go")
	pf.BoolVar(&opts.JSON, "json", false, "print one JSON object per event (JSON Lines) and nothing else")
	pf.StringVar(&opts.Trace, "trace", "", "write the timeline to `FILE` as Chrome Trace Event JSON (open it in Perfetto)")
	pf.BoolVar(&opts.NoCompare, "no-compare", false, "skip the sequential run")
	pf.BoolVar(&opts.NoColor, "no-color", false, "no colour (also when NO_COLOR is set or output is not a terminal)")
	pf.BoolVar(&opts.ASCII, "ascii", false, "print ASCII characters only: the timeline, headings and marks (for terminals and fonts that lack them)")
	pf.Var(lesson.ChoiceFlag(&opts.Code, "go", "python", "both"), "code", "show the lesson's code instead of running it: the Go that runs (for --style), and its modern-Python twin; =go or =python for one")
	pf.Lookup("code").NoOptDefVal = "both"
	pf.BoolVar(&opts.Plain, "plain", false, "with --code: the Python as a learner would write it, without the twin's recorder and flags (python3 runs it as it is)")
	pf.Var(lesson.ChoiceFlag(&opts.Vs, "python"), "vs", "run the lesson's Python twin as well and show both side by side (needs python3 3.11+)")
	pf.StringVar(&opts.Python, "python", "", "the Python interpreter for --vs python (default: python3 on PATH, then /usr/bin/python3)")
	pf.BoolVar(&opts.Big, "big", false, "projector mode: bold, high-contrast text and time gutter, bars two lines high, text wrapped at 60 columns")
	pf.Var(lesson.ChoiceFlag(&opts.Theme, themeNames...), "theme", "colours for a dark or a light background, auto asking the terminal; without it, "+themeEnv+" decides")
	pf.BoolVar(&opts.Step, "step", false, "step through the run inside the event loop: after each iteration, what ran, the ready queue, the timers and the tasks (full screen; piped, as text; with --json, objects of kind state)")
	pf.Var(lesson.ChoiceFlag(&opts.Lang, lesson.Languages...), "lang", "the language of the lessons' texts; without it, LC_ALL, LC_MESSAGES or LANG decide")
	root.AddCommand(newTourCmd(opts), newListCmd(opts), newCheatsheetCmd(opts), newExplainCmd(opts, nil))
	root.AddCommand(newExercisesCmd(opts), newCheckCmd(opts), newWatchCmd(opts), newHintCmd(opts), newSolutionCmd(opts))
	for _, demo := range demos.All() {
		root.AddCommand(newLessonCmd(opts, demo, nil))
	}
	addCompletions(root)
	return root
}

// newLessonCmd wires one lesson's command. runF, if not nil, replaces the
// run, for tests.
func newLessonCmd(opts *Options, demo lesson.Lesson, runF func(*Options, lesson.Lesson) error) *cobra.Command {
	info := lesson.Describe(demo, opts.Lang)
	args := noArgs
	use := info.Name
	if taker, ok := demo.(lesson.ArgsTaker); ok {
		use += " " + info.Args
		args = func(_ *cobra.Command, args []string) error {
			if err := taker.SetArgs(args); err != nil {
				return lesson.UsageError{Err: err}
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
				return runF(opts, demo)
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
			return runLesson(cmd.Context(), opts, demo)
		},
	}
	demo.AddFlags(cmd.Flags())
	return cmd
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 1 {
		took, err := valueOfOptionalFlag(cmd, args[0])
		if err != nil {
			return lesson.UsageError{Err: err}
		}
		if took {
			return nil
		}
	}
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return lesson.UsageError{Err: fmt.Errorf("unknown lesson %q (run asyncdemo with no arguments for the list)", args[0])}
		}
		return lesson.UsageError{Err: fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])}
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

// withoutRawValue rewrites a bad flag value's error so that it does not
// repeat the value as typed: the flag's own message quotes it already, and
// may have had reasons to change it (a Redis URL's password is redacted).
func withoutRawValue(err error) error {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) || bad.Unwrap() == nil {
		return err
	}
	name := "--" + bad.GetFlag().Name
	if bad.GetFlag().Shorthand != "" && !strings.Contains(err.Error(), `"`+name+`"`) {
		name = "-" + bad.GetFlag().Shorthand
	}
	return fmt.Errorf("invalid argument for %q flag: %w", name, bad.Unwrap())
}
