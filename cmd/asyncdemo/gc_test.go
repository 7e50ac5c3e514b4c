package main

import (
	"runtime/debug"
	"testing"
)

func TestGCForTasksWaitsForTheLimitAndRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(percent)
	restore := gcForTasks(1000)
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GC percent during the run = %d, want -1 (off until the limit)", got)
	}
	if got, want := debug.SetMemoryLimit(-1), int64(64<<20+1000<<10); got != want {
		t.Errorf("memory limit during the run = %d, want %d", got, want)
	}
	restore()
	if got := debug.SetGCPercent(percent); got != percent {
		t.Errorf("GC percent after = %d, want %d", got, percent)
	}
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Errorf("memory limit after = %d, want %d", got, limit)
	}
}

func TestGCForTasksLeavesTheUsersSettings(t *testing.T) {
	t.Setenv("GOGC", "200")
	percent := debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	restore := gcForTasks(1000)
	defer restore()
	if got := debug.SetGCPercent(percent); got != percent {
		t.Errorf("GC percent with GOGC set = %d, want %d", got, percent)
	}
}
