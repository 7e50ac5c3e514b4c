// Package explain runs a learner's own asyncio program and explains what it
// did: asyncdemo explain.
//
// [Start] runs the program with CPython (3.11 or newer), unchanged, under
// the recorder the Python twins use too (_asyncrec.py, see package twin):
// every event loop the program makes is a RecordingLoop, which notes each
// task, each step of the loop and when it was ready, and a watchdog thread
// notes where a step that runs long is stuck. The recorder writes all of it
// on a file descriptor of its own, never on the program's stdout or stderr;
// what the program writes there reaches [Config.Output] line by line, with
// the time and the task that wrote it. [Session.Wait] returns the
// [Recording]: its tasks, steps and what the loops logged, which
// [Recording.Run] turns into a timing run (the timeline, the trace) and
// [Recording.Findings] into findings in plain words.
package explain

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// Program is a Python program to explain: a script, or a module run as
// python -m runs it.
type Program struct {
	Script string   // the script's path; "" with Module
	Module string   // the module to run, as python -m takes it
	Args   []string // the program's own arguments
}

// Name returns how the output names the program: the script's path as
// given, or "-m module".
func (p Program) Name() string {
	if p.Module != "" {
		return "-m " + p.Module
	}
	return p.Script
}

// DefaultSlow is how long a step must hold the loop to be a blocking
// finding when Config.Slow is 0.
const DefaultSlow = 50 * time.Millisecond

// Config says how to run a program.
type Config struct {
	// Python is the interpreter's path, 3.11 or newer: the caller finds it
	// (twin.Runner.Find), so that its errors read as --vs python's do.
	Python string
	// Slow is how long a step (a task's step, a callback) must hold the
	// loop to be reported as blocking; 0 means DefaultSlow.
	Slow time.Duration
	// Stdin is the program's stdin: the terminal, for a program that reads
	// it. nil means none (/dev/null).
	Stdin io.Reader
	// Output, if not nil, receives what the program writes, a line at a
	// time, as it writes it. It is called from one goroutine at a time.
	// Quiet, if not nil, is called (from the same goroutine) whenever the
	// program has written nothing more for the moment: the time to flush
	// what Output buffered.
	// What the program writes past sys.stdout and sys.stderr (a child
	// process, a C library) comes too, without a task, and may come a
	// moment out of order with the rest: it comes on a pipe of its own.
	Output func(Line)
	Quiet  func()
	// Dir is the program's working directory; "" means the current one.
	Dir string
	// Env is added to the program's environment ("KEY=VALUE" each).
	Env []string
	// Grace is how long the program has to end after ctx is done and it
	// was sent SIGTERM, before it is killed; 0 means 3 s.
	Grace time.Duration
	// VirtualTime runs the program on a clock of its own, as the twins'
	// --virtual-time does: time.sleep and the loops' waits move the clock
	// instead of sleeping, so that a test's output is exact. For tests,
	// and for the checks of exercises that only sleep.
	VirtualTime bool
	// Check records what asyncdemo check judges an exercise by (see
	// [Checks]), and audits the program: what it changes of asyncio,
	// time or its loop is reported in Checks.Tampered.
	Check bool
	// Limit, with VirtualTime and Check, stops the program once its clock
	// passes Limit (Checks.Limited); 0 means no limit.
	Limit time.Duration
	// Interrupt, with VirtualTime and Check, sends the program a real
	// SIGINT, as Ctrl+C at a terminal does, once its clock reaches
	// Interrupt (Checks.Interrupted); 0 means none.
	Interrupt time.Duration
	// OwnGroup runs the program in a process group of its own, so that a
	// Ctrl+C typed at the terminal is asyncdemo's alone (asyncdemo watch).
	OwnGroup bool
}

// Errors of Start, wrapped; test for them with errors.Is.
var (
	// ErrNoProgram means that the script does not exist or is no file.
	ErrNoProgram = errors.New("no such file")
)

