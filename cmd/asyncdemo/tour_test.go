package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rivo/uniseg"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
)

// tmuxSession is a real terminal, driven as a person would: keys in,
// screen out. Each runs on a tmux server of its own (a socket of its own),
// so that the sessions of tests running at once, or of anything else on
// the machine, never meet: the last session of a shared server ending
// takes the server down, and a session starting at that moment fails
// ("server exited unexpectedly").
type tmuxSession struct {
	t      *testing.T
	name   string
	socket string
}

// tmuxServers numbers this process's tmux servers.
var tmuxServers atomic.Int64

// tmux returns the tmux command of args, on s's server.
func (s *tmuxSession) tmux(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", s.socket}, args...)...)
}

// newTmux is newTmuxSized with a terminal of 110 × 200.
func newTmux(t *testing.T, env ...string) *tmuxSession {
	t.Helper()
	return newTmuxSized(t, 110, 200, env...)
}

// newTmuxSized starts a terminal of cols × rows running bash, with env
// ("NAME=value") set in it; the test's end ends it, and its server.
func newTmuxSized(t *testing.T, cols, rows int, env ...string) *tmuxSession {
	t.Helper()
	testenv.SkipShort(t, "a real terminal (tmux)")
	testenv.LookPath(t, "tmux", "apt-get install tmux")
	s := &tmuxSession{t: t, name: "asyncdemo-test-" + strings.NewReplacer("/", "-", ".", "-", ":", "-").Replace(t.Name()),
		socket: fmt.Sprintf("asyncdemo-test-%d-%d", os.Getpid(), tmuxServers.Add(1))}
	args := []string{"new-session", "-d", "-s", s.name, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, "bash", "--norc", "--noprofile")
	if out, err := s.tmux(args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	path, _ := s.tmux("display-message", "-p", "#{socket_path}").Output()
	t.Cleanup(func() {
		s.tmux("kill-server").Run()
		if p := strings.TrimSpace(string(path)); p != "" {
			os.Remove(p) // tmux leaves it
		}
	})
	return s
}

// keys types keys; a string is typed as it is, "Enter", "C-c" and the
// like are keys by name.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	if out, err := s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys: %v: %s", err, out)
	}
}

func (s *tmuxSession) screen() string {
	out, _ := s.tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", s.name).Output()
	return string(out)
}

