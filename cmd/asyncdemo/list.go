package main

import (
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"asyncdemo/demos"
	"asyncdemo/demos/exercise"
	"asyncdemo/demos/lesson"
)

// newListCmd builds "asyncdemo list": the lessons in teaching order, one
// line each.
func newListCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "the lessons in order, ✓ for those finished in the tour; then the exercises, ✓ for those passed",
		GroupID: "Tools",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			return listRun(opts)
		},
	}
}

func listRun(opts *Options) error {
	w := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	done := loadProgress(opts.IO.Err).Done
	n := 0
	for _, l := range demos.All() {
		info := lesson.Describe(l, opts.Lang)
		if info.Tool {
			continue
		}
		n++
		mark := " "
		if slices.Contains(done, info.Name) {
			mark = "✓" // finished in the tour
		}
		fmt.Fprintf(w, "%s %2d\t%s\t%s\n", mark, n, info.Name, info.Title)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// The exercises, after the lessons they follow.
	say := exerciseSay(opts.Lang)
	status := loadExerciseProgress(opts.IO.Err).Status
	fmt.Fprintf(opts.IO.Out, "\n%s\n", say("list_exercises"))
	w = tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	for i, e := range exercise.All() {
		mark := " "
		switch status[e.Name] {
		case statusPassed:
			mark = "✓"
		case statusFailed:
			mark = "✗"
		}
		fmt.Fprintf(w, "%s %2d\t%s\t%s\n", mark, i+1, e.Name, say("list_exercise_line", e.Text(opts.Lang).Title, e.Lesson))
	}
	return w.Flush()
}
