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
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"asyncdemo/demos/testenv"
)

// tmuxSession is a real terminal, driven as a person would: keys in,
// screen out.
type tmuxSession struct {
	t    *testing.T
	name string
}

func newTmux(t *testing.T, env ...string) *tmuxSession {
	t.Helper()
	testenv.SkipShort(t, "a real terminal (tmux)")
	testenv.LookPath(t, "tmux", "apt-get install tmux")
	s := &tmuxSession{t: t, name: "asyncdemo-test-" + strings.ReplaceAll(t.Name(), "/", "-")}
	exec.Command("tmux", "kill-session", "-t", s.name).Run()
	args := []string{"new-session", "-d", "-s", s.name, "-x", "110", "-y", "200"}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, "bash", "--norc", "--noprofile")
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", s.name).Run() })
	return s
}

// keys types keys; a string is typed as it is, "Enter", "C-c" and the
// like are keys by name.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	if out, err := exec.Command("tmux", append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys: %v: %s", err, out)
	}
}

func (s *tmuxSession) screen() string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-J", "-S", "-2000", "-t", s.name).Output()
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

	s.keys("clear; "+bin+" list", "Enter")
	s.waitFor("workers", 1)
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

// TestSignalStopsTheTourAndSavesWhereItWas stops the tour as a signal
// does, during a lesson: it says where it will go on from, saves that, and
// exits with the signal's code. SIGTERM is not the cancel lesson's to take:
// the tour does not go on to the next lesson.
func TestSignalStopsTheTourAndSavesWhereItWas(t *testing.T) {
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
				if want := "Stopped. asyncdemo tour goes on from " + c.from + "."; !strings.Contains(out, want) {
					t.Errorf("the tour did not say %q:\n%s", want, out)
				}
				if strings.Contains(out, "Lesson 9 of 12") || strings.Contains(out, "Lesson 7 of 12") {
					t.Errorf("the tour went on to the next lesson:\n%s", out)
				}
				if p := loadProgress(io.Discard); p.Next != c.from || slices.Contains(p.Done, c.from) {
					t.Errorf("progress %+v, want to go on from %s, not done", p, c.from)
				}
			})
		})
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
