package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/exercise"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
)

// TestNoArgumentsFitsAScreen: asyncdemo with no arguments used to print
// the whole help, ~60 lines that scrolled off a projected 35-row screen.
// Now it is the lessons and where to start, in 23 rows (the prompt takes
// the 24th) and no wider than the terminal, in English and Chinese; only a
// lesson's title is cut (…), the other words wrap (at 50 columns the
// introduction was "The…" and gather's hint "(--scale 0.1…"); the tools
// include the exercises' commands (exercises, check, watch); --help is
// the whole help.
func TestNoArgumentsFitsAScreen(t *testing.T) {
	lessonRow := regexp.MustCompile(`^[✓ ] *\d+  \S+ +\S`)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, c := range []struct {
		width int
		args  []string
	}{{80, nil}, {50, nil}, {80, []string{"--lang", "zh"}}, {50, []string{"--lang", "zh"}}, {200, nil}} {
		out, errOut, code := runInTerminal(t, c.width, nil, c.args...)
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if code != 0 || len(lines) > 23 {
			t.Errorf("%d columns %q: exit %d (%s), %d lines, want at most 23:\n%s", c.width, c.args, code, errOut, len(lines), out)
		}
		for _, line := range lines {
			if strings.HasSuffix(line, "…") && !lessonRow.MatchString(line) {
				t.Errorf("%d columns %q: a line cut that is not a lesson's: %q", c.width, c.args, line)
			}
			if w := runewidth.StringWidth(line); w > c.width {
				t.Errorf("%d columns %q: a line of %d: %q", c.width, c.args, w, line)
			}
		}
		// The exercises' ways in are named too, or the exercises cannot
		// be found from here.
		for _, want := range []string{"coroutine", "workers", "asyncdemo tour", "asyncdemo --help", "sms-server", "exercises", "check", "watch"} {
			if !strings.Contains(out, want) {
				t.Errorf("%d columns %q: no %q:\n%s", c.width, c.args, want, out)
			}
		}
	}
	out, _, code := runCmd(t, "--help")
	if code != 0 || !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "--scale") {
		t.Errorf("--help is not the whole help:\n%s", out)
	}
}

// TestEachFlagSaysItsDefaultOnce: --lang's help said "(default from LANG /
// LC_ALL) (default en)".
func TestEachFlagSaysItsDefaultOnce(t *testing.T) {
	out, _, _ := runCmd(t, "gather", "--help")
	for _, line := range strings.Split(out, "\n") {
		if strings.Count(line, "(default") > 1 {
			t.Errorf("a default said twice: %q", line)
		}
	}
	for _, want := range []string{"without it, LC_ALL, LC_MESSAGES or LANG decide (default en)", "without it, ASYNCDEMO_THEME decides (default auto)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the help does not say %q:\n%s", want, out)
		}
	}
}

// TestNoArgumentsFitsARealScreen runs asyncdemo with no arguments in a
// terminal of 50 × 24, after clearing it: its first line is still on the
// screen when the prompt comes back.
func TestNoArgumentsFitsARealScreen(t *testing.T) {
	bin := binary(t)
	for _, lang := range []string{"C.UTF-8", "zh_CN.UTF-8"} {
		s := newTmuxSized(t, 50, 24, "LANG="+lang, "PS1=$ ", "XDG_CONFIG_HOME="+t.TempDir())
		s.keys("clear; "+bin+"; echo exit=$?", "Enter")
		s.waitFor("exit=0", 1)
		visible, _ := s.tmux("capture-pane", "-p", "-t", s.name).Output()
		if !strings.Contains(string(visible), "asyncdemo --help") || !strings.Contains(string(visible), "  1  coroutine") {
			t.Errorf("LANG=%s: the summary scrolled off a 24-row screen:\n%s", lang, visible)
		}
		s.tmux("kill-session", "-t", s.name).Run()
	}
}

// TestListWrapsAtTheTerminalsWidth: asyncdemo list at 50 columns ran its
// titles past the edge, where the terminal cut words in two ("holds i" /
// "ts state"); each title now wraps under itself, whole words, in both
// languages; piped, a lesson is a line.
func TestListWrapsAtTheTerminalsWidth(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, lang := range lesson.Languages {
		out, errOut, code := runInTerminal(t, 50, nil, "list", "--lang", lang, "--no-color")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if w := runewidth.StringWidth(line); w > 50 {
				t.Errorf("%s: a line of %d columns: %q", lang, w, line)
			}
		}
		joined := strings.Join(strings.Fields(out), " ")
		for _, l := range demos.All() {
			info := lesson.Describe(l, lang)
			if info.Tool {
				continue
			}
			// Whole, but for the line breaks (in Chinese, between two
			// characters with no space).
			if !strings.Contains(joined, strings.Join(strings.Fields(info.Title), " ")) &&
				!strings.Contains(strings.ReplaceAll(joined, " ", ""), strings.ReplaceAll(info.Title, " ", "")) {
				t.Errorf("%s: the title of %s is not whole:\n%s", lang, info.Name, out)
			}
		}
	}
	out, _, _ := runCmd(t, "list")
	// A line a lesson (not the tools), a line an exercise, and the two
	// headings and the blank lines between them.
	lessons := 0
	for _, l := range demos.All() {
		if !lesson.Describe(l, "en").Tool {
			lessons++
		}
	}
	if n, most := strings.Count(out, "\n"), lessons+len(exercise.All())+5; n > most {
		t.Errorf("piped, list wraps: %d lines:\n%s", n, out)
	}
}
