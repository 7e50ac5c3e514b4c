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
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"asyncdemo/demos/lesson"
	"asyncdemo/timing"

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
		Lang:           lesson.LangFromEnv(os.Getenv),
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
	case isInterrupt(ctx, err) || errors.Is(err, lesson.ErrInterrupted):
		fmt.Fprintln(io.Err, "asyncdemo: interrupted")
		return exitInterrupted
	case lesson.IsUsage(err):
		fmt.Fprintln(io.Err, "asyncdemo: "+timing.Printable(err.Error()))
		return exitUsage
	default:
		fmt.Fprintln(io.Err, "asyncdemo: "+timing.Printable(err.Error()))
		return exitFailure
	}
}

// interruptible returns a context cancelled by the first Ctrl+C (or
// SIGTERM). If the program has not ended grace after it, or on a second
// Ctrl+C, the process exits with code 130 at once: Ctrl+C always works, even
// when a lesson is stuck in a blocking call, which is one of the lessons.
//
// A lesson about Ctrl+C calls claim: the next Ctrl+C then cancels only the
// context claim returns, and the program goes on (the tour, to the next
// lesson); release gives Ctrl+C back to the program.
func interruptible(parent context.Context) (ctx context.Context, claim func() (context.Context, func()), stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	var mu sync.Mutex
	var claimed context.CancelCauseFunc
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sigs:
			case <-done:
				return
			}
			mu.Lock()
			lessonCancel := claimed
			claimed = nil
			mu.Unlock()
			if lessonCancel == nil {
				break
			}
			lessonCancel(errInterrupt) // the lesson's own Ctrl+C
		}
		cancel(errInterrupt)
		select {
		case <-sigs:
		case <-time.After(grace):
		case <-done:
			return
		}
		fmt.Fprintln(os.Stderr, "\nasyncdemo: interrupted")
		os.Exit(exitInterrupted)
	}()
	claim = func() (context.Context, func()) {
		lctx, lcancel := context.WithCancelCause(ctx)
		mu.Lock()
		claimed = lcancel
		mu.Unlock()
		return lctx, func() {
			mu.Lock()
			claimed = nil
			mu.Unlock()
			lcancel(nil)
		}
	}
	return ctx, claim, func() {
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
