package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/testenv"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds asyncdemo once for the tests that run it as a person would.
func binary(t *testing.T) string {
	t.Helper()
	testenv.SkipShort(t, "the built binary")
	buildOnce.Do(func() {
		dir, err := filepathTemp()
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "asyncdemo")
		// Built with -race, as the tests are: it reuses what the test
		// build compiled (a cold make test compiles the dependencies
		// once, not twice), and the race detector watches it too.
		out, err := exec.Command("go", "build", "-race", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building asyncdemo: %v", buildErr)
	}
	return binPath
}

// TestRealCtrlCExits130 sends a real SIGINT to the running binary, the
// same signal a person's Ctrl+C sends, and checks that it ends promptly with
// exit code 130, also when the loop is stuck in a blocking call.
func TestRealCtrlCExits130(t *testing.T) {
	for _, args := range [][]string{
		{"gather"},
		{"gather", "--style", "go"},
		{"await", "--blocking", "-x", "30"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			signalLesson(t, syscall.SIGINT, args, "Waiting")
		})
	}
}

// TestRealSIGTERMExits143 sends a real SIGTERM, as kill does: it ends
// every lesson with exit code 143, through the lesson's own cleanup (cancel
// drains its loop) or, for a loop stuck in a blocking call, a forced exit.
// cancel, whose lesson is Ctrl+C, does not take SIGTERM for its own.
func TestRealSIGTERMExits143(t *testing.T) {
	for _, c := range []struct {
		args    []string
		cleanUp string // what the lesson prints as it cleans up after the signal
	}{
		{args: []string{"gather"}},
		{args: []string{"gather", "--style", "go"}},
		{args: []string{"await", "--blocking", "-x", "30"}},
		{[]string{"cancel", "--interrupt=20s", "--durations", "30,30,30"}, "wait: cancelled"},
		{[]string{"cancel", "--durations", "30,30,30"}, "wait: cancelled"},
		{[]string{"cancel", "--style", "go", "--durations", "30,30,30"}, "do_some_work(30) stopped: context canceled"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errOut := signalLesson(t, syscall.SIGTERM, c.args, "Waiting")
			if !strings.Contains(out, c.cleanUp) {
				t.Errorf("the lesson did not clean up (%q):\n%s", c.cleanUp, out)
			}
			if !strings.Contains(errOut, "asyncdemo: terminated") {
				t.Errorf("stderr %q does not say it was terminated", errOut)
			}
		})
	}
}

// signalLesson runs the binary with args, sends it sig once its output has
// shown want, and checks that it ends promptly with the signal's exit
// code. It returns what the program printed.
func signalLesson(t *testing.T, sig syscall.Signal, args []string, want string) (stdout, stderr string) {
	t.Helper()
	code := map[syscall.Signal]int{syscall.SIGINT: exitInterrupted, syscall.SIGTERM: exitTerminated}[sig]
	cmd := exec.Command(binary(t), append(args, "--no-color")...)
	var outb, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outb, &errb
	wait := startAndWaitFor(t, cmd, want)
	sent := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := wait()
	took := time.Since(sent)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != code {
		t.Fatalf("exit: %v, want code %d; stderr: %s", err, code, errb.String())
	}
	// The lesson has a second (grace) to stop before the process exits anyway; a
	// wide bound (still under the 30 s of the lessons' tasks) keeps this
	// test honest on a loaded machine.
	if took > 5*time.Second {
		t.Errorf("took %v after %v to exit, want well under a second", took, sig)
	}
	if word := errInterrupt.msg; sig == syscall.SIGINT && !strings.Contains(errb.String(), word) {
		t.Errorf("stderr %q does not say it was %s", errb.String(), word)
	}
	return outb.String(), errb.String()
}

