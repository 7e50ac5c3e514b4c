package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// runLesson runs a lesson with the common flags: prints what to watch, the
// runs, the timeline and what happened; or only JSON; and writes the trace.
func runLesson(ctx context.Context, opts *Options, demo lesson.Lesson) error {
	return runLessonWith(ctx, opts, demo, lessonHooks{})
}

// lessonHooks let the tour run a lesson its way.
type lessonHooks struct {
	introShown  bool                  // the title and what to watch are on the screen already
	beforeAfter func(env *lesson.Env) // called after the timeline, before what happened
}

// runLessonWith is runLesson with hooks. It runs the phases of a lessonRun
// in order; each is a method a test can call on its own.
func runLessonWith(ctx context.Context, opts *Options, demo lesson.Lesson, hooks lessonHooks) error {
	r := newLessonRun(opts, demo, hooks)
	if opts.Plain && opts.Code == "" {
		return lesson.UsageError{Err: fmt.Errorf("--plain goes with --code: asyncdemo %s --code python --plain", r.info.Name)}
	}
	if opts.Code != "" {
		return showCode(opts.IO.Out, r.info, lesson.Style(opts.Style), opts.Code, opts.Plain, r.look, r.env.Labels)
	}
	defer r.cleanUp()
	r.claimCtrlC(ctx)
	if err := r.check(); err != nil {
		return err
	}
	r.open(ctx)
	r.quietKeys(ctx)
	err := r.run()
	err = r.runTwin(ctx, err)
	r.explain(ctx, err)
	err = r.writeTrace(err)
	err = r.report(err)
	r.unquiet() // --step's view reads the keys itself
	return r.steps(ctx, err)
}

// steps shows --step's frames, unless the program is ending (ctx is
// done); it returns err, or, if err is nil, Ctrl+C in the view.
func (r *lessonRun) steps(ctx context.Context, err error) error {
	if r.step == nil || ctx.Err() != nil {
		return err
	}
	r.step.end()
	if serr := r.showSteps(ctx); err == nil {
		err = serr
	}
	return err
}

// lessonRun is one run of a lesson from the command line, from checking its
// flags to the side-by-side report.
type lessonRun struct {
	opts    *Options
	demo    lesson.Lesson
	info    lesson.Info // in the chosen language
	hooks   lessonHooks
	env     *lesson.Env
	width   int
	noColor bool
	look    look      // the colours, when noColor is not set
	out     io.Writer // where the lesson prints: the terminal, or --step's recording

	twinArgs []string    // what a TwinHost started for the twin
	python   twin.Runner // what runs the twin, found by check
	py       *twinRun    // what the twin did, with --vs python
	release  func()      // gives Ctrl+C back to the program
	cleanups []func()    // run by cleanUp, last first
	step     *stepper    // --step's frames
	quiet    *quietKeys  // the terminal silenced while the lesson runs; nil if none
}

// newLessonRun prepares a run: the lesson's texts, the environment it will
// run in, the width and colour of the output.
func newLessonRun(opts *Options, demo lesson.Lesson, hooks lessonHooks) *lessonRun {
	ios := opts.IO
	info := lesson.Describe(demo, opts.Lang)
	r := &lessonRun{
		opts: opts, demo: demo, info: info, hooks: hooks,
		width:   ios.Width,
		look:    opts.look(),
		out:     ios.Out,
		release: func() {},
	}
	if r.width <= 0 {
		r.width = 80
	}
	r.noColor = r.look.noColor
	r.env = &lesson.Env{
		Style:     lesson.Style(opts.Style),
		Clock:     timing.NewClock(opts.Scale),
		Compare:   info.Compares && !opts.NoCompare,
		Interrupt: ios.SelfInterrupt,
		Tool:      info.Tool,
		Labels:    lesson.Labels(opts.Lang),
	}
	r.env.ManyTasks = func(n int) { r.cleanups = append(r.cleanups, gcForTasks(n)) }
	return r
}

// cleanUp undoes what the phases started, last first.
func (r *lessonRun) cleanUp() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.cleanups = nil
}

// vsPython reports whether the twin runs beside the lesson.
func (r *lessonRun) vsPython() bool { return r.opts.Vs == "python" && !r.info.Tool }

