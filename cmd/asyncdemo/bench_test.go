package main

// Speed benchmarks of the command, each beside CPython doing the equivalent
// in the same run when python3 is on PATH (see BENCHMARKS.md at the module
// root). Each iteration is a whole measurement: run with -benchtime 1x.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/twin/pybench"
)

// benchStartRuns is how many times one BenchmarkStartup iteration starts each
// program; the figures are means.
const benchStartRuns = 20

// benchTimeRun returns how long cmd took from start to exit, and the CPU
// time it used (user and system, all its threads). Its output goes to
// /dev/null: no pipes, so nothing but the program is timed.
func benchTimeRun(b *testing.B, cmd *exec.Cmd) (wall, cpu time.Duration) {
	b.Helper()
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v", cmd, err)
	}
	wall = time.Since(start)
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// benchGoTool returns the go command, skipping the benchmark without it.
func benchGoTool(b *testing.B) string {
	b.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go not on PATH: cannot build asyncdemo")
	}
	return goTool
}

// benchMakeBuild builds asyncdemo into dir as make build does, by running
// the Makefile's own build recipe with BIN set to dir/asyncdemo, and returns
// the binary's path. The benchmark is skipped without make.
func benchMakeBuild(b *testing.B, goTool, dir string) string {
	b.Helper()
	makeTool, err := exec.LookPath("make")
	if err != nil {
		b.Skip("make not on PATH: cannot build asyncdemo as make build does")
	}
	bin := filepath.Join(dir, "asyncdemo")
	build := exec.Command(makeTool, "-C", filepath.Join("..", ".."), "build", "BIN="+bin, "GO="+goTool)
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("make build: %v\n%s", err, out)
	}
	return bin
}