// startAndWaitFor starts cmd and returns once its output has shown want,
// so that a signal sent next reaches a program that is running its lesson
// (and has its signal handler), however loaded the machine is. The rest of
// the output is discarded, or copied to cmd.Stdout if that was set. Call
// the returned wait instead of cmd.Wait: it reads the output to its end
// first, as exec requires.
func startAndWaitFor(t *testing.T, cmd *exec.Cmd, want string) (wait func() error) {
	t.Helper()
	rest := cmd.Stdout
	if rest == nil {
		rest = io.Discard
	}
	cmd.Stdout = nil
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(pipe)
	for lines.Scan() {
		fmt.Fprintln(rest, lines.Text())
		if strings.Contains(lines.Text(), want) {
			copied := make(chan struct{})
			go func() {
				io.Copy(rest, pipe)
				close(copied)
			}()
			return func() error {
				<-copied
				return cmd.Wait()
			}
		}
	}
	t.Fatalf("the program ended without printing %q", want)
	return nil
}

func filepathTemp() (string, error) { return os.MkdirTemp("", "asyncdemo-test") }

// signalRig is signals fed by the test instead of by signal.Notify, with
// an exit that records its code instead of ending the test, in the same
// log as the cleanups it runs first.
type signalRig struct {
	*signals
	sigc   chan os.Signal
	errOut lockedBuffer
	mu     sync.Mutex
	log    []string
}

// newSignalRig starts a rig; call it in a synctest bubble, and stop it.
func newSignalRig() *signalRig {
	r := &signalRig{sigc: make(chan os.Signal, 2)}
	r.signals = watchSignals(context.Background(), r.sigc, &r.errOut, func(code int) { r.note(fmt.Sprint("exit ", code)) })
	return r
}

func (r *signalRig) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

func (r *signalRig) logged() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

// send sends sig and waits until the rig has done what it does at once.
func (r *signalRig) send(sig os.Signal) {
	r.sigc <- sig
	synctest.Wait()
}

// stop ends the watch, as the program's end does.
func (r *signalRig) stop() {
	close(r.sigc)
	synctest.Wait()
}

func TestCtrlCClaimedByALessonCancelsOnlyTheLesson(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSignalRig()
		defer r.stop()
		lessonCtx, release := r.claim()
		defer release()
		r.send(syscall.SIGINT)
		if got := context.Cause(lessonCtx); got != errInterrupt {
			t.Errorf("the lesson's context: cause %v, want Ctrl+C's", got)
		}
		if r.ctx.Err() != nil {
			t.Fatalf("the program's context was cancelled too: %v", context.Cause(r.ctx))
		}
		r.send(syscall.SIGINT) // the claim was for one Ctrl+C
		if got := context.Cause(r.ctx); got != errInterrupt {
			t.Errorf("after a second Ctrl+C the program's context: cause %v, want Ctrl+C's", got)
		}
	})
}

func TestSIGTERMIsNeverClaimed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSignalRig()
		defer r.stop()
		lessonCtx, release := r.claim()
		defer release()
		r.send(syscall.SIGTERM)
		if got := context.Cause(r.ctx); got != errTerminate {
			t.Errorf("the program's context: cause %v, want SIGTERM's", got)
		}
		if got := context.Cause(lessonCtx); got != errTerminate {
			t.Errorf("the lesson's context: cause %v, want SIGTERM's", got)
		}
		if log := r.logged(); len(log) > 0 {
			t.Errorf("exited at once: %q", log)
		}
	})
}

