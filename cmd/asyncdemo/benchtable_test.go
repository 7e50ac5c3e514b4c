package main

// BenchmarkTable is what make bench runs: issues 17's and 13's table, every figure
// measured in the same run, asyncdemo beside CPython. See BENCHMARKS.md at
// the module root for what each row measures and the figures recorded.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/demos/twin/pybench"
)

// The table's sizes and switches.
const (
	tableTasks     = 1_000_000 // the big gather; ASYNCDEMO_BENCH_QUICK=1 leaves it out
	tableTasksMid  = 100_000
	tableMessages  = 100_000 // each drain's
	tableConsumers = 8
	tableBatch     = 16 // messages an AckTake consumer takes at a time
	// tableEnvQuick set to 1 leaves out the million-task gather (≈ 40 s of
	// the run, and 5 GB); memory per task is then measured from 5×10⁴ to
	// 10⁵ tasks.
	tableEnvQuick = "ASYNCDEMO_BENCH_QUICK"
	// tableEnvCount is how many rounds to run (default 1); each figure is
	// then the median of the rounds, with their range.
	tableEnvCount = "ASYNCDEMO_BENCH_COUNT"
)

// tableSamples gathers one figure's value from each round.
type tableSamples map[string][]float64

func (s tableSamples) add(key string, v float64) { s[key] = append(s[key], v) }

// median returns the median of key's values and their range, ok false if
// there are none.
func (s tableSamples) median(key string) (med, lo, hi float64, ok bool) {
	v := slices.Clone(s[key])
	if len(v) == 0 {
		return 0, 0, 0, false
	}
	slices.Sort(v)
	med = v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return med, v[0], v[len(v)-1], true
}

// BenchmarkTable measures, in one run and in a fresh process for each
// program (cold, as a user runs them):
//
//   - the gather lesson with 10⁶ and 10⁵ tasks of 10 ms, `asyncdemo gather
//     --tasks N --durations 0.01 --no-compare` as make build builds it,
//     against its Python twin (demos/twin/py/gather.py, the same arguments):
//     wall time from exec to exit, output to /dev/null;
//   - memory per task: the growth of the peak resident set (ru_maxrss) from
//     10⁵ to 10⁶ tasks over the 9×10⁵ more tasks, for both;
//   - the reliable drain of 10⁵ messages by 8 consumers on a real
//     redis-server started for the run: Take then Ack with an id, two round
//     trips a message (before), and AckTake, one round trip acknowledging
//     the batch done and taking up to 16 more (after), against CPython doing
//     the same with redis.asyncio (demos/redisqueue/testdata/bench_queue.py,
//     a fresh process each time), and redis-benchmark -t rpop (50 clients,
//     its default; and with -P 16, for reference) against the same server.
//     AckTake of 1 (the ack and the next take in one round trip, no
//     batch) is measured too;
//   - asyncdemo explain's overhead (issue 13): a gather of 10⁵ tasks and
//     10⁶ awaits (demos/explain/testdata/bench_tasks.py, bench_awaits.py)
//     with CPython alone (the CPython column) and under `asyncdemo explain
//     --python` the same interpreter (the asyncdemo column), as a user
//     runs it: Python's version probe, the program under the recorder, the
//     findings and the timeline.
//
// It prints the table; it reports no metric and checks no figure, only that
// each drain took every message once and left nothing behind.
func BenchmarkTable(b *testing.B) {
	rounds := 1
	if s := os.Getenv(tableEnvCount); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a whole number of rounds from 1", tableEnvCount, s)
		}
		rounds = n
	}
	quick := os.Getenv(tableEnvQuick) == "1"
	bin := benchMakeBuild(b, benchGoTool(b), b.TempDir())
	py := pybench.Python(b)
	twin := filepath.Join("..", "..", "demos", "twin", "py", "gather.py")
	d := newTableDrain(b)

	big := tableTasks
	if quick {
		big = tableTasksMid / 2
	}
	load0 := loadAverage()
	started := time.Now().UTC()
	s := tableSamples{}
	for b.Loop() {
		for range rounds {
			peaks := map[string][2]float64{}
			for _, n := range []int{big, tableTasksMid} {
				args := []string{"gather", "--tasks", strconv.Itoa(n), "--durations", "0.01", "--no-compare"}
				key := strconv.Itoa(n)
				wall, _, peak := benchRunCold(b, bin, args...)
				s.add("go-"+key, wall.Seconds())
				p := peaks[key]
				p[0] = float64(peak)
				if py != "" {
					pyWall, _, pyPeak := benchRunCold(b, py, append([]string{twin}, args[1:]...)...)
					s.add("py-"+key, pyWall.Seconds())
					s.add("x-"+key, pyWall.Seconds()/wall.Seconds())
					p[1] = float64(pyPeak)
				}
				peaks[key] = p
			}
			lo, hi := peaks[strconv.Itoa(min(big, tableTasksMid))], peaks[strconv.Itoa(max(big, tableTasksMid))]
			more := float64(max(big, tableTasksMid) - min(big, tableTasksMid))
			s.add("go-B", (hi[0]-lo[0])/more)
			if py != "" {
				s.add("py-B", (hi[1]-lo[1])/more)
				s.add("x-B", (hi[0]-lo[0])/(hi[1]-lo[1]))
			}
			d.round(b, s)
			if py != "" {
				tableExplain(b, bin, py, s)
			}
		}
	}
	load1 := loadAverage()

	w := os.Stdout
	medians := ""
	if rounds > 1 {
		medians = ", medians [range]"
	}
	fmt.Fprintf(w, "\nasyncdemo against CPython (%s), same run: %s, %d round(s)%s; %s, %d CPUs; load average %s before, %s after\n\n",
		cmp.Or(tablePython(py), "not found"), started.Format("2006-01-02 15:04 UTC"), rounds, medians,
		cpuModel(), runtime.NumCPU(), load0, load1)
	t := &tableWriter{s: s}
	bigName, bigKey := "10⁶", strconv.Itoa(tableTasks)
	if quick {
		bigName, bigKey = "5×10⁴ (ASYNCDEMO_BENCH_QUICK=1)", strconv.Itoa(tableTasksMid/2)
	}
	t.row("gather "+bigName+" tasks × 10 ms, cold (CLI)", tableSecs, "go-"+bigKey, "py-"+bigKey, "x-"+bigKey, "× faster", "≥ 10× faster", 10, true)
	t.row("gather 10⁵ tasks × 10 ms, cold (CLI)", tableSecs, "go-100000", "py-100000", "x-100000", "× faster", "≥ 10× faster", 10, true)
	t.row("memory per parked task (peak RSS growth)", tableBytes, "go-B", "py-B", "x-B", "× CPython's", "≤ CPython's", 1, false)
	for _, p := range tableExplainPrograms {
		t.row(p.row, tableSecs, "explain-"+p.key, "alone-"+p.key, "xexplain-"+p.key, "× alone", "≤ 1.5×", 1.5, false)
	}
	d.rows(t)
	t.print(w)
}

