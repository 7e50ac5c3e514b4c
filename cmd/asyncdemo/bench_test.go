package main

// Speed benchmarks of the command, each beside CPython doing the equivalent
// in the same run when python3 is on PATH (see BENCHMARKS.md at the module
// root). Each iteration is a whole measurement: run with -benchtime 1x.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

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

// startRuns is how many times one BenchmarkStartup iteration starts each
// program; the figures are means.
const startRuns = 20

// timeRun returns how long cmd took from start to exit.
func timeRun(b *testing.B, cmd *exec.Cmd) time.Duration {
	b.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, stderr.Bytes())
	}
	return time.Since(start)
}

// BenchmarkStartup measures start-up: the mean time from exec to exit of
// `asyncdemo --help`, built once into a temporary directory, against
// `python3 -c "import asyncio"`, the least a Python asyncio program pays
// before its first line. The two are started in turn, startRuns times each
// per iteration. Goal: asyncdemo under 5 ms (ms/start < 5).
//
// Figures: ms/start (asyncdemo), py-ms/start, x-faster (python ÷ asyncdemo),
// py-S-ms/start, the same with python3 -S (no site module: what the
// interpreter and asyncio cost without this machine's site-packages .pth
// files), and floor-ms/start, the same for /bin/true: what fork and exec
// alone cost here.
func BenchmarkStartup(b *testing.B) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go not on PATH: cannot build asyncdemo")
	}
	bin := filepath.Join(b.TempDir(), "asyncdemo")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	py := pythonPath(b)
	truePath, _ := exec.LookPath("true")
	// One start of each first, untimed, so the files are in the page cache.
	timeRun(b, exec.Command(bin, "--help"))
	if py != "" {
		timeRun(b, exec.Command(py, "-c", "import asyncio"))
	}
	var goT, pyT, pyST, floorT time.Duration
	runs := 0
	for b.Loop() {
		for range startRuns {
			goT += timeRun(b, exec.Command(bin, "--help"))
			if py != "" {
				pyT += timeRun(b, exec.Command(py, "-c", "import asyncio"))
				pyST += timeRun(b, exec.Command(py, "-S", "-c", "import asyncio"))
			}
			if truePath != "" {
				floorT += timeRun(b, exec.Command(truePath))
			}
			runs++
		}
	}
	ms := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(runs) }
	b.ReportMetric(ms(goT), "ms/start")
	if py != "" {
		b.ReportMetric(ms(pyT), "py-ms/start")
		b.ReportMetric(float64(pyT)/float64(goT), "x-faster")
		b.ReportMetric(ms(pyST), "py-S-ms/start")
	}
	if truePath != "" {
		b.ReportMetric(ms(floorT), "floor-ms/start")
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
	py := pythonPath(b)
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
			pyMs += pythonFigure(b, py, script, "overshoot_ms", "wait", "1,2,4")
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

// pythonFigure runs script with args and returns the figure key of the JSON
// line it prints last.
func pythonFigure(b *testing.B, py, script, key string, args ...string) float64 {
	b.Helper()
	cmd := exec.Command(py, append([]string{script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, stderr.Bytes())
	}
	var last string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "{") {
			last = sc.Text()
		}
	}
	var figs map[string]any
	if err := json.Unmarshal([]byte(last), &figs); err != nil {
		b.Fatalf("%s printed no JSON figures (%v):\n%s", cmd, err, out)
	}
	x, ok := figs[key].(float64)
	if !ok {
		b.Fatalf("%s: figure %q missing in %s", cmd, key, last)
	}
	return x
}
