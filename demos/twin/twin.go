// Package twin holds the modern-Python twins of asyncdemo's lessons and runs
// them.
//
// Each lesson has a twin, py/<lesson>.py: the same program in Python 3.11+
// asyncio (asyncio.run, create_task, TaskGroup, to_thread, redis.asyncio,
// aiohttp), printing the same events as the lesson's aio style, with the same
// flags and the same --json schema, in style "python". The twins are
// embedded: [Source] gives one's text, for showing beside the Go code, and a
// [Runner] runs one with a Python interpreter found on the machine. [Events]
// reads a run's JSON Lines back, and [Compare] lines a Python run up against
// the Go run of the same lesson, for a test or a side-by-side display.
//
// The twins record their loops with py/_asyncrec.py, the one Python
// recorder asyncdemo has: asyncdemo explain runs a learner's program under
// it too ([Dir], [RecorderFile]).
package twin

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/asyncdemo/asyncdemo/timing"
)

//go:embed py/*.py
var files embed.FS

// plainFiles are the twins as a learner would write them: plain/<lesson>.py.
//
//go:embed plain/*.py
var plainFiles embed.FS

// PlainSource returns the twin of lesson as a learner would write it,
// plain/<lesson>.py: the same program without the recorder and the flags,
// which prints with print() and runs with python3 alone. It reports
// whether there is one.
func PlainSource(lesson string) (string, bool) {
	if lesson == "" || strings.ContainsAny(lesson, "/.\\") {
		return "", false
	}
	b, err := plainFiles.ReadFile("plain/" + lesson + ".py")
	if err != nil {
		return "", false
	}
	return string(b), true
}

// Source returns the Python source of lesson's twin, py/<lesson>.py, and
// whether there is one. The package knows no lesson by name: whatever it
// needs to know of one comes from the caller.
func Source(lesson string) (string, bool) {
	if lesson == "" || strings.HasPrefix(lesson, "_") || strings.ContainsAny(lesson, "/.\\") {
		return "", false
	}
	b, err := files.ReadFile("py/" + lesson + ".py")
	if err != nil {
		return "", false
	}
	return string(b), true
}

// Errors a Runner returns, wrapped; test for them with errors.Is.
var (
	// ErrNoPython means that no Python interpreter could be run.
	ErrNoPython = errors.New("no Python to run")
	// ErrOldPython means that the interpreter is older than 3.11, which the
	// twins need (TaskGroup, asyncio.timeout).
	ErrOldPython = errors.New("the python twins need Python 3.11 or newer")
	// ErrMissingModules means that the twin needs modules the interpreter
	// lacks (redis, aiohttp); the error's text says how to install them.
	ErrMissingModules = errors.New("missing Python modules")
)

// The twins' exit codes that mean something to a Runner.
const (
	exitMissingModules = 3
	exitOldPython      = 4
)

// Runner runs twins. Its zero value finds an interpreter itself.
type Runner struct {
	// Python is the interpreter to run (--python): a path, or a name
	// looked up on PATH. Empty means python3 on PATH, then
	// /usr/bin/python3, preferring one that is 3.11 or newer and has the
	// Modules.
	Python string
	// Modules are the Python modules the twin imports beyond the standard
	// library, such as "redis" and "aiohttp".
	Modules []string
	// Stderr, if not nil, receives the twin's stderr as it is written.
	Stderr io.Writer
	// Version, if set, is Python's version, found already (by Find): the
	// interpreter is then not asked again.
	Version string
	// Grace is how long a twin has to finish after ctx is done and it was
	// sent SIGINT (as Ctrl+C), before it is killed; 0 means 3 s.
	Grace time.Duration
}

// candidates are the interpreters tried, in order, when Runner.Python is "".
var candidates = []string{"python3", "/usr/bin/python3"}

