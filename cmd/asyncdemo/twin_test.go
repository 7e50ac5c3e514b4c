package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/demos/smsapi"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// The fidelity tests run each lesson's aio style and its Python twin with
// the same flags, and check that the twin prints the same events in the
// same order and takes as long. What "the same" allows is twin.Compare's to
// say: Python's own spelling (True, reprs), and a free order only where
// neither language fixes one. twin/DIFFERENCES.md lists it all.
//
// A lesson whose program only sleeps on its event loop runs on fake time
// on both sides: the Go lesson in a synctest bubble, the twin with
// --virtual-time (its loop's clock jumps over each wait, see
// demos/twin/py/_asyncdemo.py). Both then print exact times, which must be
// equal to the millisecond: nothing a loaded machine does can change them.
// The lessons in twinRealTime, and those on the network, run on real time.

// twinRealTime names the lessons whose twins run on real time, and why.
var twinRealTime = map[string]string{
	"thread": "its work runs in real threads, blocking them with time.sleep",
}

// twinRealScale is the --scale of the real-time fidelity cases: a
// lesson-second of 400 ms, so that a stall of a loaded machine (100 to
// 300 ms) fits in the slack, half a lesson-second, and a lesson that is a
// second out still does not.
const twinRealScale = "0.4"

// twinTolerance is what a twin run on real time at a small --scale is
// held to (TestVsPython's): each run's total and each event's time within
// 25% of the Go run's plus 60 ms; the tasks and order the lesson's Info
// fixes.
func twinTolerance(t *testing.T, name string) twin.Tolerance {
	tol := lessonInfo(t, name).Twin.Tolerance()
	tol.Slack = 60 * time.Millisecond
	return tol
}

// twinFidelityTolerance is what TestTwinFidelity holds the twin of the
// lesson named name to: on fake time, the Go run's times exactly; on real
// time at scale, each run's total and each event's time within 5% of the
// Go run's plus half a lesson-second (200 ms at twinRealScale), which
// covers thread wake-ups, garbage collection and the stalls of a loaded
// 2-core machine, yet not a lesson-second's difference up to 10
// lesson-seconds. The tasks and order are the lesson's Info's.
func twinFidelityTolerance(t *testing.T, name string, fake bool, scale float64) twin.Tolerance {
	tol := lessonInfo(t, name).Twin.Tolerance()
	if fake {
		tol.Ratio, tol.Slack = 0, 0
		return tol
	}
	tol.Ratio = 0.05
	tol.Slack = time.Duration(scale / 2 * float64(time.Second))
	return tol
}

// twinPython returns the interpreter to run lesson's twin with, or skips
// the test when there is none (or, for lessons 10 to 12, none with redis
// and aiohttp), as testenv says: CI must run these. go test -short skips
// them too.
// foundPythons holds, for each set of modules, the interpreter found for
// it: asking each time would start Python twice more per test.
var foundPythons sync.Map

func twinPython(t *testing.T, lesson string) string {
	t.Helper()
	testenv.SkipShort(t, "a Python twin")
	modules := lessonInfo(t, lesson).Twin.Modules
	found, _ := foundPythons.LoadOrStore(strings.Join(modules, ","), sync.OnceValues(func() (string, error) {
		return twin.Runner{Modules: modules}.Interpreter(context.Background())
	}))
	path, err := found.(func() (string, error))()
	if err != nil {
		how := "install python3 (3.11+)"
		if errors.Is(err, twin.ErrMissingModules) {
			how = "apt-get install python3-redis python3-aiohttp"
		}
		testenv.Missing(t, "a Python for the twin of "+lesson, err.Error(), how)
	}
	return path
}

// checkTwin compares the two runs' JSON Lines and, if they differ, shows
// them side by side.
func checkTwin(t *testing.T, goOut string, pyOut []byte, tol twin.Tolerance) {
	t.Helper()
	goEvs, err := twin.Events(bytes.NewReader([]byte(goOut)))
	if err != nil {
		t.Fatalf("go output: %v", err)
	}
	pyEvs, err := twin.Events(bytes.NewReader(pyOut))
	if err != nil {
		t.Fatalf("python output: %v\n%s", err, pyOut)
	}
	for _, e := range pyEvs {
		if e.Kind != timing.KindCompare && e.Style != "python" {
			t.Fatalf("a twin's event has style %q, want python: %+v", e.Style, e)
		}
	}
	if len(goEvs) == 0 {
		t.Fatal("the Go lesson printed no events")
	}
	if rep := twin.Compare(goEvs, pyEvs, tol); !rep.OK() {
		t.Errorf("the python twin differs from the aio style:\n%s", rep)
	}
}

