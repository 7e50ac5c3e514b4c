package exercise

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/explain"
)

// A Go exercise is built with the race detector (go build -race) and run
// on real time: the rules read what it printed and when, as it came, and
// what the race detector reported. (Go has no recorder of asyncdemo's: its
// timings are the program's lines' arrival, with generous bounds.) The
// learner's file is built in a folder of the check's own, beside a file of
// asyncdemo's whose init says on stderr when the program starts: times
// count from there, not from the process's start, which a loaded machine
// delays by tens of milliseconds.

// startMark is what startFile's init writes on stderr.
const startMark = "\x00asyncdemo: main starts"

// startFile is built with the learner's main.go.
const startFile = `package main

import "os"

func init() { os.Stderr.WriteString("\x00asyncdemo: main starts\n") }
`

// ErrNoGo means that the go command is not installed: Go exercises need it.
var ErrNoGo = errors.New("Go exercises need the go command (https://go.dev/dl/), which is not on PATH")

// RaceFree says that the race detector finds no data race: goroutines that
// share memory do it under a mutex, or over a channel.
type RaceFree struct{}

// Overlap bounds how many jobs run at once, by the program's own lines: a
// line starting with Start begins a job, one starting with Done ends one;
// at the most, at least Min and at most Max run at once (0: no bound).
type Overlap struct {
	Start, Done string
	Min, Max    int
}

func init() { checkGo = runGo }

