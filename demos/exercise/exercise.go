// Package exercise holds asyncdemo's exercises and checks them by what
// they measure: asyncdemo exercises, check, watch, hint and solution.
//
// An exercise is a short program the learner changes, following a lesson:
// make three downloads overlap, replace a blocking sleep, keep at most three
// in flight. [All] lists them in order. Each names the lesson it follows by
// its name in the lessons' registry (package demos), and carries its files
// (a starter, a model solution) and texts (the task, hints given one at a
// time, the solution's explanation, in each language), embedded from
// ex/NAME/, and the [Rule]s a run must keep: typed Go values, not a language
// the learner could edit.
//
// [Check] runs the learner's file under the recorder asyncdemo explain
// uses (package explain, in its check mode) and judges the run by the
// rules: what the program did, as measured, not what it printed about
// itself. An exercise that only sleeps runs on a virtual clock, instantly
// and with exact figures. FORMAT.md says how to write an exercise.
package exercise

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"time"
)

// Language is what an exercise is written in.
type Language string

// The languages of exercises.
const (
	Python Language = "python"
	Go     Language = "go"
)

// Clock is the clock an exercise's program runs on.
type Clock int

const (
	// Virtual is the recorder's virtual clock, for a program that only
	// sleeps: time jumps to the next timer when nothing is ready, and a
	// blocking time.sleep moves it while the loop is held, so that a check
	// takes no time and its figures are exact.
	Virtual Clock = iota
	// Real is the machine's clock, for a program on real sockets or
	// threads: bounds are generous.
	Real
)

// Exercise is one exercise.
type Exercise struct {
	Name string // what the learner types: asyncdemo check overlap
	// Lesson is the lesson it follows, by its name in the lessons'
	// registry (demos.All); See, if set, is the command that shows the
	// point, such as "await --blocking"; else the lesson's name.
	Lesson, See string
	Lang        Language
	// File is the learner's file in the exercises folder, such as
	// "01_overlap.py"; for Go, a folder's main.go ("go/16_waitgroup/main.go").
	File  string
	Clock Clock
	// Limit is how long the program may run on its clock before the
	// check stops it; 0 means DefaultLimit (on the real clock,
	// DefaultWall).
	Limit time.Duration
	// Interrupt, if set, is about when the check sends the program Ctrl+C
	// (a real SIGINT), on its virtual clock (a Go program's: real time from
	// its main's start): InterruptAfter later, and up to InterruptJitter
	// more, a moment the program cannot know ahead. The rules' times from
	// Interrupt on move with it.
	Interrupt time.Duration
	// Service, if not nil, is served to the program while it runs (an
	// embedded Redis, the SMS API), and measures what it does there.
	Service Service
	// Modules are the Python modules the program needs beyond the
	// standard library ("redis", "aiohttp"): the check looks for an
	// interpreter that has them.
	Modules []string
	// Rules are what a run must keep to pass, in the order they are
	// shown.
	Rules []Rule
}

// A check sends Ctrl+C InterruptAfter after Exercise.Interrupt, and a
// random part of InterruptJitter more: a program that ignores Ctrl+C and
// cancels its own tasks at the moment the exercise names does not pass.
const (
	InterruptAfter  = 100 * time.Millisecond
	InterruptJitter = 400 * time.Millisecond
)

// DefaultLimit is how long a program may run on its clock when an
// exercise sets no Limit: an exercise takes seconds.
const DefaultLimit = 60 * time.Second

// files are the exercises' files: ex/NAME/ for Python, ex/_go/NAME/ for Go
// (a folder the go command leaves alone: each holds two main packages).
//
//go:embed all:ex
var files embed.FS

// dir is where e's files are in files.
func (e *Exercise) dir() string {
	if e.Lang == Go {
		return path.Join("ex", "_go", e.Name)
	}
	return path.Join("ex", e.Name)
}

// SeeCommand is the asyncdemo command that shows the exercise's point:
// "gather", "await --blocking".
func (e *Exercise) SeeCommand() string {
	if e.See != "" {
		return e.See
	}
	return e.Lesson
}

// limit is e's Limit, or DefaultLimit.
func (e *Exercise) limit() time.Duration {
	if e.Limit > 0 {
		return e.Limit
	}
	return DefaultLimit
}

// ext is the extension of e's files: "py" or "go".
func (e *Exercise) ext() string {
	if e.Lang == Go {
		return "go"
	}
	return "py"
}

// Starter returns the file the learner starts from.
func (e *Exercise) Starter() []byte { return e.read("starter." + e.ext()) }

// Solution returns the model solution.
func (e *Exercise) Solution() []byte { return e.read("solution." + e.ext()) }

func (e *Exercise) read(name string) []byte {
	b, err := files.ReadFile(path.Join(e.dir(), name))
	if err != nil {
		panic(fmt.Sprintf("exercise %s: %v", e.Name, err)) // a test checks every exercise has its files
	}
	return b
}

// Find returns the exercise called name, or nil.
func Find(name string) *Exercise {
	for _, e := range All() {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Names returns the exercises' names, in order.
func Names() []string {
	var names []string
	for _, e := range All() {
		names = append(names, e.Name)
	}
	return names
}

// dirs returns the names of the exercises' folders, Python's and Go's,
// for the tests.
func dirs() ([]string, error) {
	var names []string
	for _, d := range []string{"ex", "ex/_go"} {
		entries, err := fs.ReadDir(files, d)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() && e.Name() != "_go" {
				names = append(names, e.Name())
			}
		}
	}
	return names, nil
}
