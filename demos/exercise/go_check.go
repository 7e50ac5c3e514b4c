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
	"math/rand/v2"
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

// An exercise with Interrupt has its main wrapped: the learner's func main
// is renamed (renameMain) and called by the main of mainFile, which says on
// stdout when it returned (returnMark: the learner's lines and the mark
// come down one pipe, in the order written) and, if goroutines with a frame
// in the learner's file are still there a second later, writes their
// stacks on stderr after leftMark. A second lets a goroutine that was
// ending as main returned end: only one that is still at work counts.
const (
	returnMark = "\x00asyncdemo: main returned"
	leftMark   = "\x00asyncdemo: goroutines left"
)

// mainFile is built with the learner's renamed main (its name, %[1]s);
// %[2]q is the end of the learner's file's path (its folder, the check's
// own, and its name), as a stack trace writes it, with a colon; %[3]q and
// %[4]q are returnMark and leftMark, each with a newline.
const mainFile = `package main

import (
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	%[1]s()
	os.Stdout.WriteString(%[3]q)
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(time.Second); ; time.Sleep(5 * time.Millisecond) {
		stacks := buf[:runtime.Stack(buf, true)]
		if !strings.Contains(string(stacks), %[2]q) {
			return
		}
		if time.Now().After(deadline) {
			os.Stderr.WriteString(%[4]q)
			os.Stderr.Write(stacks)
			return
		}
	}
}
`

// renameMain returns src with its func main renamed, and the new name: a
// name of four letters that src does not hold, so that the compiler's
// line and column of everything stay as they were. ok is false if src has
// no func main() to rename (it does not parse, or main has parameters):
// then it is built as it is, and the compiler says what is wrong.
func renameMain(src []byte) (renamed []byte, name string, ok bool) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil || file.Name.Name != "main" {
		return nil, "", false
	}
	for _, name := range []string{"mAin", "maIn", "maiN", "MAIN", "mAIN"} {
		if bytes.Contains(src, []byte(name)) {
			continue
		}
		for _, d := range file.Decls {
			fd, isFunc := d.(*ast.FuncDecl)
			if !isFunc || fd.Recv != nil || fd.Name.Name != "main" || fd.Type.TypeParams != nil ||
				fd.Type.Params.NumFields() > 0 || fd.Type.Results.NumFields() > 0 {
				continue
			}
			at := fset.Position(fd.Name.Pos()).Offset
			renamed = slices.Clone(src)
			copy(renamed[at:], name)
			return renamed, name, true
		}
		return nil, "", false
	}
	return nil, "", false
}

// ctrlCRun is what a check saw of a Go program it pressed Ctrl+C on.
type ctrlCRun struct {
	wrapped  bool          // its main was wrapped: returned, after and left are known
	planned  time.Duration // when the check was to send SIGINT, from main's start
	sent     time.Duration // when it did; 0: not sent
	returned time.Duration // when main returned; 0: it did not (os.Exit, a signal)
	after    []explain.Line
	left     []goroutineWait // its goroutines still running a second after main returned
}

// killedBy reports whether the process of err (cmd.Wait's) was killed by
// sig: it had no handler for it.
func killedBy(err error, sig syscall.Signal) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

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

