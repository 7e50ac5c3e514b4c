package explain

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// ownTime is the time a bench program prints it took: "100000 tasks: 2.654s".
var ownTime = regexp.MustCompile(`: ([0-9.]+)s$`)

// BenchmarkOverhead runs each program with CPython alone and then under
// asyncdemo explain, in the same iteration, with the same interpreter, and
// reports both and their ratios: the wall time (for explain, up to its
// findings and timeline), the time the program measures itself, and the
// CPU time (the program's, and for explain asyncdemo's too), which other
// work on a busy machine disturbs less. The machine is noisy; only the
// same-run ratios are worth comparing.
func BenchmarkOverhead(b *testing.B) {
	py := python(b)
	for _, c := range []struct {
		name, script, n string
	}{
		{"tasks=1e5", "bench_tasks.py", "100000"},
		{"awaits=1e6", "bench_awaits.py", "1000000"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var plainWall, plainOwn, plainCPU, explainWall, explainOwn, explainCPU time.Duration
			n := 0
			for b.Loop() {
				cpu := cpuTime()
				start := time.Now()
				out, err := exec.CommandContext(context.Background(), py, "testdata/"+c.script, c.n).Output()
				if err != nil {
					b.Fatal(err)
				}
				plainWall += time.Since(start)
				plainCPU += cpuTime() - cpu
				plainOwn += parseOwn(b, string(out))

				cpu = cpuTime()
				start = time.Now()
				rec, lines := explainProgram(b, Program{Script: c.script, Args: []string{c.n}}, Config{Slow: DefaultSlow})
				_ = rec.Findings(lesson.Labels("en"))
				_ = timing.Timeline{}.Render(rec.Run())
				explainWall += time.Since(start)
				explainCPU += cpuTime() - cpu
				if len(lines) != 1 || rec.Exit != 0 {
					b.Fatalf("exit %d, lines %+v", rec.Exit, lines)
				}
				explainOwn += parseOwn(b, lines[0].Text)
				n++
			}
			per := func(d time.Duration) float64 { return d.Seconds() / float64(n) }
			b.ReportMetric(per(plainWall), "plain-s")
			b.ReportMetric(per(explainWall), "explain-s")
			b.ReportMetric(explainWall.Seconds()/plainWall.Seconds(), "wall-ratio")
			b.ReportMetric(explainOwn.Seconds()/plainOwn.Seconds(), "own-ratio")
			b.ReportMetric(explainCPU.Seconds()/plainCPU.Seconds(), "cpu-ratio")
		})
	}
}

func parseOwn(b *testing.B, out string) time.Duration {
	b.Helper()
	m := ownTime.FindStringSubmatch(regexp.MustCompile(`\s+$`).ReplaceAllString(out, ""))
	if m == nil {
		b.Fatalf("no time in %q", out)
	}
	s, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		b.Fatal(err)
	}
	return time.Duration(s * float64(time.Second))
}

// BenchmarkOutput runs a program that prints 20 MB (200,000 lines) into a
// file, with CPython alone and then under asyncdemo explain (its lines
// through the printer, with the time gutter, into a file, as asyncdemo
// explain > file does), and reports the wall time and the CPU time (the
// program's and asyncdemo's) of each, and their ratios.
func BenchmarkOutput(b *testing.B) {
	py := python(b)
	dir := b.TempDir()
	var plainWall, plainCPU, explainWall, explainCPU time.Duration
	n := 0
	for b.Loop() {
		f, err := os.Create(filepath.Join(dir, "plain.txt"))
		if err != nil {
			b.Fatal(err)
		}
		cpu := cpuTime()
		start := time.Now()
		cmd := exec.CommandContext(context.Background(), py, "testdata/bench_output.py", "20")
		cmd.Stdout = f
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		plainWall += time.Since(start)
		plainCPU += cpuTime() - cpu
		f.Close()

		f, err = os.Create(filepath.Join(dir, "explain.txt"))
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 64<<10)
		p := timing.NewPrinter(w, true)
		p.Width, p.Tasks = 80, true
		lines := 0
		cpu = cpuTime()
		start = time.Now()
		s, err := Start(context.Background(), Program{Script: "bench_output.py", Args: []string{"20"}}, Config{
			Python: py, Dir: "testdata", Quiet: func() { w.Flush() },
			Output: func(l Line) {
				lines++
				p.Event(timing.Event{Kind: timing.KindEvent, T: l.T, Run: "bench_output.py", Style: "python", Task: l.Task, Text: l.Text})
			}})
		if err != nil {
			b.Fatal(err)
		}
		rec, err := s.Wait()
		if err != nil {
			b.Fatal(err)
		}
		w.Flush()
		explainWall += time.Since(start)
		explainCPU += cpuTime() - cpu
		f.Close()
		if lines != 200_001 || rec.Exit != 0 {
			b.Fatalf("%d lines, exit %d", lines, rec.Exit)
		}
		n++
	}
	per := func(d time.Duration) float64 { return d.Seconds() / float64(n) }
	b.ReportMetric(per(plainWall), "plain-s")
	b.ReportMetric(per(explainWall), "explain-s")
	b.ReportMetric(explainWall.Seconds()/plainWall.Seconds(), "wall-ratio")
	b.ReportMetric(per(plainCPU), "plain-cpu-s")
	b.ReportMetric(per(explainCPU), "explain-cpu-s")
	b.ReportMetric(explainCPU.Seconds()/plainCPU.Seconds(), "cpu-ratio")
}

// cpuTime returns the CPU time this process and its waited-for children
// have used so far.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}
