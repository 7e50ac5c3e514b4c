package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/exercise"
)

// fileFlags are the flags whose values are files: the shell completes
// them with file names.
var fileFlags = map[string]bool{"trace": true, "python": true}

// addCompletions makes the shell complete each flag's values, on cmd and
// the commands under it: a flag of fixed choices (--style, --lang, --code,
// --theme, --with, --mode, --variant) with its choices, tour --from with
// the lessons, a file's flag with file names, and any other with nothing
// rather than file names. A lesson takes no file either; check, hint,
// solution and watch take an exercise's name.
func addCompletions(cmd *cobra.Command) {
	complete := func(fs *pflag.FlagSet) {
		fs.VisitAll(func(f *pflag.Flag) {
			if _, done := cmd.GetFlagCompletionFunc(f.Name); done || f.Value.Type() == "bool" || fileFlags[f.Name] {
				return
			}
			var words []string
			if c, ok := f.Value.(interface{ Choices() []string }); ok {
				words = c.Choices()
			}
			if cmd.Name() == "tour" && f.Name == "from" {
				words = lessonNames()
			}
			cmd.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
		})
	}
	complete(cmd.LocalNonPersistentFlags())
	complete(cmd.PersistentFlags())
	switch cmd.Name() {
	case "check", "hint", "solution", "watch": // an exercise's name
		if cmd.ValidArgsFunction == nil {
			cmd.ValidArgsFunction = exerciseNames
		}
	}
	if !cmd.HasSubCommands() && cmd.ValidArgsFunction == nil && cmd.Name() != "explain" && cmd.Name() != "push" {
		cmd.ValidArgsFunction = optionalValues
	}
	for _, c := range cmd.Commands() {
		addCompletions(c)
	}
}

// optionalValues completes a lesson's one argument, which can only be the
// value of a flag whose value is optional given just before it, as in
// "--code python" (see valueOfOptionalFlag): that flag's choices.
func optionalValues(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var words []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		c, ok := f.Value.(interface{ Choices() []string })
		if ok && len(args) == 0 && f.NoOptDefVal != "" && f.Value.String() == f.NoOptDefVal {
			words = append(words, c.Choices()...)
		}
	})
	return words, cobra.ShellCompDirectiveNoFileComp
}

// lessonNames returns the lessons' names, in teaching order.
func lessonNames() []string {
	var names []string
	for _, l := range demos.All() {
		if info := l.Info(); !info.Tool {
			names = append(names, info.Name)
		}
	}
	return names
}

// exerciseNames completes the one argument of check, hint, solution and
// watch: the exercises' names, in the catalogue's order, each with its
// title.
func exerciseNames(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var words []cobra.Completion
	for _, e := range exercise.All() {
		words = append(words, cobra.CompletionWithDesc(e.Name, e.Text("en").Title))
	}
	return words, cobra.ShellCompDirectiveNoFileComp
}
