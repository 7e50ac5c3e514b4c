package aio

// Speed benchmarks of the loop, each beside CPython's asyncio doing the same
// work in the same run: when python3 is on PATH, every iteration also runs the
// matching testdata/bench_<name>.py (with the benchmark timer stopped), and
// the benchmark reports both sides and their ratio as custom metrics.
// BENCHMARKS.md at the module root explains the figures and how to run them.
//
// Each iteration is one whole measurement (a million awaits, a whole gather),
// so run them with -benchtime 1x (or 3x) and -count 3 for a median:
//
//	go test -run '^$' -bench . -benchtime 1x -count 3 ./demos/aio/
//
// The gather of a million tasks takes about 40 s per iteration and 3.5 GB
// (CPython alone: 23 s and 1.6 GB); it runs only with ASYNCDEMO_BENCH_1E6=1.

import (
	"bufio"
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
)

// env1e6 enables the million-task cases.
const env1e6 = "ASYNCDEMO_BENCH_1E6"

// envChild makes the test binary a helper process for a cold run (see
// TestBenchChild).
const envChild = "ASYNCDEMO_BENCH_CHILD"

// pythonPath returns the python3 to compare with, or "" after logging that
// the CPython side is skipped. It is the interpreter itself (sys.executable),
// not what PATH finds: that may be a launcher script, such as pyenv's shim,
// which adds a start-up of its own (about 150 ms with pyenv).
func pythonPath(b *testing.B) string {
	b.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		b.Logf("python3 not on PATH: CPython side of %s skipped", b.Name())
		return ""
	}
	out, err := exec.Command(py, "-c", "import sys; print(sys.executable)").Output()
	if exe := strings.TrimSpace(string(out)); err == nil && exe != "" {
		return exe
	}
	return py
}

// runPython runs testdata/bench_<name>.py with args and returns the figures
// of the JSON line it prints last. The benchmark timer is stopped meanwhile.
func runPython(b *testing.B, py, name string, args ...string) map[string]any {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", "bench_"+name+".py")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, stderr.Bytes())
	}
	return lastJSON(b, out, "")
}

// lastJSON decodes the last line of out that starts with prefix and then a
// JSON object.
func lastJSON(b *testing.B, out []byte, prefix string) map[string]any {
	b.Helper()
	var last string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, prefix+"{") {
			last = strings.TrimPrefix(line, prefix)
		}
	}
	var figs map[string]any
	if err := json.Unmarshal([]byte(last), &figs); err != nil {
		b.Fatalf("no JSON figures in output (%v):\n%s", err, out)
	}
	return figs
}

// num returns the number figs[key], failing the benchmark if it is missing.
func num(b *testing.B, figs map[string]any, key string) float64 {
	b.Helper()
	x, ok := figs[key].(float64)
	if !ok {
		b.Fatalf("figure %q missing in %v", key, figs)
	}
	return x
}

// awaits is how many hand-offs one BenchmarkSleep0 iteration times.
const awaits = 1_000_000

// timeSleep0 times one task doing n Sleep(0), from creating the task to the end
// of RunUntilComplete.
func timeSleep0(n int) (time.Duration, error) {
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
	py := pythonPath(b)
	var goNs, pyNs float64
	iters := 0
	for b.Loop() {
		b.StopTimer()
		runtime.GC() // start each iteration from the same heap
		b.StartTimer()
		d, err := timeSleep0(awaits)
		if err != nil {
			b.Fatal(err)
		}
		goNs += float64(d) / awaits
		if py != "" {
			pyNs += num(b, runPython(b, py, "sleep0", strconv.Itoa(awaits)), "ns_per_await")
		}
		iters++
	}
	b.ReportMetric(goNs/float64(iters), "ns/await")
	if py != "" {
		b.ReportMetric(pyNs/float64(iters), "py-ns/await")
		b.ReportMetric(pyNs/goNs, "x-faster")
	}
}

// gatherFigures is what one gather of n sleeping tasks measured.
type gatherFigures struct {
	Elapsed      time.Duration // from creating the first task to the end of the gather
	BytesPerTask float64       // heap and stack held per parked task, if measured
}

// timeGather creates n tasks each sleeping 10 ms and runs the gather of them,
// timing it from the creation of the first task to the end of the gather.
// With measure, it also reads the memory each parked task holds: heap in use
// plus goroutine stacks in use, after a GC while every task sleeps, less the
// same before the tasks were made. That reading stops the world for a GC
// while the tasks' timers run out, so a measured run's time is not reported.
func timeGather(n int, measure bool) (gatherFigures, error) {
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
		return gatherFigures{}, err
	}
	figs := gatherFigures{Elapsed: time.Since(start)}
	if measure {
		if !measured {
			return figs, fmt.Errorf("gather of %d ended before the memory was read", n)
		}
		used := int64(parked.HeapAlloc+parked.StackInuse) - int64(before.HeapAlloc+before.StackInuse)
		figs.BytesPerTask = float64(used) / float64(n)
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
//   - B/task: heap and stacks in use per parked task, read in the warm-up
//     (see timeGather).
//   - py-ms/gather, py-rss-B/task: CPython's time and peak RSS growth per task
//     (getrusage ru_maxrss); each CPython run is a fresh process.
//   - x-faster: py-ms/gather ÷ ms/gather; x-faster-cold: ÷ cold-ms/gather.
//
// N = 1e6 runs only with ASYNCDEMO_BENCH_1E6=1.
func BenchmarkGather(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(sizeName(n), func(b *testing.B) {
			if n >= 1_000_000 && os.Getenv(env1e6) != "1" {
				b.Skipf("set %s=1 to run the million-task gather (about 40 s and 3.5 GB per iteration)", env1e6)
			}
			benchGather(b, n)
		})
	}
}

