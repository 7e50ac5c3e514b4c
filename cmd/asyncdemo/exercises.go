package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/asyncdemo/asyncdemo/demos/exercise"
	"github.com/asyncdemo/asyncdemo/demos/explain"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// The exercises: asyncdemo exercises [init], check, watch, hint and
// solution. The exercises, their rules and the checking are package
// exercise's; here is the command line, the progress and the printing.

// DefaultExerciseDir is where exercises init writes, and where check looks
// when the current directory holds no exercise.
const DefaultExerciseDir = "asyncdemo-exercises"

// exerciseProgress is what asyncdemo remembers of the exercises, in the
// user's config directory beside the tour's progress.
type exerciseProgress struct {
	Dir    string            `json:"dir,omitempty"`    // the folder exercises init wrote, absolute
	Status map[string]string `json:"status,omitempty"` // exercise -> statusPassed or statusFailed: its last check
	Hints  map[string]int    `json:"hints,omitempty"`  // exercise -> how many of its hints were given
	// Python is the interpreter the last check found, for the python3 on
	// PATH it was found from: finding it again through a launcher such as
	// pyenv's shim costs half a second a check.
	Python *pythonFound `json:"python,omitempty"`
}

// pythonFound is an interpreter found for the python3 on PATH.
type pythonFound struct {
	For  string `json:"for"`  // what python3 on PATH was
	Path string `json:"path"` // the interpreter found, 3.11 or newer
}

// An exercise's status, as its last check left it.
const (
	statusPassed = "passed"
	statusFailed = "failed"
)

// loadExerciseProgress reads the progress; a missing file is a fresh
// start, and a corrupt one is reset with a warning.
func loadExerciseProgress(warn io.Writer) exerciseProgress {
	p := exerciseProgress{Status: map[string]string{}, Hints: map[string]int{}}
	path, err := configPath("exercises.json")
	if err != nil {
		return p
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return p
	}
	if err == nil {
		err = json.Unmarshal(data, &p)
	}
	if err != nil {
		fmt.Fprintf(warn, "asyncdemo: the exercises' progress in %s could not be read (%v); starting again\n", path, err)
		return exerciseProgress{Status: map[string]string{}, Hints: map[string]int{}}
	}
	if p.Status == nil {
		p.Status = map[string]string{}
	}
	if p.Hints == nil {
		p.Hints = map[string]int{}
	}
	return p
}

func saveExerciseProgress(p exerciseProgress) error {
	path, err := configPath("exercises.json")
	if err != nil {
		return err
	}
	data, _ := json.Marshal(p)
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("saving the exercises' progress: %w", err)
	}
	return nil
}

// exerciseOptions are the flags of the exercise commands.
type exerciseOptions struct {
	*Options
	Dir  string // --dir: the exercises folder
	Show bool   // solution --show: without a pass
}

// exerciseFlags are the flags of every exercise command that reads the
// learner's files.
func (eo *exerciseOptions) dirFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&eo.Dir, "dir", "", "the exercises `FOLDER` (default: the current directory if it holds exercises, else ./"+
		DefaultExerciseDir+", else the folder exercises init wrote)")
}

// refuseLessonFlags refuses the lesson flags that mean nothing to an
// exercise command.
func refuseLessonFlags(cmd *cobra.Command) error {
	for _, name := range []string{"code", "vs", "step", "scale", "style", "no-compare", "json", "trace", "big"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			return lesson.UsageError{Err: fmt.Errorf("--%s does not apply to %s", name, cmd.Name())}
		}
	}
	return nil
}

func newExercisesCmd(opts *Options) *cobra.Command {
	eo := &exerciseOptions{Options: opts}
	cmd := &cobra.Command{
		Use:   "exercises",
		Short: "the exercises, ✓ passed, ✗ not yet, and the lesson each follows; init writes them",
		Long: "Exercises: you write the code, and asyncdemo checks it by what it measures: whether your\n" +
			"tasks really overlap, whether a step held the event loop, when each line came.\n\n" +
			"  asyncdemo exercises init [FOLDER]   write the starter files (default ./" + DefaultExerciseDir + ")\n" +
			"  asyncdemo check [NAME]              check one (default: the first not passed)\n" +
			"  asyncdemo watch                     check again each time you save; h hint, n next, l list, q quit\n" +
			"  asyncdemo hint NAME                 the next hint\n" +
			"  asyncdemo solution NAME             the model solution and why it works, once you pass (or --show)",
		GroupID: "Exercises",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := refuseLessonFlags(cmd); err != nil {
				return err
			}
			return exercisesListRun(eo)
		},
	}
	eo.dirFlag(cmd)
	cmd.AddCommand(newExercisesInitCmd(opts))
	return cmd
}

