package aio

// Speed benchmarks of the loop, each beside CPython's asyncio doing the same
// work in the same run: when pybench.Python finds a CPython 3.11 or newer
// (python3 on PATH, then /usr/bin/python3), every iteration also runs the
// matching testdata/bench_<name>.py (with the benchmark timer stopped), and
// the benchmark reports both sides and their ratio as custom metrics.
// BENCHMARKS.md at the module root explains the figures and how to run them.
//
// Each iteration is one whole measurement (a million awaits, a whole gather),
// so run them with -benchtime 1x (or 3x) and -count 3 for a median:
//
//	go test -run '^$' -bench . -benchtime 1x -count 3 ./demos/aio/
//
// The gather of a million tasks takes about 70 s per iteration on a 2-vCPU VM
// (CPython's side alone 25-45 s and 1.6 GB; Go's 3.5 GB); it runs only with
// ASYNCDEMO_BENCH_1E6=1.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/twin/pybench"
)

// benchEnv1e6 enables the million-task cases.
const benchEnv1e6 = "ASYNCDEMO_BENCH_1E6"

// benchEnvChild makes the test binary a helper process for a cold run (see
// TestBenchChild).
const benchEnvChild = "ASYNCDEMO_BENCH_CHILD"

// benchRunPython runs testdata/bench_<name>.py with args and returns the figures
// of the JSON line it prints last. The benchmark timer is stopped meanwhile.
func benchRunPython(b *testing.B, py, name string, args ...string) map[string]any {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	return pybench.Run(b, py, filepath.Join("testdata", "bench_"+name+".py"), args...)
}

// benchAwaits is how many hand-offs one BenchmarkSleep0 iteration times.
const benchAwaits = 1_000_000