// TestForcedExitRunsCleanupsFirst checks the way out for a program that
// has not ended grace after a signal, or at a second signal: the cleanups
// registered (and not removed), last first, then the message and the exit
// code, 143 if SIGTERM came at all.
func TestForcedExitRunsCleanupsFirst(t *testing.T) {
	for _, c := range []struct {
		name     string
		sigs     []os.Signal
		wait     time.Duration // from the last signal to the exit
		code     int
		errOut   string
		claimed  bool // a lesson has claimed Ctrl+C
		unforced bool // no forced exit: the claim took the signal
	}{
		{name: "Ctrl+C", sigs: []os.Signal{syscall.SIGINT}, wait: grace, code: 130, errOut: "\nasyncdemo: interrupted\n"},
		{name: "SIGTERM", sigs: []os.Signal{syscall.SIGTERM}, wait: grace, code: 143, errOut: "\nasyncdemo: terminated\n"},
		{name: "two Ctrl+C", sigs: []os.Signal{syscall.SIGINT, syscall.SIGINT}, code: 130, errOut: "\nasyncdemo: interrupted\n"},
		{name: "Ctrl+C, SIGTERM", sigs: []os.Signal{syscall.SIGINT, syscall.SIGTERM}, code: 143, errOut: "\nasyncdemo: terminated\n"},
		{name: "SIGTERM, Ctrl+C", sigs: []os.Signal{syscall.SIGTERM, syscall.SIGINT}, code: 143, errOut: "\nasyncdemo: terminated\n"},
		{name: "SIGTERM, claimed", sigs: []os.Signal{syscall.SIGTERM}, wait: grace, code: 143, errOut: "\nasyncdemo: terminated\n", claimed: true},
		{name: "Ctrl+C, claimed", sigs: []os.Signal{syscall.SIGINT}, claimed: true, unforced: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newSignalRig()
				defer r.stop()
				if c.claimed {
					_, release := r.claim()
					defer release()
				}
				r.atForcedExit(func() { r.note("save progress") })
				remove := r.atForcedExit(func() { r.note("removed") })
				r.atForcedExit(func() { r.note("restore terminal") })
				remove()
				for _, sig := range c.sigs {
					r.send(sig)
				}
				if c.wait > 0 {
					time.Sleep(c.wait - time.Nanosecond)
					synctest.Wait()
					if log := r.logged(); len(log) > 0 {
						t.Fatalf("exited before the grace was over: %q", log)
					}
					time.Sleep(time.Nanosecond)
					synctest.Wait()
				}
				if c.unforced {
					time.Sleep(time.Hour)
					synctest.Wait()
					if log := r.logged(); len(log) > 0 {
						t.Errorf("a Ctrl+C claimed by the lesson forced an exit: %q", log)
					}
					return
				}
				want := []string{"restore terminal", "save progress", fmt.Sprint("exit ", c.code)}
				if log := r.logged(); !slices.Equal(log, want) {
					t.Errorf("did %q, want %q", log, want)
				}
				if got := r.errOut.String(); got != c.errOut {
					t.Errorf("said %q, want %q", got, c.errOut)
				}
			})
		})
	}
}

// TestSIGTERMEndsEveryLessonWith143 stops lessons as SIGTERM does, by
// cancelling the program's context with its cause: each ends through its
// own cleanup, at once, and the program exits 143; cancel too, which ends
// well after it (its lesson is Ctrl+C) and exited 0 before.
func TestSIGTERMEndsEveryLessonWith143(t *testing.T) {
	for _, args := range [][]string{
		{"gather"},
		{"gather", "--style", "go"},
		{"cancel", "--durations", "30,30,30"},
		{"cancel", "--interrupt=20s", "--durations", "30,30,30", "--mode", "outer"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(context.Background())
				time.AfterFunc(1500*time.Millisecond, func() { cancel(errTerminate) })
				start := time.Now()
				out, errOut, code := runCmdNow(ctx, append(args, "--no-color")...)
				if code != exitTerminated || errOut != "asyncdemo: terminated\n" {
					t.Errorf("exit %d, stderr %q; want 143, asyncdemo: terminated", code, errOut)
				}
				if took := time.Since(start); took != 1500*time.Millisecond {
					t.Errorf("stopped after %v, want at SIGTERM (1.5s)", took)
				}
				if args[0] == "cancel" && !strings.Contains(out, "KeyboardInterrupt") {
					t.Errorf("cancel did not cancel its tasks:\n%s", out)
				}
			})
		})
	}
}

