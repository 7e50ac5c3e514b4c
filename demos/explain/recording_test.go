package explain

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// frames builds what the recorder writes: JSON objects (each on a line)
// and records (each six floats, in a binary frame).
type frames struct{ bytes.Buffer }

func (f *frames) json(obj map[string]any) {
	b, _ := json.Marshal(obj)
	f.Write(append(b, '\n'))
}

func (f *frames) records(recs ...[6]float64) {
	f.WriteByte('B')
	binary.Write(&f.Buffer, binary.LittleEndian, uint32(48*len(recs)))
	for _, r := range recs {
		for _, x := range r {
			binary.Write(&f.Buffer, binary.LittleEndian, math.Float64bits(x))
		}
	}
}

// blockedProgram is what the recorder writes for testdata/blocking.py,
// times from 100 s: blocker's time.sleep holds the loop 0.5 s while both
// fetches are ready; fetch(0.1)'s timer was due at 0.1 s.
func blockedProgram() *frames {
	var f frames
	const t0 = 100.0
	f.json(map[string]any{"k": "hello", "t0": t0, "python": "3.11.2", "pid": 1})
	f.json(map[string]any{"k": "loop", "id": 1, "t": t0, "thread": "MainThread"})
	f.json(map[string]any{"k": "code", "id": 1, "fn": "main", "file": "/p/blocking.py", "line": 20})
	f.json(map[string]any{"k": "code", "id": 2, "fn": "fetch", "file": "/p/blocking.py", "line": 9})
	f.json(map[string]any{"k": "code", "id": 3, "fn": "blocker", "file": "/p/blocking.py", "line": 15})
	f.json(map[string]any{"k": "out", "s": 1, "t": t0 + 0.001, "task": "Task-3 blocker", "x": "blocking\n"})
	f.json(map[string]any{"k": "block", "id": 3, "cb": "", "t0": t0 + 0.001, "t1": t0 + 0.501, "ready_at": t0,
		"ready": []int{2, 4}, "nready": 3,
		"at":   []map[string]any{{"file": "/p/blocking.py", "line": 17, "fn": "blocker", "code": "time.sleep(0.5)", "n": 40}},
		"coro": map[string]any{"fn": "Task-3 blocker", "file": "/p/blocking.py", "line": 15}})
	f.records(
		[6]float64{recCreated, 1, 1, 0, t0, 1},
		[6]float64{recCreated, 2, 2, 1, t0, 2},
		[6]float64{recCreated, 3, 3, 1, t0, 3},
		[6]float64{recCreated, 4, 2, 1, t0, 4},
		[6]float64{recStep, 1, t0, t0, t0 + 0.0005, 0},
		[6]float64{recStep, 2, t0, t0 + 0.0005, t0 + 0.001, 0},
		[6]float64{recStep, 3, t0, t0 + 0.001, t0 + 0.501, 0},
		[6]float64{recEnded, 3, 1, t0 + 0.501, 0, 0},
		[6]float64{recStep, 4, t0, t0 + 0.501, t0 + 0.502, 0},
		[6]float64{recStep, 2, t0 + 0.1, t0 + 0.502, t0 + 0.503, 0},
		[6]float64{recEnded, 2, 1, t0 + 0.503, 0, 0},
		[6]float64{recStep, 4, t0 + 0.702, t0 + 0.702, t0 + 0.703, 0},
		[6]float64{recEnded, 4, 1, t0 + 0.703, 0, 0},
		[6]float64{recStep, 1, t0 + 0.703, t0 + 0.703, t0 + 0.704, 0},
		[6]float64{recEnded, 1, 1, t0 + 0.704, 0, 0},
	)
	f.json(map[string]any{"k": "loopend", "id": 1, "t": t0 + 0.705, "run": 0.705, "busy": 0.504, "idle": 0.2, "longest": 0.5, "longest_id": 3})
	f.json(map[string]any{"k": "exit", "t": t0 + 0.706})
	return &f
}