// tableExplainPrograms are the programs asyncdemo explain's overhead is
// measured on (issue 13), in demos/explain/testdata.
var tableExplainPrograms = []struct{ key, script, row string }{
	{"tasks", "bench_tasks.py", "explain: a gather of 10⁵ tasks × 10 ms, cold (CLI)"},
	{"awaits", "bench_awaits.py", "explain: 10⁶ awaits of sleep(0) in one task, cold (CLI)"},
}

// tableExplain runs each of tableExplainPrograms with CPython alone and
// then under asyncdemo explain (bin explain --python py, as a user runs it:
// the version probe, the program under the recorder, then the findings and
// the timeline printed, to /dev/null), with the same interpreter, each in
// a fresh process, and adds both wall times and their ratio to s.
func tableExplain(b *testing.B, bin, py string, s tableSamples) {
	b.Helper()
	for _, p := range tableExplainPrograms {
		script := filepath.Join("..", "..", "demos", "explain", "testdata", p.script)
		alone, _, _ := benchRunCold(b, py, script)
		explained, _, _ := benchRunCold(b, bin, "explain", "--python", py, script)
		s.add("alone-"+p.key, alone.Seconds())
		s.add("explain-"+p.key, explained.Seconds())
		s.add("xexplain-"+p.key, explained.Seconds()/alone.Seconds())
	}
}

// tableDrain is the drain part of the table: a redis-server of its own,
// the Python that drains with redis.asyncio, and redis-benchmark, each
// possibly missing (skip says why).
type tableDrain struct {
	skip      string
	rdb       *redis.Client
	url       string
	host      string
	port      string
	py        string
	benchTool string // redis-benchmark; "" if not installed
	note      string // which Python drains
}