func benchGather(b *testing.B, n int) {
	py := pythonPath(b)
	cold := coldGather(b, n)
	warm, err := timeGather(n, true) // warm-up, and the memory reading
	if err != nil {
		b.Fatal(err)
	}
	var goS, pyS, pyRSS float64
	iters := 0
	for b.Loop() {
		b.StopTimer()
		runtime.GC() // collect the last gather's tasks before timing the next
		b.StartTimer()
		figs, err := timeGather(n, false)
		if err != nil {
			b.Fatal(err)
		}
		goS += figs.Elapsed.Seconds()
		if py != "" {
			out := runPython(b, py, "gather", strconv.Itoa(n), "0.01")
			pyS += num(b, out, "seconds")
			pyRSS += num(b, out, "rss_bytes_per_task")
		}
		iters++
	}
	k := float64(iters)
	b.ReportMetric(1e3*goS/k, "ms/gather")
	b.ReportMetric(1e3*num(b, cold, "seconds"), "cold-ms/gather")
	b.ReportMetric(warm.BytesPerTask, "B/task")
	b.ReportMetric(num(b, cold, "rss_bytes_per_task"), "cold-rss-B/task")
	if py != "" {
		b.ReportMetric(1e3*pyS/k, "py-ms/gather")
		b.ReportMetric(pyRSS/k, "py-rss-B/task")
		b.ReportMetric(pyS/goS, "x-faster")
		b.ReportMetric(pyS/k/num(b, cold, "seconds"), "x-faster-cold")
	}
}

// sizeName writes 100000 as 1e5.
func sizeName(n int) string {
	e := 0
	for n >= 10 && n%10 == 0 {
		n /= 10
		e++
	}
	return fmt.Sprintf("%de%d", n, e)
}

// coldGather runs one gather of n tasks in a fresh process, this test binary
// re-run with only TestBenchChild, and returns its figures.
func coldGather(b *testing.B, n int) map[string]any {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=gather:"+strconv.Itoa(n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("cold run: %v\n%s%s", err, out, stderr.Bytes())
	}
	return lastJSON(b, out, "bench-child: ")
}

// TestBenchChild is not a test: BenchmarkGather runs the test binary again
// with only this function and ASYNCDEMO_BENCH_CHILD=gather:N to time a gather
// in a fresh process. Otherwise it skips.
func TestBenchChild(t *testing.T) {
	spec, ok := strings.CutPrefix(os.Getenv(envChild), "gather:")
	if !ok {
		t.Skip("helper process of BenchmarkGather; runs only when it sets " + envChild)
	}
	n, err := strconv.Atoi(spec)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want gather:N", envChild, os.Getenv(envChild))
	}
	hwm0 := peakRSS()
	figs, err := timeGather(n, false)
	if err != nil {
		t.Fatal(err)
	}
	hwm1 := peakRSS()
	out, _ := json.Marshal(map[string]float64{
		"n":                  float64(n),
		"seconds":            figs.Elapsed.Seconds(),
		"rss_bytes_per_task": float64(hwm1-hwm0) / float64(n),
	})
	fmt.Printf("bench-child: %s\n", out)
}

// peakRSS returns the process's peak resident set size in bytes (VmHWM in
// /proc/self/status), or 0 where there is no such file.
func peakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// timeGather124 runs the tutorial's concurrency program on a loop in real time:
// tasks of 1, 2 and 4 s say "Waiting", sleep and return "Done after Ns";
// Gather waits for them, then their results are printed (to a buffer). It
// returns the time from creating the first task to printing the last result.
func timeGather124(durations []float64) (time.Duration, error) {
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
	py := pythonPath(b)
	durations := []float64{1, 2, 4}
	var goMs, pyMs float64
	iters := 0
	for b.Loop() {
		d, err := timeGather124(durations)
		if err != nil {
			b.Fatal(err)
		}
		goMs += (d - 4*time.Second).Seconds() * 1e3
		if py != "" {
			pyMs += num(b, runPython(b, py, "gather124", "gather", "1,2,4"), "overshoot_ms")
		}
		iters++
	}
	b.ReportMetric(goMs/float64(iters), "overshoot-ms")
	if py != "" {
		b.ReportMetric(pyMs/float64(iters), "py-overshoot-ms")
	}
}