// replay reads frames as a Session would and returns the finished
// recording, and the lines the program wrote.
func replay(t *testing.T, f *frames) (*Recording, []Line) {
	t.Helper()
	var lines []Line
	s := &Session{rec: &Recording{Program: Program{Script: "blocking.py"}, Slow: DefaultSlow, dir: "/p",
		codes: map[int]code{}}}
	s.out = &assembler{emit: func(l Line) { lines = append(lines, l) }}
	if err := readFrames(bufio.NewReader(&f.Buffer), s); err != nil {
		t.Fatalf("readFrames: %v", err)
	}
	s.out.close()
	s.rec.Lines, s.rec.DroppedLines = s.out.kept()
	s.rec.finish(time.Second)
	return s.rec, lines
}

func TestRecordingOfABlockedLoop(t *testing.T) {
	rec, lines := replay(t, blockedProgram())
	if rec.Version != "3.11.2" || rec.Elapsed != 706*time.Millisecond || len(rec.Tasks) != 4 {
		t.Fatalf("version %q, elapsed %v, %d tasks", rec.Version, rec.Elapsed, len(rec.Tasks))
	}
	if len(lines) != 1 || lines[0].Text != "blocking" || lines[0].Task != "Task-3 blocker" || lines[0].T != time.Millisecond {
		t.Errorf("lines %+v", lines)
	}
	fetch := rec.Task(2)
	if fetch.Who() != "Task-2 fetch" || fetch.Parent != 1 || fetch.State != timing.StateDone || len(fetch.Steps) != 2 {
		t.Errorf("fetch %+v", fetch)
	}

	run := rec.Run()
	if run.Name != "blocking.py" || run.Style != "python 3.11.2" {
		t.Errorf("run %q (%s)", run.Name, run.Style)
	}
	held := map[string]timing.Span{}
	for _, s := range run.Spans {
		if s.Phase == timing.PhaseHeld && strings.Contains(s.Task, "fetch") {
			held[s.Task] = s
		}
	}
	// fetch(0.1) was ready from its timer's moment to the blocker's end;
	// fetch(0.2) from its creation.
	want := map[string]timing.Span{
		"Task-4 fetch blocking.py:9": {Task: "Task-4 fetch blocking.py:9", Group: "fetch blocking.py:9", Start: 0, End: 501 * time.Millisecond, Phase: timing.PhaseHeld},
		"Task-2 fetch blocking.py:9": {Task: "Task-2 fetch blocking.py:9", Group: "fetch blocking.py:9", Start: 100 * time.Millisecond, End: 502 * time.Millisecond, Phase: timing.PhaseHeld},
	}
	if !maps.Equal(held, want) {
		t.Errorf("the fetches' held spans %+v\nwant %+v", held, want)
	}
	if out := (timing.Timeline{NoColor: true}).Render(run); !strings.Contains(out, "Task-3 blocker blocking.py:15 │████") {
		t.Errorf("timeline:\n%s", out)
	}
}

