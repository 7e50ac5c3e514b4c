package aio_test

import (
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/aio"
)

// TestSleepTaskFromAnotherPackageHasNoGoroutine checks, from outside the
// package, that CreateTask knows aio.Sleep's coroutine wherever Sleep is
// called (and perhaps inlined): a lesson's million tasks rely on it.
func TestSleepTaskFromAnotherPackageHasNoGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := aio.NewLoop()
		before := runtime.NumGoroutine()
		tasks := make([]aio.Awaitable, 100)
		for i := range tasks {
			tasks[i] = l.CreateTask(aio.Sleep(time.Second), "sleep")
		}
		l.Stop()
		if err := l.RunForever(); err != nil { // every first step: each task sleeps
			t.Fatal(err)
		}
		if n := runtime.NumGoroutine(); n != before {
			t.Errorf("%d goroutines after the first steps of 100 aio.Sleep tasks, %d before", n, before)
		}
		results, err := l.RunUntilComplete(l.Gather(tasks...))
		if err != nil || len(results.([]any)) != 100 || results.([]any)[0] != nil {
			t.Errorf("gather = %v, %v", results, err)
		}
		l.Close()
	})
}
