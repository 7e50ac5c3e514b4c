package main

import (
	"os"
	"runtime/debug"
)

// gcForTasks tunes the garbage collector for a lesson that keeps n tasks
// alive at once on an event loop (gather --tasks n) and returns what undoes
// it. Nearly everything such a run allocates stays alive until its gather
// is done, so collecting every time the heap doubles (GOGC=100: at 4, 8, 16
// MB and on) finds little garbage, yet at 10⁶ tasks it took a quarter of
// the run's CPU. So collection waits until the heap reaches a limit of
// 64 MiB plus 1 KiB a task, below what CPython's asyncio holds for the same
// program (about 1.5 KB a task), and past it the collector works as usual.
// A user's own GOGC or GOMEMLIMIT is left alone.
func gcForTasks(n int) (restore func()) {
	if n <= 0 || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(64<<20 + int64(n)<<10)
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
