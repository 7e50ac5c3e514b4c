package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"asyncdemo/demos"
	"asyncdemo/demos/lesson"
	"asyncdemo/timing"
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
	interactive = interactive && ios.IsTerminal && term.IsTerminal(int(in.Fd()))
	noColor := opts.NoColor || ios.NoColorEnv || !ios.IsTerminal
	pr := timing.NewPrinter(ios.Out, noColor)
	pr.Width = ios.Width
	// Should the process be forced to exit (a lesson that does not stop
	// after a signal), it saves the progress first: the tour goes on from
	// next. The copy keeps the forced exit's goroutine off p.
	unsave := func() {}
	defer func() { unsave() }()
	saveAtForcedExit := func(next string) {
		unsave()
		at := progress{Done: slices.Clone(p.Done), Next: next}
		unsave = ios.atForcedExit(func() {
			if err := saveProgress(at); err != nil {
				fmt.Fprintln(ios.Err, "asyncdemo:", err)
			}
		})
	}
	for i := start; i < len(lessons); i++ {
		demo := lessons[i]
		saveAtForcedExit(names[i])
		info := lesson.Describe(demo, opts.Lang)
		fs := pflag.NewFlagSet(info.Name, pflag.ContinueOnError)
		demo.AddFlags(fs)
		if err := fs.Parse(info.AutoArgs); err != nil {
			return err
		}
		// The prediction comes first: a lesson's title and introduction
		// often give its answer away ("… take about 4 s, not 7").
		lessonN := fmt.Sprintf(words["lesson"], i+1, len(lessons)) + " · " + info.Name
		q := info.Question
		if q != nil {
			pr.Heading(lessonN)
		}
		pick := -1
		if q != nil {
			labels := make([]string, len(q.Choices))
			for j, c := range q.Choices {
				labels[j] = fmt.Sprintf("%c) %s", 'a'+j, c.Label)
			}
			pr.Note(words["predict"] + ": " + info.QuestionText)
			if interactive {
				var quit bool
				var err error
				if pick, quit, err = choose(ctx, ios, in, labels, words["keys"]); err != nil || quit {
					return stopTour(ios, p, names[i], words, err)
				}
			} else {
				fmt.Fprintf(ios.Out, "  %s\n", strings.Join(labels, "   "))
			}
			fmt.Fprintln(ios.Out)
		}
		pr.Heading(lessonN + " — " + info.Title)
		pr.Note(info.Before)
		var check func(env *lesson.Env)
		if q != nil {
			check = func(env *lesson.Env) { printVerdict(ios.Out, *q, pick, env, opts.Scale, words) }
		}
		err := runLessonWith(ctx, opts, demo, lessonHooks{introShown: true, beforeAfter: check})
		if err == nil && ctx.Err() != nil {
			// Stopped, by SIGTERM say, but the lesson ended well: cancel,
			// whose lesson is the interrupt. It is not done all the same.
			err = context.Cause(ctx)
		}
		if err != nil {
			return stopTour(ios, p, names[i], words, err)
		}
		p.Done = append(slices.DeleteFunc(p.Done, func(s string) bool { return s == info.Name }), info.Name)
		p.Next = ""
		if i+1 < len(lessons) {
			p.Next = names[i+1]
		}
		if err := saveProgress(p); err != nil {
			fmt.Fprintln(ios.Err, "asyncdemo:", err)
		}
		if interactive && i+1 < len(lessons) {
			saveAtForcedExit(p.Next)
			fmt.Fprintf(ios.Out, "%s ", words["next"])
			key, err := readKey(ctx, ios, in)
			fmt.Fprintln(ios.Out)
			if key == 3 {
				err = lesson.ErrInterrupted
			}
			if err != nil || key == 'q' {
				return stopTour(ios, p, names[i+1], words, err)
			}
		}
	}
	fmt.Fprintln(ios.Out, words["done"])
	return nil
}

// stopTour ends the tour early, saying where it will resume.
func stopTour(ios *IOStreams, p progress, next string, words map[string]string, err error) error {
	p.Next = next
	if serr := saveProgress(p); serr != nil {
		fmt.Fprintln(ios.Err, "asyncdemo:", serr)
	}
	fmt.Fprintf(ios.Out, "\n%s\n", fmt.Sprintf(words["stopped"], next))
	return err
}

// printVerdict says whether the prediction was right, by what the run
// measured.
func printVerdict(out io.Writer, q lesson.Question, pick int, env *lesson.Env, scale float64, words map[string]string) {
	right, measured, err := q.Check(env.Runs, scale)
	if err != nil {
		fmt.Fprintln(out, err)
		return
	}
	answer := q.Choices[right].Label
	if pick < 0 {
		fmt.Fprintf(out, "%s%s\n\n", words["answer"], fmt.Sprintf(words["measured"], answer, measured))
		return
	}
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
	fmt.Fprintf(out, "%s%s\n\n", verdict, what)
}

// choose asks for one of labels with the keyboard, in raw mode: ↑/↓ move,
// Enter takes, a/b/c take at once, q (or Ctrl+C) stops, and so does ctx's
// end, a signal from outside, with its cause as the error. The terminal is
// restored however it ends.
func choose(ctx context.Context, ios *IOStreams, in *os.File, labels []string, keys string) (pick int, quit bool, err error) {
	out := ios.Out
	r, err := openKeyboard(ctx, ios, in)
	if err != nil {
		return 0, false, err
	}
	defer r.Close()
	draw := func(sel int, redraw bool) {
		if redraw {
			fmt.Fprintf(out, "\x1b[%dA", len(labels)+1)
		}
		for i, l := range labels {
			mark := "  "
			if i == sel {
				mark = "› "
				l = "\x1b[1m" + l + "\x1b[0m"
			}
			fmt.Fprintf(out, "\x1b[2K  %s%s\r\n", mark, l)
		}
		fmt.Fprintf(out, "\x1b[2K  \x1b[2m%s\x1b[0m\r\n", keys)
	}
	sel := 0
	draw(sel, false)
	for {
		b, err := r.ReadByte()
		if ctx.Err() != nil {
			return 0, true, context.Cause(ctx)
		}
		if err != nil {
			return 0, true, nil
		}
		switch {
		case b == '\r' || b == '\n':
			return sel, false, nil
		case b == 3: // Ctrl+C: raw mode delivers it as a key
			return 0, true, lesson.ErrInterrupted
		case b == 'q' || b == 4: // q, Ctrl+D
			return 0, true, nil
		case b >= 'a' && int(b-'a') < len(labels):
			sel = int(b - 'a')
			draw(sel, true)
			return sel, false, nil
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