// exercisesListRun prints the exercises in order with their status.
func exercisesListRun(eo *exerciseOptions) error {
	ios := eo.IO
	p := loadExerciseProgress(ios.Err)
	printExerciseList(ios.Out, p, eo.Lang, ios.Width)
	say := exerciseSay(eo.Lang)
	dir, err := exerciseDir(eo.Dir, p)
	if err != nil {
		fmt.Fprintln(ios.Out, "\n"+say("list_no_folder", DefaultExerciseDir))
		return nil
	}
	fmt.Fprintln(ios.Out, "\n"+say("list_folder", dir))
	if next := nextExercise(p, ""); next != nil {
		fmt.Fprintln(ios.Out, say("list_next", next.Name))
	}
	return nil
}

// printExerciseList prints one line per exercise: its mark, number, name,
// status, the lesson it follows and its title, the title wrapped under its
// column at width (0: not wrapped).
func printExerciseList(out io.Writer, p exerciseProgress, lang string, width int) {
	say := exerciseSay(lang)
	rows := [][]string{{"  #", say("list_exercise"), say("list_status"), say("list_lesson"), say("list_title")}}
	for i, e := range exercise.All() {
		mark, status := " ", say("status_new")
		switch p.Status[e.Name] {
		case statusPassed:
			mark, status = "✓", say("status_passed")
		case statusFailed:
			mark, status = "✗", say("status_failed")
		}
		rows = append(rows, []string{fmt.Sprintf("%s %d", mark, i+1), e.Name, status, e.Lesson, e.Text(lang).Title})
	}
	writeTable(out, rows, width)
}

// nextExercise is the first exercise not passed after the one called
// after ("" for the first not passed of all), or nil when all have passed.
func nextExercise(p exerciseProgress, after string) *exercise.Exercise {
	all := exercise.All()
	start := 0
	for i, e := range all {
		if e.Name == after {
			start = i + 1
		}
	}
	for i := range all {
		e := all[(start+i)%len(all)]
		if p.Status[e.Name] != statusPassed {
			return e
		}
	}
	return nil
}

// exerciseDir finds the exercises folder: --dir; else the current
// directory if it holds an exercise's file; else ./asyncdemo-exercises if
// it exists; else the folder exercises init wrote.
func exerciseDir(flag string, p exerciseProgress) (string, error) {
	if flag != "" {
		if info, err := os.Stat(flag); err != nil || !info.IsDir() {
			return "", lesson.UsageError{Err: fmt.Errorf("--dir %q is no folder", flag)}
		}
		return flag, nil
	}
	for _, e := range exercise.All() {
		if _, err := os.Stat(e.Path(".")); err == nil {
			return ".", nil
		}
	}
	if info, err := os.Stat(DefaultExerciseDir); err == nil && info.IsDir() {
		return DefaultExerciseDir, nil
	}
	if p.Dir != "" {
		if info, err := os.Stat(p.Dir); err == nil && info.IsDir() {
			return p.Dir, nil
		}
	}
	return "", errors.New("no exercises here: asyncdemo exercises init writes them (into ./" + DefaultExerciseDir + "), or give --dir")
}

// exerciseSay formats the exercises' labels of lang.
func exerciseSay(lang string) func(key string, args ...any) string {
	labels := exercise.Labels(lang)
	return func(key string, args ...any) string { return fmt.Sprintf(labels[key], args...) }
}

// findExercise returns the exercise called name, or a usage error listing
// them.
func findExercise(name string) (*exercise.Exercise, error) {
	if e := exercise.Find(name); e != nil {
		return e, nil
	}
	return nil, lesson.UsageError{Err: fmt.Errorf("no exercise %q (asyncdemo exercises lists them: %s)", name, strings.Join(exercise.Names(), ", "))}
}

func newExercisesInitCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "init [FOLDER]",
		Short: "write the exercises' starter files into FOLDER (default ./" + DefaultExerciseDir + "); never overwrites",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return lesson.UsageError{Err: fmt.Errorf("exercises init takes one folder, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := refuseLessonFlags(cmd); err != nil {
				return err
			}
			dir := DefaultExerciseDir
			if len(args) == 1 {
				dir = args[0]
			}
			return exercisesInitRun(opts, dir)
		},
	}
}

// exercisesInitRun writes each exercise's starter into dir, keeping every
// file already there, and remembers dir.
func exercisesInitRun(opts *Options, dir string) error {
	ios := opts.IO
	say := exerciseSay(opts.Lang)
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return lesson.UsageError{Err: fmt.Errorf("exercises init: %s is a file, not a folder", dir)}
	}
	wrote, kept := 0, 0
	files := map[string][]byte{"README.md": []byte(exerciseReadme(opts.Lang)), "go/go.mod": []byte(exercise.GoMod),
		"go/go.sum": []byte(exercise.GoSum)}
	var order []string
	for _, e := range exercise.All() {
		files[e.File] = e.Starter()
		order = append(order, e.File)
	}
	order = append(order, "README.md", "go/go.mod", "go/go.sum")
	for _, name := range order {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("exercises init: %w", err)
		}
		// O_EXCL: a file of the learner's, even one made a moment ago, is kept.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			kept++
			continue
		}
		if err != nil {
			return fmt.Errorf("exercises init: %w", err)
		}
		_, err = f.Write(files[name])
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("exercises init: %w", err)
		}
		if _, ok := files[name]; ok && name != "README.md" && !strings.HasPrefix(name, "go/go.") {
			wrote++
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("exercises init: %w", err)
	}
	p := loadExerciseProgress(ios.Err)
	p.Dir = abs
	if err := saveExerciseProgress(p); err != nil {
		fmt.Fprintln(ios.Err, "asyncdemo:", err)
	}
	fmt.Fprintln(ios.Out, say("init_wrote", wrote, dir))
	if kept > 0 {
		fmt.Fprintln(ios.Out, say("init_kept", kept))
	}
	fmt.Fprintln(ios.Out, say("init_start", dir, exercise.All()[0].File))
	return nil
}

// exerciseReadme is the README.md exercises init writes beside the files.
func exerciseReadme(lang string) string {
	say := exerciseSay(lang)
	var b strings.Builder
	b.WriteString(say("readme_intro") + "\n\n")
	for i, e := range exercise.All() {
		fmt.Fprintf(&b, "%d. `%s` — %s (asyncdemo check %s; %s asyncdemo %s)\n", i+1, e.File, e.Text(lang).Title, e.Name,
			say("readme_after"), e.Lesson)
	}
	return b.String()
}

// ── check ──

func newCheckCmd(opts *Options) *cobra.Command {
	eo := &exerciseOptions{Options: opts}
	cmd := &cobra.Command{
		Use:   "check [NAME]",
		Short: "check an exercise by what it does (default: the first not passed); says what is wrong and why",
		Long: "Runs your file of an exercise and checks it by what asyncdemo measures, not by what it prints:\n" +
			"when each task ran and waited, whether a step held the event loop, when each line came. An\n" +
			"exercise that only sleeps runs on a virtual clock: instantly, with exact figures.\n" +
			"Exit status: 0 it passes, 1 not yet.",
		Example: "  asyncdemo check\n  asyncdemo check overlap\n  asyncdemo check overlap --lang zh",
		GroupID: "Exercises",
		Args:    atMostOneExercise,
		RunE: exerciseRunE(func(ctx context.Context, name string) error {
			return checkRun(ctx, eo, name)
		}),
	}
	eo.dirFlag(cmd)
	return cmd
}

// checkRun checks one exercise and prints the verdict; a check that does
// not pass returns exitError{1}.
func checkRun(ctx context.Context, eo *exerciseOptions, name string) error {
	e, dir, python, err := exerciseToCheck(ctx, eo, name)
	if err != nil || e == nil {
		return err
	}
	res, err := checkAndPrint(ctx, eo.Options, e, dir, python, false)
	if err != nil {
		return err
	}
	if !res.Passed() {
		return exitError{1}
	}
	return nil
}

