package main

import (
	"strings"
	"testing"
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
