package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
// cancel lesson (whose own SIGINT must not stop the tour) to the end.
func TestTourRunsThroughAfterTheCancelLesson(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	out, errOut, code := runCmdNow(context.Background(), "tour", "--from", "cancel", "--scale", "0.02", "--no-color")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	for _, want := range []string{"Lesson 8 of 12 · cancel", "The answer: 4 (measured: 4)", "Lesson 9 of 12 · thread",
		"Lesson 12 of 12 · workers", "the tour is complete"} {
		if !strings.Contains(out, want) {
			t.Errorf("the tour did not show %q", want)
		}
	}
}
