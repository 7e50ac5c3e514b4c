package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"asyncdemo/demos/testenv"
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
			cmd := exec.Command(binary(t), args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			wait := startAndWaitFor(t, cmd, "Waiting")
			sent := time.Now()
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			err := wait()
			took := time.Since(sent)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want code 130; stderr: %s", err, stderr.String())
			}
			// The lesson has 150 ms to stop before the process exits anyway; a
			// wide bound (still under the 30 s of await's blocking call) keeps
			// this test honest on a loaded machine.
			if took > 5*time.Second {
				t.Errorf("took %v after SIGINT to exit, want well under a second", took)
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr %q does not say it was interrupted", stderr.String())
			}
		})
	}
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
