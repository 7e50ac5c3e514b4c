package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/timing"
)

// textCases are the flag sets whose words after the run TestTextsSayWhatTheRunDid
// checks, for each lesson: the defaults, and each flag that changes what
// the run does or how long it takes. A lesson listed in the registry and
// missing here fails the test.
var textCases = map[string][]string{
	"coroutine": {"", "-x 3", "--scale 0.2", "--style go"},
	"task":      {"", "-x 3 --scale 0.2", "--style go"},
	"callback":  {"", "-x 3 --scale 0.2", "--style go"},
	"future":    {"", "-x 3 --scale 0.2", "--style go"},
	"await": {"", "--blocking", "--no-compare", "--blocking --no-compare", "-x 3 --scale 0.2",
		"--blocking --scale 0.2", "--style go", "--style go --blocking --scale 0.2"},
	"gather": {"", "--with gather --durations 3,1,2", "--no-compare", "--scale 0.2", "--durations 1",
		"--tasks 100 --scale 0.1", "--tasks 100 --no-compare", "--style go", "--style go --with gather --scale 0.2"},
	"nest": {"", "--variant wait", "--variant gather", "--variant return", "--variant as-completed",
		"--durations 4,1,2", "--durations 4,1,2 --variant as-completed --scale 0.2", "--style go", "--style go --variant wait"},
	"cancel": {"--interrupt", "--interrupt --mode outer", "--interrupt --no-drain", "--interrupt=2.5s --mode outer",
		"--interrupt=1.5s", "--interrupt=5s", "--interrupt --scale 0.2", "--interrupt=0.5s --durations 1,1",
		"--interrupt=3s --durations 1,1 --mode outer", "--interrupt --no-drain --mode outer"},
	"thread": {"", "--fail", "--fail --scale 0.2", "--variant threadsafe-call --scale 0.2",
		"--variant threadsafe-coroutine --fail", "--style go", "--style go --fail --scale 0.2"},
	// On real sockets, in real time: the figures are measured, not exact.
	"queue":   {"--scale 0.05", "--scale 0.05 --messages 1,1,1", "--scale 0.05 --style go", "--scale 0.05 --mode block"},
	"sms":     {"--scale 0.05", "--scale 0.05 --style go", "--scale 0.05 --timeout 2", "--scale 0.05 --timeout 2 --style go"},
	"workers": {"--scale 0.05", "--scale 0.05 --workers 1", "--scale 0.05 --sync-client", "--scale 0.05 --style go"},
}

// TestTextsSayWhatTheRunDid runs every lesson with each flag set of
// textCases, in English and Chinese, and checks that what it says after the
// run fits the run: every figure of seconds in the text is one the run
// measured (a run's total, when a task began or ended or how long it took,
// when a line was printed, or the time between two lines), give or take its
// rounding; a figure of the lesson's own time is allowed only in words that
// say it is (" at --scale 0.2"), and then the run must have measured it,
// scaled; and no placeholder or bare x is left. Lessons that run on fake
// time are exact; those on sockets run in real time at a small scale.
func TestTextsSayWhatTheRunDid(t *testing.T) {
	for _, info := range allLessons(t) {
		cases, ok := textCases[info.Name]
		if !ok {
			t.Errorf("%s: no flag sets in textCases", info.Name)
			continue
		}
		if info.Network {
			testenv.SkipShort(t, "lessons on real sockets, in real time")
		}
		for _, flags := range cases {
			for _, lang := range lesson.Languages {
				name := strings.TrimSpace(info.Name + " " + flags + " --lang " + lang)
				t.Run(name, func(t *testing.T) {
					args := append(strings.Fields(flags), "--lang", lang)
					var text string
					var runs []timing.Run
					var scale float64
					if info.Network {
						text, _, runs, scale = afterTextOf(t, info.Name, args)
					} else {
						synctest.Test(t, func(t *testing.T) { text, _, runs, scale = afterTextOf(t, info.Name, args) })
					}
					tol := time.Duration(0)
					if info.Network {
						tol = 50 * time.Millisecond
					}
					for _, problem := range textProblems(text, runs, scale, tol) {
						t.Errorf("%s\n  in: %s", problem, text)
					}
				})
			}
		}
	}
}

