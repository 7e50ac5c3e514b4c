package timing

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

const ms = time.Millisecond

func TestEventMarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{
			"event",
			Event{Kind: KindEvent, T: 1002 * ms, Run: "concurrent", Style: "aio", Task: "do_some_work(2)", Text: "Waiting: 2"},
			`{"kind":"event","t":1.002,"run":"concurrent","style":"aio","task":"do_some_work(2)","text":"Waiting: 2"}`,
		},
		{
			"t rounds to the millisecond",
			Event{Kind: KindEvent, T: 1002600 * time.Microsecond, Run: "sequential", Text: "x"},
			`{"kind":"event","t":1.003,"run":"sequential","text":"x"}`,
		},
		{
			"whole seconds keep a decimal point",
			Event{Kind: KindEvent, T: 2 * time.Second, Text: "Done"},
			`{"kind":"event","t":2.0,"text":"Done"}`,
		},
		{
			"state",
			Event{Kind: KindState, T: 0, Run: "concurrent", Task: "do_some_work(1)", State: "pending"},
			`{"kind":"state","t":0.0,"run":"concurrent","task":"do_some_work(1)","state":"pending"}`,
		},
		{
			"summary",
			Event{Kind: KindSummary, Run: "concurrent", Elapsed: 4003 * ms},
			`{"kind":"summary","run":"concurrent","elapsed":4.003}`,
		},
		{
			"summary with style",
			Event{Kind: KindSummary, Run: "sequential", Style: "go", Elapsed: 7 * time.Second},
			`{"kind":"summary","run":"sequential","style":"go","elapsed":7.0}`,
		},
		{
			"compare",
			Event{Kind: KindCompare, Concurrent: 4003 * ms, Sequential: 7004 * ms, Speedup: 1.75},
			`{"kind":"compare","concurrent":4.003,"sequential":7.004,"speedup":1.75}`,
		},
		{
			"speedup rounds to 2 decimals",
			Event{Kind: KindCompare, Concurrent: 3 * time.Second, Sequential: 7 * time.Second, Speedup: 7.0 / 3},
			`{"kind":"compare","concurrent":3.0,"sequential":7.0,"speedup":2.33}`,
		},
		{
			"text is escaped for JSON but not for HTML",
			Event{Kind: KindEvent, T: 0, Text: "<Task pending> \"q\" \\ \t\n\x01 中文 \u2028"},
			`{"kind":"event","t":0.0,"text":"<Task pending> \"q\" \\ \t\n\u0001 中文 \u2028"}`,
		},
		{
			"a line a program wrote on stderr",
			Event{Kind: KindEvent, T: 500 * ms, Run: "my.py", Style: "python", Text: "oops", Stream: "stderr"},
			`{"kind":"event","t":0.5,"run":"my.py","style":"python","text":"oops","stream":"stderr"}`,
		},
		{
			"finding",
			Event{Kind: KindFinding, T: 500 * ms, Run: "my.py", Style: "python", Task: "Task-3 blocker", Text: "Line 12 held the loop.",
				Elapsed: 2 * time.Second, Finding: "blocking", File: "my.py", Line: 12, Lesson: "await --blocking"},
			`{"kind":"finding","t":0.5,"run":"my.py","style":"python","task":"Task-3 blocker","text":"Line 12 held the loop.","elapsed":2.0,"finding":"blocking","file":"my.py","line":12,"lesson":"await --blocking"}`,
		},
		{
			"a twin's span of a phase",
			Event{Kind: "span", T: 5 * ms, Run: "workers", Style: "python", Task: "worker-1", Text: "worker-1", State: StateDone,
				Phase: PhaseWait, Elapsed: 500 * ms},
			`{"kind":"span","t":0.005,"run":"workers","style":"python","task":"worker-1","text":"worker-1","state":"done","phase":"wait","elapsed":0.5}`,
		},
		{
			"invalid UTF-8",
			Event{Kind: KindEvent, T: 0, Text: "a\xffb"},
			`{"kind":"event","t":0.0,"text":"a\ufffdb"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.e.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Fatalf("not valid JSON: %s", got)
			}
			// It reads back as the same object.
			var back Event
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			again, err := json.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			var m1, m2 map[string]any
			if json.Unmarshal(got, &m1) != nil || json.Unmarshal(again, &m2) != nil || !reflect.DeepEqual(m1, m2) {
				t.Errorf("round trip: got %s, want %s", again, got)
			}
		})
	}
}

func TestEventMarshalJSONRejectsNaN(t *testing.T) {
	if _, err := (Event{Kind: KindCompare, Speedup: math.NaN()}).MarshalJSON(); err == nil {
		t.Error("MarshalJSON with a NaN speedup: want an error")
	}
}

func TestSpeedup(t *testing.T) {
	tests := []struct {
		c, s time.Duration
		want float64
	}{
		{4003 * ms, 7004 * ms, 1.75},
		{4 * time.Second, 4 * time.Second, 1},
		{2 * time.Second, 1 * time.Second, 0.5},
		{0, time.Second, 0},
		{time.Second, 0, 0},
	}
	for _, tt := range tests {
		if got := Speedup(tt.c, tt.s); got != tt.want {
			t.Errorf("Speedup(%v, %v) = %v, want %v", tt.c, tt.s, got, tt.want)
		}
	}
}

// TestJSONWriterGatherRun is a whole sequential run, as --json prints it.
func TestJSONWriterGatherRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		jw := NewJSONWriter(&out)
		r := NewRecorder(jw)
		run := func(name string, work func(x int)) Run {
			r.StartRun(name, "aio")
			for _, x := range []int{1, 2, 4} {
				work(x)
			}
			return r.EndRun()
		}
		seq := run("sequential", func(x int) {
			task := fmt.Sprintf("do_some_work(%d)", x)
			r.State(task, "pending")
			r.Printf(task, "Waiting: %d", x)
			time.Sleep(time.Duration(x) * time.Second)
			r.Printf(task, "Done after %ds", x)
		})
		r.Compare(Run{Elapsed: 4 * time.Second}, seq)

		want := `{"kind":"state","t":0.0,"run":"sequential","style":"aio","task":"do_some_work(1)","state":"pending"}
{"kind":"event","t":0.0,"run":"sequential","style":"aio","task":"do_some_work(1)","text":"Waiting: 1"}
{"kind":"event","t":1.0,"run":"sequential","style":"aio","task":"do_some_work(1)","text":"Done after 1s"}
{"kind":"state","t":1.0,"run":"sequential","style":"aio","task":"do_some_work(2)","state":"pending"}
{"kind":"event","t":1.0,"run":"sequential","style":"aio","task":"do_some_work(2)","text":"Waiting: 2"}
{"kind":"event","t":3.0,"run":"sequential","style":"aio","task":"do_some_work(2)","text":"Done after 2s"}
{"kind":"state","t":3.0,"run":"sequential","style":"aio","task":"do_some_work(4)","state":"pending"}
{"kind":"event","t":3.0,"run":"sequential","style":"aio","task":"do_some_work(4)","text":"Waiting: 4"}
{"kind":"event","t":7.0,"run":"sequential","style":"aio","task":"do_some_work(4)","text":"Done after 4s"}
{"kind":"summary","run":"sequential","style":"aio","elapsed":7.0}
{"kind":"compare","concurrent":4.0,"sequential":7.0,"speedup":1.75}
`
		if got := out.String(); got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
		if err := jw.Err(); err != nil {
			t.Error(err)
		}
	})
}

func TestJSONWriterConcurrentLinesAreWhole(t *testing.T) {
	var out bytes.Buffer
	jw := NewJSONWriter(&out)
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Go(func() {
			for i := range 100 {
				jw.Event(Event{Kind: KindEvent, T: time.Duration(i) * ms, Task: fmt.Sprint("worker-", g), Text: strings.Repeat("x", i)})
			}
		})
	}
	wg.Wait()
	sc := bufio.NewScanner(&out)
	lines := 0
	for sc.Scan() {
		lines++
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("line %d is not JSON: %s", lines, sc.Bytes())
		}
	}
	if lines != 2000 {
		t.Errorf("%d lines, want 2000", lines)
	}
}

type failingWriter struct{ writes int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	return 0, errors.New("disk full")
}

func TestJSONWriterKeepsFirstError(t *testing.T) {
	w := &failingWriter{}
	jw := NewJSONWriter(w)
	jw.Event(Event{Kind: KindEvent})
	jw.Event(Event{Kind: KindSummary})
	err := jw.Err()
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "event") {
		t.Errorf("Err() = %v, want the wrapped write error", err)
	}
	if w.writes != 1 {
		t.Errorf("%d writes after a failure, want 1", w.writes)
	}
}

func TestMultiSendsToEverySink(t *testing.T) {
	a, b := &collector{}, &collector{}
	m := Multi(a, nil, b)
	m.Event(Event{Kind: KindEvent, Text: "hi"})
	if len(a.all()) != 1 || len(b.all()) != 1 {
		t.Errorf("a got %d, b got %d, want 1 each", len(a.all()), len(b.all()))
	}
}

// A comparison of runs named otherwise names them, in JSON and in words.
func TestCompareNamesRunsOfOtherNames(t *testing.T) {
	var out, human bytes.Buffer
	NewRecorder(NewJSONWriter(&out)).Compare(Run{Name: "workers", Elapsed: 10500 * time.Millisecond}, Run{Name: "sync-client", Elapsed: 13500 * time.Millisecond})
	if want := `{"kind":"compare","concurrent":10.5,"sequential":13.5,"speedup":1.29,"concurrent_run":"workers","sequential_run":"sync-client"}` + "\n"; out.String() != want {
		t.Errorf("got %s want %s", out.String(), want)
	}
	var e Event
	if err := e.UnmarshalJSON(bytes.TrimSpace(out.Bytes())); err != nil || e.ConcurrentRun != "workers" || e.SequentialRun != "sync-client" {
		t.Errorf("read back: %+v, %v", e, err)
	}
	NewRecorder(NewPrinter(&human, true)).Compare(Run{Name: "workers", Elapsed: 10500 * time.Millisecond}, Run{Name: "sync-client", Elapsed: 13500 * time.Millisecond})
	if want := "workers 10.50 s vs sync-client 13.50 s: 1.29× faster\n\n"; human.String() != want {
		t.Errorf("printed %q, want %q", human.String(), want)
	}
}