func TestTwinFidelity(t *testing.T) {
	type twinCase struct {
		name  string
		args  []string // the lesson and its flags, without --json and --scale
		scale string   // on fake time; real-time lessons run at twinRealScale
		fails bool     // the lesson ends with an error, on both sides
	}
	// Every lesson of the registry, as it runs unattended; the lessons on
	// the network are TestTwinFidelityRedis's, which must have one.
	var cases []twinCase
	for _, info := range allLessons(t) {
		if info.Network {
			if !slices.ContainsFunc(twinRedisCases, func(c twinRedisCase) bool { return c.args[0] == info.Name }) {
				t.Errorf("%s: a network lesson with no case in TestTwinFidelityRedis", info.Name)
			}
			continue
		}
		cases = append(cases, twinCase{info.Name, append([]string{info.Name}, info.AutoArgs...), "0.05", false})
	}
	cases = append(cases, []twinCase{
		{"coroutine -x 0.5", []string{"coroutine", "-x", "0.5"}, "0.05", false},
		{"await --blocking", []string{"await", "--blocking"}, "0.05", false},
		{"gather reordered 4,1,2", []string{"gather", "--durations", "4,1,2"}, "0.05", false},
		{"gather ties 2,2", []string{"gather", "--durations", "2,2"}, "0.05", false},
		{"gather --with gather", []string{"gather", "--with", "gather", "--durations", "3,1,2"}, "0.05", false},
		{"gather --tasks 1000", []string{"gather", "--tasks", "1000"}, "0.02", false},
		{"nest reordered 4,1,2", []string{"nest", "--durations", "4,1,2"}, "0.05", false},
		{"nest wait, ties 2,2", []string{"nest", "--variant", "wait", "--durations", "2,2"}, "0.05", false},
		{"cancel --interrupt=1.5s (one task done)", []string{"cancel", "--interrupt=1.5s"}, "0.1", false},
		{"cancel --mode outer --interrupt=1.5s", []string{"cancel", "--mode", "outer", "--interrupt=1.5s"}, "0.1", false},
		{"cancel --no-drain", []string{"cancel", "--interrupt", "--no-drain"}, "0.05", false},
		{"cancel --mode outer, no interrupt", []string{"cancel", "--mode", "outer"}, "0.05", false},
		{"thread --fail", []string{"thread", "--variant", "threadsafe-coroutine", "--fail"}, "", true},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lesson := c.args[0]
			python := twinPython(t, lesson)
			_, real := twinRealTime[lesson]
			scale := c.scale
			if real {
				scale = twinRealScale
			}
			flags := append(append([]string{}, c.args[1:]...), "--json", "--scale", scale)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			var goOut, goErr string
			var code int
			pyFlags := flags
			if real {
				goOut, goErr, code = runCmdNow(ctx, append([]string{lesson}, flags...)...)
			} else {
				goOut, goErr, code = runCmd(t, append([]string{lesson}, flags...)...)
				pyFlags = append(slices.Clone(flags), "--virtual-time")
			}
			var pyOut bytes.Buffer
			pyErr := twin.Runner{Python: python}.Run(ctx, lesson, pyFlags, &pyOut)
			if c.fails {
				if code != exitFailure || pyErr == nil {
					t.Fatalf("want both to fail: go exit %d (%s), python %v", code, goErr, pyErr)
				}
			} else if code != exitOK || pyErr != nil {
				t.Fatalf("go exit %d (%s), python %v", code, goErr, pyErr)
			}
			f, err := strconv.ParseFloat(scale, 64)
			if err != nil {
				t.Fatal(err)
			}
			checkTwin(t, goOut, pyOut.Bytes(), twinFidelityTolerance(t, lesson, !real, f))
		})
	}
}

// twinPush is one message the test pushes, at seconds after the consumer
// took the first ones (before scaling).
type twinPush struct {
	at    float64
	value string
}

// The tutorial's redis-cli sessions, as the Go lessons' own producers play
// them; and a batch pushed all at once.
var (
	twinQueueScript = []twinPush{{0, "2"}, {2.5, "5"}, {3.5, "1"}, {5.5, "1"}}
	twinSMSScript   = []twinPush{{0, "5"}, {0.2, "1"}, {0.4, "1"}}
	twinBatch       = []twinPush{{0, "3"}, {0, "1"}, {0, "2"}, {0, "1"}}
	// 4, 2 and 5, one a second (the lessons' own producer, given
	// --messages, pushes at 0, 1.5, 2.5 s, away from the polls). No
	// message ends when another is pushed or ends: no ties.
	twinOneASecond = []twinPush{{0, "4"}, {1, "2"}, {2, "5"}}
	// The tutorial's pushes, but the last 1 at 5.25 s, not 5.5 s, for
	// workers --sync-client. There a worker's empty BRPOP holds the loop a
	// whole wait (1 s, scaled), and a worker whose sleep ends meanwhile
	// prints "Done" only after it. With the tutorial's pushes, the last 1
	// is done at 6.5 s, its worker's next wait ends at 7.5 s, and so does
	// the 5's sleep, pushed at 2.5 s: which of the two comes first is a
	// matter of a millisecond, and "Done 5" comes at 9.5 s or at 10.5 s,
	// on either side. At 5.25 s the wait ends at 7.25 s, a quarter of a
	// second before the sleep.
	twinSyncScript = []twinPush{{0, "2"}, {2.5, "5"}, {3.5, "1"}, {5.25, "1"}}
)

