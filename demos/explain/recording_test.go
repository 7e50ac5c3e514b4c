package explain

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"maps"
	"math"
	"strings"
	"testing"
	"time"

	"asyncdemo/demos/lesson"
	"asyncdemo/timing"
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
		tasks: map[int]*Task{}, codes: map[int]code{}}}
	s.out = &assembler{emit: func(l Line) { lines = append(lines, l) }}
	if err := readFrames(bufio.NewReader(&f.Buffer), s); err != nil {
		t.Fatalf("readFrames: %v", err)
	}
	s.out.close()
	s.rec.Lines = s.out.lines
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
	rec, _ := replay(t, f)
	for _, lang := range lesson.Languages {
		labels := lesson.Labels(lang)
		fs := rec.Findings(labels)
		kinds := map[string]bool{}
		for _, f := range fs {
			kinds[f.Kind] = true
			if f.Title == "" || f.Text == "" || strings.Contains(f.Text+f.Title, "%!") {
				t.Errorf("%s: %s: title %q, text %q", lang, f.Kind, f.Title, f.Text)
			}
		}
		for _, k := range []string{FindingBlocking, FindingGC, FindingNeverAwaited, FindingNeverRetrieved, FindingDestroyed, FindingLogged,
			FindingForeignLoop, FindingSummary} {
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
	clean := &Recording{Loops: []*Loop{{ID: 1}}, Slow: DefaultSlow, tasks: map[int]*Task{}}
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

func TestReadFramesRejectsGarbage(t *testing.T) {
	for _, in := range []string{"not json\n", "B\x07\x00\x00\x00abcdefg", "B\x30\x00\x00\x00short"} {
		s := &Session{rec: &Recording{tasks: map[int]*Task{}, codes: map[int]code{}}, out: &assembler{}}
		if err := readFrames(bufio.NewReader(strings.NewReader(in)), s); err == nil {
			t.Errorf("readFrames(%q): no error", in)
		}
	}
}
