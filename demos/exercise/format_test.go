package exercise

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/explain"
)

// longFloat matches a figure with more than 3 decimals: a raw float.
var longFloat = regexp.MustCompile(`\d\.\d{4,}`)

func TestShortWritesAtMostMilliseconds(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{4 * time.Second, "4 s"},
		{500 * time.Millisecond, "0.5 s"},
		{1372 * time.Millisecond, "1.372 s"},
		{2472 * time.Millisecond, "2.472 s"},
		{1372*time.Millisecond + 400*time.Microsecond, "1.372 s"},
		{0, "0 s"},
	} {
		if got := short(c.d); got != c.want {
			t.Errorf("short(%v) = %q, want %q", c.d, got, c.want)
		}
	}
	for ms := range 20000 {
		d := time.Duration(ms) * time.Millisecond
		if s := short(d); longFloat.MatchString(s) {
			t.Fatalf("short(%v) = %q", d, s)
		}
	}
}

// TestRulesWantNoRawFloats renders what every rule of every exercise asks,
// in every language and at every moment a check's Ctrl+C may come: no
// figure has more than 3 decimals.
func TestRulesWantNoRawFloats(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		for _, e := range All() {
			shifts := []time.Duration{0}
			if e.Interrupt > 0 {
				shifts = shifts[:0]
				for ms := time.Duration(0); ms < InterruptJitter; ms += time.Millisecond {
					shifts = append(shifts, InterruptAfter+ms)
				}
			}
			for _, shift := range shifts {
				r := &Run{Exercise: e, Lang: lang, labels: Labels(lang), shift: shift, Go: e.Lang == Go}
				for _, rule := range e.Rules {
					if w := rule.Want(r); longFloat.MatchString(w) {
						t.Fatalf("%s (%s, Ctrl+C %v later): %q", e.Name, lang, shift, w)
					}
				}
			}
		}
	}
}

// noRawFloats fails t if what a check said of a run (its problem, each
// rule's ask and failure) has a figure with more than 3 decimals.
func noRawFloats(t *testing.T, res *Result) {
	t.Helper()
	said := []string{res.Problem}
	for _, o := range res.Outcomes {
		said = append(said, o.Want, o.Failed)
	}
	for _, s := range said {
		if longFloat.MatchString(s) {
			t.Errorf("a raw float in %q", s)
		}
	}
}

func TestNoteIfSlow(t *testing.T) {
	noted := 0
	note := func() { noted++ }
	out, err := noteIfSlow(time.Hour, note, func() ([]byte, error) { return []byte("fast"), nil })
	if string(out) != "fast" || err != nil || noted != 0 {
		t.Errorf("a fast build: %q, %v, noted %d times", out, err, noted)
	}
	out, err = noteIfSlow(time.Millisecond, note, func() ([]byte, error) {
		time.Sleep(50 * time.Millisecond)
		return []byte("slow"), nil
	})
	if string(out) != "slow" || err != nil || noted != 1 {
		t.Errorf("a slow build: %q, %v, noted %d times", out, err, noted)
	}
}

// TestPrintedShowsTheContradictingLines checks that a cut list of printed
// lines keeps those that say otherwise of the line wanted.
func TestPrintedShowsTheContradictingLines(t *testing.T) {
	r := &Run{Exercise: Find("go-errgroup"), Lang: "en", labels: Labels("en")}
	var out []explain.Line
	for _, s := range []string{"start 1", "start 2", "end 1: fetched", "start 3", "end 2: fetched", "start 4", "failed: page 3", "x", "end 4: fetched"} {
		out = append(out, explain.Line{Stream: 1, Text: s})
	}
	got := r.printed(out, "end 4: stopped")
	if !strings.Contains(got, "“end 4: fetched”") || !strings.Contains(got, "3 more") {
		t.Errorf("printed: %s", got)
	}
}

// TestSwallowedCancelIsExplainedOnce checks that a program whose tasks all
// swallow their CancelledError is told what that means once, not once a
// task, and each task is named.
func TestSwallowedCancelIsExplainedOnce(t *testing.T) {
	python(t)
	e := Find("ctrl-c")
	src, err := os.ReadFile(filepath.Join("testdata", "wrong", "ctrl-c", "swallows.py"))
	if err != nil {
		t.Fatal(err)
	}
	res := checkSource(t, e, src, "en")
	fix := explainLabels("en")["explain_swallowed_fix"]
	for i, o := range res.Outcomes {
		if _, ok := e.Rules[i].(Ends); !ok {
			continue
		}
		if n := strings.Count(o.Failed, fix); n != 1 {
			t.Errorf("the fix is said %d times:\n%s", n, o.Failed)
		}
		if n := strings.Count(o.Failed, "was cancelled"); n != 1 {
			t.Errorf("the tasks are told of in %d sentences, not one:\n%s", n, o.Failed)
		}
	}
}