// afterTextOf runs the lesson named name with args as the command line
// would, and returns what it says after the run and before it, its runs,
// and --scale.
func afterTextOf(t *testing.T, name string, args []string) (after, before string, runs []timing.Run, scale float64) {
	t.Helper()
	var demo lesson.Lesson
	for _, l := range demos.All() {
		if l.Info().Name == name {
			demo = l
		}
	}
	opts := &Options{Scale: 1, Style: string(lesson.StyleAio), Lang: "en", NoColor: true}
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.Var(scaleValue{&opts.Scale}, "scale", "")
	fs.StringVar(&opts.Style, "style", opts.Style, "")
	fs.StringVar(&opts.Lang, "lang", opts.Lang, "")
	fs.BoolVar(&opts.NoCompare, "no-compare", false, "")
	demo.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var out bytes.Buffer
	opts.IO = testStreams(ctx, cancel, &out, io.Discard)
	r := newLessonRun(opts, demo, lessonHooks{})
	defer r.cleanUp()
	r.claimCtrlC(ctx)
	if err := r.check(); err != nil {
		t.Fatalf("check: %v", err)
	}
	r.open(ctx)
	err := r.run()
	if err != nil && !(name == "thread" && strings.Contains(strings.Join(args, " "), "--fail")) {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	return r.afterText(), r.info.Before, r.env.Runs, opts.Scale
}

// TestTextsSayWhatTheIssueFound: the texts that issue 16 found saying what
// the run had not done, each now saying what it did.
func TestTextsSayWhatTheIssueFound(t *testing.T) {
	for _, c := range []struct {
		args        string
		before      bool // the text before the run, not after
		has, hasNot string
	}{
		{args: "await", has: "the run took 2.00\u00a0s, one wait's worth, where one after the other they took 4.00\u00a0s", hasNot: " x "},
		{args: "await --blocking", has: "Blocking in time.sleep, the two waits ran one after the other: the run took 4.00\u00a0s", hasNot: "overlapped"},
		{args: "thread --fail --scale 0.2", has: "1.80\u00a0s (6 + 3 s at --scale 0.2)", hasNot: "(6 + 3 s)"},
		{args: "thread --fail", has: "do_some_work(4)'s error at 4.00\u00a0s and do_some_work(6)'s error at 6.00\u00a0s"},
		{args: "nest --variant wait", before: true, has: "awaits them with asyncio.wait", hasNot: "four ways"},
		{args: "nest --variant wait", has: "It took 4.00\u00a0s", hasNot: "Each way"},
		{args: "cancel --interrupt", has: "it returned true (Python prints True) 4 times", hasNot: "returned True"},
		{args: "cancel --interrupt --mode outer", has: "it returned true once"},
		{args: "cancel --interrupt --no-drain", has: "this run skipped that (--no-drain): the loop was closed with 4 tasks still pending"},
		{args: "cancel --interrupt=2.5s --mode outer", before: true, has: "after 2.5 s", hasNot: "0.8"},
		{args: "gather", has: "The Task ret lines all came at 4.00\u00a0s, even do_some_work(1)'s, whose bar ends at 1.00\u00a0s: the results are read once asyncio.wait has returned"},
		{args: "gather --no-compare", has: "The run took 4.00\u00a0s", hasNot: "sequential"},
	} {
		t.Run(c.args, func(t *testing.T) {
			args := strings.Fields(c.args)
			synctest.Test(t, func(t *testing.T) {
				after, before, _, _ := afterTextOf(t, args[0], args[1:])
				text := after
				if c.before {
					text = before
				}
				if !strings.Contains(text, c.has) || (c.hasNot != "" && strings.Contains(text, c.hasNot)) {
					t.Errorf("want %q and not %q in:\n%s", c.has, c.hasNot, text)
				}
			})
		})
	}
}

// TestQueueSaysTheIdleTimeItWaited: "queue idle for 3 s" came after 0.6 s
// at --scale 0.2; it says the time the run waited, as the gutter shows it.
func TestQueueSaysTheIdleTimeItWaited(t *testing.T) {
	testenv.SkipShort(t, "a lesson on real sockets, in real time")
	out, errOut, code := runCmdNow(context.Background(), "queue", "--scale", "0.2", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var idle *timing.Event
	for _, e := range events(t, out) {
		if strings.HasPrefix(e.Text, "queue idle for ") {
			idle = &e
		}
	}
	if idle == nil || idle.Text != "queue idle for 0.6 s: done" {
		t.Errorf("the idle line: %+v, want queue idle for 0.6 s: done", idle)
	}
}

// secondsFigure is a figure of seconds in a text: "4.00 s", "1 s", "3 秒".
// A flag's value ("--interrupt=1.5s") is not one.
var secondsFigure = regexp.MustCompile(`(?:^|[^=\d.])(\d+(?:\.\d+)?)[ \x{a0}]?(?:s\b|seconds?\b|秒)`)

// scaledWords are words about the lesson's own time, said to be so: "(6 +
// 3 s at --scale 0.2)", in either language's brackets.
var scaledWords = regexp.MustCompile(`[(（][^()（）]*--scale (\d+(?:\.\d+)?)[^()（）]*[)）]`)

// textProblems says what in text does not fit the runs.
func textProblems(text string, runs []timing.Run, scale float64, tol time.Duration) []string {
	var problems []string
	if text == "" {
		return []string{"nothing is said after the run"}
	}
	for _, bad := range []string{"{", "}", " x s", " x seconds", "about x", " x 秒"} {
		if strings.Contains(text, bad) {
			problems = append(problems, fmt.Sprintf("%q left in the text", bad))
		}
	}
	measured := measuredTimes(runs)
	fits := func(x float64) bool {
		for _, m := range measured {
			// "%.2f" rounds by up to 0.005 s; "%.3f", 0.0005 s.
			if math.Abs(x-m.Seconds()) <= 0.0051+tol.Seconds()+m.Seconds()*0.001 {
				return true
			}
		}
		return false
	}
	rest := scaledWords.ReplaceAllStringFunc(text, func(words string) string {
		said := scaledWords.FindStringSubmatch(words)[1]
		if s, _ := strconv.ParseFloat(said, 64); s != scale {
			problems = append(problems, fmt.Sprintf("%q names --scale %s; the run had %g", words, said, scale))
		}
		words = strings.Replace(words, "--scale "+said, "", 1)
		for _, m := range secondsFigure.FindAllStringSubmatch(words, -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			if !fits(x * scale) {
				problems = append(problems, fmt.Sprintf("%q: the run measured nothing of %g s at --scale %g", m[0], x, scale))
			}
		}
		// A sum of the lesson's times ("6 + 3 s"): the run measured it too.
		if sum := sumOf(words); sum > 0 && !fits(sum*scale) {
			problems = append(problems, fmt.Sprintf("%q: the run measured nothing of the sum, %g s at --scale %g", words, sum, scale))
		}
		return ""
	})
	for _, m := range secondsFigure.FindAllStringSubmatch(rest, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		if !fits(x) {
			problems = append(problems, fmt.Sprintf("%q is not a time the run measured", m[0]))
		}
	}
	return problems
}

var sumWords = regexp.MustCompile(`(\d+(?:\.\d+)?)((?: \+ \d+(?:\.\d+)?)+)`)

// sumOf adds up the first sum written in words, "6 + 3", or returns 0.
func sumOf(words string) float64 {
	m := sumWords.FindStringSubmatch(words)
	if m == nil {
		return 0
	}
	sum, _ := strconv.ParseFloat(m[1], 64)
	for _, part := range strings.Split(m[2], "+")[1:] {
		x, _ := strconv.ParseFloat(strings.TrimSpace(part), 64)
		sum += x
	}
	return sum
}

// measuredTimes are the times a text may say the runs took: each run's
// total, each task's start, end and length, each mark and printed line, and
// the time between any two of a run's lines.
func measuredTimes(runs []timing.Run) []time.Duration {
	var ts []time.Duration
	for _, r := range runs {
		ts = append(ts, r.Elapsed)
		for _, s := range r.Spans {
			ts = append(ts, s.Start, s.End, s.End-s.Start)
		}
		for _, m := range r.Marks {
			ts = append(ts, m.T)
		}
		var at []time.Duration
		for _, e := range r.Events {
			switch e.Kind {
			case timing.KindEvent, timing.KindState:
				at = append(at, e.T)
			case timing.KindCompare:
				ts = append(ts, e.Concurrent, e.Sequential)
			}
		}
		ts = append(ts, at...)
		for i := range at {
			for j := i + 1; j < len(at); j++ {
				ts = append(ts, at[j]-at[i])
			}
		}
	}
	return ts
}

// TestTextProblemsFindsTheIssuesCases: the checker itself finds what
// issue 16 found by eye.
func TestTextProblemsFindsTheIssuesCases(t *testing.T) {
	run := timing.Run{Name: "threadsafe-call", Elapsed: 1800 * time.Millisecond, Spans: []timing.Span{
		{Task: "more_work(6)", Start: 0, End: 1200 * time.Millisecond},
		{Task: "more_work(3)", Start: 1200 * time.Millisecond, End: 1800 * time.Millisecond},
	}}
	for text, bad := range map[string]bool{
		"The blocking functions ran one after the other (6 + 3 s).":                        true,
		"The blocking functions ran one after the other: 1.80 s (6 + 3 s at --scale 0.2).": false,
		"The blocking functions ran one after the other: 1.80 s (6 + 4 s at --scale 0.2).": true,
		"The blocking functions ran one after the other: 1.80 s (6 + 3 s at --scale 0.5).": true,
		"Awaiting, the two waits overlapped: about x seconds in all.":                      true,
		"queue idle for 3 s: done": true,
		"{took}":                   true,
	} {
		if got := textProblems(text, []timing.Run{run}, 0.2, 0); (len(got) > 0) != bad {
			t.Errorf("%q: problems %q, want some: %v", text, got, bad)
		}
	}
}
