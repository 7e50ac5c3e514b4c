package main

import (
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"asyncdemo/demos"
	"asyncdemo/demos/lesson"
)

// newListCmd builds "asyncdemo list": the lessons in teaching order, one
// line each.
func newListCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "the lessons in order, one line each, ✓ for those finished in the tour",
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
	return w.Flush()
}
