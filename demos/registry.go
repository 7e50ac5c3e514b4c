// Package demos holds asyncdemo's lessons, one file each, and the registry
// that lists them in the order they are taught.
//
// Each lesson re-tells one program of the asyncio tutorial in two styles: the
// aio style runs the program nearly line for line on asyncdemo's own event
// loop (package aio), and the go style does the same job as a Go programmer
// would, with goroutines, channels and contexts. Both are timed and drawn by
// package timing, in the frame package lesson gives them. A learner reads a
// lesson with --code, which cuts the functions that run out of this
// package's embedded source.
//
// This file is the one place that lists the lessons: the command line, the
// tour, the twins and the tests all take them from All. Adding a lesson is
// its file here, one line below, its Python twin (demos/twin/py/NAME.py),
// its texts (demos/lesson/text/en.json and zh.json) and its golden files.
package demos

import (
	"embed"

	"github.com/asyncdemo/asyncdemo/demos/consumer"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
)

// Source is this package's Go source, compiled into the binary, for --code.
//
//go:embed *.go
var Source embed.FS

// All returns a fresh copy of every lesson and tool, lessons first, in the
// order they are taught. Each value holds its flags' defaults.
func All() []lesson.Lesson {
	return []lesson.Lesson{
		&coroutineLesson{X: 2},
		&taskLesson{X: 2},
		&callbackLesson{X: 2},
		&futureLesson{X: 2},
		&awaitLesson{X: 2},
		&gatherLesson{Durations: []float64{1, 2, 4}, With: "wait"},
		&nestLesson{Durations: []float64{1, 2, 4}, Variant: "all"},
		&cancelLesson{Mode: "tasks"},
		&threadLesson{Variant: "all"},
		&queueLesson{redis: consumer.Flags{Mode: "poll", Idle: 3, Max: 30}},
		&smsLesson{redis: consumer.Flags{Mode: "block", Idle: 3, Max: 30}, Timeout: 10, MaxDelay: 30, InFlight: 100},
		&workersLesson{redis: consumer.Flags{Mode: "poll", Idle: 3, Max: 30}, Workers: 2},
		&pushCommand{},
		&smsServerCommand{MaxDelay: 30},
	}
}
