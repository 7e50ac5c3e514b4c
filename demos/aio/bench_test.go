package aio

import (
	"runtime"
	"testing"
	"time"
)

// BenchmarkSleep0 measures one await/resume hand-off: a task doing b.N Sleep(0).
func BenchmarkSleep0(b *testing.B) {
	l := NewLoop()
	defer l.Close()
	task := l.CreateTask(func(t *Task) (any, error) {
		for range b.N {
			if err := t.Sleep(0); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, "sleeper")
	b.ResetTimer()
	if _, err := l.RunUntilComplete(task); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGather measures gather of n tasks each sleeping 10 ms, reporting
// the memory held per parked task.
func BenchmarkGather(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(itoa(n), func(b *testing.B) {
			for range b.N {
				gatherN(b, n, false)
			}
		})
	}
}

func itoa(n int) string {
	switch n {
	case 10_000:
		return "1e4"
	case 100_000:
		return "1e5"
	}
	return "1e6"
}

// BenchmarkGatherMemory reports the memory one parked task holds: heap and
// stack in use while all n tasks sleep, less what was in use before.
func BenchmarkGatherMemory(b *testing.B) {
	for range b.N {
		gatherN(b, 100_000, true)
	}
}

func gatherN(b *testing.B, n int, measure bool) {
	l := NewLoop()
	defer l.Close()
	var before, parked runtime.MemStats
	if measure {
		runtime.GC()
		runtime.ReadMemStats(&before)
	}
	measured := !measure
	sleeper := func(t *Task) (any, error) { return nil, t.Sleep(10 * time.Millisecond) }
	tasks := make([]Awaitable, n)
	for i := range tasks {
		tasks[i] = l.CreateTask(sleeper, "")
	}
	// Once every task is parked in its Sleep, read the memory they hold.
	l.CallLater(5*time.Millisecond, func() {
		if !measured {
			measured = true
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&parked)
			b.StartTimer()
		}
	})
	if _, err := l.RunUntilComplete(l.Gather(tasks...)); err != nil {
		b.Fatal(err)
	}
	if measure {
		used := (parked.HeapAlloc + parked.StackInuse) - (before.HeapAlloc + before.StackInuse)
		b.ReportMetric(float64(used)/float64(n), "B/task")
	}
}