// exerciseToCheck finds the exercise called name (for "", the first not
// passed), its folder and its interpreter, for check and watch. With every
// exercise passed it says so and returns a nil exercise.
func exerciseToCheck(ctx context.Context, eo *exerciseOptions, name string) (e *exercise.Exercise, dir, python string, err error) {
	p := loadExerciseProgress(eo.IO.Err)
	if e, err = exerciseOrNext(p, name); err != nil {
		return nil, "", "", err
	}
	if e == nil {
		fmt.Fprintln(eo.IO.Out, exerciseSay(eo.Lang)("check_all_done"))
		return nil, "", "", nil
	}
	if dir, err = exerciseDir(eo.Dir, p); err != nil {
		return nil, "", "", err
	}
	if python, err = findPython(ctx, eo.Options, e); err != nil {
		return nil, "", "", err
	}
	return e, dir, python, nil
}

// findPython finds the interpreter for e (none for a Go exercise): for an
// exercise with Modules, one that has them, found each time; else the
// one the last check found, if python3 on PATH is still what it was then
// and the interpreter is still there, else as --vs python finds one.
func findPython(ctx context.Context, opts *Options, e *exercise.Exercise) (string, error) {
	if e.Lang != exercise.Python {
		return "", nil
	}
	if len(e.Modules) > 0 { // an interpreter that has them, found each time
		python, _, err := twin.Runner{Python: opts.Python, Modules: e.Modules}.Find(ctx)
		if err != nil {
			return "", fmt.Errorf("check: %w", err)
		}
		return python, nil
	}
	onPath, _ := exec.LookPath("python3")
	if opts.Python == "" {
		if c := loadExerciseProgress(io.Discard).Python; c != nil && c.For == onPath {
			if info, err := os.Stat(c.Path); err == nil && !info.IsDir() {
				return c.Path, nil
			}
		}
	}
	python, _, err := twin.Runner{Python: opts.Python}.Find(ctx)
	if err != nil && !errors.Is(err, twin.ErrMissingModules) {
		return "", fmt.Errorf("check: %w", err)
	}
	if opts.Python == "" {
		p := loadExerciseProgress(io.Discard)
		p.Python = &pythonFound{For: onPath, Path: python}
		saveExerciseProgress(p) // a cache: a failure costs the next check time, nothing else
	}
	return python, nil
}