// twinRedisCase is a case of TestTwinFidelityRedis: a lesson and its
// flags, and the messages the test pushes.
type twinRedisCase struct {
	name   string
	args   []string
	script []twinPush
}

var twinRedisCases = []twinRedisCase{
	{"queue --mode poll, the tutorial's pushes", []string{"queue", "--mode", "poll"}, twinQueueScript},
	{"queue --mode block, the tutorial's pushes", []string{"queue", "--mode", "block"}, twinQueueScript},
	{"queue, messages 3,1,2,1 at once", []string{"queue"}, twinBatch},
	{"queue --idle 3: ends when idle", []string{"queue", "--idle", "3"}, twinQueueScript},
	{"sms, messages 5,1,1", []string{"sms"}, twinSMSScript},
	{"sms --timeout 4: the failure path", []string{"sms", "--timeout", "4"}, twinSMSScript},
	{"sms --timeout 2: the alarm's own deadline", []string{"sms", "--timeout", "2"}, twinSMSScript},
	{"sms --idle 3: ends when idle", []string{"sms", "--idle", "3"}, twinSMSScript},
	{"workers, the tutorial's pushes", []string{"workers"}, twinQueueScript},
	{"workers --workers 3, messages 4,2,5", []string{"workers", "--workers", "3"}, twinOneASecond},
	{"workers --sync-client --idle 3: both runs", []string{"workers", "--sync-client", "--idle", "3"}, twinSyncScript},
}

// TestTwinFidelityRedis runs lessons 10 to 12 on both sides with --redis,
// each against a Redis of its own (an embedded miniredis over a real
// socket). The test is the producer: it pushes the same messages at the
// same moments to both, as the tutorial's redis-cli session did.
//
// Without --idle each side consumes until Ctrl+C: once every message has
// been acknowledged (the queue and the processing list are empty), the test
// interrupts it, the Go lesson through its context and the twin with a
// real SIGINT, and both must exit as Ctrl+C makes them. With --idle each
// side stops by itself once the queue has been idle that long, and exits 0.
// workers --sync-client makes two runs, "sync-client" then "workers", each
// consuming the script: the test plays it again once the first run has
// ended (its total is printed), so that both runs start with the first
// messages there, as the Go lesson's own producer does.
func TestTwinFidelityRedis(t *testing.T) {
	cases := twinRedisCases
	// At --scale 0.2 the lessons' seconds are 200 ms: the shortest sleep,
	// a poll interval, and the wait of a worker in BLMOVE, all scaled.
	// (queue --mode block and sms wait 1 s in BLMOVE at any scale.) At 0.1,
	// 2 runs in 50 failed on a loaded machine: a Python thread stalled for
	// over 100 ms and two events a lesson-second apart swapped places.
	const scale = 0.2
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lesson := c.args[0]
			python := twinPython(t, lesson)
			flags := append(append([]string{}, c.args[1:]...), "--json", "--scale", strconv.FormatFloat(scale, 'g', -1, 64))
			if lesson == "sms" {
				flags = append(flags, "--url", startSMSAPI(t, scale))
			}
			idle := slices.Contains(flags, "--idle")
			runs := 1
			if slices.Contains(flags, "--sync-client") {
				runs = 2 // "sync-client", then "workers"
			}
			tol := twinTolerance(t, lesson)
			tol.Slack = time.Duration(1.5 * scale * float64(time.Second)) // a poll interval (1 s, scaled), and some
			switch {
			case slices.Contains(flags, "block") || lesson == "sms":
				// Waiting in BLMOVE (1 s, unscaled), go-redis notices
				// Ctrl+C only when the wait is up, redis-py at once; and
				// each side notices an idle queue between two waits.
				tol.TotalSlack = time.Second
			case idle:
				// Each side notices an idle queue between two polls or,
				// in workers, between two waits in Redis: 100 ms apart.
				tol.TotalSlack = time.Duration(scale * float64(time.Second))
			}

			goOut := consumeScript(t, c.script, scale, runs, !idle, func(ctx context.Context, url string, out io.Writer) error {
				errOut, code := runCmdTo(ctx, out, append([]string{lesson}, append(flags, "--redis", url)...)...)
				want := exitInterrupted
				if idle {
					want = exitOK
				}
				if code != want {
					return fmt.Errorf("exit %d, want %d: %s", code, want, errOut)
				}
				return nil
			})
			pyOut := consumeScript(t, c.script, scale, runs, !idle, func(ctx context.Context, url string, out io.Writer) error {
				var stderr bytes.Buffer
				err := twin.Runner{Python: python, Stderr: &stderr}.Run(ctx, lesson, append(flags, "--redis", url), out)
				switch {
				case idle && err != nil:
					return err
				case !idle && !errors.Is(err, context.Canceled):
					return fmt.Errorf("want it stopped by Ctrl+C, got %v", err)
				case !idle && (!strings.HasPrefix(stderr.String(), "interrupted\n") || strings.Contains(stderr.String(), "Traceback")):
					return fmt.Errorf("stopped by Ctrl+C, it wrote %q, want \"interrupted\" first and no traceback", stderr.String())
				}
				return nil
			})
			checkTwin(t, string(goOut), pyOut, tol)
		})
	}
}

