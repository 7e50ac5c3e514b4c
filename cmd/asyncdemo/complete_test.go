package main

import (
	"strings"
	"testing"

	"github.com/asyncdemo/asyncdemo/demos/exercise"
)

// TestFlagValuesComplete asks for completions as the shells' scripts do
// (asyncdemo __complete ARGS... ”): each flag of fixed values offers them
// and no file names (":4", cobra's ShellCompDirectiveNoFileComp); --trace
// still completes files.
func TestFlagValuesComplete(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string // the completions, then the directive
	}{
		{[]string{"tour", "--from", ""}, "coroutine task callback future await gather nest cancel thread queue sms workers :4"},
		{[]string{"gather", "--style", ""}, "aio go :4"},
		{[]string{"await", "--lang", ""}, "en zh :4"},
		{[]string{"gather", "--with", ""}, "wait gather :4"},
		{[]string{"cancel", "--mode", ""}, "tasks outer :4"},
		{[]string{"queue", "--mode", ""}, "poll block :4"},
		{[]string{"nest", "--variant", ""}, "all wait gather return as-completed :4"},
		{[]string{"thread", "--variant", ""}, "all threadsafe-call threadsafe-coroutine :4"},
		{[]string{"gather", "--code", ""}, "go python both :4"},
		{[]string{"gather", "--code="}, "go python both :4"},
		{[]string{"gather", "--theme", ""}, "auto dark light :4"},
		{[]string{"gather", "--vs", ""}, "python :4"},
		{[]string{"gather", "--durations", ""}, ":4"},
		{[]string{"gather", ""}, ":4"},
		{[]string{"gather", "--trace", ""}, ":0"},
	} {
		out, errOut, code := runCmd(t, append([]string{"__complete"}, c.args...)...)
		if got := strings.Join(strings.Fields(out), " "); code != 0 || got != c.want {
			t.Errorf("asyncdemo %q<TAB>: %q (exit %d, %s), want %q", c.args, got, code, errOut, c.want)
		}
	}
}

// TestExerciseNamesComplete checks that check, hint, solution and watch
// complete their one argument with the exercises' names, and no file
// names; a second argument completes nothing.
func TestExerciseNamesComplete(t *testing.T) {
	var want []string
	for _, e := range exercise.All() {
		want = append(want, e.Name)
	}
	for _, cmd := range []string{"check", "hint", "solution", "watch"} {
		out, errOut, code := runCmd(t, "__complete", cmd, "")
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			name, _, _ := strings.Cut(l, "\t")
			got = append(got, name)
		}
		if code != 0 || strings.Join(got, " ") != strings.Join(want, " ")+" :4" {
			t.Errorf("asyncdemo %s <TAB>: %q (exit %d, %s), want %q then :4", cmd, got, code, errOut, want)
		}
		out, _, _ = runCmd(t, "__complete", cmd, "overlap", "")
		if got := strings.Join(strings.Fields(out), " "); got != ":4" {
			t.Errorf("asyncdemo %s overlap <TAB>: %q, want :4", cmd, got)
		}
	}
}