// runGo builds e's file with the race detector and runs it.
func runGo(ctx context.Context, e *Exercise, c Config) (*Result, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return nil, ErrNoGo
	}
	start := time.Now()
	wall := c.Wall
	if wall <= 0 {
		wall = e.limit()
	}
	tmp, err := os.MkdirTemp("", "asyncdemo-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	src := e.Path(c.Dir)
	prog := filepath.Join(tmp, "prog")
	code, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, ErrNoFile)
	}
	main := filepath.Join(tmp, filepath.Base(src))
	if err := os.WriteFile(main, code, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "zz_asyncdemo_start.go"), []byte(startFile), 0o644); err != nil {
		return nil, err
	}
	if len(e.Modules) > 0 { // a module of the check's own, requiring them
		mod := "module asyncdemo-check\n\n" + goLine + goRequire
		if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte(mod), 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(tmp, "go.sum"), []byte(goSums), 0o644); err != nil {
			return nil, err
		}
	}
	run := &Run{Exercise: e, Lang: c.Lang, labels: Labels(c.Lang), Go: true}
	run.Source = code
	defer func() { run.Source = nil }()
	res := &Result{Exercise: e, Run: run}
	race, online := true, false
	noted := c.Notice == nil
	build := func() ([]byte, error) {
		if noted {
			return goBuild(ctx, goTool, main, prog, race, online)
		}
		return noteIfSlow(SlowBuild, func() {
			noted = true
			c.Notice(run.say("notice_build"))
		}, func() ([]byte, error) { return goBuild(ctx, goTool, main, prog, race, online) })
	}
	out, err := build()
	if err != nil && bytes.Contains(out, []byte("requires cgo")) { // no C compiler: check without the detector
		race = false
		out, err = build()
	}
	if err != nil && bytes.Contains(out, []byte("GOPROXY=off")) { // not in the module cache: download it
		online = true
		out, err = build()
		mod := strings.TrimSpace(strings.TrimPrefix(goRequire, "require "))                    // "golang.org/x/sync v0.25.0"
		if err != nil && bytes.Contains(out, []byte(strings.Replace(mod, " ", "@", 1)+": ")) { // could not fetch it
			res.Problem = run.say("problem_gomodules", mod, strings.Replace(mod, " ", "@", 1))
			res.Took = time.Since(start)
			return res, nil
		}
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if err != nil {
		for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
			line := explain.Line{Stream: 2, Text: l}
			run.Lines = append(run.Lines, line)
			if c.Output != nil {
				c.Output(line)
			}
		}
		res.Problem = run.say("problem_compile", filepath.Base(src))
		res.Took = time.Since(start)
		return res, nil
	}
	run.NoRace = !race

	rctx, cancel := context.WithTimeout(ctx, wall)
	defer cancel()
	cmd := exec.CommandContext(rctx, prog)
	cmd.Dir = filepath.Dir(src)
	// No second's sleep at exit (the race detector's default, for other
	// goroutines to finish their reports): the program's own time counts.
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	// Stopped for running too long, it says where each goroutine waits
	// (SIGQUIT's dump): a race-detector build finds no deadlock itself.
	cmd.Cancel = func() error {
		if rctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return cmd.Process.Signal(syscall.SIGQUIT)
		}
		return cmd.Process.Signal(syscall.SIGTERM)
	}
	cmd.WaitDelay = time.Second
	if c.OwnGroup {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("check: running %s: %w", e.File, err)
	}
	// main's start, as the program's stderr says it: until then, the
	// process's.
	var mu sync.Mutex
	started := began
	var stderr bytes.Buffer
	errDone := make(chan struct{})
	go func() {
		defer close(errDone)
		sc := bufio.NewScanner(errPipe)
		seen := false
		for sc.Scan() {
			if sc.Text() == startMark && !seen {
				mu.Lock()
				started = time.Now()
				mu.Unlock()
				seen = true
				continue
			}
			stderr.WriteString(sc.Text() + "\n")
		}
	}()
	since := func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return time.Since(started)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := explain.Line{T: since(), Stream: 1, Text: sc.Text()}
		run.Lines = append(run.Lines, line)
		if c.Output != nil {
			c.Output(line)
		}
	}
	<-errDone
	err = cmd.Wait()
	run.Elapsed = since()
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	exit := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit = ee.ExitCode()
	}
	run.Race = raceReport(stderr.String())
	timedOut := rctx.Err() != nil
	for _, l := range strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n") {
		if timedOut {
			break // the dump of the goroutines: the problem says where they waited
		}
		if l == "" || (run.Race != "" && !strings.HasPrefix(l, "panic") && !strings.HasPrefix(l, "fatal")) {
			continue // the race report is the RaceFree rule's to tell
		}
		line := explain.Line{T: run.Elapsed, Stream: 2, Text: l}
		run.Lines = append(run.Lines, line)
		if c.Output != nil {
			c.Output(line)
		}
	}
	switch {
	case timedOut:
		res.Problem = run.say("problem_wall", filepath.Base(src), short(wall))
		if waits := goroutineWaits(stderr.String(), filepath.Base(src)); len(waits) > 0 {
			var items []string
			for _, w := range waits {
				items = append(items, run.say("goroutine_wait", w.n, w.state, w.site))
			}
			res.Problem += " " + run.say("goroutines_waited", run.list(items))
		}
	case exit != 0 && !(exit == 66 && run.Race != ""): // 66: the race detector's own
		res.Problem = run.say("problem_exit", filepath.Base(src), exit, run.lastError())
	default:
		for _, rule := range e.Rules {
			res.Outcomes = append(res.Outcomes, Outcome{Want: rule.Want(run), Failed: rule.Check(run)})
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// goroutineWait is where some goroutines waited, from a SIGQUIT dump.
type goroutineWait struct {
	n           int
	state, site string // "chan receive", "main.go:20"
}

var goroutineHead = regexp.MustCompile(`^goroutine \d+ [^[]*\[([^\],]+)`)

// goroutineWaits reads a Go program's SIGQUIT dump: how many goroutines
// waited in each state at each line of file, in the dump's order.
func goroutineWaits(dump, file string) []goroutineWait {
	var waits []goroutineWait
	for _, block := range strings.Split(dump, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		m := goroutineHead.FindStringSubmatch(lines[0])
		if m == nil {
			continue
		}
		site := ""
		for _, l := range lines[1:] {
			if k := strings.Index(l, file+":"); k >= 0 {
				site, _, _ = strings.Cut(l[k:], " ")
				break
			}
		}
		if site == "" {
			continue // the runtime's own
		}
		i := slices.IndexFunc(waits, func(w goroutineWait) bool { return w.state == m[1] && w.site == site })
		if i < 0 {
			waits = append(waits, goroutineWait{state: m[1], site: site})
			i = len(waits) - 1
		}
		waits[i].n++
	}
	return waits
}

// goBuild builds src, with the start file beside it, into prog, with the
// race detector if race. The modules it imports come from the module
// cache, or, if online, from GOPROXY too.
// SlowBuild is how long a Go check's build may take before the check says
// that it is building (Config.Notice): a build from the cache takes less
// than a second, a first one with the race detector up to a minute.
const SlowBuild = 1500 * time.Millisecond

// noteIfSlow returns what f returns, calling note (in the caller's
// goroutine) if f has not returned after after.
func noteIfSlow(after time.Duration, note func(), f func() ([]byte, error)) ([]byte, error) {
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := f()
		done <- result{out, err}
	}()
	t := time.NewTimer(after)
	defer t.Stop()
	select {
	case r := <-done:
		return r.out, r.err
	case <-t.C:
		note()
	}
	r := <-done
	return r.out, r.err
}

func goBuild(ctx context.Context, goTool, src, prog string, race, online bool) ([]byte, error) {
	args := []string{"build", "-o", prog}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, goTool, append(args, filepath.Base(src), "zz_asyncdemo_start.go")...)
	cmd.Dir = filepath.Dir(src)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if _, err := os.Stat(filepath.Join(cmd.Dir, "go.mod")); err == nil {
		cmd.Env = append(cmd.Env, "GOFLAGS=-mod=mod")
	}
	if !online {
		cmd.Env = append(cmd.Env, "GOPROXY=off")
	}
	return cmd.CombinedOutput()
}

