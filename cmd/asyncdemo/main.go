// Command asyncdemo turns the programs of a classic asyncio tutorial into
// lessons you run: each shows what happened when, and times concurrency
// against the sequential run. Run it with no arguments for the lessons.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"asyncdemo/demos"
	"golang.org/x/term"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, what shells report for Ctrl+C
)

// grace is how long a lesson has to stop after Ctrl+C before the process
// exits anyway; a second Ctrl+C exits at once.
const grace = 150 * time.Millisecond

func main() {
	redis.SetLogger(quietLogger{}) // its own retries are not the user's business: errors are returned
	ctx, claim, stop := interruptible(context.Background())
	defer stop()
	io := &IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		IsTerminal:     term.IsTerminal(int(os.Stdout.Fd())),
		NoColorEnv:     os.Getenv("NO_COLOR") != "",
		Term:           os.Getenv("TERM"),
		Lang:           demos.LangFromEnv(os.Getenv),
		ClaimInterrupt: claim,
		SelfInterrupt:  func() { syscall.Kill(os.Getpid(), syscall.SIGINT) },
	}
	if io.IsTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			io.Width = w
		}
	}
	os.Exit(execute(ctx, io, os.Args[1:]))
}

// execute runs the command line args and returns the exit code.
func execute(ctx context.Context, io *IOStreams, args []string) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case isInterrupt(ctx, err):
		fmt.Fprintln(io.Err, "asyncdemo: interrupted")
		return exitInterrupted
	case isUsage(err):
		fmt.Fprintln(io.Err, "asyncdemo: "+err.Error())
		return exitUsage
	default:
		fmt.Fprintln(io.Err, "asyncdemo: "+err.Error())
		return exitFailure
	}
}

// interruptible returns a context cancelled by the first Ctrl+C (or
// SIGTERM). If the program has not ended grace after it, or on a second
// Ctrl+C, the process exits with code 130 at once: Ctrl+C always works, even
// when a lesson is stuck in a blocking call, which is one of the lessons.
// A lesson about Ctrl+C calls claim: then only a second Ctrl+C exits early.
func interruptible(parent context.Context) (ctx context.Context, claim, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	var claimed atomic.Bool
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		cancel(errInterrupt)
		var deadline <-chan time.Time
		if !claimed.Load() {
			deadline = time.After(grace)
		}
		select {
		case <-sigs:
		case <-deadline:
		case <-done:
			return
		}
		fmt.Fprintln(os.Stderr, "\nasyncdemo: interrupted")
		os.Exit(exitInterrupted)
	}()
	return ctx, func() { claimed.Store(true) }, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// quietLogger drops go-redis's log lines.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

var errInterrupt = errors.New("interrupted by the user")

func isInterrupt(ctx context.Context, err error) bool {
	return errors.Is(context.Cause(ctx), errInterrupt)
}
