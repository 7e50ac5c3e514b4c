package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// The tour asks with plain keys read in raw mode (arrows, Enter, a/b/c, q)
// rather than a full-screen interface: a question is three lines, and the
// lesson's own output must stay on the screen and in the scrollback, which a
// full-screen program would take over.

// tourOptions are the tour's own flags.
type tourOptions struct {
	From  string
	Reset bool
}

func newTourCmd(opts *Options) *cobra.Command {
	t := &tourOptions{}
	cmd := &cobra.Command{
		Use:     "tour",
		Short:   "the lessons in order, each with a prediction to make first; resumes where you stopped",
		GroupID: "Tools",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return tourRun(cmd.Context(), opts, t)
		},
	}
	cmd.Flags().StringVar(&t.From, "from", "", "start at this lesson")
	cmd.Flags().BoolVar(&t.Reset, "reset", false, "forget the progress and start again")
	return cmd
}

// progress is what the tour remembers between runs.
type progress struct {
	Done []string `json:"done"` // lessons finished, in order
	Next string   `json:"next"` // where to resume
	// Predictions says, for each lesson whose prediction was made in the
	// tour, whether it was right (the last one made).
	Predictions map[string]bool `json:"predictions,omitempty"`
}

// score counts the predictions made, and those that were right.
func (p progress) score() (right, made int) {
	for _, ok := range p.Predictions {
		made++
		if ok {
			right++
		}
	}
	return right, made
}

// nextFrom is where the tour goes on once it stops at lesson i of names
// (the lesson it was at, or the one after the lesson it finished): the
// first lesson not done from i, or from left, where the tour had been left
// before, if that is earlier (so that a lesson skipped with --from is not
// skipped for good); failing that, the first not done at all. It is "" once
// every lesson is done.
func (p progress) nextFrom(names []string, i int, left string) string {
	from := i
	if j := slices.Index(names, left); j >= 0 && j < from {
		from = j
	}
	for k := range names {
		if name := names[(from+k)%len(names)]; !slices.Contains(p.Done, name) {
			return name
		}
	}
	return ""
}

// progressPath is the progress file in the user's config directory.
func progressPath() (string, error) { return configPath("tour.json") }

// configPath is the path of asyncdemo's file name in the user's config
// directory: the tour's progress, the exercises'.
func configPath(name string) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "asyncdemo", name), nil
}

// loadProgress reads the progress; a missing file is a fresh start, and a
// corrupt one is reset with a warning rather than stopping the tour.
func loadProgress(warn io.Writer) progress {
	path, err := progressPath()
	if err != nil {
		return progress{}
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return progress{}
	}
	var p progress
	if err == nil {
		err = json.Unmarshal(data, &p)
	}
	if err != nil {
		fmt.Fprintf(warn, "asyncdemo: the tour's progress in %s could not be read (%v); starting again\n", path, err)
		return progress{}
	}
	return p
}

// saveProgress writes the progress to a file of its own, then renames it
// over the old one: a reader, or a second writer (a forced exit while the
// tour saves), sees the old progress or the new, never half of one.
func saveProgress(p progress) error {
	path, err := progressPath()
	if err != nil {
		return err
	}
	data, _ := json.Marshal(p)
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("saving the tour's progress: %w", err)
	}
	return nil
}