func TestFindingsOfABlockedLoop(t *testing.T) {
	rec, _ := replay(t, blockedProgram())
	fs := rec.Findings(lesson.Labels("en"))
	if len(fs) != 2 || fs[0].Kind != FindingBlocking || fs[1].Kind != FindingSummary {
		t.Fatalf("findings %+v", fs)
	}
	b := fs[0]
	if b.File != "blocking.py" || b.Line != 17 || b.Where != "blocking.py:17" || b.Cost != 500*time.Millisecond ||
		b.Task != "Task-3 blocker" || b.Lesson != "await --blocking" {
		t.Errorf("blocking finding %+v", b)
	}
	for _, want := range []string{"Line 17, `time.sleep(0.5)`, held the loop for 500 ms (in Task-3 blocker, from 0.001 s)",
		"Task-2 fetch and Task-4 fetch had to wait", "await asyncio.sleep(…)", "See asyncdemo await --blocking."} {
		if !strings.Contains(b.Text, want) {
			t.Errorf("blocking text lacks %q:\n%s", want, b.Text)
		}
	}
	sum := fs[1].Text
	for _, want := range []string{"It ran 706 ms", "ran code 71% of the time, waited for timers and I/O 28%, and spent 0% on its own work",
		"the longest step took 500 ms (Task-3 blocker)",
		"tasks: 4, at most 4 at once"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
}

// TestLibraryTasks adds to the blocked program a task redis.asyncio made
// for itself (a connection's disconnect): Run shows it, saying whose it
// is; OwnRun leaves it out and returns it; the summary counts it, as the
// timeline of explain shows it.
func TestLibraryTasks(t *testing.T) {
	f := blockedProgram()
	f.json(map[string]any{"k": "code", "id": 4, "fn": "Connection.disconnect",
		"file": "/usr/lib/python3/dist-packages/redis/asyncio/connection.py", "line": 480, "lib": "redis"})
	f.records(
		[6]float64{recCreated, 5, 4, 1, 100.6, 5},
		[6]float64{recStep, 5, 100.6, 100.6, 100.601, 0},
		[6]float64{recEnded, 5, 2, 100.65, 0, 0},
	)
	rec, _ := replay(t, f)
	if lib := rec.Task(5).Lib; lib != "redis" {
		t.Fatalf("task 5's library is %q, want redis", lib)
	}
	rows := func(run timing.Run) []string {
		var tasks []string
		for _, s := range run.Spans {
			if !slices.Contains(tasks, s.Task) {
				tasks = append(tasks, s.Task)
			}
		}
		return tasks
	}
	all := rows(rec.Run())
	if !slices.Contains(all, "Task-5 Connection.disconnect (redis)") || len(all) != 5 {
		t.Errorf("Run's rows: %q, want the library's task among the 5, said to be redis's", all)
	}
	run, left := rec.OwnRun()
	own := rows(run)
	if len(own) != 4 || slices.ContainsFunc(own, func(s string) bool { return strings.Contains(s, "Connection.disconnect") }) {
		t.Errorf("OwnRun's rows: %q, want the program's 4 tasks alone", own)
	}
	if len(left) != 1 || left[0].ID != 5 {
		t.Errorf("OwnRun left out %v, want task 5", left)
	}
	fs := rec.Findings(lesson.Labels("en"))
	if sum := fs[len(fs)-1].Text; !strings.Contains(sum, "tasks: 5,") {
		t.Errorf("the summary does not count the library's task as the timeline shows it: %s", sum)
	}
}

// TestFindingsSayEverythingInEachLanguage builds a finding of every kind
// and checks that each language's words fill in: no verb left unused
// (fmt's %! marks), no label missing.
func TestFindingsSayEverythingInEachLanguage(t *testing.T) {
	f := blockedProgram()
	f.json(map[string]any{"k": "warn", "t": 100.2, "msg": "coroutine 'fetch' was never awaited", "file": "/p/blocking.py", "line": 21,
		"fn": "fetch", "def_file": "/p/blocking.py", "def_line": 9})
	f.json(map[string]any{"k": "exc", "t": 100.3, "msg": "Task exception was never retrieved", "id": 4, "exc": "ValueError: boom",
		"file": "/p/blocking.py", "line": 11, "code": "raise ValueError(\"boom\")"})
	f.json(map[string]any{"k": "waiting", "id": 2, "file": "/p/blocking.py", "line": 10, "code": "await q.get()"})
	f.json(map[string]any{"k": "exc", "t": 100.4, "msg": "Task was destroyed but it is pending!", "id": 2, "closed": true})
	f.json(map[string]any{"k": "exc", "t": 100.4, "msg": "Unclosed client session"})
	f.json(map[string]any{"k": "foreign", "t": 100.5, "type": "uvloop.Loop"})
	// A callback that took 250 ms, 240 of them the garbage collector's.
	f.json(map[string]any{"k": "block", "id": 0, "cb": "_set_result_unless_cancelled", "t0": 100.6, "t1": 100.85, "gc": 0.24})
	// A call through requests that held the loop.
	f.json(map[string]any{"k": "block", "id": 4, "t0": 100.86, "t1": 101.26,
		"at": []map[string]any{{"file": "/p/blocking.py", "line": 12, "fn": "fetch", "code": "requests.get(url)", "lib": "requests.api", "n": 3}}})
	awaitsOneAfterAnother(f, 101.5, nil, nil)
	f.json(map[string]any{"k": "cancel", "id": 4, "t": 102.5, "how": "went", "file": "/p/blocking.py", "line": 10,
		"code": "await q.get()", "handler": "/p/blocking.py", "hline": 12, "hcode": "except asyncio.CancelledError:"})
	f.json(map[string]any{"k": "cancel", "id": 3, "t": 102.6, "how": "returned"})
	f.json(map[string]any{"k": "nested", "t": 102.7, "how": "asyncio.run", "msg": "asyncio.run() cannot be called from a running event loop",
		"id": 1, "file": "/p/blocking.py", "line": 22, "code": "asyncio.run(sub())", "fn": "sub"})
	f.json(map[string]any{"k": "nested", "t": 102.8, "how": "loop.run_until_complete", "msg": "This event loop is already running",
		"id": 1, "file": "/p/blocking.py", "line": 23, "code": "loop.run_until_complete(fetch(1))"})
	f.json(map[string]any{"k": "child", "t": 102.9, "how": "subprocess.Popen", "what": "ls -l"})
	f.json(map[string]any{"k": "foreign", "t": 103.0, "type": "uvloop.Loop"})
	rec, _ := replay(t, f)
	for _, lang := range lesson.Languages {
		labels := lesson.Labels(lang)
		fs := rec.Findings(labels)
		kinds := map[string]bool{}
		for _, f := range fs {
			kinds[f.Kind] = true
			if f.Title == "" || f.Text == "" || strings.Contains(f.Text+f.Title+f.CostText, "%!") {
				t.Errorf("%s: %s: title %q, text %q", lang, f.Kind, f.Title, f.Text)
			}
			// A heading's cost says what it is, in words around its figure.
			if words := strings.Replace(f.CostText, secs(f.Cost), "", 1); f.Kind != FindingSummary && f.Cost > 0 &&
				(words == f.CostText || strings.TrimSpace(words) == "") {
				t.Errorf("%s: %s costs %s, said as %q", lang, f.Kind, secs(f.Cost), f.CostText)
			}
		}
		for _, k := range []string{FindingBlocking, FindingGC, FindingNeverAwaited, FindingNeverRetrieved, FindingDestroyed, FindingLogged,
			FindingForeignLoop, FindingSummary, FindingSyncClient, FindingMissed, FindingSwallowed, FindingNestedRun, FindingChildren} {
			if !kinds[k] {
				t.Errorf("%s: no %s finding in %+v", lang, k, fs)
			}
		}
		for _, f := range fs {
			if f.Kind == FindingBlocking && f.Task == "" {
				t.Errorf("%s: the collector's pause is blamed on the callback: %+v", lang, f)
			}
			if f.Kind == FindingDestroyed && (f.Where != "blocking.py:10" || !strings.Contains(f.Text, "await q.get()")) {
				t.Errorf("%s: destroyed at %q: %s (want where it waited when its loop closed)", lang, f.Where, f.Text)
			}
		}
	}
	clean := &Recording{Loops: []*Loop{{ID: 1}}, Slow: DefaultSlow}
	for _, lang := range lesson.Languages {
		fs := clean.Findings(lesson.Labels(lang))
		if len(fs) != 2 || fs[0].Kind != FindingClean || !strings.Contains(fs[0].Text, "50 ms") {
			t.Errorf("%s: a clean program: %+v", lang, fs)
		}
		none := (&Recording{Program: Program{Script: "x.py"}}).Findings(lesson.Labels(lang))
		if len(none) != 1 || none[0].Kind != FindingNoAsyncio || !strings.Contains(none[0].Text, "x.py") {
			t.Errorf("%s: a program without asyncio: %+v", lang, none)
		}
	}
}

// awaitsOneAfterAnother adds to f a task (5, "seq") that awaits three
// coroutines one after another from t0, of 0.1, 0.2 and 0.4 s, the loop
// going idle after each step: calls fps (work(0.1), work(0.2), work(0.4)
// if nil), at points of which needs says which may use which (none if
// nil).
func awaitsOneAfterAnother(f *frames, t0 float64, needs [][]int, fps []string) {
	if needs == nil {
		needs = [][]int{{}, {}, {}}
	}
	if fps == nil {
		fps = []string{"work(0.1)", "work(0.2)", "work(0.4)"}
	}
	f.json(map[string]any{"k": "code", "id": 9, "fn": "seq", "file": "/p/blocking.py", "line": 30})
	f.json(map[string]any{"k": "name", "id": 5, "name": "seq"})
	f.json(map[string]any{"k": "scope", "id": 1, "lines": []int{31, 32, 33}, "needs": needs})
	for n, fp := range fps {
		level := map[string]any{"l": 0, "f": 1, "c": 9, "line": 31 + n, "sc": 1, "s": n, "k": "work", "fp": fp, "fn": "work"}
		f.json(map[string]any{"k": "await", "n": n + 1, "id": 5, "from": 0, "lv": []map[string]any{level}})
	}
	f.records(
		[6]float64{recLoop, 1, 0, 0, 0, 0},
		[6]float64{recCreated, 5, 9, 0, t0, -1},
		[6]float64{recStep, 5, t0, t0, t0 + 0.001, 0},
		[6]float64{recAwait, 5, t0 + 0.001, 1, 0, 0},
		[6]float64{recStep, 5, t0 + 0.101, t0 + 0.101, t0 + 0.102, 0},
		[6]float64{recAwait, 5, t0 + 0.102, 2, 0, 0},
		[6]float64{recStep, 5, t0 + 0.302, t0 + 0.302, t0 + 0.303, 0},
		[6]float64{recAwait, 5, t0 + 0.303, 3, 0, 0},
		[6]float64{recStep, 5, t0 + 0.703, t0 + 0.703, t0 + 0.704, 0},
		[6]float64{recEnded, 5, 1, t0 + 0.704, 0, 0},
	)
}

func TestAwaitsOneAfterAnother(t *testing.T) {
	cases := []struct {
		name  string
		needs [][]int
		fps   []string
		lines []int // of the run found; none if nil
	}{
		{"independent", nil, nil, []int{31, 32, 33}},
		{"the second needs the first's result", [][]int{{}, {0}, {}}, nil, []int{32, 33}},
		{"each needs the one before", [][]int{{}, {0}, {1}}, nil, nil},
		{"the same call again (the next of a stream, a poll)", nil, []string{"read(@1)", "read(@1)", "read(@1)"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f frames
			f.json(map[string]any{"k": "hello", "t0": 0.0, "python": "3.11.2", "pid": 1})
			f.json(map[string]any{"k": "loop", "id": 1, "t": 0.0, "thread": "MainThread"})
			awaitsOneAfterAnother(&f, 0, c.needs, c.fps)
			rec, _ := replay(t, &f)
			if c.lines == nil {
				if len(rec.Missed) != 0 {
					t.Errorf("missed %+v, want none", rec.Missed)
				}
				return
			}
			if len(rec.Missed) != 1 || !slices.Equal(rec.Missed[0].Lines, c.lines) {
				t.Fatalf("missed %+v, want a run at lines %v", rec.Missed, c.lines)
			}
		})
	}
	var f frames
	f.json(map[string]any{"k": "hello", "t0": 0.0, "python": "3.11.2", "pid": 1})
	f.json(map[string]any{"k": "loop", "id": 1, "t": 0.0, "thread": "MainThread"})
	awaitsOneAfterAnother(&f, 0, nil, nil)
	rec, _ := replay(t, &f)
	m := rec.Missed[0]
	if m.Took != 702*time.Millisecond || m.Estimate != 402*time.Millisecond {
		t.Errorf("missed %+v: want 702 ms, estimate 402 ms (the longest, and the code between)", m)
	}
	fs := rec.Findings(lesson.Labels("en"))
	if fs[0].Kind != FindingMissed || fs[0].Where != "blocking.py:31" || fs[0].Cost != 300*time.Millisecond ||
		!strings.HasPrefix(fs[0].Text, "These 3 awaits in seq (lines 31, 32 and 33) took 702 ms one after another") ||
		!strings.Contains(fs[0].Text, "about 402 ms") || !strings.Contains(fs[0].Text, "estimate") {
		t.Errorf("finding %+v", fs[0])
	}
}

func TestReadFramesRejectsGarbage(t *testing.T) {
	for _, in := range []string{"not json\n", "B\x07\x00\x00\x00abcdefg", "B\x30\x00\x00\x00short"} {
		s := &Session{rec: &Recording{codes: map[int]code{}}, out: &assembler{}}
		if err := readFrames(bufio.NewReader(strings.NewReader(in)), s); err == nil {
			t.Errorf("readFrames(%q): no error", in)
		}
	}
}

func TestParseOutReadsWhatTheRecorderWrites(t *testing.T) {
	for _, c := range []struct {
		line string
		want wire
	}{
		{`{"k":"out","s":1,"t":12.5,"task":"","x":"hello\n"}`, wire{K: "out", S: 1, T: 12.5, X: "hello\n"}},
		{`{"k":"out","s":2,"t":1e-05,"task":"Task-2 fetch","x":"a\"b\\c\td"}` + "\n",
			wire{K: "out", S: 2, T: 1e-05, Task: "Task-2 fetch", X: "a\"b\\c\td"}},
		{`{"k":"out","s":1,"t":3.0,"task":"\u4efb\u52a1","x":"\ud83d\ude00 \u00e9\n"}`, wire{K: "out", S: 1, T: 3, Task: "任务", X: "😀 é\n"}},
	} {
		var w wire
		if !parseOut([]byte(c.line), &w) || !reflect.DeepEqual(w, c.want) {
			t.Errorf("parseOut(%s) = %+v, want %+v", c.line, w, c.want)
		}
		var j wire
		if err := json.Unmarshal([]byte(c.line), &j); err != nil || !reflect.DeepEqual(j, c.want) {
			t.Errorf("encoding/json reads %s as %+v (%v)", c.line, j, err)
		}
	}
	for _, line := range []string{`{"k":"flush","s":1,"t":2}`, `{"k":"out","s":1,"t":x,"task":"","x":""}`, `{"k":"out","s":1,"t":1,"task":"","x":"a"`} {
		var w wire
		if parseOut([]byte(line), &w) {
			t.Errorf("parseOut(%s) = %+v, want false", line, w)
		}
	}
}

// TestFixForSaysWhatTheLineWaitedFor: a blocking finding's fix follows
// what the line was stuck in. input() waits for the keyboard, not the
// network (the recorder's own hook of stdin is the frame inside it); a
// line that asked asyncio for much at once (a gather of 10⁵) spent the
// time in asyncio itself, which no thread fixes.
func TestFixForSaysWhatTheLineWaitedFor(t *testing.T) {
	for _, c := range []struct {
		place Place
		want  string
	}{
		{Place{Code: `name = input("What is your name? ")`, Inner: "hooked_read (_asyncrec.py:1590)", Lib: "_asyncrec"}, "explain_fix_input"},
		{Place{Code: `await asyncio.gather(*(asyncio.sleep(0.01) for _ in range(100_000)))`, Lib: "asyncio.tasks"}, "explain_fix_asyncio"},
		{Place{Code: "time.sleep(2)"}, "explain_fix_sleep"},
		{Place{Code: "data = sock.recv(1024)"}, "explain_fix_io"},
		{Place{Code: "total = sum(i * i for i in range(10**7))"}, "explain_fix_cpu"},
		{Place{Code: "x = compute(3)"}, "explain_fix_cpu"},
	} {
		if got := fixFor(c.place); got != c.want {
			t.Errorf("%q (lib %q): %s, want %s", c.place.Code, c.place.Lib, got, c.want)
		}
		for _, lang := range []string{"en", "zh"} {
			if lesson.Labels(lang)[c.want] == "" {
				t.Errorf("no %s label %s", lang, c.want)
			}
		}
	}
}