// waitFor waits until the screen shows want n times in all.
func (s *tmuxSession) waitFor(want string, n int) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(s.screen(), want) < n {
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q %d times:\n%s", want, n, s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTourInARealTerminal takes the tour in tmux: a wrong and a right
// prediction, q to stop, the progress kept, resume on the next start, and
// the terminal left as it was after Ctrl+C at a question.
func TestTourInARealTerminal(t *testing.T) {
	bin := binary(t)
	config := t.TempDir()
	s := newTmux(t, "XDG_CONFIG_HOME="+config, "LANG=C.UTF-8", "PS1=$ ")
	s.keys(bin+" tour --scale 0.05 --from gather", "Enter")
	s.waitFor("Predict first", 1)
	s.keys("a") // 7 s: wrong
	s.waitFor("✗ Not quite: you said 7 s; it took 4.", 1)
	s.waitFor("Enter for the next lesson", 1)
	s.keys("Enter")
	s.waitFor("Lesson 7 of 12 · nest", 1)
	s.waitFor("Predict first", 2)
	s.keys("Down", "Up", "Enter") // back on a) 4 s: right
	s.waitFor("✓ Right: you said 4 s; it took 4.", 1)
	s.waitFor("Enter for the next lesson", 2)
	s.keys("q")
	s.waitFor("Stopped. asyncdemo tour goes on from cancel.", 1)
	s.waitFor("Your predictions: 1 of 2 right.", 1)

	s.keys("clear; "+bin+" list", "Enter")
	s.waitFor("Predictions in the tour: 1 of 2 right.", 1)
	list := s.screen()
	for _, want := range []string{"✓  6  gather", "✓  7  nest", "   8  cancel"} {
		if !strings.Contains(list, want) {
			t.Errorf("list does not show %q:\n%s", want, list)
		}
	}

	s.keys("clear; "+bin+" tour --scale 0.05", "Enter")
	s.waitFor("Lesson 8 of 12 · cancel", 1)
	s.waitFor("Predict first", 1)
	s.keys("C-c")
	s.waitFor("Stopped. asyncdemo tour goes on from cancel.", 1)
	s.keys("echo exit=$?", "Enter")
	s.waitFor("exit=130", 1)
	s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo", "Enter")
	s.waitFor("icanon echo", 1)
	if scr := s.screen(); strings.Contains(scr, "-icanon") || strings.Contains(scr, "-echo ") {
		t.Errorf("the terminal was left in raw mode:\n%s", scr)
	}

	// A corrupt progress file is reset with a warning, not a failure.
	if err := os.WriteFile(filepath.Join(config, "asyncdemo", "tour.json"), []byte("{nonsense"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.keys("clear; "+bin+" tour --scale 0.05 < /dev/null | head -3", "Enter")
	s.waitFor("could not be read", 1)
	s.waitFor("Lesson 1 of 12 · coroutine", 1)
}

// TestTourMenuInANarrowTerminal answers a prediction at 50 columns, in
// English and in Chinese, after a move: the line of keys under the
// choices is longer than the terminal is wide, yet the redraw goes back
// over exactly the rows drawn (no choice is drawn twice), no line wraps
// by itself, and the verdict does not split --scale across lines.
func TestTourMenuInANarrowTerminal(t *testing.T) {
	bin := binary(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			s := newTmuxSized(t, 50, 200, "XDG_CONFIG_HOME="+t.TempDir(), "LANG=C.UTF-8", "PS1=$ ")
			s.keys(bin+" tour --lang "+lang+" --scale 0.1 --from gather", "Enter")
			s.waitFor("a) 7 s", 1)
			s.keys("Down")
			s.waitFor("› b) 4 s", 1)
			s.keys("b")
			s.waitFor("--scale 0.1)", 1)
			scr := s.screen()
			if n := strings.Count(scr, "a) 7 s"); n != 1 {
				t.Errorf("a) 7 s is on the screen %d times, want once:\n%s", n, scr)
			}
			for _, line := range strings.Split(scr, "\n") {
				if strings.Contains(line, bin) {
					continue // the command typed
				}
				if w := uniseg.StringWidth(line); w > 50 {
					t.Errorf("a line %d columns wide wrapped at 50: %q", w, line)
				}
				if strings.HasSuffix(line, "-") {
					t.Errorf("a line ends in a flag's hyphen: %q", line)
				}
			}
		})
	}
}

// TestTourFromALaterLessonKeepsTheOneSkipped: with lessons 1 to 9 done and
// queue next, a tour --from sms, stopped after it, goes on from queue, not
// from workers.
func TestTourFromALaterLessonKeepsTheOneSkipped(t *testing.T) {
	bin := binary(t)
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	var done []string
	for _, info := range allLessons(t)[:9] {
		done = append(done, info.Name)
	}
	if err := saveProgress(progress{Done: done, Next: "queue"}); err != nil {
		t.Fatal(err)
	}
	s := newTmux(t, "XDG_CONFIG_HOME="+config, "LANG=C.UTF-8", "PS1=$ ")
	s.keys(bin+" tour --scale 0.05 --from sms", "Enter")
	s.waitFor("Predict first", 1)
	s.keys("b")
	s.waitFor("Enter for the next lesson", 1)
	s.keys("q")
	s.waitFor("Stopped. asyncdemo tour goes on from queue.", 1)
	if p := loadProgress(io.Discard); p.Next != "queue" || !slices.Contains(p.Done, "sms") {
		t.Errorf("progress %+v, want sms done and queue next", p)
	}
}

// TestTourRunsThroughAfterTheCancelLesson takes the tour piped, from the
// cancel lesson (whose own SIGINT must not stop the tour) to the end. It
// runs on real time (the later lessons use sockets), so the measured count
// is checked by TestTourAnswersFromTheRun, on fake time.
func TestTourRunsThroughAfterTheCancelLesson(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	out, errOut, code := runCmdNow(context.Background(), "tour", "--from", "cancel", "--scale", "0.02", "--no-color")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	for _, want := range []string{"Lesson 8 of 12 · cancel", "Lesson 9 of 12 · thread",
		"Lesson 12 of 12 · workers", "the tour is complete"} {
		if !strings.Contains(out, want) {
			t.Errorf("the tour did not show %q", want)
		}
	}
	if !regexp.MustCompile(`The answer: \d+ \(measured: \d+\)`).MatchString(out) {
		t.Errorf("the tour did not answer the cancel lesson's question from its run:\n%s", out)
	}
}

// TestTourAnswersFromTheRun checks the cancel lesson's answer on fake time,
// where what the run measures cannot depend on the machine's load: the
// tour is stopped once it has gone on to the next lesson.
func TestTourAnswersFromTheRun(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		out := &watchWriter{want: "Lesson 9 of 12", seen: func() { cancel(errInterrupt) }}
		runCmdTo(ctx, out, "tour", "--from", "cancel", "--scale", "0.02", "--no-color")
		if want := "The answer: 4 (measured: 4)"; !strings.Contains(out.String(), want) {
			t.Errorf("the tour did not say %q:\n%s", want, out.String())
		}
	})
}