// benchTimeSleep0 times one task doing n Sleep(0), from creating the task to the end
// of RunUntilComplete.
func benchTimeSleep0(n int) (time.Duration, error) {
	l := NewLoop()
	defer l.Close()
	start := time.Now()
	task := l.CreateTask(func(t *Task) (any, error) {
		for range n {
			if err := t.Sleep(0); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, "sleeper")
	_, err := l.RunUntilComplete(task)
	return time.Since(start), err
}

// BenchmarkSleep0 measures one await/resume hand-off: a task doing a million
// Sleep(0), against CPython awaiting asyncio.sleep(0) a million times.
// Goal: Go at least 10 times faster (x-faster ≥ 10).
func BenchmarkSleep0(b *testing.B) {
	py := pybench.Python(b)
	var goNs, pyNs float64
	iters := 0
	for b.Loop() {
		b.StopTimer()
		runtime.GC() // start each iteration from the same heap
		b.StartTimer()
		d, err := benchTimeSleep0(benchAwaits)
		if err != nil {
			b.Fatal(err)
		}
		goNs += float64(d) / benchAwaits
		if py != "" {
			pyNs += pybench.Figure(b, benchRunPython(b, py, "sleep0", strconv.Itoa(benchAwaits)), "ns_per_await")
		}
		iters++
	}
	b.ReportMetric(goNs/float64(iters), "ns/await")
	if py != "" {
		b.ReportMetric(pyNs/float64(iters), "py-ns/await")
		b.ReportMetric(pyNs/goNs, "x-faster")
	}
}

// benchGatherFigures is what one gather of n sleeping tasks measured.
type benchGatherFigures struct {
	Elapsed time.Duration // from creating the first task to the end of the gather
	// Memory held per parked task, if measured: heap in use, and goroutine
	// stacks in use.
	HeapPerTask, StackPerTask float64
}

// benchTimeGather creates n tasks each sleeping 10 ms and runs the gather of them,
// timing it from the creation of the first task to the end of the gather.
// With measure, it also reads the memory each parked task holds: heap in use
// plus goroutine stacks in use, after a GC while every task sleeps, less the
// same before the tasks were made. That reading stops the world for a GC
// while the tasks' timers run out, so a measured run's time is not reported.
func benchTimeGather(n int, measure bool) (benchGatherFigures, error) {
	var before, parked runtime.MemStats
	if measure {
		runtime.GC()
		runtime.ReadMemStats(&before)
	}
	l := NewLoop()
	defer l.Close()
	start := time.Now()
	sleeper := func(t *Task) (any, error) { return nil, t.Sleep(10 * time.Millisecond) }
	tasks := make([]Awaitable, n)
	for i := range tasks {
		tasks[i] = l.CreateTask(sleeper, "")
	}
	measured := false
	if measure {
		// Every task takes its first step, up to its Sleep, in the loop's
		// first iteration; this timer, set before any of theirs, runs in the
		// second, when all of them are parked.
		l.CallLater(5*time.Millisecond, func() {
			runtime.GC()
			runtime.ReadMemStats(&parked)
			measured = true
		})
	}
	if _, err := l.RunUntilComplete(l.Gather(tasks...)); err != nil {
		return benchGatherFigures{}, err
	}
	figs := benchGatherFigures{Elapsed: time.Since(start)}
	if measure {
		if !measured {
			return figs, fmt.Errorf("gather of %d ended before the memory was read", n)
		}
		figs.HeapPerTask = float64(int64(parked.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
		figs.StackPerTask = float64(int64(parked.StackInuse)-int64(before.StackInuse)) / float64(n)
	}
	return figs, nil
}

// BenchmarkGather measures a gather of N tasks each sleeping 10 ms, against
// CPython's asyncio.gather of N tasks each awaiting asyncio.sleep(0.01).
// Goals at N = 1e6: Go at least 8 times faster, and at most 2.5 KB per
// parked task.
//
// Figures, per N:
//   - cold-ms/gather: the first gather in a fresh process (the test binary
//     re-run as a helper, see TestBenchChild), which pays the page faults of
//     fresh goroutine stacks and heap; cold-rss-B/task is that process's peak
//     resident set growth per task (VmHWM, comparable to py-rss-B/task).
//   - ms/gather (and ns/op): later gathers in this process, which reuse the
//     memory of an untimed warm-up gather.
//   - B/task: heap and goroutine stacks in use per parked task, read as
//     benchTimeGather says in another fresh process; heap-B/task and
//     stack-B/task are its two parts.
//   - warm-B/task: the same read in this process's warm-up, after other
//     gathers. It differs: the runtime keeps dead goroutines' descriptors
//     for reuse (less heap), and a goroutine's first stack is 2 KB, or 4 KB
//     once the runtime has seen goroutines use more than about 1.1 KB of
//     stack on average (GODEBUG adaptivestackstart, on by default).
//   - py-ms/gather, py-rss-B/task: CPython's time and peak RSS growth per task
//     (VmHWM, see testdata/bench_gather.py); each CPython run is a fresh
//     process.
//   - x-faster: py-ms/gather ÷ ms/gather; x-faster-cold: ÷ cold-ms/gather.
//
// N = 1e6 runs only with ASYNCDEMO_BENCH_1E6=1.
func BenchmarkGather(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(benchSizeName(n), func(b *testing.B) {
			if n >= 1_000_000 && os.Getenv(benchEnv1e6) != "1" {
				b.Skipf("set %s=1 to run the million-task gather (about 70 s and 3.5 GB per iteration)", benchEnv1e6)
			}
			benchGather(b, n)
		})
	}
}

func benchGather(b *testing.B, n int) {
	py := pybench.Python(b)
	cold := benchColdGather(b, n, false)
	mem := benchColdGather(b, n, true)
	warm, err := benchTimeGather(n, true) // warm-up, and the memory reading
	if err != nil {
		b.Fatal(err)
	}
	var goS, pyS, pyRSS float64
	iters := 0
	for b.Loop() {
		b.StopTimer()
		runtime.GC() // collect the last gather's tasks before timing the next
		b.StartTimer()
		figs, err := benchTimeGather(n, false)
		if err != nil {
			b.Fatal(err)
		}
		goS += figs.Elapsed.Seconds()
		if py != "" {
			out := benchRunPython(b, py, "gather", strconv.Itoa(n), "0.01")
			pyS += pybench.Figure(b, out, "seconds")
			pyRSS += pybench.Figure(b, out, "rss_bytes_per_task")
		}
		iters++
	}
	k := float64(iters)
	b.ReportMetric(1e3*goS/k, "ms/gather")
	b.ReportMetric(1e3*pybench.Figure(b, cold, "seconds"), "cold-ms/gather")
	heap, stack := pybench.Figure(b, mem, "heap_bytes_per_task"), pybench.Figure(b, mem, "stack_bytes_per_task")
	b.ReportMetric(heap+stack, "B/task")
	b.ReportMetric(heap, "heap-B/task")
	b.ReportMetric(stack, "stack-B/task")
	b.ReportMetric(warm.HeapPerTask+warm.StackPerTask, "warm-B/task")
	b.ReportMetric(pybench.Figure(b, cold, "rss_bytes_per_task"), "cold-rss-B/task")
	if py != "" {
		b.ReportMetric(1e3*pyS/k, "py-ms/gather")
		b.ReportMetric(pyRSS/k, "py-rss-B/task")
		b.ReportMetric(pyS/goS, "x-faster")
		b.ReportMetric(pyS/k/pybench.Figure(b, cold, "seconds"), "x-faster-cold")
	}
}

// benchSizeName writes 100000 as 1e5.
func benchSizeName(n int) string {
	e := 0
	for n >= 10 && n%10 == 0 {
		n /= 10
		e++
	}
	return fmt.Sprintf("%de%d", n, e)
}

// benchColdGather runs one gather of n tasks in a fresh process, this test
// binary re-run with only TestBenchChild, and returns its figures: its time
// and peak RSS growth, or with measure its memory per parked task.
func benchColdGather(b *testing.B, n int, measure bool) map[string]any {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	mode := "time"
	if measure {
		mode = "memory"
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchEnvChild+"=gather-"+mode+":"+strconv.Itoa(n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s: %v\n%s%s", cmd.Env[len(cmd.Env)-1], err, out, stderr.Bytes())
	}
	return pybench.LastJSON(b, out, "bench-child: ")
}

// TestBenchChild is not a test: BenchmarkGather runs the test binary again
// with only this function and ASYNCDEMO_BENCH_CHILD=gather-time:N (or
// gather-memory:N) to run a gather in a fresh process. Otherwise it skips.
func TestBenchChild(t *testing.T) {
	spec := os.Getenv(benchEnvChild)
	if spec == "" {
		t.Skip("helper process of BenchmarkGather; runs only when it sets " + benchEnvChild)
	}
	mode, count, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(count)
	if err != nil || n <= 0 || mode != "gather-time" && mode != "gather-memory" {
		t.Fatalf("%s=%q: want gather-time:N or gather-memory:N", benchEnvChild, spec)
	}
	hwm0 := pybench.PeakRSS()
	figs, err := benchTimeGather(n, mode == "gather-memory")
	if err != nil {
		t.Fatal(err)
	}
	hwm1 := pybench.PeakRSS()
	out, _ := json.Marshal(map[string]float64{
		"n":                    float64(n),
		"seconds":              figs.Elapsed.Seconds(),
		"rss_bytes_per_task":   float64(hwm1-hwm0) / float64(n),
		"heap_bytes_per_task":  figs.HeapPerTask,
		"stack_bytes_per_task": figs.StackPerTask,
	})
	fmt.Printf("bench-child: %s\n", out)
}

// benchTimeGather124 runs the tutorial's concurrency program on a loop in real time:
// tasks of 1, 2 and 4 s say "Waiting", sleep and return "Done after Ns";
// Gather waits for them, then their results are printed (to a buffer). It
// returns the time from creating the first task to printing the last result.
func benchTimeGather124(durations []float64) (time.Duration, error) {
	var out bytes.Buffer
	l := NewLoop()
	defer l.Close()
	start := time.Now()
	tasks := make([]Awaitable, len(durations))
	for i, x := range durations {
		tasks[i] = l.CreateTask(func(t *Task) (any, error) {
			fmt.Fprintln(&out, "Waiting: ", x)
			if err := t.Sleep(time.Duration(x * float64(time.Second))); err != nil {
				return nil, err
			}
			return fmt.Sprintf("Done after %vs", x), nil
		}, fmt.Sprintf("do_some_work(%v)", x))
	}
	if _, err := l.RunUntilComplete(l.Gather(tasks...)); err != nil {
		return 0, err
	}
	for _, task := range tasks {
		ret, _ := task.Result()
		fmt.Fprintln(&out, "Task ret: ", ret)
	}
	return time.Since(start), nil
}

// BenchmarkGather124 measures the loop's own overhead in the lesson's
// program: gather of tasks sleeping 1, 2 and 4 s, in real time, should end
// within 1 ms of 4 s. It reports the overshoot past 4 s, and CPython's for
// the same program (testdata/bench_gather124.py gather). Each iteration takes
// 8 s; -benchtime 3x gives three.
func BenchmarkGather124(b *testing.B) {
	py := pybench.Python(b)
	durations := []float64{1, 2, 4}
	var goMs, pyMs float64
	iters := 0
	for b.Loop() {
		d, err := benchTimeGather124(durations)
		if err != nil {
			b.Fatal(err)
		}
		goMs += (d - 4*time.Second).Seconds() * 1e3
		if py != "" {
			pyMs += pybench.Figure(b, benchRunPython(b, py, "gather124", "gather", "1,2,4"), "overshoot_ms")
		}
		iters++
	}
	b.ReportMetric(goMs/float64(iters), "overshoot-ms")
	if py != "" {
		b.ReportMetric(pyMs/float64(iters), "py-overshoot-ms")
	}
}