// raceReport returns what the race detector said, "" if nothing.
func raceReport(stderr string) string {
	i := strings.Index(stderr, "WARNING: DATA RACE")
	if i < 0 {
		return ""
	}
	return stderr[i:]
}

// raceSites returns the accesses of a race report's first race, each with
// the line of file it was at: "write at main.go:17".
func raceSites(report, file string) [][2]string {
	first, _, _ := strings.Cut(strings.TrimPrefix(report, "WARNING: DATA RACE"), "WARNING: DATA RACE")
	lines := strings.Split(first, "\n")
	var sites [][2]string
	for i, l := range lines {
		m := raceAccess.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		for _, f := range lines[i+1:] {
			if strings.TrimSpace(f) == "" {
				break
			}
			if k := strings.Index(f, file+":"); k >= 0 {
				site, _, _ := strings.Cut(f[k:], " ")
				sites = append(sites, [2]string{strings.ToLower(m[1]), site})
				break
			}
		}
	}
	return sites
}

var raceAccess = regexp.MustCompile(`^(Read|Write|Previous read|Previous write) at `)

// ── RaceFree ──

func (RaceFree) Want(r *Run) string {
	if r.NoRace {
		return r.say("want_racefree_off")
	}
	return r.say("want_racefree")
}

func (RaceFree) Check(r *Run) string {
	if r.Race == "" {
		return ""
	}
	n := strings.Count(r.Race, "WARNING: DATA RACE")
	var sites []string
	for _, s := range raceSites(r.Race, filepath.Base(r.Exercise.File)) {
		sites = append(sites, r.say("race_site", s[0], s[1]))
	}
	return r.say("race_found", n, r.list(sites))
}

// ── Overlap ──

func (o Overlap) Want(r *Run) string {
	switch {
	case o.Min > 0 && o.Min == o.Max:
		return r.say("want_overlap_exactly", o.Max)
	case o.Max > 0:
		return r.say("want_overlap_max", o.Max)
	}
	return r.say("want_overlap_min", o.Min)
}

func (o Overlap) Check(r *Run) string {
	now, most := 0, 0
	var at time.Duration
	started := 0
	for _, l := range r.Lines {
		switch {
		case l.Stream != 1:
		case strings.HasPrefix(l.Text, o.Start):
			now++
			started++
			if now > most {
				most, at = now, l.T
			}
		case strings.HasPrefix(l.Text, o.Done):
			now--
		}
	}
	switch {
	case started == 0:
		return r.say("overlap_none", o.Start)
	case o.Min > 0 && most < o.Min:
		return r.say("overlap_too_few", most, o.Min)
	case o.Max > 0 && most > o.Max:
		return r.say("overlap_too_many", secs(at), most, o.Max)
	}
	return ""
}

// InGoroutine says that the program starts Fn in goroutines: a go
// statement calls it, or a function literal it starts does. It reads the
// source: Go has no recorder of asyncdemo's to see the goroutines run, and
// this keeps a program that prints the right lines at the right times,
// doing nothing else, from passing.
type InGoroutine struct{ Fn string }

func (g InGoroutine) Want(r *Run) string { return r.say("want_ingoroutine", g.Fn) }

func (g InGoroutine) Check(r *Run) string {
	if r.Source == nil {
		return ""
	}
	file, err := parser.ParseFile(token.NewFileSet(), r.Exercise.File, r.Source, 0)
	if err != nil {
		return "" // it compiled: the compiler has read it
	}
	calls := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if id, ok := c.Fun.(*ast.Ident); ok && id.Name == g.Fn {
					found = true
				}
			}
			return !found
		})
		return found
	}
	ok := false
	ast.Inspect(file, func(n ast.Node) bool {
		if stmt, isGo := n.(*ast.GoStmt); isGo && calls(stmt.Call) {
			ok = true
		}
		return !ok
	})
	if ok {
		return ""
	}
	return r.say("ingoroutine_not", g.Fn)
}