// watchWriter keeps what is written and calls seen once it holds want.
type watchWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen func()
	done bool
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done && strings.Contains(w.buf.String(), w.want) {
		w.done = true
		w.seen()
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestSignalStopsTheTour stops the tour as a signal does, during a lesson:
// it says where it stopped and exits with the signal's code. SIGTERM is
// not the cancel lesson's to take: the tour does not go on to the next
// lesson. Piped, the tour records no progress, so none is saved (the tour
// in a terminal saves where it stopped: TestTourSignalFromOutsideAtAPrompt).
func TestSignalStopsTheTour(t *testing.T) {
	for _, c := range []struct {
		from  string
		cause error
		code  int
	}{
		{"cancel", errTerminate, exitTerminated}, // before its own Ctrl+C at 0.8 s
		{"gather", errTerminate, exitTerminated},
		{"gather", errInterrupt, exitInterrupted},
	} {
		t.Run(c.from+" "+c.cause.Error(), func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(context.Background())
				time.AfterFunc(500*time.Millisecond, func() { cancel(c.cause) })
				out, errOut, code := runCmdNow(ctx, "tour", "--from", c.from, "--no-color")
				if code != c.code {
					t.Errorf("exit %d, want %d; stderr %q", code, c.code, errOut)
				}
				if want := "Stopped at " + c.from + ". Not taken in a terminal, the tour keeps no progress: asyncdemo tour --from " + c.from + " goes on from there."; !strings.Contains(out, want) {
					t.Errorf("the tour did not say %q:\n%s", want, out)
				}
				if strings.Contains(out, "Lesson 9 of 12") || strings.Contains(out, "Lesson 7 of 12") {
					t.Errorf("the tour went on to the next lesson:\n%s", out)
				}
				if path, _ := progressPath(); fileExists(path) {
					t.Errorf("a piped tour saved its progress in %s", path)
				}
			})
		})
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestPipedTourRecordsNoProgress: a tour piped to a file (a teacher's
// preview) marks no lesson done and leaves the progress as it was.
func TestPipedTourRecordsNoProgress(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	before := progress{Done: []string{"coroutine"}, Next: "task", Predictions: map[string]bool{"coroutine": true}}
	if err := saveProgress(before); err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		out := &watchWriter{want: "Lesson 8 of 12", seen: func() { cancel(errInterrupt) }}
		runCmdTo(ctx, out, "tour", "--no-color") // from task: five lessons done, piped
		if !strings.Contains(out.String(), "Lesson 7 of 12 · nest —") {
			t.Fatalf("the tour did not get to nest:\n%s", out)
		}
	})
	if got := loadProgress(io.Discard); !slices.Equal(got.Done, before.Done) || got.Next != before.Next || len(got.Predictions) != 1 {
		t.Errorf("progress %+v after a piped tour, want %+v as it was", got, before)
	}
}

