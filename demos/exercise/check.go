package exercise

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/explain"
)

// Slow is how long a step must hold the loop to break NoBlocking.
const Slow = 50 * time.Millisecond

// DefaultWall is how long a check lets a program run in real time when
// Config.Wall is 0: on its virtual clock an exercise takes no time, and on
// the real one a few seconds.
const DefaultWall = 20 * time.Second

// Config says how to check an exercise.
type Config struct {
	// Python is the interpreter for a Python exercise, 3.11 or newer: the
	// caller finds it (twin.Runner.Find).
	Python string
	// Dir is the exercises folder, where the learner's file is.
	Dir string
	// Lang is the language of the verdict.
	Lang string
	// Output, if not nil, receives what the program writes as it writes
	// it (see explain.Config.Output).
	Output func(explain.Line)
	// Wall is how long the program may run in real time; 0 means
	// DefaultWall.
	Wall time.Duration
	// OwnGroup runs the program in a process group of its own (asyncdemo
	// watch reads the terminal's keys; a Ctrl+C is asyncdemo's).
	OwnGroup bool
	// Notice, if not nil, receives a sentence for the learner while a
	// check is slow to start: a Go check's first build with the race
	// detector, which compiles the standard library again, takes up to a
	// minute.
	Notice func(string)
}

// Outcome is how a run fared against one rule.
type Outcome struct {
	Want   string // what the rule asks
	Failed string // what happened instead, and what it means; "" if it held
}

// Result is a check's verdict.
type Result struct {
	Exercise *Exercise
	Run      *Run
	// Problem, if not "", says why the run could not be judged by the
	// rules: Python could not read the file, the program failed or ran
	// too long, it changed asyncio. The rules were then not checked.
	Problem string
	// Outcomes are the rules' outcomes, in the exercise's order.
	Outcomes []Outcome
	Took     time.Duration // how long the check took, in real time
}

// Passed reports whether the run kept every rule.
func (r *Result) Passed() bool {
	if r.Problem != "" || len(r.Outcomes) == 0 {
		return false
	}
	for _, o := range r.Outcomes {
		if o.Failed != "" {
			return false
		}
	}
	return true
}

// Failed returns the outcomes of the rules the run broke.
func (r *Result) Failed() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Failed != "" {
			out = append(out, o)
		}
	}
	return out
}

// ErrNoFile means that the learner's file is not in the exercises folder.
var ErrNoFile = errors.New("no such file")

// Path returns where e's file is in the exercises folder dir.
func (e *Exercise) Path(dir string) string { return filepath.Join(dir, filepath.FromSlash(e.File)) }

// Check runs the learner's file of e, in c.Dir, and judges it. The error
// is for what kept the check from running (no file, no Python); what the
// program did wrong is in the Result.
func Check(ctx context.Context, e *Exercise, c Config) (*Result, error) {
	if _, err := os.Stat(e.Path(c.Dir)); err != nil {
		return nil, fmt.Errorf("%s: %w", e.Path(c.Dir), ErrNoFile)
	}
	if e.Lang == Go {
		return checkGo(ctx, e, c)
	}
	start := time.Now()
	wall := c.Wall
	switch {
	case wall > 0:
	case e.Clock == Real && e.Limit > 0: // its clock is the wall's
		wall = e.Limit
	default:
		wall = DefaultWall
	}
	rctx, cancel := context.WithTimeout(ctx, wall)
	defer cancel()
	var shift, interrupt time.Duration
	if e.Interrupt > 0 {
		shift = InterruptAfter + time.Duration(rand.Int64N(int64(InterruptJitter/time.Millisecond)))*time.Millisecond
		interrupt = e.Interrupt + shift
	}
	var env []string
	stopService := func(*Served) {}
	if e.Service != nil {
		var err error
		if env, stopService, err = e.Service.start(); err != nil {
			return nil, err
		}
	}
	var served Served
	sess, err := explain.Start(rctx, explain.Program{Script: filepath.FromSlash(e.File)}, explain.Config{
		Python: c.Python, Dir: c.Dir, Slow: Slow, Output: c.Output, VirtualTime: e.Clock == Virtual,
		Check: true, Limit: e.limit(), OwnGroup: c.OwnGroup, Grace: time.Second, Interrupt: interrupt, Env: env,
	})
	if err != nil {
		stopService(&served)
		return nil, err
	}
	rec, err := sess.Wait()
	stopService(&served)
	if err != nil { // the recording cannot be trusted: no verdict
		return nil, err
	}
	if ctx.Err() != nil { // the learner stopped the check: no verdict
		return nil, context.Cause(ctx)
	}
	run := &Run{Exercise: e, Rec: rec, Elapsed: rec.Elapsed, Lines: rec.Lines, Lang: c.Lang, labels: Labels(c.Lang), shift: shift,
		Served: served}
	res := &Result{Exercise: e, Run: run}
	res.Problem = run.problem(rctx.Err() != nil, wall)
	if res.Problem == "" {
		for _, rule := range e.Rules {
			res.Outcomes = append(res.Outcomes, Outcome{Want: rule.Want(run), Failed: rule.Check(run)})
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// problem says why the run cannot be judged by the rules, or "".
func (r *Run) problem(timedOut bool, wall time.Duration) string {
	rec := r.Rec
	file := filepath.Base(r.Exercise.File)
	switch {
	case rec.NotRun == "syntax":
		return r.say("problem_syntax", file)
	case rec.NotRun != "":
		return r.say("problem_notrun", file)
	case len(rec.Tampered) > 0:
		return r.say("problem_tampered", file, r.list(quoted(rec.Tampered)))
	case len(rec.Foreign) > 0:
		return r.say("problem_foreign", file, rec.Foreign[0])
	case rec.Limited:
		return r.say("problem_limit", file, short(r.Exercise.limit())) + r.stuck()
	case timedOut:
		return r.say("problem_wall", file, short(wall))
	case rec.Exit == 130 && rec.Interrupted:
		return r.say("problem_interrupted", file, secs(rec.InterruptedAt))
	case rec.Exit != 0:
		return r.say("problem_exit", file, rec.Exit, r.lastError())
	case !rec.UsedAsyncio():
		return r.say("problem_no_asyncio", file)
	}
	return ""
}

func quoted(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "`" + s + "`"
	}
	return out
}

// stuck says where the tasks still pending waited when the program was
// stopped.
func (r *Run) stuck() string {
	var where []string
	for _, t := range r.Rec.Tasks {
		if t.Hidden || t.State != "" {
			continue
		}
		if p, ok := r.Rec.Waiting(t.ID); ok && p.Line > 0 {
			where = append(where, r.say("stuck_at", r.Rec.Call(t), p.Line, p.Code))
		}
	}
	if len(where) == 0 {
		return ""
	}
	return " " + r.say("stuck", r.list(where))
}

// lastError is the last line the program wrote on stderr: a traceback's
// "ValueError: boom".
func (r *Run) lastError() string {
	for i := len(r.Lines) - 1; i >= 0; i-- {
		if l := r.Lines[i]; l.Stream == 2 && strings.TrimSpace(l.Text) != "" {
			return strings.TrimSpace(l.Text)
		}
	}
	return "?"
}

// checkGo checks a Go exercise (go_check.go).
var checkGo = func(ctx context.Context, e *Exercise, c Config) (*Result, error) {
	return nil, errors.New("Go exercises are not checked yet")
}