// benchBuildCgo builds this command into dir/asyncdemo-cgo with a plain go
// build and cgo on, as go build does by default, and returns the binary's
// path.
func benchBuildCgo(b *testing.B, goTool, dir string) string {
	b.Helper()
	bin := filepath.Join(dir, "asyncdemo-cgo")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkStartup measures start-up: the mean time from exec to exit of
// `asyncdemo --help`, built once as make build builds it (see
// benchMakeBuild: the Makefile's recipe, into a temporary directory),
// against `python3 -c "import asyncio"`, the least a Python asyncio program
// pays before its first line. The programs are started in turn,
// benchStartRuns times each per iteration. Goal: asyncdemo under 5 ms
// (ms/start < 5).
//
// Figures: ms/start (asyncdemo, mean) and med-ms/start (its median),
// py-ms/start, x-faster (python ÷ asyncdemo, means), py-S-ms/start (python3
// -S: without the site module, so without this machine's site-packages .pth
// files), cgo-ms/start (asyncdemo built with cgo: dynamically linked, so the
// loader and libc start first; make build uses CGO_ENABLED=0), and
// floor-ms/start (/bin/true: what fork and exec alone cost here). Each has a
// cpu-ms/start beside it (cpu-ms/start, cgo-cpu-ms/start, py-cpu-ms/start,
// ...): the mean CPU time the program used, which other work on a busy
// machine changes far less than the wall-clock figures.
func BenchmarkStartup(b *testing.B) {
	goTool := benchGoTool(b)
	dir := b.TempDir()
	bin := benchMakeBuild(b, goTool, dir)
	withCgo := benchBuildCgo(b, goTool, dir)
	py := pybench.Python(b)
	truePath, _ := exec.LookPath("true")
	type program struct {
		unit string
		argv []string
		runs []time.Duration
		cpu  time.Duration // summed over runs
	}
	progs := []*program{
		{unit: "ms/start", argv: []string{bin, "--help"}},
		{unit: "cgo-ms/start", argv: []string{withCgo, "--help"}},
	}
	if py != "" {
		progs = append(progs,
			&program{unit: "py-ms/start", argv: []string{py, "-c", "import asyncio"}},
			&program{unit: "py-S-ms/start", argv: []string{py, "-S", "-c", "import asyncio"}})
	}
	if truePath != "" {
		progs = append(progs, &program{unit: "floor-ms/start", argv: []string{truePath}})
	}
	// Start each once first, untimed, so their files are in the page cache.
	for _, p := range progs {
		benchTimeRun(b, exec.Command(p.argv[0], p.argv[1:]...))
	}
	for b.Loop() {
		for range benchStartRuns {
			for _, p := range progs {
				wall, cpu := benchTimeRun(b, exec.Command(p.argv[0], p.argv[1:]...))
				p.runs = append(p.runs, wall)
				p.cpu += cpu
			}
		}
	}
	mean := map[string]float64{}
	for _, p := range progs {
		var sum time.Duration
		for _, d := range p.runs {
			sum += d
		}
		mean[p.unit] = sum.Seconds() * 1e3 / float64(len(p.runs))
		b.ReportMetric(mean[p.unit], p.unit)
		b.ReportMetric(p.cpu.Seconds()*1e3/float64(len(p.runs)), strings.TrimSuffix(p.unit, "ms/start")+"cpu-ms/start")
	}
	goRuns := slices.Clone(progs[0].runs)
	slices.Sort(goRuns)
	b.ReportMetric(goRuns[len(goRuns)/2].Seconds()*1e3, "med-ms/start")
	if py != "" {
		b.ReportMetric(mean["py-ms/start"]/mean["ms/start"], "x-faster")
	}
}

// BenchmarkLessonGather measures the lesson's own overhead: `asyncdemo
// gather --style aio --no-compare --json`, run in this process in real time
// (no synctest), should report its concurrent run of tasks of 1, 2 and 4 s
// as ending within 1 ms of 4 s. It reports the overshoot past 4 s the lesson
// itself printed (overshoot-ms, from its JSON summary, which has millisecond
// resolution), the whole command's overshoot (wall-overshoot-ms: flag
// parsing, loop, recorder and output included), and CPython's for the
// seed's program (testdata/bench_gather124.py wait, in demos/aio). Each
// iteration takes about 8 s.
func BenchmarkLessonGather(b *testing.B) {
	py := pybench.Python(b)
	script := filepath.Join("..", "..", "demos", "aio", "testdata", "bench_gather124.py")
	var lessonMs, wallMs, pyMs float64
	iters := 0
	for b.Loop() {
		var out, errb bytes.Buffer
		ios := &IOStreams{Out: &out, Err: &errb, In: strings.NewReader("")}
		start := time.Now()
		code := execute(context.Background(), ios, []string{"gather", "--style", "aio", "--no-compare", "--json", "--scale", "1"})
		wall := time.Since(start)
		if code != exitOK {
			b.Fatalf("asyncdemo gather exited %d:\n%s", code, errb.String())
		}
		elapsed := -1.0
		for line := range strings.Lines(out.String()) {
			var ev struct {
				Kind    string  `json:"kind"`
				Run     string  `json:"run"`
				Elapsed float64 `json:"elapsed"`
			}
			if json.Unmarshal([]byte(line), &ev) == nil && ev.Kind == "summary" && ev.Run == "concurrent" {
				elapsed = ev.Elapsed
			}
		}
		if elapsed < 0 {
			b.Fatalf("no summary of the concurrent run in:\n%s", out.String())
		}
		lessonMs += (elapsed - 4) * 1e3
		wallMs += (wall - 4*time.Second).Seconds() * 1e3
		if py != "" {
			b.StopTimer()
			pyMs += pybench.Figure(b, pybench.Run(b, py, script, "wait", "1,2,4"), "overshoot_ms")
			b.StartTimer()
		}
		iters++
	}
	k := float64(iters)
	b.ReportMetric(lessonMs/k, "overshoot-ms")
	b.ReportMetric(wallMs/k, "wall-overshoot-ms")
	if py != "" {
		b.ReportMetric(pyMs/k, "py-overshoot-ms")
	}
}

// benchEnv1e6 set to 1 adds the million-task case to BenchmarkGatherRSS, as
// it does to demos/aio's BenchmarkGather.
const benchEnv1e6 = "ASYNCDEMO_BENCH_1E6"

// BenchmarkGatherRSS measures the memory a parked task costs as the
// operating system counts it, resident pages, for asyncdemo and for CPython
// running the same program: `asyncdemo gather --tasks N --durations 0.01
// --no-compare --json` (built as make build does, see benchMakeBuild) and
// the lesson's Python twin (demos/twin/py/gather.py) with the same
// arguments, each in a process of its own, output to /dev/null. Goal for
// asyncdemo at N = 1e6: at most 2.5 KB per task.
//
// Each program runs with N/2 and N tasks; a process's peak resident set is
// the ru_maxrss the kernel reports when it exits (ProcessState.SysUsage).
// The figure per task is the growth of that peak from N/2 to N tasks over
// N/2: the program's and the interpreter's fixed memory cancel out. On Linux
// a child's ru_maxrss starts at its parent's peak (exec keeps the larger of
// the two), so a peak no larger than this benchmark process's own (VmHWM)
// would be the parent's: the benchmark fails then rather than report it.
//
// Figures: rss-B/task (asyncdemo) and py-rss-B/task (CPython, the twin),
// peak-MB and py-peak-MB (the peaks at N tasks, in MiB), and go/py-rss
// (rss-B/task ÷ py-rss-B/task). N = 1e6 runs only with
// ASYNCDEMO_BENCH_1E6=1 (about 3.4 GB for asyncdemo, 1.5 GB for CPython).
func BenchmarkGatherRSS(b *testing.B) {
	goTool := benchGoTool(b)
	bin := benchMakeBuild(b, goTool, b.TempDir())
	py := pybench.Python(b)
	twin := filepath.Join("..", "..", "demos", "twin", "py", "gather.py")
	for _, n := range []int{100_000, 1_000_000} {
		name := "1e5"
		if n == 1_000_000 {
			name = "1e6"
		}
		b.Run(name, func(b *testing.B) {
			if n >= 1_000_000 && os.Getenv(benchEnv1e6) != "1" {
				b.Skipf("set %s=1 to run the million-task case (about 5 GB and 2 minutes per iteration)", benchEnv1e6)
			}
			args := func(n int) []string {
				return []string{"gather", "--tasks", strconv.Itoa(n), "--durations", "0.01", "--no-compare", "--json"}
			}
			var goB, pyB, goPeak, pyPeak float64
			iters := 0
			for b.Loop() {
				half, full := benchPeakRSS(b, bin, args(n/2)...), benchPeakRSS(b, bin, args(n)...)
				goB += float64(full-half) / float64(n-n/2)
				goPeak += float64(full)
				if py != "" {
					pyArgs := func(n int) []string { return append([]string{twin}, args(n)[1:]...) }
					half, full := benchPeakRSS(b, py, pyArgs(n/2)...), benchPeakRSS(b, py, pyArgs(n)...)
					pyB += float64(full-half) / float64(n-n/2)
					pyPeak += float64(full)
				}
				iters++
			}
			k := float64(iters)
			b.ReportMetric(goB/k, "rss-B/task")
			b.ReportMetric(goPeak/k/(1<<20), "peak-MB")
			if py != "" {
				b.ReportMetric(pyB/k, "py-rss-B/task")
				b.ReportMetric(pyPeak/k/(1<<20), "py-peak-MB")
				b.ReportMetric(goB/pyB, "go/py-rss")
			}
		})
	}
}

// BenchmarkGatherCold measures what a user waits for: `asyncdemo gather
// --tasks N --durations 0.01 --no-compare` (built as make build does, see
// benchMakeBuild) in a fresh process, from exec to exit, against the
// lesson's Python twin (demos/twin/py/gather.py, N
// create_task(asyncio.sleep(0.01)) under one gather) with the same
// arguments, run right after it in the same iteration. Output goes to
// /dev/null. Goal: asyncdemo at least 10 times faster, in no more memory.
//
// Figures: s/run and py-s/run (wall, exec to exit), cpu-s/run and
// py-cpu-s/run (user and system time, all threads: on a busy machine the
// wall clock also counts other work's turns), x-faster (py-s ÷ s, per
// iteration, then averaged) and x-faster-cpu, peak-MB and py-peak-MB (the
// peak resident set, ru_maxrss, in MiB) and go/py-peak. N = 1e6 runs only
// with ASYNCDEMO_BENCH_1E6=1 (CPython takes about half a minute).
func BenchmarkGatherCold(b *testing.B) {
	goTool := benchGoTool(b)
	bin := benchMakeBuild(b, goTool, b.TempDir())
	py := pybench.Python(b)
	twin := filepath.Join("..", "..", "demos", "twin", "py", "gather.py")
	for _, n := range []int{100_000, 1_000_000} {
		name := "1e5"
		if n == 1_000_000 {
			name = "1e6"
		}
		b.Run(name, func(b *testing.B) {
			if n >= 1_000_000 && os.Getenv(benchEnv1e6) != "1" {
				b.Skipf("set %s=1 to run the million-task case (CPython takes about half a minute per iteration)", benchEnv1e6)
			}
			args := []string{"--tasks", strconv.Itoa(n), "--durations", "0.01", "--no-compare"}
			var f struct{ wall, cpu, peak, pyWall, pyCPU, pyPeak, x, xCPU float64 }
			iters := 0
			for b.Loop() {
				wall, cpu, peak := benchRunCold(b, bin, append([]string{"gather"}, args...)...)
				f.wall, f.cpu, f.peak = f.wall+wall.Seconds(), f.cpu+cpu.Seconds(), f.peak+float64(peak)
				if py != "" {
					wall2, cpu2, peak2 := benchRunCold(b, py, append([]string{twin}, args...)...)
					f.pyWall, f.pyCPU, f.pyPeak = f.pyWall+wall2.Seconds(), f.pyCPU+cpu2.Seconds(), f.pyPeak+float64(peak2)
					f.x += wall2.Seconds() / wall.Seconds()
					f.xCPU += cpu2.Seconds() / cpu.Seconds()
				}
				iters++
			}
			k := float64(iters)
			b.ReportMetric(f.wall/k, "s/run")
			b.ReportMetric(f.cpu/k, "cpu-s/run")
			b.ReportMetric(f.peak/k/(1<<20), "peak-MB")
			if py != "" {
				b.ReportMetric(f.pyWall/k, "py-s/run")
				b.ReportMetric(f.pyCPU/k, "py-cpu-s/run")
				b.ReportMetric(f.pyPeak/k/(1<<20), "py-peak-MB")
				b.ReportMetric(f.x/k, "x-faster")
				b.ReportMetric(f.xCPU/k, "x-faster-cpu")
				b.ReportMetric(f.peak/f.pyPeak, "go/py-peak")
			}
		})
	}
}

// benchRunCold runs name with args in a fresh process, output to /dev/null,
// and returns its wall time from start to exit, its CPU time (user and
// system, all threads) and its peak resident set size in bytes (ru_maxrss;
// see benchPeakRSS for why it must exceed this process's own).
func benchRunCold(b *testing.B, name string, args ...string) (wall, cpu time.Duration, peak int64) {
	b.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, stderr.Bytes())
	}
	wall = time.Since(start)
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = int64(ru.Maxrss) * 1024 // kilobytes on Linux
		if runtime.GOOS == "darwin" {
			peak = int64(ru.Maxrss) // bytes on macOS
		}
	}
	return wall, cpu, peak
}

// benchPeakRSS runs name with args, output to /dev/null, and returns its peak
// resident set size in bytes: ru_maxrss, as wait4 reports it. It fails the
// benchmark if the program fails, or if that peak is no larger than this
// process's own (then it may be this process's, see BenchmarkGatherRSS).
func benchPeakRSS(b *testing.B, name string, args ...string) int64 {
	b.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, stderr.Bytes())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Skip("no ru_maxrss on this system")
	}
	peak := int64(ru.Maxrss) * 1024 // kilobytes on Linux
	if runtime.GOOS == "darwin" {
		peak = int64(ru.Maxrss) // bytes on macOS
	}
	if own := pybench.PeakRSS(); peak <= own {
		b.Fatalf("%s: peak RSS %d KiB, no more than this benchmark's own %d KiB, which a child's ru_maxrss starts from: use more tasks", cmd, peak>>10, own>>10)
	}
	return peak
}
