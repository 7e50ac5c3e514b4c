// Command asyncdemo turns the programs of a classic asyncio tutorial into
// lessons you run: each shows what happened when, and times concurrency
// against the sequential run. Run it with no arguments for the lessons.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/muesli/termenv"
	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"

	"golang.org/x/term"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, what shells report for Ctrl+C
	exitTerminated  = 143 // 128 + SIGTERM, what shells report for kill
)

// grace is how long a lesson has to stop after Ctrl+C or SIGTERM before the
// process exits anyway; a second signal exits at once. A lesson stops in
// milliseconds; a queue consumer then acknowledges what finished and puts
// back the rest, a few Redis calls that a loaded machine can stretch past
// 150 ms. A second is enough for those, and still prompt when a lesson is
// stuck in a blocking call (await --blocking).
const grace = time.Second

func main() {
	redis.SetLogger(quietLogger{}) // its own retries are not the user's business: errors are returned
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	sigs := watchSignals(context.Background(), sigc, os.Stderr, os.Exit)
	io := &IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		IsTerminal:     term.IsTerminal(int(os.Stdout.Fd())),
		NoColorEnv:     os.Getenv("NO_COLOR") != "",
		Term:           os.Getenv("TERM"),
		Lang:           lesson.LangFromEnv(os.Getenv),
		Theme:          os.Getenv(themeEnv),
		ClaimInterrupt: sigs.claim,
		SelfInterrupt:  sigs.selfInterrupt,
		Quit:           sigs.quit,
		AtForcedExit:   sigs.atForcedExit,
	}
	if io.IsTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			io.Width = w
		}
		out := termenv.NewOutput(os.Stdout)
		io.Profile = colorProfile(out.ColorProfile(), io.Term)
		io.DarkBackground = out.HasDarkBackground
	}
	os.Exit(execute(sigs.ctx, io, os.Args[1:]))
}

// execute runs the command line args and returns the exit code. A program
// told to stop by a signal exits with the signal's code, however the
// command ended: cancel, whose lesson is Ctrl+C, ends well after SIGTERM
// too, but it was still terminated.
func execute(ctx context.Context, io *IOStreams, args []string) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var stop *stopSignal
	var exit interface{ ExitCode() int }
	switch {
	case errors.As(context.Cause(ctx), &stop):
		fmt.Fprintln(io.Err, "asyncdemo: "+stop.msg)
		return stop.code
	case err == nil:
		return exitOK
	case errors.As(err, &exit): // a program's own exit code (explain): it has said what it had to
		return exit.ExitCode()
	case errors.Is(err, lesson.ErrInterrupted): // Ctrl+C read as a key, at a tour prompt in raw mode
		fmt.Fprintln(io.Err, "asyncdemo: "+errInterrupt.msg)
		return exitInterrupted
	case lesson.IsUsage(err):
		fmt.Fprintln(io.Err, "asyncdemo: "+timing.Printable(err.Error()))
		return exitUsage
	default:
		fmt.Fprintln(io.Err, "asyncdemo: "+timing.Printable(err.Error()))
		return exitFailure
	}
}

// stopSignal is why the program was told to stop, the cause of its
// context: the signal's message and exit code.
type stopSignal struct {
	msg  string // what the program says as it ends
	code int    // 128 + the signal's number
}

func (s *stopSignal) Error() string { return s.msg }

var (
	// errInterrupt is Ctrl+C (SIGINT): stop, unless the lesson running is
	// about Ctrl+C.
	errInterrupt = &stopSignal{"interrupted", exitInterrupted}
	// errTerminate is SIGTERM (kill, a service manager, a closing
	// session): the program must end, whatever the lesson.
	errTerminate = &stopSignal{"terminated", exitTerminated}
)

// signals turns Ctrl+C (SIGINT) and SIGTERM into the end of the program.
// The first cancels its context, with errInterrupt or errTerminate as the
// cause, and every command ends through its own cleanup. If the program
// has not ended grace after that, or on a second signal, the process exits
// at once: a signal always works, even when a lesson is stuck in a blocking
// call, which is one of the lessons. Before it does, it runs the cleanups
// registered with atForcedExit (restore the terminal, save the tour's
// progress), last first.
//
// A lesson about Ctrl+C calls claim: the next Ctrl+C then cancels only the
// context claim returns, and the program goes on (the tour, to the next
// lesson). SIGTERM is never claimed: it ends the lesson and the program.
//
// A lesson may send the program a real SIGINT itself (selfInterrupt,
// cancel --interrupt). The kernel delivers it a little later, however
// short the lesson: it is counted until it arrives, and the claim's
// release waits for it, so that it lands while the claim still holds and
// never stops the program after the lesson has ended.
type signals struct {
	ctx    context.Context // cancelled by the first signal not claimed
	cancel context.CancelCauseFunc
	errOut io.Writer      // where the forced exit says why
	exit   func(code int) // os.Exit; tests pass their own
	kill   func() error   // sends this process a SIGINT; tests pass their own
	quitc  chan struct{}  // q typed during a lesson: Ctrl+C that no lesson claims

	mu       sync.Mutex
	claimed  context.CancelCauseFunc // the lesson's own Ctrl+C, until it comes
	sent     []chan struct{}         // the SIGINTs sent by selfInterrupt, not yet arrived; each closed as one does
	cleanups []*func()               // run by a forced exit, last first
}