func newTableDrain(b *testing.B) *tableDrain {
	d := &tableDrain{}
	if _, err := exec.LookPath("redis-server"); err != nil {
		d.skip = "redis-server not installed (apt-get install redis-server): drain rows skipped"
		return d
	}
	srv := redistest.Real(b)
	d.rdb = redis.NewClient(&redis.Options{Addr: srv.Addr})
	b.Cleanup(func() { d.rdb.Close() })
	// redistest fsyncs the append-only file; that would time the disk.
	if err := d.rdb.ConfigSet(context.Background(), "appendonly", "no").Err(); err != nil {
		b.Fatalf("turning off the append-only file: %v", err)
	}
	d.url = "redis://" + srv.Addr + "/0"
	d.host, d.port, _ = net.SplitHostPort(srv.Addr)
	d.py = pybench.Python(b, "redis.asyncio")
	if v := tablePython(d.py); v != "" {
		d.note = "The drains' CPython side: " + v + " with redis-py " + redisPyVersion(d.py) + " (redis.asyncio)."
	}
	d.benchTool, _ = exec.LookPath("redis-benchmark")
	return d
}

// tableDrainMode is one way of draining the queue measured: bench_queue.py's
// mode, how many messages a consumer takes at a time, and the row's name.
type tableDrainMode struct {
	key, mode string
	batch     int
	row       string
}

// tableDrainModes are the drains measured.
var tableDrainModes = []tableDrainMode{
	{"before", "ackid", 1, "reliable drain, before: Take + Ack (2 round trips a message)"},
	{"pipelined", "acktake", 1, "reliable drain, AckTake of 1: the ack and the next take in 1 round trip"},
	{"after", "acktake", tableBatch, fmt.Sprintf("reliable drain, after: AckTake of ≤ %d (1 round trip a batch)", tableBatch)},
	{"rpop", "rpop", 1, "for reference, the unsafe drain: RPOP (a crash loses messages)"},
}

// round measures each drain once in Go and in CPython, and redis-benchmark.
func (d *tableDrain) round(b *testing.B, s tableSamples) {
	if d.skip != "" {
		return
	}
	ctx := context.Background()
	q := redisqueue.New(d.rdb, "bench", "drain")
	var rpop float64
	if d.benchTool != "" {
		rpop = d.redisBenchmark(b, 1)
		s.add("rpop", rpop)
		s.add("rpop-P16", d.redisBenchmark(b, tableBatch))
	}
	for _, m := range tableDrainModes {
		tableFill(b, ctx, d.rdb, q.Key())
		start := time.Now()
		taken, err := tableDrainGo(ctx, q, m)
		rate := tableMessages / time.Since(start).Seconds()
		if err == nil {
			err = tableCheckDrained(ctx, d.rdb, q, taken)
		}
		if err != nil {
			b.Fatalf("%s drain: %v", m.mode, err)
		}
		s.add("go-"+m.key, rate)
		if rpop > 0 {
			s.add("ofrpop-"+m.key, rate/rpop)
		}
		if d.py == "" {
			continue
		}
		tableFill(b, ctx, d.rdb, q.Key())
		figs := pybench.Run(b, d.py, filepath.Join("..", "..", "demos", "redisqueue", "testdata", "bench_queue.py"),
			d.url, q.Key(), q.ProcessingKey(), m.mode, strconv.Itoa(tableConsumers), strconv.Itoa(m.batch))
		if took, distinct := pybench.Figure(b, figs, "taken"), pybench.Figure(b, figs, "distinct"); took != tableMessages || distinct != tableMessages {
			b.Fatalf("python %s drain took %v messages, %v of them distinct; want %d", m.mode, took, distinct, tableMessages)
		}
		if err := tableCheckDrained(ctx, d.rdb, q, nil); err != nil {
			b.Fatalf("python %s drain: %v", m.mode, err)
		}
		p := pybench.Figure(b, figs, "msgs_per_s")
		s.add("py-"+m.key, p)
		s.add("x-"+m.key, rate/p)
	}
}