// writeAtomic writes data to a file of its own beside path, then renames
// it over path: a reader sees the old file or the new, never half of one.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+strings.TrimSuffix(filepath.Base(path), ".json")+"-*.json")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// tourRun takes the tour. Only a tour taken in a terminal, where the
// predictions are asked, records its progress: one piped to a file (a
// teacher's preview, a test) leaves it as it was. With --json, stdout has
// only JSON Lines: the lessons' events, and an object of kind "lesson" as
// each lesson starts and "prediction" after each run; the tour's words go
// to stderr.
func tourRun(ctx context.Context, opts *Options, t *tourOptions) error {
	ios := opts.IO
	words := lesson.Labels(opts.Lang)
	var lessons []lesson.Lesson
	for _, l := range demos.All() {
		if !l.Info().Tool {
			lessons = append(lessons, l)
		}
	}
	names := make([]string, len(lessons))
	for i, l := range lessons {
		names[i] = l.Info().Name
	}
	p := loadProgress(ios.Err)
	if t.Reset {
		p = progress{}
	}
	start := max(0, slices.Index(names, p.Next))
	if t.From != "" {
		if start = slices.Index(names, t.From); start < 0 {
			return lesson.UsageError{Err: fmt.Errorf("--from %q is not a lesson (asyncdemo list shows them)", t.From)}
		}
	}
	in, interactive := ios.In.(*os.File)
	interactive = interactive && ios.IsTerminal && term.IsTerminal(int(in.Fd())) && !opts.JSON
	tr := &tour{ios: ios, words: words, names: names, p: p, left: p.Next, record: interactive, out: ios.Out}
	if opts.JSON {
		tr.out, tr.json = ios.Err, json.NewEncoder(ios.Out)
	}
	pr := opts.look().printer(tr.out)
	pr.Width = ios.Width
	defer func() { tr.unsave() }()
	for i := start; i < len(lessons); i++ {
		demo := lessons[i]
		tr.saveAtForcedExit(i)
		fs := pflag.NewFlagSet(names[i], pflag.ContinueOnError)
		demo.AddFlags(fs)
		if err := fs.Parse(slices.Concat(demo.Info().AutoArgs, demo.Info().TourArgs)); err != nil {
			return err
		}
		info := lesson.Describe(demo, opts.Lang) // its texts name the flags' values
		// The prediction comes first: a lesson's title and introduction
		// often give its answer away ("… take about 4 s, not 7").
		lessonN := fmt.Sprintf(words["lesson"], i+1, len(lessons)) + " · " + info.Name
		tr.emit(tourLine{Kind: "lesson", Lesson: info.Name, Number: i + 1, Of: len(lessons), Title: info.Title})
		q := info.Question
		if q != nil {
			pr.Heading(lessonN)
		}
		pick, step := -1, false
		if q != nil {
			labels := make([]string, len(q.Choices))
			for j, c := range q.Choices {
				labels[j] = fmt.Sprintf("%c) %s", 'a'+j, c.Label)
			}
			pr.Note(words["predict"] + ": " + info.QuestionText)
			if interactive {
				var quit bool
				var err error
				if pick, step, quit, err = choose(ctx, ios, in, labels, words["keys"], opts.look().dim); err != nil || quit {
					return tr.stop(i, err)
				}
			} else {
				fmt.Fprintf(tr.out, "  %s\n", strings.Join(labels, "   "))
			}
			fmt.Fprintln(tr.out)
		}
		pr.Heading(lessonN + " — " + info.Title)
		pr.Note(info.Before)
		var check func(env *lesson.Env)
		if q != nil {
			check = func(env *lesson.Env) { tr.verdict(info.Name, *q, info.QuestionText, pick, env, opts.Scale) }
		}
		run := opts
		if step { // s at the prediction: step through the run instead
			o := *opts
			o.Step = true
			run = &o
		}
		err := runLessonWith(ctx, run, demo, lessonHooks{introShown: true, beforeAfter: check})
		if err == nil && ctx.Err() != nil {
			// Stopped, by SIGTERM say, but the lesson ended well: cancel,
			// whose lesson is the interrupt. It is not done all the same.
			err = context.Cause(ctx)
		}
		if err != nil {
			return tr.stop(i, err)
		}
		tr.done(i)
		if interactive && i+1 < len(lessons) {
			tr.saveAtForcedExit(i + 1)
			fmt.Fprintf(tr.out, "%s ", words["next"])
			key, err := readKey(ctx, ios, in)
			fmt.Fprintln(tr.out)
			if key == 3 {
				err = lesson.ErrInterrupted
			}
			if err != nil || key == 'q' {
				return tr.stop(i+1, err)
			}
		}
	}
	tr.finish()
	return nil
}

// tour is the state of a tour being taken: its progress, and where it
// says what happens.
type tour struct {
	ios    *IOStreams
	words  map[string]string
	names  []string // the lessons, in order
	p      progress
	left   string        // where the tour had been left before this one began
	record bool          // keep the progress: the tour is taken in a terminal
	out    io.Writer     // the tour's own words
	json   *json.Encoder // with --json: the tour's lines of JSON

	unsave func() // unregisters the save at a forced exit
}

