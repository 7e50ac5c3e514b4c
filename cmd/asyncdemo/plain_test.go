package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/asyncdemo/asyncdemo/demos/smsapi"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// plainScale runs a plain program's sleeps 100 times faster: the program
// itself stays as a learner would write it, python3 prog.py.
const plainScale = 0.01

// plainPrelude runs the program at sys.argv[1] with every asyncio.sleep and
// time.sleep scaled by plainScale.
var plainPrelude = fmt.Sprintf(`import asyncio, runpy, sys, time
_sleep, _tsleep = asyncio.sleep, time.sleep
async def sleep(delay, result=None):
    return await _sleep(delay * %[1]g, result)
asyncio.sleep = sleep
time.sleep = lambda s: _tsleep(s * %[1]g)
path = sys.argv[1]
sys.argv = [path]
runpy.run_path(path, run_name="__main__")
`, plainScale)

// plainLines are the lines, canonical, sorted, that a plain program prints
// for what the lesson prints: the twins' canonical spelling (True is true),
// and a task's name left out (the lesson names its tasks; a learner does
// not).
func plainLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, taskName.ReplaceAllString(twin.Canonical(l), "name=…"))
		}
	}
	slices.Sort(out)
	return out
}

var taskName = regexp.MustCompile(`name='[^']*'`)

// runPlain runs the plain program of lesson with python, its sleeps
// scaled (else in real time), env added, until it ends, or until stop says
// so of what it has printed: then it gets a SIGINT, as from Ctrl+C. It
// returns the lines it printed.
func runPlain(t *testing.T, python, lesson string, scaled bool, stop func(lines []string) bool, env ...string) []string {
	t.Helper()
	src, ok := twin.PlainSource(lesson)
	if !ok {
		t.Fatalf("%s has no plain program (demos/twin/plain/%s.py)", lesson, lesson)
	}
	path := filepath.Join(t.TempDir(), lesson+".py")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-u", path)
	if scaled {
		cmd = exec.CommandContext(ctx, python, "-u", "-c", plainPrelude, path)
	}
	cmd.Env = append(os.Environ(), env...)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	stopped := false
	for sc := bufio.NewScanner(out); sc.Scan(); {
		lines = append(lines, sc.Text())
		if !stopped && stop != nil && stop(lines) {
			stopped = true
			time.Sleep(100 * time.Millisecond) // for what it prints at once after
			cmd.Process.Signal(syscall.SIGINT)
		}
	}
	if err := cmd.Wait(); err != nil && !(stopped && ctx.Err() == nil) {
		t.Fatalf("python3 %s.py: %v\n%s", lesson, err, stderr.String())
	}
	return lines
}

// printed returns a stop for runPlain: once n lines have started with
// prefix.
func printed(prefix string, n int) func([]string) bool {
	return func(lines []string) bool {
		seen := 0
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				seen++
			}
		}
		return seen >= n
	}
}

// TestPlainCodeRunsAndPrintsTheLessonsLines: every lesson has a plain
// program (--code python --plain), which python3 runs as it is and which
// prints the lines the lesson prints (in any order: the order is what the
// lessons and their twins are tested for).
func TestPlainCodeRunsAndPrintsTheLessonsLines(t *testing.T) {
	for _, info := range allLessons(t) {
		t.Run(info.Name, func(t *testing.T) {
			if _, ok := twin.PlainSource(info.Name); !ok {
				t.Fatalf("no plain program demos/twin/plain/%s.py", info.Name)
			}
			out, _, code := runCmd(t, info.Name, "--code", "python", "--plain", "--no-color")
			if code != 0 || strings.Contains(out, "rec.") || strings.Contains(out, "argparse") || strings.Contains(out, "_asyncdemo") {
				t.Errorf("--code python --plain: exit %d, or the recorder's plumbing shows:\n%s", code, out)
			}
			if info.Network {
				return // on a Redis: TestPlainCodeOfTheQueueLessons
			}
			python := twinPython(t, info.Name)
			args := append([]string{info.Name, "--json", "--no-compare"}, info.AutoArgs...)
			goOut, errOut, code := runCmd(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var want []string
			for _, e := range events(t, goOut) {
				if e.Kind == timing.KindEvent {
					want = append(want, e.Text)
				}
			}
			var got []string
			if info.HandlesInterrupt { // cancel: Ctrl+C once every task sleeps, in real time
				got = runPlain(t, python, info.Name, false, printed("Waiting", 3))
			} else {
				got = runPlain(t, python, info.Name, true, nil)
			}
			if g, w := plainLines(got), plainLines(want); !slices.Equal(g, w) {
				t.Errorf("python3 %s.py printed\n  %s\nthe lesson prints\n  %s", info.Name, strings.Join(g, "\n  "), strings.Join(w, "\n  "))
			}
		})
	}
}

// TestPlainCodeOfTheQueueLessons runs the plain programs of queue, sms and
// workers against a Redis (and an SMS API) of the test's, fed the lesson's
// messages, as REDIS_URL and SMS_URL say, and stops each with Ctrl+C once
// it has done them all.
func TestPlainCodeOfTheQueueLessons(t *testing.T) {
	for _, c := range []struct {
		lesson   string
		messages []string
		want     []string // the lines the lesson prints for its work, in the tutorial's words
		last     string   // the last of them: then Ctrl+C
	}{
		{"queue", []string{"2", "5", "1", "1"}, []string{"Waiting: 2", "Done 2", "Waiting: 5", "Waiting: 1", "Done 1", "Waiting: 1", "Done 1", "Done 5"}, "Done 5"},
		{"sms", []string{"5", "1", "1"}, []string{"Waiting: 5", "Waiting: 1", "Waiting: 1", "200", "1 It works", "Done 1",
			"200", "1 It works", "Done 1", "200", "5 It works", "Done 5"}, "Done 5"},
		{"workers", []string{"2", "5", "1", "1"}, []string{"Start worker", "Start worker", "Wait 2", "Done 2", "Wait 5", "Wait 1",
			"Done 1", "Wait 1", "Done 1", "Done 5"}, "Done 5"},
	} {
		t.Run(c.lesson, func(t *testing.T) {
			python := twinPython(t, c.lesson)
			m := miniredis.RunT(t)
			for _, v := range c.messages {
				m.Select(3)
				m.Lpush("queue", v)
			}
			env := []string{fmt.Sprintf("REDIS_URL=redis://%s/3", m.Addr())}
			if c.lesson == "sms" {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				srv := &http.Server{Handler: smsapi.Handler(scaleClock(plainScale), 30*time.Second)}
				go srv.Serve(l)
				t.Cleanup(func() { srv.Close() })
				env = append(env, "SMS_URL=http://"+l.Addr().String())
			}
			got := runPlain(t, python, c.lesson, true, printed(c.last, 1), env...)
			if g, w := plainLines(got), plainLines(c.want); !slices.Equal(g, w) {
				t.Errorf("python3 %s.py printed\n  %s\nwant\n  %s", c.lesson, strings.Join(g, "\n  "), strings.Join(w, "\n  "))
			}
		})
	}
}

// scaleClock scales the SMS API's delays as the plain program's sleeps are.
type scaleClock float64

func (s scaleClock) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) * float64(s))
}