// redisBenchmark runs redis-benchmark -t rpop against the server, with
// pipeline requests in each client's pipeline (-P), and returns its
// requests a second.
func (d *tableDrain) redisBenchmark(b *testing.B, pipeline int) float64 {
	b.Helper()
	n := tableMessages * pipeline // about as long a run either way
	out, err := exec.Command(d.benchTool, "-h", d.host, "-p", d.port, "-t", "rpop", "-n", strconv.Itoa(n),
		"-P", strconv.Itoa(pipeline), "--csv").Output()
	if err != nil {
		b.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	for _, r := range recs {
		if len(r) > 1 && r[0] == "RPOP" {
			if x, err := strconv.ParseFloat(r[1], 64); err == nil {
				return x
			}
		}
	}
	b.Fatalf("no RPOP figure in redis-benchmark's output (%v):\n%s", err, out)
	return 0
}

// rows adds the drain's rows to the table.
func (d *tableDrain) rows(t *tableWriter) {
	if d.skip != "" {
		t.note(d.skip)
		return
	}
	if d.note != "" {
		t.note(d.note)
	}
	if d.benchTool == "" {
		t.note("redis-benchmark not installed (it ships with redis-server): its RPOP row skipped")
	} else {
		t.row("redis-benchmark -t rpop, 50 clients (Redis's own speed)", tableRequests, "rpop", "", "", "", "", 0, false)
		t.row(fmt.Sprintf("    the same, -P %d (%d requests a round trip)", tableBatch, tableBatch), tableRequests, "rpop-P16", "", "", "", "", 0, false)
	}
	for _, m := range tableDrainModes {
		t.row(m.row, tableRate, "go-"+m.key, "py-"+m.key, "x-"+m.key, "× CPython", "", 0, false)
		if d.benchTool != "" {
			goalWord, goal := "≥ 70 %", 0.7
			if m.mode == "rpop" {
				goalWord, goal = "", 0 // not reliable: no goal
			}
			t.row("    the same, as a share of redis-benchmark's RPOP", tablePercent, "ofrpop-"+m.key, "", "", "", goalWord, goal, true)
		}
	}
}

// tableFill pushes the messages "0" to "tableMessages-1" onto the queue at key,
// oldest first, 10,000 to an LPUSH, all in one pipeline.
func tableFill(b *testing.B, ctx context.Context, rdb *redis.Client, key string) {
	b.Helper()
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for lo := 0; lo < tableMessages; lo += 10_000 {
			values := make([]any, 0, 10_000)
			for i := lo; i < min(lo+10_000, tableMessages); i++ {
				values = append(values, strconv.Itoa(i))
			}
			p.LPush(ctx, key, values...)
		}
		return nil
	})
	if err != nil {
		b.Fatalf("filling %s: %v", key, err)
	}
}

// tableDrainGo drains the queue with tableConsumers goroutines, each taking
// and acknowledging as m says (ackid: Take, then Ack with an id; acktake:
// AckTake; rpop: TakeUnsafe), and returns what each took.
func tableDrainGo(ctx context.Context, q *redisqueue.Queue, m tableDrainMode) ([][]string, error) {
	taken := make([][]string, tableConsumers)
	errs := make([]error, tableConsumers)
	var wg sync.WaitGroup
	for i := range tableConsumers {
		wg.Go(func() {
			var done []string
			for {
				var msgs []string
				var err error
				switch m.mode {
				case "acktake":
					msgs, err = q.AckTake(ctx, done, redisqueue.NewID(), m.batch)
				case "rpop":
					var msg string
					if msg, err = q.TakeUnsafe(ctx, 0); err == nil {
						msgs = []string{msg}
					}
				default:
					var msg string
					if msg, err = q.Take(ctx, 0); err == nil {
						msgs = []string{msg}
						err = q.Ack(ctx, msg, redisqueue.NewID())
					}
				}
				if errors.Is(err, redisqueue.ErrEmpty) || (err == nil && len(msgs) == 0) {
					return
				}
				if err != nil {
					errs[i] = err
					return
				}
				taken[i] = append(taken[i], msgs...)
				done = msgs
			}
		})
	}
	wg.Wait()
	return taken, errors.Join(errs...)
}

// tableCheckDrained checks that taken holds each message once (unless taken is
// nil: Python's drain, which checks its own) and that the queue and the
// processing list are empty.
func tableCheckDrained(ctx context.Context, rdb *redis.Client, q *redisqueue.Queue, taken [][]string) error {
	if taken != nil {
		seen := make([]int, tableMessages)
		for _, msgs := range taken {
			for _, m := range msgs {
				i, err := strconv.Atoi(m)
				if err != nil || i < 0 || i >= tableMessages {
					return fmt.Errorf("took %q, which was never pushed", m)
				}
				seen[i]++
			}
		}
		for i, k := range seen {
			if k != 1 {
				return fmt.Errorf("message %d taken %d times, want once", i, k)
			}
		}
	}
	for _, key := range []string{q.Key(), q.ProcessingKey()} {
		n, err := rdb.LLen(ctx, key).Result()
		if err != nil {
			return fmt.Errorf("checking %s: %w", key, err)
		}
		if n != 0 {
			return fmt.Errorf("%s holds %d messages after the drain, want none", key, n)
		}
	}
	return nil
}

