package explain

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"asyncdemo/demos/lesson"
	"asyncdemo/timing"
)

// ownTime is the time a bench program prints it took: "100000 tasks: 2.654s".
var ownTime = regexp.MustCompile(`: ([0-9.]+)s$`)

// BenchmarkOverhead runs each program with CPython alone and then under
// asyncdemo explain, in the same iteration, with the same interpreter, and
// reports both and their ratios: the wall time (for explain, up to its
// findings and timeline) and the time the program measures itself. The
// machine is noisy; only the same-run ratios are worth comparing.
func BenchmarkOverhead(b *testing.B) {
	py := python(b)
	for _, c := range []struct {
		name, script, n string
	}{
		{"tasks=1e5", "bench_tasks.py", "100000"},
		{"awaits=1e6", "bench_awaits.py", "1000000"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var plainWall, plainOwn, explainWall, explainOwn time.Duration
			n := 0
			for b.Loop() {
				start := time.Now()
				out, err := exec.CommandContext(context.Background(), py, "testdata/"+c.script, c.n).Output()
				if err != nil {
					b.Fatal(err)
				}
				plainWall += time.Since(start)
				plainOwn += parseOwn(b, string(out))

				start = time.Now()
				rec, lines := explainProgram(b, Program{Script: c.script, Args: []string{c.n}}, Config{Slow: DefaultSlow})
				_ = rec.Findings(lesson.Labels("en"))
				_ = timing.Timeline{}.Render(rec.Run())
				explainWall += time.Since(start)
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