// Interpreter returns the interpreter r would run a twin with. The error
// wraps ErrNoPython if there is none (or --python names no Python), and
// ErrOldPython if it is older than 3.11. If no suitable candidate has
// r.Modules, it returns the first suitable one with an error wrapping
// ErrMissingModules: [Runner.Run] runs the twin anyway then, and the twin
// says, in one line, what is missing.
func (r Runner) Interpreter(ctx context.Context) (string, error) {
	path, _, err := r.Find(ctx)
	return path, err
}

// Find is Interpreter that also returns the interpreter's version, such as
// "3.11.2" ("" with the path when it has no version it could tell).
func (r Runner) Find(ctx context.Context) (path, version string, err error) {
	if r.Python != "" {
		path, err := exec.LookPath(r.Python)
		if err != nil {
			why := "not found"
			if errors.Is(err, exec.ErrNotFound) && !strings.ContainsRune(r.Python, filepath.Separator) {
				why = "not found on PATH"
			} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, exec.ErrNotFound) {
				why = err.Error()
			}
			return "", "", fmt.Errorf("--python %s: %s: %w: give the path of a Python 3.11 or newer (Debian: apt-get install python3)", r.Python, why, ErrNoPython)
		}
		v := r.Version // known already: not asked again
		if v == "" {
			if v, err = Version(ctx, path); err != nil {
				return "", "", fmt.Errorf("--python %s: %v: %w: give the path of a Python 3.11 or newer (Debian: apt-get install python3)", r.Python, err, ErrNoPython)
			}
		}
		if !recentEnough(v) {
			return "", "", fmt.Errorf("--python %s is Python %s: %w", r.Python, v, ErrOldPython)
		}
		return path, v, nil
	}
	var found []string
	for _, name := range candidates {
		path, err := exec.LookPath(name)
		if err == nil && !slices.Contains(found, path) {
			found = append(found, path)
		}
	}
	if len(found) == 0 {
		return "", "", fmt.Errorf("%w: python3 is not on PATH: install it, 3.11 or newer (Debian: apt-get install python3), or pass --python PATH", ErrNoPython)
	}
	recent, recentVersion, oldest := "", "", ""
	for _, path := range found {
		v, exe, err := versionAndExecutable(ctx, path)
		if err != nil || !recentEnough(v) {
			if err == nil && oldest == "" {
				oldest = path + " is Python " + v
			}
			continue
		}
		if recent == "" {
			recent, recentVersion = path, v
			if exe != "" {
				recent = exe
			}
		}
		// The interpreter itself, not a launcher such as pyenv's shim,
		// which would add its own start-up to every run.
		if exe != "" {
			path = exe
		}
		if len(r.Modules) == 0 || probe(ctx, path, "import "+strings.Join(r.Modules, ", ")) == nil {
			return path, v, nil
		}
	}
	if recent == "" {
		if oldest == "" {
			return "", "", fmt.Errorf("%s: not a Python interpreter: %w: install python3, 3.11 or newer (Debian: apt-get install python3), or pass --python PATH", found[0], ErrNoPython)
		}
		return "", "", fmt.Errorf("%s: %w", oldest, ErrOldPython)
	}
	return recent, recentVersion, fmt.Errorf("%s lacks a module of %s: %w", recent, strings.Join(r.Modules, ", "), ErrMissingModules)
}

// Version returns the version of the Python at path, such as "3.11.2", or
// an error if path is no Python (any Python: 2.7 answers too).
func Version(ctx context.Context, path string) (string, error) {
	v, _, err := versionAndExecutable(ctx, path)
	return v, err
}

// versionAndExecutable is Version that also returns the interpreter's own
// path (sys.executable), which a launcher such as pyenv's shim execs; ""
// if it has none.
func versionAndExecutable(ctx context.Context, path string) (version, executable string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	// -S: without site's start-up, which neither answer needs (it is
	// most of Python's start-up when many packages are installed).
	out, err := exec.CommandContext(ctx, path, "-S", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable or '')").Output()
	v, exe, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if err != nil || !versionPattern.MatchString(v) {
		return "", "", errors.New("not a Python interpreter")
	}
	exe = strings.TrimSpace(exe)
	if exe != "" && !filepath.IsAbs(exe) {
		exe = ""
	}
	return v, exe, nil
}