// checkAndPrint checks e in dir, printing what the program writes as it
// writes it, then the verdict; it saves the status.
func checkAndPrint(ctx context.Context, opts *Options, e *exercise.Exercise, dir, python string, ownGroup bool) (*exercise.Result, error) {
	ios := opts.IO
	say := exerciseSay(opts.Lang)
	lk := opts.look()
	noColor := lk.noColor
	width := ios.Width
	if width <= 0 {
		width = 80
	}
	text := e.Text(opts.Lang)
	pr := lk.printer(ios.Out)
	pr.Width, pr.Tasks = width, true
	pr.Heading(say("check_heading", e.Name, text.Title))
	name := e.File
	out := func(l explain.Line) {
		ev := timing.Event{Kind: timing.KindEvent, T: l.T, Run: name, Style: "python", Task: l.Task, Text: l.Text}
		if l.Stream == 2 {
			ev.Stream = "stderr"
		}
		switch {
		case l.Open:
			pr.Open(ev, l.More)
		case l.More:
			pr.Open(ev, true)
			pr.EndLine()
		default:
			pr.Event(ev)
		}
	}
	notice := func(s string) { fmt.Fprintln(ios.Out, s) }
	res, err := exercise.Check(ctx, e, exercise.Config{Python: python, Dir: dir, Lang: opts.Lang, Output: out, OwnGroup: ownGroup, Notice: notice})
	if errors.Is(err, exercise.ErrNoFile) {
		return nil, fmt.Errorf("check: %w (asyncdemo exercises init %s writes the starter files again, keeping yours)", err, dir)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(ios.Out)
	printCheckVerdict(pr, ios, res, opts, width, noColor)
	p := loadExerciseProgress(ios.Err)
	p.Status[e.Name] = statusFailed
	if res.Passed() {
		p.Status[e.Name] = statusPassed
	}
	if err := saveExerciseProgress(p); err != nil {
		fmt.Fprintln(ios.Err, "asyncdemo:", err)
	}
	if res.Passed() {
		pr.Note(say("check_solution", e.Name))
		if next := nextExercise(p, e.Name); next != nil {
			fmt.Fprintln(ios.Out, wrapTo(say("check_next", next.Name, next.Text(opts.Lang).Title), width))
		} else {
			fmt.Fprintln(ios.Out, wrapTo(say("check_all_done"), width))
		}
	}
	return res, pr.Err()
}

// printCheckVerdict prints a check's result: the timeline of a pass, whether it
// passed, each rule held or broken (and what happened), how long it ran.
func printCheckVerdict(pr *timing.Printer, ios *IOStreams, res *exercise.Result, opts *Options, width int, noColor bool) {
	say := exerciseSay(opts.Lang)
	e := res.Exercise
	rec := res.Run.Rec
	if res.Passed() && rec != nil {
		// The learner's own tasks: those a library made for itself (a
		// connection's disconnect, a host's lookup) are not theirs to read.
		run, left := rec.OwnRun()
		if len(run.Spans) > 0 {
			tl := timing.Timeline{Width: width, ASCII: opts.ASCII || ios.Term == "dumb" || ios.Term == "linux", NoColor: noColor, Theme: opts.look().theme, Profile: opts.look().profile,
				Words: timing.Legend{Ran: say("legend_ran"), Waiting: say("legend_waiting"), Held: say("legend_held"),
					Cancelled: say("legend_cancelled"), Error: say("legend_error")}}
			fmt.Fprintf(ios.Out, "%s\n", tl.Render(run))
			if len(left) > 0 {
				for _, line := range strings.Split(wrapTo(libraryTasksLine(say, left), width), "\n") {
					fmt.Fprintln(ios.Out, opts.look().dim(line))
				}
			}
			fmt.Fprintln(ios.Out)
		}
	}
	switch {
	case res.Passed():
		fmt.Fprintln(ios.Out, say("check_pass", e.Name))
	case res.Problem != "":
		fmt.Fprintln(ios.Out, say("check_problem", e.Name))
	default:
		fmt.Fprintln(ios.Out, say("check_fail", e.Name, len(res.Failed()), len(res.Outcomes)))
	}
	if res.Problem != "" {
		pr.Rule(false, res.Problem, "")
	}
	for _, o := range res.Outcomes {
		pr.Rule(o.Failed == "", o.Want, o.Failed)
	}
	fmt.Fprintln(ios.Out)
	switch {
	case rec != nil && rec.NotRun != "":
	case e.Clock == exercise.Virtual:
		pr.Note(say("check_took_virtual", verdictSecs(res.Run.Elapsed), verdictSecs(res.Took)))
	default:
		pr.Note(say("check_took_real", verdictSecs(res.Run.Elapsed), verdictSecs(res.Took)))
	}
	if !res.Passed() {
		p := loadExerciseProgress(io.Discard)
		hints := len(e.Text(opts.Lang).Hints)
		next := min(p.Hints[e.Name]+1, hints)
		pr.Note(say("check_see", e.SeeCommand()) + " " + say("check_hint", e.Name, next, hints))
	}
}

// libraryTasksLine says how many tasks, and of which libraries, a check's
// timeline leaves out: "3 tasks of libraries not shown (aiohttp, redis)."
func libraryTasksLine(say func(string, ...any) string, left []*explain.Task) string {
	var libs []string
	for _, t := range left {
		if !slices.Contains(libs, t.Lib) {
			libs = append(libs, t.Lib)
		}
	}
	slices.Sort(libs)
	key := "check_lib_tasks"
	if len(left) == 1 {
		key = "check_lib_tasks_one"
	}
	return say(key, len(left), strings.Join(libs, ", "))
}

// verdictSecs writes d as the verdict does: "4.00 s".
func verdictSecs(d interface{ Seconds() float64 }) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// ── hint and solution ──

func newHintCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "hint [NAME]",
		Short:   "the next hint for an exercise (default: the first not passed); hints come one at a time",
		GroupID: "Exercises",
		Args:    atMostOneExercise,
		RunE: exerciseRunE(func(_ context.Context, name string) error {
			return hintRun(opts, name, false)
		}),
	}
}