// runGo builds e's file with the race detector and runs it. An exercise
// with Interrupt whose run passes is run again, silently, with Ctrl+C
// InterruptAgain later: a program that prints its clean-up on a timer,
// not when Ctrl+C comes, passes one of the two runs at most.
func runGo(ctx context.Context, e *Exercise, c Config) (*Result, error) {
	tmp, err := os.MkdirTemp("", "asyncdemo-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	b := &goBuilt{dir: tmp}
	res, err := runGoOnce(ctx, e, c, b, 0)
	if err != nil || e.Interrupt == 0 || !res.Passed() {
		return res, err
	}
	c.Output = nil
	again, err := runGoOnce(ctx, e, c, b, InterruptAgain)
	if err != nil {
		return nil, err
	}
	res.Took += again.Took
	if again.Passed() {
		return res, nil
	}
	again.Took = res.Took
	note := again.Run.say("ctrlc_again", secs(again.Run.ctrlC.planned))
	if again.Problem != "" {
		again.Problem = note + " " + again.Problem
	}
	for i, o := range again.Outcomes {
		if o.Failed != "" {
			again.Outcomes[i].Failed = note + " " + o.Failed
		}
	}
	return again, nil
}

// InterruptAgain is how much later a Go check's second run presses Ctrl+C
// than its first: more than the first's window and a second to clean up
// in, so that no moment of the program's own choosing falls within a
// second after both.
const InterruptAgain = InterruptJitter + 1100*time.Millisecond

// goBuilt is a folder of a check's own where runGoOnce builds the
// learner's file; built says it has, race whether with the detector.
type goBuilt struct {
	dir         string
	built, race bool
}

// runGoOnce builds e's file into b, unless it is built, and runs it once,
// pressing Ctrl+C (for an exercise with Interrupt) later than it would.
func runGoOnce(ctx context.Context, e *Exercise, c Config, b *goBuilt, later time.Duration) (*Result, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return nil, ErrNoGo
	}
	start := time.Now()
	wall := c.Wall
	if wall <= 0 {
		wall = e.limit()
	}
	tmp := b.dir
	src := e.Path(c.Dir)
	prog := filepath.Join(tmp, "prog")
	code, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, ErrNoFile)
	}
	main := filepath.Join(tmp, filepath.Base(src))
	extra := []string{"zz_asyncdemo_start.go"}
	built := code
	// An exercise that presses Ctrl+C also sees main return: its main,
	// renamed, is called by one of the check's own (mainFile).
	wrapped := false
	if e.Interrupt > 0 {
		if renamed, name, ok := renameMain(code); ok {
			built, wrapped = renamed, true
			extra = append(extra, "zz_asyncdemo_main.go")
			if err := os.WriteFile(filepath.Join(tmp, extra[1]), []byte(fmt.Sprintf(mainFile, name, filepath.Base(tmp)+"/"+filepath.Base(src)+":", returnMark+"\n", leftMark+"\n")), 0o644); err != nil {
				return nil, err
			}
		}
	}
	if err := os.WriteFile(main, built, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, extra[0]), []byte(startFile), 0o644); err != nil {
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
	race, online := b.race, false
	noted := c.Notice == nil
	build := func() ([]byte, error) {
		if noted {
			return goBuild(ctx, goTool, main, prog, race, online, extra)
		}
		return noteIfSlow(SlowBuild, func() {
			noted = true
			c.Notice(run.say("notice_build"))
		}, func() ([]byte, error) { return goBuild(ctx, goTool, main, prog, race, online, extra) })
	}
	var out []byte
	if !b.built {
		race = true
		out, err = build()
	}
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
	b.built, b.race = true, race

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
	errDone, mainStarts, exited := make(chan struct{}), make(chan struct{}), make(chan struct{})
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
				close(mainStarts)
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
	// Ctrl+C: a SIGINT to the program's process alone, at a moment it
	// cannot know ahead (Exercise.Interrupt, from main's start).
	var sent, wait time.Duration // when it was sent (0: not), and when it was to be
	pressed := make(chan struct{})
	if e.Interrupt > 0 {
		wait = later + e.Interrupt + InterruptAfter + time.Duration(rand.Int64N(int64(InterruptJitter/time.Millisecond)))*time.Millisecond
		go func() {
			defer close(pressed)
			select {
			case <-mainStarts:
			case <-exited:
				return
			}
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-exited:
				return
			}
			at := since()
			if cmd.Process.Signal(os.Interrupt) == nil {
				mu.Lock()
				sent = at
				mu.Unlock()
			}
		}()
	} else {
		close(pressed)
	}
	var returned time.Duration // when main returned, as its wrapper said; 0: not
	after := -1                // the index in run.Lines of the first line printed after
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		text := sc.Text()
		before, isMark := strings.CutSuffix(text, returnMark)
		if isMark && wrapped && returned == 0 {
			returned = since()
			if before == "" {
				after = len(run.Lines)
				continue
			}
			text, after = before, len(run.Lines)+1 // a line main left open
		}
		line := explain.Line{T: since(), Stream: 1, Text: text}
		run.Lines = append(run.Lines, line)
		if c.Output != nil {
			c.Output(line)
		}
	}
	<-errDone
	err = cmd.Wait()
	run.Elapsed = since()
	close(exited)
	<-pressed
	if e.Interrupt > 0 {
		mu.Lock()
		run.ctrlC = ctrlCRun{wrapped: wrapped, planned: wait, sent: sent, returned: returned}
		mu.Unlock()
		if sent > 0 {
			run.shift = sent - e.Interrupt
		}
		if after >= 0 {
			run.ctrlC.after = slices.Clone(run.Lines[after:])
		}
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	exit := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit = ee.ExitCode()
	}
	errText := stderr.String()
	if i := strings.Index(errText, leftMark+"\n"); i >= 0 && wrapped { // the wrapper's goroutines left
		run.ctrlC.left = goroutineWaits(errText[i+len(leftMark)+1:], filepath.Base(src))
		errText = errText[:i]
	}
	run.Race = raceReport(errText)
	timedOut := rctx.Err() != nil
	for _, l := range strings.Split(strings.TrimRight(errText, "\n"), "\n") {
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
	case run.ctrlC.sent > 0 && killedBy(err, syscall.SIGINT):
		res.Problem = run.say("problem_ctrlc_killed", filepath.Base(src), secs(run.ctrlC.sent))
	case run.ctrlC.sent > 0 && exit == 130:
		res.Problem = run.say("problem_ctrlc_exit", filepath.Base(src), exit, secs(run.ctrlC.sent))
	case exit != 0 && !(exit == 66 && run.Race != ""): // 66: the race detector's own
		res.Problem = run.say("problem_exit", filepath.Base(src), exit, run.lastError())
	case e.Interrupt > 0 && (run.ctrlC.sent == 0 || run.ctrlC.returned > 0 && run.ctrlC.returned < run.ctrlC.sent):
		end := run.Elapsed
		if run.ctrlC.returned > 0 {
			end = run.ctrlC.returned
		}
		res.Problem = run.say("problem_ctrlc_early", filepath.Base(src), secs(end), short(later+e.Interrupt+InterruptAfter))
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
			if k := strings.Index(l, "/"+file+":"); k >= 0 { // not zz_asyncdemo_main.go's
				site, _, _ = strings.Cut(l[k+1:], " ")
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

// goBuild builds src, with files of the check's beside it, into prog, with the
// race detector if race. The modules it imports come from the module
// cache, or, if online, from GOPROXY too.
func goBuild(ctx context.Context, goTool, src, prog string, race, online bool, files []string) ([]byte, error) {
	args := []string{"build", "-o", prog}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, goTool, append(append(args, filepath.Base(src)), files...)...)
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

// AfterCtrlC says what a Go program does when the check presses Ctrl+C
// (Exercise.Interrupt): each of Lines (its goroutines' clean-up, in any
// order) comes after the SIGINT and within Within of it, then Last (main's
// line once they are done); no line starting with Stop (work that Ctrl+C
// should have stopped) comes after it. A line printed before Ctrl+C came
// breaks it: the clean-up is what Ctrl+C starts. (A program that catches
// SIGINT, ignores it and prints the lines on a timer set just after the
// moments Ctrl+C may come passes one run: runGo runs it again, with Ctrl+C
// later.)
type AfterCtrlC struct {
	Lines  []string
	Last   string
	Stop   string
	Within time.Duration
}

// MainReturns says that a Go program's main returns (no os.Exit, no
// signal ends it) once every goroutine it started has ended: nothing is
// printed after main returned, and no goroutine with a frame in the
// learner's file is still running a second later.
type MainReturns struct{}

// ── AfterCtrlC ──

func (a AfterCtrlC) Want(r *Run) string {
	quoted := make([]string, len(a.Lines))
	for i, l := range a.Lines {
		quoted[i] = "“" + l + "”"
	}
	at := r.say("ctrlc_unsent")
	if r.ctrlC.sent > 0 {
		at = secs(r.ctrlC.sent)
	}
	return r.say("want_afterctrlc", at, short(a.Within), r.list(quoted), a.Last, a.Stop)
}

func (a AfterCtrlC) Check(r *Run) string {
	sent := r.ctrlC.sent
	if sent == 0 {
		return "" // the problem says so
	}
	var out []explain.Line
	for _, l := range r.Lines {
		if l.Stream == 1 {
			out = append(out, l)
		}
	}
	last := -1 // the index in out of the last clean-up line
	for _, want := range append(slices.Clone(a.Lines), a.Last) {
		i := slices.IndexFunc(out, func(l explain.Line) bool { return strings.TrimRight(l.Text, " ") == want })
		if i < 0 {
			return r.say("afterctrlc_missing", want, r.printed(out, want))
		}
		l := out[i]
		switch {
		case l.T < sent:
			return r.say("afterctrlc_before", want, secs(l.T), secs(sent))
		case l.T-sent > a.Within:
			return r.say("afterctrlc_late", want, secs(l.T), secs(l.T-sent), secs(sent), short(a.Within))
		case want == a.Last && i < last:
			return r.say("afterctrlc_last", a.Last, secs(l.T), out[last].Text, secs(out[last].T))
		}
		last = max(last, i)
	}
	for _, l := range out {
		if a.Stop != "" && l.T >= sent && strings.HasPrefix(l.Text, a.Stop) {
			return r.say("afterctrlc_work", l.Text, secs(l.T), secs(sent))
		}
	}
	return ""
}

// ── MainReturns ──

func (MainReturns) Want(r *Run) string { return r.say("want_mainreturns") }

func (MainReturns) Check(r *Run) string {
	c := r.ctrlC
	switch {
	case !c.wrapped:
		return ""
	case c.returned == 0:
		return r.say("mainreturns_exit")
	case len(c.left) > 0:
		var items []string
		for _, w := range c.left {
			items = append(items, r.say("goroutine_wait", w.n, w.state, w.site))
		}
		return r.say("mainreturns_left", secs(c.returned), r.list(items))
	}
	var late []string
	for _, l := range c.after {
		if l.Stream == 1 {
			late = append(late, r.say("printed_item", l.Text, secs(l.T)))
		}
	}
	if len(late) > 0 {
		return r.say("mainreturns_after", secs(c.returned), r.list(late))
	}
	return ""
}