// check finds what is wrong before anything is printed: a --trace path
// that cannot be written, an interpreter --vs python cannot use, a
// combination the twin cannot run with (it also starts what the twin needs,
// such as an embedded Redis), and what a lesson.Preparer finds, such as a
// consumer name in use or a Redis that does not answer. It needs the
// lesson's context: claimCtrlC comes first.
func (r *lessonRun) check() error {
	if r.opts.Trace != "" {
		if _, err := os.Stat(filepath.Dir(r.opts.Trace)); err != nil {
			return lesson.UsageError{Err: fmt.Errorf("--trace %q: %v", r.opts.Trace, err)}
		}
	}
	if r.vsPython() {
		if err := r.findPython(r.env.Ctx); err != nil {
			return err
		}
	}
	if host, ok := r.demo.(lesson.TwinHost); ok && r.vsPython() {
		args, stop, err := host.HostTwin(r.env)
		if err != nil {
			return err
		}
		r.cleanups = append(r.cleanups, stop)
		r.twinArgs = args
	}
	if p, ok := r.demo.(lesson.Preparer); ok {
		release, err := p.Prepare(r.env)
		if err != nil {
			return err
		}
		r.cleanups = append(r.cleanups, release)
	}
	return nil
}

// findPython finds the interpreter for --vs python, before the lesson
// runs: one that cannot run the twin is refused before the first line, not
// after the lesson. --python naming no usable Python is a bad command line.
func (r *lessonRun) findPython(ctx context.Context) error {
	r.python = twin.Runner{Python: r.opts.Python, Modules: r.info.Twin.Modules}
	path, version, err := r.python.Find(ctx)
	switch {
	case errors.Is(err, twin.ErrMissingModules):
		return fmt.Errorf("--vs python: %w (Debian: apt-get install python3-redis python3-aiohttp; or pip install redis aiohttp; or --python PATH)", err)
	case err != nil && r.opts.Python != "":
		return lesson.UsageError{Err: fmt.Errorf("--vs python: %w", err)}
	case err != nil:
		return fmt.Errorf("--vs python: %w", err)
	}
	r.python.Python, r.python.Version = path, version
	return nil
}

// claimCtrlC gives the lesson the context Ctrl+C cancels: for a lesson
// about Ctrl+C, a context of its own, so that the program goes on after it;
// with --step (not --json), too, so that Ctrl+C ends a run that goes on
// until it (the Redis lessons on a real Redis) and its steps so far are
// shown.
func (r *lessonRun) claimCtrlC(ctx context.Context) {
	r.env.Ctx = ctx
	if (r.info.HandlesInterrupt || r.opts.Step && !r.opts.JSON) && r.opts.IO.ClaimInterrupt != nil {
		lessonCtx, release := r.opts.IO.ClaimInterrupt()
		r.env.Ctx, r.release = lessonCtx, release
		r.cleanups = append(r.cleanups, release)
	}
}

// open sets up the output: JSON Lines, or the printer with the lesson's
// title and what to watch; with --step, a stepper that keeps a frame per
// step, shown once the lesson has run, unless ctx (the program's) is done
// by then.
func (r *lessonRun) open(ctx context.Context) {
	ios, env := r.opts.IO, r.env
	var sinks []timing.Sink
	if r.opts.Step && !r.info.Tool {
		r.step = newStepper(stepWindow)
		env.Watch = r.step.watch
		sinks = append(sinks, r.step)
	}
	if r.opts.JSON {
		jw := timing.NewJSONWriter(ios.Out)
		env.Rec = timing.NewRecorder(timing.Multi(append([]timing.Sink{jw}, sinks...)...))
		if r.step != nil {
			r.step.json, r.step.words = jw, env.Labels
		}
	} else {
		if r.step != nil {
			// The run happens at full speed, so its times are true; what
			// it printed is shown step by step afterwards, in the view's
			// output box: its lines must fit in it (borders, padding and
			// the mark of a new line).
			r.step.out = &lockedOutput{}
			r.out = r.step.out
			if ios.IsTerminal {
				r.width = max(r.width-5, 40)
			}
		}
		p := r.look.printer(r.out)
		p.Width, p.Big, p.Tasks = r.width, r.opts.Big, r.info.TaskColumn
		p.Words = timing.Words{Total: env.Labels["total"], Vs: env.Labels["vs"], Faster: env.Labels["faster"],
			Slower: env.Labels["slower"], Same: env.Labels["same"]}
		env.Printer = p
		env.Rec = timing.NewRecorder(timing.Multi(append([]timing.Sink{p}, sinks...)...))
		if !r.info.Tool && !r.hooks.introShown {
			p.Heading(fmt.Sprintf("asyncdemo %s — %s", r.info.Name, r.info.Title))
			p.Note(r.info.Before)
		}
	}
	if r.step != nil {
		if !r.opts.JSON && ios.IsTerminal {
			// The lesson's output is kept for the view until the run ends:
			// say why the screen stays empty meanwhile.
			fmt.Fprintln(ios.Err, r.look.dim(env.Say("step_hint")))
		}
		r.step.rec = env.Rec
		env.Rec.OnSpan = r.step.onSpan
		if cut, err := lesson.CutSource(demos.Source, r.info.Code[env.Style]...); err == nil {
			r.step.src = lineOf(cut)
		}
	}
	if r.info.Tool {
		env.Rec.StartRun(r.info.Name, "")
	}
}