// TestTourGoesOnFromTheFirstLessonNotDone: where the tour goes on once it
// stops, by the lessons done and where it had been left before.
func TestTourGoesOnFromTheFirstLessonNotDone(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	for _, c := range []struct {
		done []string
		at   int    // where it stopped
		left string // where the tour had been left before it began
		want string
	}{
		{nil, 2, "", "c"},                          // a fresh tour --from c, stopped at c
		{[]string{"c"}, 3, "", "d"},                // ... or after it
		{[]string{"a"}, 3, "b", "b"},               // --from c after a: b is not skipped for good
		{[]string{"a", "c"}, 3, "b", "b"},          // the case: --from sms, then q, goes on from queue
		{[]string{"a", "b", "c"}, 3, "b", "d"},     // b done since
		{[]string{"b", "c", "d"}, 4, "", "a"},      // the last lesson done: the first left
		{[]string{"a", "b", "c", "d"}, 4, "d", ""}, // all done
	} {
		p := progress{Done: c.done}
		if got := p.nextFrom(names, c.at, c.left); got != c.want {
			t.Errorf("done %v, stopped at %d, left at %q: next %q, want %q", c.done, c.at, c.left, got, c.want)
		}
	}
}

// TestTourJSONWritesOnlyJSON: tour --json writes JSON Lines and nothing
// else on stdout: the lessons' events, a "lesson" object as each starts and
// a "prediction" object with what the run measured; its words go to stderr.
func TestTourJSONWritesOnlyJSON(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var errOut string
	out := &watchWriter{want: `"lesson":"cancel"`}
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		out.seen = func() { cancel(errInterrupt) }
		errOut, _ = runCmdTo(ctx, out, "tour", "--json", "--from", "gather")
	})
	var kinds []string
	var prediction map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("stdout has a line that is not JSON: %q", line)
		}
		if k := obj["kind"].(string); len(kinds) == 0 || kinds[len(kinds)-1] != k {
			kinds = append(kinds, k)
		}
		if obj["kind"] == "prediction" && obj["lesson"] == "gather" {
			prediction = obj
		}
	}
	if prediction == nil || prediction["answer"] != "4 s" || prediction["measured"] != "4.00 s" {
		t.Errorf("gather's prediction: %v, want the answer 4 s, measured 4.00 s", prediction)
	}
	if want := "lesson event summary event summary compare prediction lesson"; !strings.HasPrefix(strings.Join(kinds, " "), want) {
		t.Errorf("stdout has kinds %v, want %s ...", kinds, want)
	}
	if !strings.Contains(errOut, "Lesson 6 of 12 · gather") || !strings.Contains(errOut, "The answer: 4 s") {
		t.Errorf("the tour's words are not on stderr:\n%s", errOut)
	}
}

// TestTourSignalFromOutsideAtAPrompt signals the tour, as kill does from
// another window, while it waits at a prompt with the terminal in raw
// mode: the prompt ends at once, the tour saves where it was, the exit code
// is the signal's, and the terminal is as it was (the shell shows what is
// typed; stty shows canonical mode and echo).
func TestTourSignalFromOutsideAtAPrompt(t *testing.T) {
	bin := binary(t)
	for _, c := range []struct {
		name   string
		sig    syscall.Signal
		answer bool // answer the prediction: the signal comes at "Enter for the next lesson"
		next   string
		code   int
	}{
		{"SIGTERM at a prediction", syscall.SIGTERM, false, "gather", exitTerminated},
		{"SIGINT at the next lesson", syscall.SIGINT, true, "nest", exitInterrupted},
	} {
		t.Run(c.name, func(t *testing.T) {
			config := t.TempDir()
			s := newTmux(t, "XDG_CONFIG_HOME="+config, "LANG=C.UTF-8", "PS1=$ ")
			// sh says its pid, then becomes the tour, which keeps it.
			s.keys("sh -c 'echo pid=$$; exec "+bin+" tour --scale 0.05 --from gather'", "Enter")
			s.waitFor("Predict first", 1)
			if c.answer {
				s.keys("b")
				s.waitFor("Enter for the next lesson", 1)
			}
			m := regexp.MustCompile(`pid=([0-9]+)`).FindStringSubmatch(s.screen())
			if m == nil {
				t.Fatalf("no pid on the screen:\n%s", s.screen())
			}
			pid, _ := strconv.Atoi(m[1])
			if err := syscall.Kill(pid, c.sig); err != nil {
				t.Fatal(err)
			}
			s.waitFor("Stopped. asyncdemo tour goes on from "+c.next+".", 1)
			s.keys("echo exit=$?", "Enter")
			s.waitFor("$ echo exit=$?", 1) // what is typed shows
			s.waitFor(fmt.Sprintf("exit=%d\n", c.code), 1)
			s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(icrnl|opost|isig|icanon|echo)' | tr '\\n' ' '; echo", "Enter")
			s.waitFor("icrnl opost isig icanon echo \n", 1)

			data, err := os.ReadFile(filepath.Join(config, "asyncdemo", "tour.json"))
			if err != nil {
				t.Fatalf("the progress was not saved: %v", err)
			}
			var p progress
			if err := json.Unmarshal(data, &p); err != nil || p.Next != c.next {
				t.Errorf("progress %s (%v), want to go on from %s", data, err, c.next)
			}
		})
	}
}