var versionPattern = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

// recentEnough reports whether version v ("3.11.2") is 3.11 or newer.
func recentEnough(v string) bool {
	var major, minor int
	fmt.Sscanf(v, "%d.%d", &major, &minor)
	return major > 3 || (major == 3 && minor >= 11)
}

// probe runs code with the interpreter at path and reports how it went.
func probe(ctx context.Context, path, code string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, path, "-c", code).Run()
}

// FailedError is a twin that ran and exited with an error of its own:
// code 1 for a lesson that failed (thread --fail), one line on Stderr.
type FailedError struct {
	Lesson, Python string
	Code           int
	Stderr         string // the end of what it wrote there
}

func (e *FailedError) Error() string {
	return fmt.Sprintf("twin of %s (%s): exit status %d\n%s", e.Lesson, e.Python, e.Code, e.Stderr)
}

// Run runs the twin of lesson with args (the lesson's flags, as the Go
// lesson takes them) and copies its stdout to stdout as it is written. The
// embedded files are run from a directory of the user's cache (twinDir).
//
// When ctx is done the twin is sent SIGINT, as a person's Ctrl+C; Run then
// waits for it to end and returns an error wrapping ctx's, or, if it had to
// be killed after r.Grace, an error saying so that does not. A twin that
// fails returns an error wrapping ErrNoPython,
// ErrOldPython, ErrMissingModules (with the twin's one-line message), or
// else the interpreter's exit status with the end of its stderr.
func (r Runner) Run(ctx context.Context, lesson string, args []string, stdout io.Writer) error {
	if _, ok := Source(lesson); !ok {
		return fmt.Errorf("twin: no python twin for lesson %q", lesson)
	}
	python, err := r.Interpreter(ctx)
	if err != nil && !errors.Is(err, ErrMissingModules) {
		return err
	}
	dir, err := twinDir()
	if err != nil {
		return fmt.Errorf("twin of %s: %w", lesson, err)
	}

	// -u: unbuffered, so events arrive as they happen; -B: no .pyc files.
	cmd := exec.CommandContext(ctx, python, append([]string{"-u", "-B", filepath.Join(dir, lesson+".py")}, args...)...)
	cmd.Dir = dir
	cmd.Stdout = stdout
	tail := &tailWriter{max: 4 << 10}
	cmd.Stderr = tail
	if r.Stderr != nil {
		cmd.Stderr = io.MultiWriter(tail, r.Stderr)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = r.Grace
	if cmd.WaitDelay <= 0 {
		cmd.WaitDelay = 3 * time.Second
	}
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil && killed(cmd):
		return fmt.Errorf("twin of %s: still running %v after SIGINT, killed\n%s", lesson, cmd.WaitDelay, tail.String())
	case ctx.Err() != nil:
		return fmt.Errorf("twin of %s: stopped: %w", lesson, ctx.Err())
	case errors.As(err, &exit) && exit.ExitCode() == exitMissingModules:
		return fmt.Errorf("%w: %s", ErrMissingModules, tail.firstLine())
	case errors.As(err, &exit) && exit.ExitCode() == exitOldPython:
		return fmt.Errorf("%s: %w", python, ErrOldPython)
	case errors.As(err, &exit):
		return &FailedError{Lesson: lesson, Python: python, Code: exit.ExitCode(), Stderr: tail.String()}
	}
	return fmt.Errorf("twin of %s: %v: %w", lesson, err, ErrNoPython)
}