// runWatcher keeps a consumer's standard output, JSON Lines, as it comes,
// and tells when each of its runs ends (its total is printed). The zero
// value keeps the output only.
type runWatcher struct {
	mu    sync.Mutex
	out   bytes.Buffer
	line  []byte      // the line being written
	ended chan string // if not nil, gets each run's name once its total is printed
}

func (w *runWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.out.Write(p)
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			return len(p), nil
		}
		var e timing.Event
		if json.Unmarshal(w.line[:i], &e) == nil && e.Kind == timing.KindSummary {
			select {
			case w.ended <- e.Run:
			default: // nobody waits for this run's end
			}
		}
		w.line = w.line[i+1:]
	}
}

func (w *runWatcher) Bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.out.Bytes())
}

// consumeScript starts a Redis, runs consumer against it with ctx, and
// plays script to it for each of the consumer's first runs: the messages
// at 0 s are there before a run starts (the first run's before the
// consumer starts, the next run's once the run before has ended), and the
// script's clock starts when the consumer has taken them, whatever its
// start-up took. With interrupt it then cancels ctx (Ctrl+C) once every
// message has been acknowledged; without, it waits for the consumer to end
// by itself. It returns what the consumer printed.
func consumeScript(t *testing.T, script []twinPush, scale float64, runs int, interrupt bool,
	consumer func(ctx context.Context, url string, out io.Writer) error) []byte {
	t.Helper()
	addr := redistest.Embedded(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	push := func(v string) {
		if err := rdb.LPush(ctx, "queue", v).Err(); err != nil {
			t.Errorf("LPUSH %s: %v", v, err)
		}
	}
	pushFirst := func() []twinPush { // the messages at 0 s; it returns the rest
		rest := script
		for len(rest) > 0 && rest[0].at == 0 {
			push(rest[0].value)
			rest = rest[1:]
		}
		return rest
	}
	wait := func(what string, cond func() bool) bool {
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Errorf("after 20 s, still waiting until %s", what)
				return false
			}
			time.Sleep(5 * time.Millisecond)
		}
		return true
	}
	llen := func(key string) int64 { n, _ := rdb.LLen(ctx, key).Result(); return n }

	out := &runWatcher{ended: make(chan string, 1)}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	rest := pushFirst()
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = consumer(runCtx, "redis://"+addr+"/3", out)
	}()
	for run := range runs {
		if run > 0 {
			select {
			case <-out.ended: // the run before has ended
			case <-done:
				t.Errorf("the consumer ended after %d of %d runs", run, runs)
			case <-time.After(20 * time.Second):
				t.Errorf("after 20 s, run %d of %d has not ended", run, runs)
			}
			if t.Failed() {
				break
			}
			rest = pushFirst()
		}
		if !wait("the consumer takes the first messages", func() bool { return llen("queue") == 0 }) {
			break
		}
		start := time.Now()
		for _, p := range rest {
			time.Sleep(time.Until(start.Add(time.Duration(p.at * scale * float64(time.Second)))))
			push(p.value)
		}
	}
	if interrupt && !t.Failed() {
		wait("every message is acknowledged", func() bool {
			_, processing, ok := lists(rdb)
			return ok && llen("queue") == 0 && len(processing) == 0
		})
	}
	if interrupt || t.Failed() {
		stop() // Ctrl+C
	}
	<-done
	if err != nil {
		t.Fatalf("consumer: %v\n%s", err, out.Bytes())
	}
	return out.Bytes()
}

// startSMSAPI serves the SMS API on a free loopback port for the test, its
// delays scaled, and returns its URL.
func startSMSAPI(t *testing.T, scale float64) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- smsapi.Serve(ctx, l, smsapi.Handler(timing.NewClock(scale), 30*time.Second), time.Second)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("SMS API: %v", err)
		}
	})
	return "http://" + l.Addr().String()
}