// Session is a program running under the recorder.
type Session struct {
	cmd    *exec.Cmd
	events *os.File // the read end of the recorder's pipe
	read   chan struct{}
	start  time.Time // when the program started, on Go's clock

	mu    sync.Mutex
	rec   *Recording
	out   *assembler
	quiet func() // Config.Quiet
	marks []timing.Mark
	err   error // reading the events
}

// boot is the -c program that loads the recorder from its file (argv[1]),
// without putting its directory on sys.path, and runs the program under
// it.
const boot = `import importlib.util as u, sys
s = u.spec_from_file_location("_asyncrec", sys.argv[1]); m = u.module_from_spec(s)
sys.modules["_asyncrec"] = m; s.loader.exec_module(m); m.explain_main(sys.argv[2:])`

// checkBoot is boot for Config.Check: it runs the recorder only if what it
// reads is asyncdemo's own (argv[2] is its SHA-256), from what it read.
// Python runs it with -E, -P and -S: no PYTHONPATH, nothing of the current
// directory, and none of site's start-up (a .pth file's line of code, a
// sitecustomize or usercustomize module, which would run before the
// recorder and could change asyncio unseen). The boot puts the
// site-packages folders on sys.path itself, as site would without their
// .pth files. The SHA-256 is _sha2's (_sha256 before 3.12), not
// hashlib's, which loads OpenSSL: 9 ms of a check's 0.27 s of CPU.
const checkBoot = `import os, site, sys, types
try:
    from _sha2 import sha256
except ImportError:
    from _sha256 import sha256
p = sys.argv[1]; b = open(p, "rb").read()
if sha256(b).hexdigest() != sys.argv[2]: sys.exit("asyncdemo: " + p + " changed while it was read: check again")
dirs = site.getsitepackages()
if sys.prefix == sys.base_prefix:
    dirs.append(site.getusersitepackages())
else:
    try:
        with open(os.path.join(sys.prefix, "pyvenv.cfg")) as f:
            if any(l.replace(" ", "").lower().strip() == "include-system-site-packages=true" for l in f):
                dirs += site.getsitepackages([sys.base_prefix])
    except OSError:
        pass
sys.path += [d for d in dirs if os.path.isdir(d) and d not in sys.path]
m = types.ModuleType("_asyncrec"); m.__file__ = p; sys.modules["_asyncrec"] = m
exec(compile(b, p, "exec"), vars(m)); m.explain_main(sys.argv[3:])`

// Check returns an error wrapping ErrNoProgram if p is a script that is
// not there, or no file, in dir ("" for the current directory). (A module
// python -m cannot find is Python's to say.)
func (p Program) Check(dir string) error {
	if p.Module != "" {
		return nil
	}
	path := p.Script
	if dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", p.Script, ErrNoProgram)
	case info.IsDir():
		return fmt.Errorf("%s is a directory: %w", p.Script, ErrNoProgram)
	}
	return nil
}