// killed reports whether cmd's process ended by SIGKILL.
func killed(cmd *exec.Cmd) bool {
	if cmd.ProcessState == nil { // it never started
		return false
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// RecorderFile is the name, in [Dir], of the Python recorder the twins and
// asyncdemo explain share: a RecordingLoop that notes what each task does,
// and the Explainer that runs a program under it.
const RecorderFile = "_asyncrec.py"

// Dir returns the directory holding the embedded Python files (the twins,
// _asyncdemo.py and [RecorderFile]), written once into the user's cache.
func Dir() (string, error) {
	dir, err := twinDir()
	if err != nil {
		return "", fmt.Errorf("writing the python files: %w", err)
	}
	return dir, nil
}

// Recorder returns the path of [RecorderFile] in [Dir], written again
// first if it is not the embedded one (someone edited the cache), and the
// SHA-256 of the embedded recorder in hex, for a program that loads it to
// verify what it read: asyncdemo check judges by what the recorder says,
// which must be asyncdemo's own.
func Recorder() (path, sum string, err error) {
	dir, err := Dir()
	if err != nil {
		return "", "", err
	}
	want, err := files.ReadFile("py/" + RecorderFile)
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, RecorderFile)
	if have, err := os.ReadFile(path); err != nil || !bytes.Equal(have, want) {
		tmp, err := os.CreateTemp(dir, ".rec-*.py")
		if err != nil {
			return "", "", fmt.Errorf("writing the recorder: %w", err)
		}
		_, err = tmp.Write(want)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(tmp.Name(), 0o644)
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			os.Remove(tmp.Name())
			return "", "", fmt.Errorf("writing the recorder: %w", err)
		}
	}
	return path, fmt.Sprintf("%x", sha256.Sum256(want)), nil
}

// twinDir returns a directory holding the embedded Python files: one per
// version of them, named by their hash, in the user's cache directory
// (else the system's temporary one), written once and kept. (A directory
// removed after each run would be left behind whenever Ctrl+C ends
// asyncdemo before its twin has finished.)
func twinDir() (string, error) {
	entries, err := fs.ReadDir(files, "py")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, e := range entries {
		b, err := files.ReadFile("py/" + e.Name())
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(b))
		h.Write(b)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "asyncdemo", fmt.Sprintf("twins-%x", h.Sum(nil)[:8]))
	if _, err := os.Stat(filepath.Join(dir, "_asyncdemo.py")); err == nil {
		return dir, nil
	}
	// Write them beside it, then move them into place in one step, so that
	// two asyncdemos starting at once never run half-written files.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "twins-tmp-")
	if err != nil {
		return "", err
	}
	if err := writeFiles(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, "_asyncdemo.py")); serr == nil {
			return dir, nil // another one got there first
		}
		return "", err
	}
	return dir, nil
}

// writeFiles writes every embedded Python file into dir.
func writeFiles(dir string) error {
	entries, err := fs.ReadDir(files, "py")
	if err != nil {
		return err
	}
	for _, e := range entries {
		b, err := files.ReadFile("py/" + e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	max int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string { return strings.TrimSpace(string(w.buf)) }

func (w *tailWriter) firstLine() string {
	line, _, _ := strings.Cut(w.String(), "\n")
	return line
}

// Events reads JSON Lines written with --json, by a twin or by asyncdemo,
// and returns the events in order. Blank lines are skipped; any other line
// that is not an event is an error naming its line number.
func Events(r io.Reader) ([]timing.Event, error) {
	var evs []timing.Event
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e timing.Event
		if err := json.Unmarshal(line, &e); err != nil {
			return evs, fmt.Errorf("twin: line %d: %w", n, err)
		}
		if e.Kind == "" {
			return evs, fmt.Errorf("twin: line %d: no kind: %q", n, line)
		}
		evs = append(evs, e)
	}
	if err := sc.Err(); err != nil {
		return evs, fmt.Errorf("twin: reading events: %w", err)
	}
	return evs, nil
}