// TestALessonsOwnSIGINTEndsWithTheLesson: cancel --interrupt sends the
// program a real SIGINT, which the kernel delivers a little later. At
// --scale 0.0001 the lesson can be over by then; the claim's release waits
// for it, so that it lands on the lesson and never stops the program (the
// tour) after the lesson has ended. A SIGINT of the lesson's arriving after
// a SIGTERM is not a second signal either.
func TestALessonsOwnSIGINTEndsWithTheLesson(t *testing.T) {
	t.Run("after the lesson ended", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newSignalRig()
			defer r.stop()
			r.kill = func() error { return nil } // on its way: the test delivers it
			lessonCtx, release := r.claim()
			r.selfInterrupt()
			released := make(chan struct{})
			go func() { // the lesson ends before its SIGINT arrives
				release()
				close(released)
			}()
			synctest.Wait()
			select {
			case <-released:
				t.Fatal("the claim ended before the lesson's own SIGINT arrived")
			default:
			}
			r.send(syscall.SIGINT)
			<-released
			if r.ctx.Err() != nil {
				t.Fatalf("the lesson's own SIGINT stopped the program: %v", context.Cause(r.ctx))
			}
			if got := context.Cause(lessonCtx); got != errInterrupt {
				t.Errorf("the lesson's context: cause %v, want Ctrl+C's", got)
			}
			r.send(syscall.SIGINT) // the user's
			if got := context.Cause(r.ctx); got != errInterrupt {
				t.Errorf("after the user's Ctrl+C the program's context: cause %v, want Ctrl+C's", got)
			}
		})
	})
	t.Run("after SIGTERM", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newSignalRig()
			defer r.stop()
			r.kill = func() error { return nil }
			_, release := r.claim()
			r.selfInterrupt()
			r.send(syscall.SIGTERM)
			release() // the program is stopping: it does not wait
			r.send(syscall.SIGINT)
			if log := r.logged(); len(log) > 0 {
				t.Fatalf("the lesson's own SIGINT forced an exit at once: %q", log)
			}
			time.Sleep(grace)
			synctest.Wait()
			if want := []string{"exit 143"}; !slices.Equal(r.logged(), want) {
				t.Errorf("did %q, want %q", r.logged(), want)
			}
		})
	})
}

// TestCancelsOwnSIGINTNeverOutlivesIt takes the tour from the cancel
// lesson so fast that the lesson's own SIGINT often arrives after its tasks
// have finished (2 to 7 runs in 10 stopped with exit 130 before the claim
// waited for it): it must still be the lesson's, and the tour go on.
func TestCancelsOwnSIGINTNeverOutlivesIt(t *testing.T) {
	bin := binary(t)
	for i := range 20 {
		cmd := exec.Command(bin, "tour", "--from", "cancel", "--scale", "0.0001", "--no-color")
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run %d: %v:\n%s", i+1, err, out)
		}
	}
}

// TestQStopsTheProgramEvenInTheCancelLesson: q typed during a lesson is a
// Ctrl+C that no lesson claims; a second q exits at once, as a second
// Ctrl+C does.
func TestQStopsTheProgramEvenInTheCancelLesson(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSignalRig()
		defer r.stop()
		lessonCtx, release := r.claim()
		defer release()
		r.quit()
		synctest.Wait()
		if got := context.Cause(r.ctx); got != errInterrupt {
			t.Errorf("the program's context: cause %v, want Ctrl+C's", got)
		}
		if lessonCtx.Err() == nil {
			t.Error("the lesson's context goes on")
		}
		if log := r.logged(); len(log) > 0 {
			t.Fatalf("exited at once: %q", log)
		}
		r.quit()
		synctest.Wait()
		if want := []string{"exit 130"}; !slices.Equal(r.logged(), want) {
			t.Errorf("after a second q: %q, want %q", r.logged(), want)
		}
	})
}
