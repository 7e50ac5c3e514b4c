package main

import (
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// terminalRestored checks, in s, that the terminal echoes and edits lines
// again, and that the shell saw exit code code.
func terminalRestored(t *testing.T, s *tmuxSession, code int) {
	t.Helper()
	s.keys("echo exit=$?", "Enter")
	s.waitFor("exit="+strconv.Itoa(code)+"\n", 1)
	s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(isig|icanon|echo)' | tr '\\n' ' '; echo", "Enter")
	s.waitFor("isig icanon echo \n", 1)
}

// TestKeysDuringALessonInARealTerminal types while lessons run in tmux:
// nothing typed shows in the output, Ctrl+C prints no ^C over the time
// gutter and "asyncdemo: interrupted" starts its own line, q stops a lesson
// (and the tour) at once, and the terminal echoes again afterwards, however
// the program ended: Ctrl+C, q, SIGTERM, a forced exit.
func TestKeysDuringALessonInARealTerminal(t *testing.T) {
	bin := binary(t)
	s := newTmux(t, "XDG_CONFIG_HOME="+t.TempDir(), "LANG=C.UTF-8", "PS1=$ ")

	s.keys(bin+" gather --scale 0.5", "Enter")
	s.waitFor("Waiting: 4", 1)
	s.keys("abc")
	time.Sleep(200 * time.Millisecond)
	s.keys("C-c")
	s.waitFor("asyncdemo: interrupted", 1)
	scr := s.screen()
	if strings.Contains(scr, "abc") || strings.Contains(scr, "^C") || !regexp.MustCompile(`(?m)^asyncdemo: interrupted$`).MatchString(scr) {
		t.Errorf("what was typed shows, or the message is not on its own line:\n%s", scr)
	}
	terminalRestored(t, s, exitInterrupted)

	s.keys("clear; "+bin+" gather --scale 0.5", "Enter")
	s.waitFor("Waiting: 4", 1)
	s.keys("q")
	s.waitFor("asyncdemo: interrupted", 1)
	if scr := s.screen(); strings.Contains(scr, "Task ret") || strings.Contains(scr, "\nq") {
		t.Errorf("q did not stop the lesson at once, or showed:\n%s", scr)
	}
	terminalRestored(t, s, exitInterrupted)

	s.keys("clear; "+bin+" tour --scale 0.5 --from gather", "Enter")
	s.waitFor("Predict first", 1)
	s.keys("b")
	s.waitFor("Waiting: 4", 1)
	s.keys("q")
	s.waitFor("Stopped. asyncdemo tour goes on from gather.", 1)
	terminalRestored(t, s, exitInterrupted)

	for _, c := range []struct{ args, want string }{
		{"gather --scale 0.5", "Waiting: 4"},      // the lesson's own clean-up
		{"await --blocking -x 30", "Waiting: 30"}, // stuck in a blocking call: a forced exit
	} {
		s.keys("clear; sh -c 'echo pid=$$; exec "+bin+" "+c.args+"'", "Enter")
		s.waitFor(c.want, 1)
		m := regexp.MustCompile(`pid=([0-9]+)`).FindStringSubmatch(s.screen())
		if m == nil {
			t.Fatalf("no pid on the screen:\n%s", s.screen())
		}
		pid, _ := strconv.Atoi(m[1])
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		s.waitFor("asyncdemo: terminated", 1)
		terminalRestored(t, s, exitTerminated)
	}
}