// tourLine is a line of tour --json: kind "lesson" as each lesson starts,
// "prediction" once it has run.
type tourLine struct {
	Kind     string `json:"kind"`
	Lesson   string `json:"lesson"`
	Number   int    `json:"number,omitempty"` // lesson: its place in the tour
	Of       int    `json:"of,omitempty"`     // lesson: how many lessons the tour has
	Title    string `json:"title,omitempty"`
	Question string `json:"question,omitempty"` // prediction: what was asked
	Answer   string `json:"answer,omitempty"`   // prediction: the right choice, read off the run
	Measured string `json:"measured,omitempty"` // prediction: what the run measured
	Said     string `json:"said,omitempty"`     // prediction: the choice made, if one was
	Right    *bool  `json:"right,omitempty"`    // prediction: whether it was right, if one was made
}

// emit writes l with --json.
func (tr *tour) emit(l tourLine) {
	if tr.json != nil {
		tr.json.Encode(l)
	}
}

// save writes the progress, if the tour records it.
func (tr *tour) save() {
	if !tr.record {
		return
	}
	if err := saveProgress(tr.p); err != nil {
		fmt.Fprintln(tr.ios.Err, "asyncdemo:", err)
	}
}

// saveAtForcedExit has a forced exit (a lesson that does not stop after a
// signal) save the progress first, the tour going on from lesson i's
// place. The copy keeps the forced exit's goroutine off tr.p.
func (tr *tour) saveAtForcedExit(i int) {
	if tr.unsave != nil {
		tr.unsave()
	}
	tr.unsave = func() {}
	if !tr.record {
		return
	}
	at := progress{Done: slices.Clone(tr.p.Done), Predictions: maps.Clone(tr.p.Predictions)}
	at.Next = at.nextFrom(tr.names, i, tr.left)
	tr.unsave = tr.ios.atForcedExit(func() {
		if err := saveProgress(at); err != nil {
			fmt.Fprintln(tr.ios.Err, "asyncdemo:", err)
		}
	})
}

// done records lesson i as finished.
func (tr *tour) done(i int) {
	name := tr.names[i]
	tr.p.Done = append(slices.DeleteFunc(tr.p.Done, func(s string) bool { return s == name }), name)
	tr.p.Next = tr.p.nextFrom(tr.names, i+1, tr.left)
	tr.save()
}

// stop ends the tour early at lesson i's place, saying where it will
// resume.
func (tr *tour) stop(i int, err error) error {
	tr.p.Next = tr.p.nextFrom(tr.names, i, tr.left)
	tr.save()
	if tr.record {
		fmt.Fprintf(tr.out, "\n%s\n", fmt.Sprintf(tr.words["stopped"], tr.p.Next))
	} else {
		fmt.Fprintf(tr.out, "\n%s\n", fmt.Sprintf(tr.words["stopped_unrecorded"], tr.names[i]))
	}
	tr.sayScore()
	return err
}

// finish ends the tour after its last lesson.
func (tr *tour) finish() {
	switch next := tr.p.nextFrom(tr.names, len(tr.names), tr.left); {
	case next == "" || !tr.record:
		fmt.Fprintln(tr.out, tr.words["done"])
	default:
		fmt.Fprintln(tr.out, fmt.Sprintf(tr.words["done_but"], next))
	}
	tr.sayScore()
}

// sayScore says how many predictions were right, if any were made.
func (tr *tour) sayScore() {
	if right, made := tr.p.score(); made > 0 && tr.record {
		fmt.Fprintln(tr.out, fmt.Sprintf(tr.words["score"], right, made))
	}
}

// verdict says whether the prediction was right, by what the run
// measured, and keeps the score.
func (tr *tour) verdict(name string, q lesson.Question, text string, pick int, env *lesson.Env, scale float64) {
	out, words := tr.out, tr.words
	right, measured, err := q.Check(env.Runs, scale)
	if err != nil {
		fmt.Fprintln(out, err)
		return
	}
	answer := q.Choices[right].Label
	line := tourLine{Kind: "prediction", Lesson: name, Question: text, Answer: answer, Measured: measured}
	if pick < 0 {
		tr.emit(line)
		fmt.Fprintf(out, "%s\n\n", tr.wrap(words["answer"]+fmt.Sprintf(words["measured"], answer, measured)))
		return
	}
	ok := pick == right
	line.Said, line.Right = q.Choices[pick].Label, &ok
	tr.emit(line)
	if tr.p.Predictions == nil {
		tr.p.Predictions = map[string]bool{}
	}
	tr.p.Predictions[name] = ok
	said := q.Choices[pick].Label
	var what string
	switch q.Kind {
	case "elapsed":
		what = fmt.Sprintf(words["elapsed"], said, measured)
	case "count":
		what = fmt.Sprintf(words["count"], said, q.Text, measured)
	default:
		what = fmt.Sprintf(words["first"], said, measured)
	}
	verdict := words["wrong"]
	if pick == right {
		verdict = words["right"]
	}
	fmt.Fprintf(out, "%s\n\n", tr.wrap(verdict+what))
}