// Start runs p as c says. When ctx is done the program is sent SIGTERM
// (Ctrl+C reaches it from the terminal, as it would without asyncdemo).
// The error wraps ErrNoProgram for a script that is not there.
func Start(ctx context.Context, p Program, c Config) (*Session, error) {
	if err := p.Check(c.Dir); err != nil {
		return nil, err
	}
	mode, target := "script", p.Script
	if p.Module != "" {
		mode, target = "module", p.Module
	}
	dir, err := twin.Dir()
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	slow := c.Slow
	if slow <= 0 {
		slow = DefaultSlow
	}
	var fl []string
	if c.VirtualTime {
		fl = append(fl, "v")
	}
	if c.Check {
		fl = append(fl, "x")
		if c.Limit > 0 {
			fl = append(fl, "limit="+strconv.FormatFloat(c.Limit.Seconds(), 'g', -1, 64))
		}
		if c.Interrupt > 0 {
			fl = append(fl, "sigint="+strconv.FormatFloat(c.Interrupt.Seconds(), 'g', -1, 64))
		}
	}
	flags := strings.Join(fl, ",")
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("explain: the recorder's pipe: %w", err)
	}
	args := []string{"-c", boot, filepath.Join(dir, twin.RecorderFile)}
	if c.Check {
		path, sum, err := twin.Recorder()
		if err != nil {
			r.Close()
			w.Close()
			return nil, fmt.Errorf("explain: %w", err)
		}
		args = []string{"-E", "-P", "-S", "-c", checkBoot, path, sum}
	}
	args = append(args, "3", strconv.FormatFloat(slow.Seconds(), 'g', -1, 64), flags, "--", mode, target)
	cmd := exec.CommandContext(ctx, c.Python, append(args, p.Args...)...)
	cmd.Dir = c.Dir
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.Stdin = c.Stdin
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	if c.OwnGroup {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	cmd.WaitDelay = c.Grace
	if cmd.WaitDelay <= 0 {
		cmd.WaitDelay = 3 * time.Second
	}
	wd := c.Dir
	if wd == "" {
		wd, _ = os.Getwd()
	}
	wd, _ = filepath.Abs(wd)
	s := &Session{cmd: cmd, events: r, read: make(chan struct{}),
		rec: &Recording{Program: p, Python: c.Python, Slow: slow, dir: wd, codes: map[int]code{}}}
	s.out = &assembler{emit: c.Output}
	s.quiet = c.Quiet
	cmd.Stdout = rawWriter{s, 1}
	cmd.Stderr = rawWriter{s, 2}
	s.start = time.Now()
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("explain: running %s: %w", c.Python, err)
	}
	w.Close() // the program has it; the pipe ends when the program does
	go s.readEvents()
	return s, nil
}

// Mark marks this moment on the timeline with label, such as "Ctrl+C".
func (s *Session) Mark(label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marks = append(s.marks, timing.Mark{T: time.Since(s.start), Label: label})
}

// Wait waits for the program to end and returns what it did. The
// program's exit code is Recording.Exit (128 + the signal's number if a
// signal ended it); the error is for what went wrong around it.
func (s *Session) Wait() (*Recording, error) {
	err := s.cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		s.events.Close()
		<-s.read
		return nil, fmt.Errorf("explain: %w", err)
	}
	// A child of the program that kept the recorder's pipe (a fork) must
	// not keep asyncdemo waiting.
	select {
	case <-s.read:
	case <-time.After(2 * time.Second):
		s.events.Close()
		<-s.read
	}
	elapsed := time.Since(s.start)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out.close()
	if s.quiet != nil {
		s.quiet()
	}
	rec := s.rec
	rec.Marks = append(rec.Marks, s.marks...) // the recorder's (a check's Ctrl+C) and the terminal's
	slices.SortStableFunc(rec.Marks, func(a, b timing.Mark) int { return cmp.Compare(a.T, b.T) })
	rec.Lines, rec.DroppedLines = s.out.kept()
	rec.Exit = exitCode(s.cmd.ProcessState)
	rec.finish(elapsed)
	if s.err != nil {
		return rec, fmt.Errorf("explain: reading the recorder's events: %w", s.err)
	}
	return rec, nil
}

// exitCode is how a shell reports ps's end: its exit status, or 128 plus
// the signal that ended it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// readEvents reads the recorder's pipe to its end.
func (s *Session) readEvents() {
	defer close(s.read)
	defer s.events.Close()
	err := readFrames(bufio.NewReaderSize(s.events, 1<<16), s)
	if err != nil && !errors.Is(err, os.ErrClosed) {
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
	}
}

// rawWriter takes what reaches the program's stdout or stderr file
// descriptors without passing through Python's sys.stdout: a C library's
// output, a child process's.
type rawWriter struct {
	s      *Session
	stream int
}

func (w rawWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.s.out.write(w.stream, time.Since(w.s.start), "", string(p))
	if w.s.quiet != nil {
		w.s.quiet()
	}
	return len(p), nil
}