// tableWriter lays out the table: a row's figures are the medians of the
// samples named, with their range when there were several rounds.
type tableWriter struct {
	s     tableSamples
	lines [][]string
	notes []string
}

// tableFormat writes a figure: its number, and the unit after it.
type tableFormat struct {
	number func(float64) string
	unit   string
}

var (
	tableSecs     = tableFormat{func(x float64) string { return fmt.Sprintf("%.2f", x) }, "s"}
	tableBytes    = tableFormat{func(x float64) string { return fmt.Sprintf("%.0f", x) }, "B"}
	tableRate     = tableFormat{func(x float64) string { return fmt.Sprintf("%.1fk", x/1000) }, "msgs/s"}
	tableRequests = tableFormat{func(x float64) string { return fmt.Sprintf("%.1fk", x/1000) }, "requests/s"}
	tablePercent  = tableFormat{func(x float64) string { return fmt.Sprintf("%.0f", 100*x) }, "%"}
	tableRatio    = tableFormat{func(x float64) string { return fmt.Sprintf("%.2f", x) }, ""}
)

// row adds a row: its asyncdemo and CPython figures (format), their ratio
// (what says how to read it), the goal in words, and whether the ratio's
// median meets it (at least goal if higher, at most if not; goal 0: no goal).
// For a row whose asyncdemo figure is itself the ratio to the goal, ratio
// is "" and goal applies to the asyncdemo figure.
func (t *tableWriter) row(name string, format tableFormat, goKey, pyKey, ratioKey, ratioWord, goalWord string, goal float64, higher bool) {
	cell := func(key string, f tableFormat) (string, float64, bool) {
		med, lo, hi, ok := t.s.median(key)
		if !ok {
			return "–", 0, false
		}
		c := f.number(med)
		if len(t.s[key]) > 1 {
			c += fmt.Sprintf(" [%s–%s]", f.number(lo), f.number(hi))
		}
		return strings.TrimSpace(c + " " + f.unit), med, true
	}
	goCell, goMed, _ := cell(goKey, format)
	pyCell, ratioCell, met := "", "", ""
	if pyKey != "" {
		pyCell, _, _ = cell(pyKey, format)
	}
	judged, judgedOK := goMed, true
	if ratioKey != "" {
		var r float64
		ratioCell, r, judgedOK = cell(ratioKey, tableRatio)
		if judgedOK {
			ratioCell += " " + ratioWord
		}
		judged = r
	}
	if goal > 0 && judgedOK {
		met = "no"
		if (higher && judged >= goal) || (!higher && judged <= goal) {
			met = "yes"
		}
	}
	t.lines = append(t.lines, []string{name, goCell, pyCell, ratioCell, goalWord, met})
}

// note adds a line said under the table.
func (t *tableWriter) note(s string) { t.notes = append(t.notes, s) }

// print writes the table as Markdown, its columns aligned.
func (t *tableWriter) print(w io.Writer) {
	head := []string{"what a user runs", "asyncdemo", "CPython", "ratio", "goal", "met?"}
	rows := append([][]string{head}, t.lines...)
	width := make([]int, len(head))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(r []string) {
		fmt.Fprint(w, "|")
		for i, c := range r {
			fmt.Fprintf(w, " %s%s |", c, strings.Repeat(" ", width[i]-len([]rune(c))))
		}
		fmt.Fprintln(w)
	}
	line(head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, r := range t.lines {
		line(r)
	}
	for _, n := range t.notes {
		fmt.Fprintln(w, "\n"+n)
	}
	fmt.Fprintln(w)
}

// loadAverage returns the machine's 1, 5 and 15-minute load averages, or
// "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// cpuModel returns the processor's model name, or GOARCH.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// tablePython returns py's version, such as "CPython 3.11.2", or "".
func tablePython(py string) string {
	if py == "" {
		return ""
	}
	out, err := exec.Command(py, "-c", "import platform; print(platform.python_implementation(), platform.python_version())").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// redisPyVersion returns the version of redis-py that py imports, or "?".
func redisPyVersion(py string) string {
	out, err := exec.Command(py, "-c", "import redis; print(redis.__version__)").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}