// wrap wraps a line of the tour's prose as a lesson's paragraphs are
// wrapped: to the terminal's width (80 when unknown), at most
// timing.ProseWidth, a flag ("--scale") never split.
func (tr *tour) wrap(s string) string {
	width := tr.ios.Width
	if width <= 0 {
		width = 80
	}
	return timing.Wrap(s, min(width, timing.ProseWidth))
}

// choose asks for one of labels with the keyboard, in raw mode: ↑/↓ move,
// Enter takes, a/b/c take at once, s takes and asks to step through the
// run (--step), q (or Ctrl+C) stops, and so does ctx's end, a signal from
// outside, with its cause as the error. The terminal is restored however
// it ends. keys, the line of keys under the choices, is painted with dim.
func choose(ctx context.Context, ios *IOStreams, in *os.File, labels []string, keys string, dim func(string) string) (pick int, step, quit bool, err error) {
	out := ios.Out
	r, err := openKeyboard(ctx, ios, in)
	if err != nil {
		return 0, false, false, err
	}
	defer r.Close()
	drawn := 0 // the rows drawn last, which a redraw goes back up over
	draw := func(sel int, redraw bool) {
		if redraw && drawn > 0 {
			fmt.Fprintf(out, "\x1b[%dA", drawn)
		}
		rows := menuRows(labels, sel, keys, dim, ios.Width)
		for _, row := range rows {
			fmt.Fprintf(out, "\x1b[2K%s\r\n", row)
		}
		drawn = len(rows)
	}
	sel := 0
	draw(sel, false)
	for {
		b, err := r.ReadByte()
		if ctx.Err() != nil {
			return 0, false, true, context.Cause(ctx)
		}
		if err != nil {
			return 0, false, true, nil
		}
		switch {
		case b == '\r' || b == '\n':
			return sel, false, false, nil
		case b == 's':
			return sel, true, false, nil
		case b == 3: // Ctrl+C: raw mode delivers it as a key
			return 0, false, true, lesson.ErrInterrupted
		case b == 'q' || b == 4: // q, Ctrl+D
			return 0, false, true, nil
		case b >= 'a' && int(b-'a') < len(labels):
			sel = int(b - 'a')
			draw(sel, true)
			return sel, false, false, nil
		case b == 0x1b: // an arrow: ESC [ A or ESC [ B
			if c, _ := r.ReadByte(); c != '[' {
				continue
			}
			switch c, _ := r.ReadByte(); c {
			case 'A':
				sel = (sel + len(labels) - 1) % len(labels)
			case 'B':
				sel = (sel + 1) % len(labels)
			}
			draw(sel, true)
		}
	}
}

// menuRows returns the rows choose draws for labels with sel chosen,
// then the line of keys painted with dim: each wrapped (see [timing.Wrap])
// to fit a terminal width columns wide (80 when 0) short of its last
// column, so that none wraps by itself and a redraw goes back up over
// exactly the rows drawn. A label's continuation rows are indented under
// its text.
func menuRows(labels []string, sel int, keys string, dim func(string) string, width int) []string {
	if width <= 0 {
		width = 80
	}
	const indent = "    " // two spaces, then the mark "› " or two more
	fit := max(width-1-len(indent), 10)
	var rows []string
	for i, l := range labels {
		mark := "  "
		if i == sel {
			mark = "› "
		}
		for j, line := range strings.Split(timing.Wrap(l, fit), "\n") {
			if i == sel {
				line = "\x1b[1m" + line + "\x1b[0m"
			}
			if j == 0 {
				line = "  " + mark + line
			} else {
				line = indent + line
			}
			rows = append(rows, line)
		}
	}
	for _, line := range strings.Split(timing.Wrap(keys, max(width-1-2, 10)), "\n") {
		rows = append(rows, "  "+dim(line))
	}
	return rows
}

// readKey reads one key in raw mode, restoring the terminal after; ctx's
// end stops it with its cause.
func readKey(ctx context.Context, ios *IOStreams, in *os.File) (byte, error) {
	r, err := openKeyboard(ctx, ios, in)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return r.ReadByte()
}