// TestTourRunsNestWithTheDurationsThatTeach: the tour runs nest with
// 4,1,2, as its text says, so that gather's results come in argument order
// and as_completed's in the order the tasks finished.
func TestTourRunsNestWithTheDurationsThatTeach(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		out := &watchWriter{want: "Lesson 8 of 12", seen: func() { cancel(errInterrupt) }}
		runCmdTo(ctx, out, "tour", "--from", "nest", "--no-color")
		for run, want := range map[string]string{"gather": "4s 1s 2s", "as-completed": "1s 2s 4s"} {
			if got := strings.Join(resultsOf(out.String(), run), " "); got != want {
				t.Errorf("the tour's nest, run %s: results %s, want %s:\n%s", run, got, want, out)
			}
		}
		if !strings.Contains(out.String(), "tasks of 4, 1 and 2 s") {
			t.Errorf("the question does not name the durations the tour runs:\n%s", out)
		}
	})
}

// resultsOf returns the x of each "Task ret: Done after xs" line that the
// run named run printed, in order.
func resultsOf(out, run string) []string {
	_, section, _ := strings.Cut(out, "── "+run+" · ")
	section, _, _ = strings.Cut(section, "total ")
	var xs []string
	for _, m := range regexp.MustCompile(`Task ret: Done after (\S+)`).FindAllStringSubmatch(section, -1) {
		xs = append(xs, m[1])
	}
	return xs
}

// TestMenuRowsFitTheTerminal: at any width, in English and Chinese, each
// row of the prediction menu is narrower than the terminal (so none wraps
// by itself and a redraw, going up the rows drawn, lands on the first),
// every choice keeps its first row, and the line of keys is all there.
func TestMenuRowsFitTheTerminal(t *testing.T) {
	labels := []string{"a) 7 s", "b) 4 s", "c) 1 s"}
	plain := func(s string) string { return s }
	for _, lang := range []string{"en", "zh"} {
		keys := lesson.Labels(lang)["keys"]
		for width := 20; width <= 120; width++ {
			rows := menuRows(labels, 1, keys, plain, width)
			var text []string
			for _, row := range rows {
				row = strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "").Replace(row)
				if w := uniseg.StringWidth(row); w >= width {
					t.Fatalf("%s at %d columns: row %q is %d wide", lang, width, row, w)
				}
				text = append(text, strings.TrimSpace(row))
			}
			all := strings.Join(text, "\n")
			for i, l := range labels {
				mark := "  "
				if i == 1 {
					mark = "› "
				}
				if !strings.Contains("\n"+strings.Join(rowsTrimmedRight(rows), "\n"), "\n  "+mark+l) {
					t.Errorf("%s at %d columns: no row %q:\n%s", lang, width, mark+l, all)
				}
			}
			if got := strings.Join(strings.Fields(strings.Join(text[len(labels):], " ")), ""); got != strings.Join(strings.Fields(keys), "") {
				t.Errorf("%s at %d columns: the keys read %q, want %q", lang, width, got, keys)
			}
		}
	}
}

// rowsTrimmedRight returns rows without their bold marks.
func rowsTrimmedRight(rows []string) []string {
	out := make([]string, len(rows))
	for i, row := range rows {
		out[i] = strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "").Replace(row)
	}
	return out
}
