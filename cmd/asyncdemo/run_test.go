package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
)

// newTestRun prepares a run of the lesson named name, with default flags,
// printing to out.
func newTestRun(t *testing.T, name string, out *bytes.Buffer, opts *Options) *lessonRun {
	t.Helper()
	opts.IO = &IOStreams{Out: out, Err: out, In: strings.NewReader("")}
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	if opts.Style == "" {
		opts.Style = string(lesson.StyleAio)
	}
	if opts.Lang == "" {
		opts.Lang = "en"
	}
	for _, l := range demos.All() {
		if l.Info().Name == name {
			return newLessonRun(opts, l, lessonHooks{})
		}
	}
	t.Fatalf("no lesson %q", name)
	return nil
}

// Each phase of a lesson's run can be called on its own: here, one by one,
// gather prints its title, runs, draws its timeline and explains.
func TestLessonRunPhasesOneByOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		r := newTestRun(t, "gather", &out, &Options{NoCompare: true})
		defer r.cleanUp()
		r.claimCtrlC(context.Background())
		if err := r.check(); err != nil {
			t.Fatal(err)
		}
		if out.Len() != 0 {
			t.Fatalf("check printed %q", out.String())
		}
		r.open(context.Background())
		if !strings.Contains(out.String(), "asyncdemo gather — ") {
			t.Fatalf("open did not print the title:\n%s", out.String())
		}
		if err := r.run(); err != nil {
			t.Fatal(err)
		}
		if len(r.env.Runs) != 1 || r.env.Runs[0].Name != "concurrent" {
			t.Fatalf("runs: %+v", r.env.Runs)
		}
		before := out.Len()
		r.explain(context.Background(), nil)
		if after := out.String()[before:]; !strings.Contains(after, "do_some_work(4)") || !strings.Contains(after, r.afterText()[:30]) {
			t.Errorf("explain printed no timeline or explanation:\n%s", after)
		}
		if err := r.report(nil); err != nil {
			t.Errorf("report without a twin: %v", err)
		}
	})
}

// check finds a bad --trace path before anything is printed or run.
func TestLessonRunChecksBeforeItPrints(t *testing.T) {
	var out bytes.Buffer
	r := newTestRun(t, "gather", &out, &Options{Trace: filepath.Join(t.TempDir(), "no", "such", "dir", "t.json")})
	defer r.cleanUp()
	err := r.check()
	if !lesson.IsUsage(err) || !strings.Contains(err.Error(), "--trace") {
		t.Errorf("check: %v, want a usage error naming --trace", err)
	}
	if out.Len() != 0 || len(r.env.Runs) != 0 {
		t.Errorf("check printed %q or ran the lesson", out.String())
	}
}
