package timing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// traceFile is the JSON Object Format, as far as the tests read it.
type traceFile struct {
	TraceEvents []struct {
		Name string         `json:"name"`
		Cat  string         `json:"cat"`
		Ph   string         `json:"ph"`
		Pid  int            `json:"pid"`
		Tid  int            `json:"tid"`
		Ts   float64        `json:"ts"`
		Dur  float64        `json:"dur"`
		S    string         `json:"s"`
		Args map[string]any `json:"args"`
	} `json:"traceEvents"`
	DisplayTimeUnit string `json:"displayTimeUnit"`
}

func TestWriteTraceGolden(t *testing.T) {
	concurrent, sequential := gatherRuns()
	var out bytes.Buffer
	if err := WriteTrace(&out, concurrent, sequential, cancelRun()); err != nil {
		t.Fatal(err)
	}
	golden(t, "gather.trace.json", out.String())
}

func TestWriteTraceEvents(t *testing.T) {
	concurrent, sequential := gatherRuns()
	var out bytes.Buffer
	if err := WriteTrace(&out, concurrent, sequential); err != nil {
		t.Fatal(err)
	}
	var tf traceFile
	if err := json.Unmarshal(out.Bytes(), &tf); err != nil {
		t.Fatalf("trace is not JSON: %v\n%s", err, out.String())
	}
	if tf.DisplayTimeUnit != "ms" {
		t.Errorf("displayTimeUnit = %q, want ms", tf.DisplayTimeUnit)
	}

	processes := map[int]string{}
	threads := map[[2]int]string{}
	var complete, instant int
	for _, e := range tf.TraceEvents {
		switch e.Ph {
		case "M":
			switch e.Name {
			case "process_name":
				processes[e.Pid] = e.Args["name"].(string)
			case "thread_name":
				threads[[2]int{e.Pid, e.Tid}] = e.Args["name"].(string)
			}
		case "X":
			complete++
			if threads[[2]int{e.Pid, e.Tid}] != e.Name {
				t.Errorf("span %q on track %q", e.Name, threads[[2]int{e.Pid, e.Tid}])
			}
			if e.Args["state"] != StateDone {
				t.Errorf("span %q has args %v, want state done", e.Name, e.Args)
			}
		case "i":
			instant++
			if e.S != "t" {
				t.Errorf("instant %q has scope %q, want t", e.Name, e.S)
			}
		default:
			t.Errorf("unexpected phase %q", e.Ph)
		}
	}
	if processes[1] != "concurrent" || processes[2] != "sequential" {
		t.Errorf("processes = %v", processes)
	}
	if threads[[2]int{1, 1}] != "do_some_work(1)" || threads[[2]int{1, 3}] != "do_some_work(4)" || threads[[2]int{1, 0}] != "(run)" {
		t.Errorf("threads = %v", threads)
	}
	if complete != 6 || instant != 7 {
		t.Errorf("%d X and %d i events, want 6 and 7", complete, instant)
	}

	// ts and dur are microseconds.
	for _, e := range tf.TraceEvents {
		if e.Ph == "X" && e.Pid == 2 && e.Name == "do_some_work(4)" && (e.Ts != 3002000 || e.Dur != 4002000) {
			t.Errorf("sequential do_some_work(4): ts %v dur %v, want 3002000 and 4002000", e.Ts, e.Dur)
		}
	}
}

func TestWriteTraceManyTasksIsValidJSON(t *testing.T) {
	run := manySpans(5000)
	var out bytes.Buffer
	if err := WriteTrace(&out, run); err != nil {
		t.Fatal(err)
	}
	var tf traceFile
	if err := json.Unmarshal(out.Bytes(), &tf); err != nil {
		t.Fatal(err)
	}
	// process name and sort index, a name per task, a span per task
	if want := 2 + 5000 + 5000 + 1; len(tf.TraceEvents) != want {
		t.Errorf("%d trace events, want %d", len(tf.TraceEvents), want)
	}
}

func TestWriteTraceReportsWriteError(t *testing.T) {
	concurrent, _ := gatherRuns()
	err := WriteTrace(&failingWriter{}, concurrent)
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "trace") {
		t.Errorf("WriteTrace = %v, want the wrapped write error", err)
	}
}

func TestAppendMicros(t *testing.T) {
	for d, want := range map[int64]string{0: "0", 1000: "1", 1500: "1.5", 1234567: "1234.567", 7: "0.007", 70: "0.07"} {
		if got := string(appendMicros(nil, time.Duration(d))); got != want {
			t.Errorf("appendMicros(%dns) = %s, want %s", d, got, want)
		}
	}
}

func TestWriteTraceSaysWhatAPartialRunKept(t *testing.T) {
	run := Run{Name: "queue-poll", Style: "go", Elapsed: 10 * time.Second, From: 9 * time.Second,
		DroppedSpans: 990, DroppedEvents: 1980,
		Spans:  []Span{span("do_some_work(1)", 9*time.Second, 10*time.Second, StateDone)},
		Events: []Event{{Kind: KindEvent, T: 9500 * ms, Task: "do_some_work(1)", Text: "Done 1"}}}
	var out bytes.Buffer
	if err := WriteTrace(&out, run); err != nil {
		t.Fatal(err)
	}
	var tf traceFile
	if err := json.Unmarshal(out.Bytes(), &tf); err != nil {
		t.Fatalf("trace is not JSON: %v\n%s", err, out.String())
	}
	var labels string
	var window bool
	for _, e := range tf.TraceEvents {
		if e.Name == "process_labels" {
			labels = fmt.Sprint(e.Args["labels"])
		}
		if e.Cat == "window" && e.Ts == 9e6 && e.S == "p" {
			window = true
		}
	}
	if want := "go, the last 1 of 991 tasks, from 9.000s (earlier ones not kept)"; labels != want {
		t.Errorf("process labels = %q, want %q", labels, want)
	}
	if !window {
		t.Errorf("no instant marks where the kept record starts:\n%s", out.String())
	}
}

func TestWriteTracePhasesAreSlicesInsideTheirTask(t *testing.T) {
	var out bytes.Buffer
	if err := WriteTrace(&out, blockedRun()); err != nil {
		t.Fatal(err)
	}
	var tf traceFile
	if err := json.Unmarshal(out.Bytes(), &tf); err != nil {
		t.Fatalf("trace is not JSON: %v\n%s", err, out.String())
	}
	tracks := map[string]int{}
	held := 0
	for _, e := range tf.TraceEvents {
		switch {
		case e.Ph == "M" && e.Name == "thread_name":
			tracks[e.Args["name"].(string)] = e.Tid
		case e.Ph == "X" && e.Name == "held":
			if e.Cat != "held" || e.Args != nil {
				t.Errorf("held slice %+v: want cat held and no state", e)
			}
			if e.Tid == tracks["Task-2 fetch"] && e.Ts == 1002000 && e.Dur == 1002000 {
				held++
			}
		}
	}
	if len(tracks) != 5 || held != 1 {
		t.Errorf("tracks %v, fetch's held slice found %d times, want 5 tasks and once:\n%s", tracks, held, out.String())
	}
}