// quietKeys silences the terminal the keys come from, if there is one,
// until the lesson's run is over: what is typed meanwhile does not show in
// its output, and q stops the program at once. (Registered after open's
// cleanups, it ends before --step's replay.)
func (r *lessonRun) quietKeys(ctx context.Context) {
	ios := r.opts.IO
	in, ok := ios.In.(*os.File)
	if !ok || ios.Quit == nil {
		return
	}
	if q := quietKeyboard(ctx, ios, in, ios.Quit); q != nil {
		r.cleanups = append(r.cleanups, func() { q.Close() })
		r.quiet = q
	}
}

// unquiet gives the terminal back its echo, once the run is over.
func (r *lessonRun) unquiet() { r.quiet.Close() }

// run runs the lesson, then gives Ctrl+C back to the program: from then on
// (during the twin, say) it stops the program.
func (r *lessonRun) run() error {
	err := r.demo.Run(r.env)
	if r.step != nil && !r.info.HandlesInterrupt && errors.Is(context.Cause(r.env.Ctx), errInterrupt) {
		err = lesson.ErrInterrupted // --step's Ctrl+C: the steps so far are shown, then the program ends so
	}
	r.release()
	return err
}

// runTwin runs the twin after the lesson, with --vs python. A lesson that
// failed is compared too: the failure may be the point (thread --fail),
// and its twin should fail the same way. It returns the lesson's error, or
// the twin's if the lesson had none.
func (r *lessonRun) runTwin(ctx context.Context, err error) error {
	failed := err != nil && !errors.Is(err, lesson.ErrInterrupted) && !lesson.IsUsage(err) && len(r.env.Runs) > 0
	if !r.vsPython() || (err != nil && !failed) || ctx.Err() != nil {
		return err
	}
	py, twinErr := runTwin(ctx, r.opts, r.python, r.info, r.env, r.twinArgs, failed)
	r.py = py
	if err == nil {
		err = twinErr
	}
	return err
}

// runs are the runs to draw and trace: the lesson's, each with the twin's
// run of the same name under it.
func (r *lessonRun) runs() []timing.Run {
	if r.py != nil {
		return pairRuns(r.env.Runs, r.py.runs)
	}
	return r.env.Runs
}

// explain draws the timeline and says what happened. A lesson that failed
// still gets them: the failure may be the point (thread --fail). One that
// was stopped does not.
func (r *lessonRun) explain(ctx context.Context, err error) {
	env := r.env
	if errors.Is(err, lesson.ErrInterrupted) || ctx.Err() != nil || len(env.Runs) == 0 || r.info.Tool {
		return
	}
	if runs := r.runs(); worthDrawing(runs) && env.Printer != nil {
		ios := r.opts.IO
		tl := r.look.timeline()
		tl.Width, tl.ASCII, tl.Big = r.width, r.opts.ASCII || ios.Term == "dumb" || ios.Term == "linux", r.opts.Big
		tl.Words = timing.Legend{Waiting: env.Say("legend_waiting"), Cancelled: env.Say("legend_cancelled"), Error: env.Say("legend_error")}
		fmt.Fprintf(r.out, "%s\n\n", tl.Render(runs...))
	}
	if r.hooks.beforeAfter != nil { // also with --json: the tour's verdict
		r.hooks.beforeAfter(env)
	}
	if env.Printer == nil {
		return
	}
	env.Printer.Note(r.afterText())
}

// afterText is what is said after the run: what happened and why, with the
// run's own figures.
func (r *lessonRun) afterText() string { return lesson.AfterText(r.demo, r.info, r.env) }

// writeTrace writes --trace's file; it returns err, or the trace's error if
// err is nil.
func (r *lessonRun) writeTrace(err error) error {
	runs := r.runs()
	if r.opts.Trace == "" || len(runs) == 0 {
		return err
	}
	if terr := writeTrace(r.opts.Trace, runs); terr != nil && err == nil {
		err = terr
	}
	return err
}

// report prints the side-by-side comparison with the twin, if it ran.
func (r *lessonRun) report(err error) error {
	env := r.env
	if r.py == nil || env.Printer == nil {
		return err
	}
	env.Printer.Heading(env.Say("vs_heading", r.info.Name, env.Style))
	rep := &r.py.report
	rep.Width, rep.GoLabel, rep.Words, rep.ASCII = r.width, "go ("+string(env.Style)+")", env.Labels, r.opts.ASCII
	if _, werr := rep.WriteTo(r.out); werr != nil && err == nil {
		err = werr
	}
	fmt.Fprintln(r.out)
	return err
}

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