// watchSignals starts watching sigs, as signal.Notify fills it, and
// returns the signals' state; its context is parent's child. Closing sigs
// stops the watch (tests do; the program ends instead).
func watchSignals(parent context.Context, sigs <-chan os.Signal, errOut io.Writer, exit func(int)) *signals {
	ctx, cancel := context.WithCancelCause(parent)
	s := &signals{ctx: ctx, cancel: cancel, errOut: errOut, exit: exit, quitc: make(chan struct{}, 1),
		kill: func() error { return syscall.Kill(os.Getpid(), syscall.SIGINT) }}
	go s.watch(sigs)
	return s
}

// watch waits for the signal that stops the program, then for the
// program to end: if it has not ended within grace, or on a second signal,
// it runs the cleanups and exits.
func (s *signals) watch(sigs <-chan os.Signal) {
	var cause *stopSignal
	for cause == nil {
		var sig os.Signal
		var ok bool
		select {
		case sig, ok = <-sigs:
		case <-s.quitc:
			cause = errInterrupt // q: the program stops, whatever the lesson
			continue
		}
		if !ok {
			return
		}
		cause = causeOf(sig)
		if cause == errInterrupt {
			own := s.arrived()
			s.mu.Lock()
			lessonCancel := s.claimed
			s.claimed = nil
			s.mu.Unlock()
			if lessonCancel != nil {
				lessonCancel(errInterrupt) // the lesson's own Ctrl+C
				cause = nil
			} else if own {
				cause = nil // sent by a lesson that stopped otherwise (SIGTERM, say): not the user's
			}
		}
	}
	s.cancel(cause)
	timeout := time.After(grace)
	for second := false; !second; {
		select {
		case sig, ok := <-sigs:
			if !ok {
				return
			}
			switch {
			case causeOf(sig) == errTerminate:
				cause = errTerminate // SIGTERM after Ctrl+C: the program was terminated
			case s.arrived():
				continue // the lesson's own, not a second Ctrl+C
			}
			second = true
		case <-s.quitc: // q again
			second = true
		case <-timeout:
			second = true
		}
	}
	s.mu.Lock()
	cleanups := slices.Clone(s.cleanups)
	s.mu.Unlock()
	for _, f := range slices.Backward(cleanups) {
		(*f)()
	}
	fmt.Fprintln(s.errOut, "\nasyncdemo: "+cause.msg)
	s.exit(cause.code)
}

// causeOf is the cause a signal cancels the program's context with.
func causeOf(sig os.Signal) *stopSignal {
	if sig == syscall.SIGTERM {
		return errTerminate
	}
	return errInterrupt
}

// claim gives the next Ctrl+C to the lesson that calls it: it returns the
// context that Ctrl+C cancels, and a function that gives Ctrl+C back. That
// function first waits for the SIGINTs the lesson sent itself to arrive
// (unless the program is stopping): they are the lesson's, and must not
// outlive it.
func (s *signals) claim() (context.Context, func()) {
	lctx, lcancel := context.WithCancelCause(s.ctx)
	s.mu.Lock()
	s.claimed = lcancel
	s.mu.Unlock()
	return lctx, func() {
		s.mu.Lock()
		sent := slices.Clone(s.sent)
		s.mu.Unlock()
		for _, arrived := range sent {
			select {
			case <-arrived:
			case <-s.ctx.Done(): // a signal lost in a full channel must not hold the program
			}
		}
		s.mu.Lock()
		s.claimed = nil
		s.mu.Unlock()
		lcancel(nil)
	}
}

// quit stops the program as a Ctrl+C that no lesson claims: q, typed
// while a lesson runs.
func (s *signals) quit() {
	select {
	case s.quitc <- struct{}{}:
	default: // one is on its way
	}
}

// selfInterrupt sends this process a real SIGINT, the signal Ctrl+C sends,
// and counts it until it arrives.
func (s *signals) selfInterrupt() {
	arrived := make(chan struct{})
	s.mu.Lock()
	s.sent = append(s.sent, arrived)
	s.mu.Unlock()
	if err := s.kill(); err != nil {
		s.arrived() // never sent: nothing to wait for
	}
}

// arrived takes a SIGINT that has arrived as the oldest one selfInterrupt
// sent, if one is on its way, and reports whether there was one.
func (s *signals) arrived() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sent) == 0 {
		return false
	}
	close(s.sent[0])
	s.sent = s.sent[1:]
	return true
}

// atForcedExit registers f to run before a forced exit; remove unregisters
// it. The ordinary way out runs its cleanups itself, deferred.
func (s *signals) atForcedExit(f func()) (remove func()) {
	p := &f
	s.mu.Lock()
	s.cleanups = append(s.cleanups, p)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.cleanups = slices.DeleteFunc(s.cleanups, func(q *func()) bool { return q == p })
		s.mu.Unlock()
	}
}

// quietLogger drops go-redis's log lines.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}