// hintRun prints the exercise's next hint, and remembers it was given;
// inWatch says that asyncdemo watch asks it, where a key (h), not a
// command, gives the next one.
func hintRun(opts *Options, name string, inWatch bool) error {
	ios := opts.IO
	say := exerciseSay(opts.Lang)
	p := loadExerciseProgress(ios.Err)
	e, err := exerciseOrNext(p, name)
	if err != nil || e == nil {
		if e == nil && err == nil {
			fmt.Fprintln(ios.Out, say("check_all_done"))
		}
		return err
	}
	hints := e.Text(opts.Lang).Hints
	n := min(p.Hints[e.Name]+1, len(hints))
	lk := opts.look()
	pr := lk.printer(ios.Out)
	pr.Width = ios.Width
	pr.Heading(say("hint_title", e.Name, n, len(hints)))
	if err := printProse(pr, ios.Out, hints[n-1], string(e.Lang), lk); err != nil {
		return err
	}
	if n == len(hints) {
		pr.Note(say("hint_last", e.Name))
	} else if inWatch {
		pr.Note(say("hint_more_watch"))
	} else {
		pr.Note(say("hint_more", e.Name))
	}
	if n > p.Hints[e.Name] {
		p.Hints[e.Name] = n
		if err := saveExerciseProgress(p); err != nil {
			fmt.Fprintln(ios.Err, "asyncdemo:", err)
		}
	}
	return pr.Err()
}

// exerciseOrNext is the exercise called name, or, for "", the first not
// passed (nil if all have).
func exerciseOrNext(p exerciseProgress, name string) (*exercise.Exercise, error) {
	if name != "" {
		return findExercise(name)
	}
	return nextExercise(p, ""), nil
}

func newSolutionCmd(opts *Options) *cobra.Command {
	eo := &exerciseOptions{Options: opts}
	cmd := &cobra.Command{
		Use:     "solution NAME",
		Short:   "an exercise's model solution and why it works, once your check passes (or --show)",
		GroupID: "Exercises",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return lesson.UsageError{Err: errors.New("solution takes the exercise's name: asyncdemo solution NAME")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := refuseLessonFlags(cmd); err != nil {
				return err
			}
			return solutionRun(eo, args[0])
		},
	}
	cmd.Flags().BoolVar(&eo.Show, "show", false, "show it even though your check has not passed")
	return cmd
}

func solutionRun(eo *exerciseOptions, name string) error {
	ios := eo.IO
	say := exerciseSay(eo.Lang)
	e, err := findExercise(name)
	if err != nil {
		return err
	}
	p := loadExerciseProgress(ios.Err)
	if p.Status[e.Name] != statusPassed && !eo.Show {
		fmt.Fprintln(ios.Err, "asyncdemo: "+say("solution_locked", e.Name, e.Name))
		return exitError{1}
	}
	lk := eo.look()
	pr := lk.printer(ios.Out)
	pr.Width = ios.Width
	text := e.Text(eo.Lang)
	pr.Heading(say("solution_heading", e.Name, text.Title))
	if err := highlight(ios.Out, strings.TrimRight(string(e.Solution()), "\n"), string(e.Lang), lk); err != nil {
		return err
	}
	fmt.Fprintln(ios.Out)
	if err := printProse(pr, ios.Out, text.Explanation, string(e.Lang), lk); err != nil {
		return err
	}
	return pr.Err()
}

// printProse prints an exercise's text: its paragraphs word-wrapped, its
// code (lines indented four spaces) as it is, highlighted as lang.
func printProse(pr *timing.Printer, out io.Writer, text, lang string, lk look) error {
	for _, para := range strings.Split(text, "\n\n") {
		if !strings.HasPrefix(para, "    ") {
			pr.Note(para)
			continue
		}
		if err := highlight(out, para, lang, lk); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}
	return nil
}

// atMostOneExercise is the Args of a command that takes an exercise's name
// or none (check, watch, hint): more is a usage error.
func atMostOneExercise(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return lesson.UsageError{Err: fmt.Errorf("%s takes one exercise, got %d", cmd.Name(), len(args))}
	}
	return nil
}

// exerciseRunE is the RunE of such a command: it refuses the lessons'
// flags and calls run with the exercise named, or "" for the first not
// passed.
func exerciseRunE(run func(ctx context.Context, name string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := refuseLessonFlags(cmd); err != nil {
			return err
		}
		name := ""
		if len(args) == 1 {
			name = args[0]
		}
		return run(cmd.Context(), name)
	}
}
