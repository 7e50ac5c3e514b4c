package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"asyncdemo/demos/redisqueue/redistest"
	"asyncdemo/demos/smsapi"
	"asyncdemo/demos/twin"
	"asyncdemo/timing"
)

// The fidelity tests run each lesson's aio style and its Python twin with
// the same flags, on real time at a small --scale (a synctest bubble cannot
// run Python), and check that the twin prints the same events in the same
// order and takes as long. What "the same" allows is twin.Compare's to say:
// Python's own spelling (True, reprs), and a free order only where neither
// language fixes one. twin/DIFFERENCES.md lists it all.

// twinTolerance is what the twins are held to: each run's total and each
// event's time within 25% of the Go run's plus 60 ms, which covers thread
// wake-ups and garbage collection on a loaded 2-core machine; every event
// names the same task.
func twinTolerance() twin.Tolerance {
	tol := twin.DefaultTolerance()
	tol.Slack = 60 * time.Millisecond
	return tol
}

// twinPython returns the interpreter to run lesson's twin with, or skips
// the test when there is none (or, for lessons 10 to 12, none with redis
// and aiohttp). With CI set it fails instead: CI must run these.
func twinPython(t *testing.T, lesson string) string {
	t.Helper()
	path, err := twin.Runner{}.Interpreter(context.Background(), lesson)
	if err != nil {
		how := "install python3 (3.11+)"
		if errors.Is(err, twin.ErrMissingModules) {
			how = "apt-get install python3-redis python3-aiohttp"
		}
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must run the python twins: %v (%s)", err, how)
		}
		t.Skipf("skipping the python twin of %s: %v (%s to run it)", lesson, err, how)
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
	cases := []struct {
		name  string
		args  []string // the lesson and its flags, without --json and --scale
		scale string
		fails bool // the lesson ends with an error, on both sides
	}{
		{"coroutine", []string{"coroutine"}, "0.05", false},
		{"coroutine -x 0.5", []string{"coroutine", "-x", "0.5"}, "0.05", false},
		{"task", []string{"task"}, "0.05", false},
		{"callback", []string{"callback"}, "0.05", false},
		{"future", []string{"future"}, "0.05", false},
		{"await", []string{"await"}, "0.05", false},
		{"await --blocking", []string{"await", "--blocking"}, "0.05", false},
		{"gather", []string{"gather"}, "0.05", false},
		{"gather reordered 4,1,2", []string{"gather", "--durations", "4,1,2"}, "0.05", false},
		{"gather ties 2,2", []string{"gather", "--durations", "2,2"}, "0.05", false},
		{"gather --with gather", []string{"gather", "--with", "gather", "--durations", "3,1,2"}, "0.05", false},
		{"gather --tasks 1000", []string{"gather", "--tasks", "1000"}, "0.02", false},
		{"nest, all four variants", []string{"nest"}, "0.05", false},
		{"nest reordered 4,1,2", []string{"nest", "--durations", "4,1,2"}, "0.05", false},
		{"nest wait, ties 2,2", []string{"nest", "--variant", "wait", "--durations", "2,2"}, "0.05", false},
		{"cancel --interrupt", []string{"cancel", "--interrupt"}, "0.05", false},
		{"cancel --interrupt=1.5s (one task done)", []string{"cancel", "--interrupt=1.5s"}, "0.1", false},
		{"cancel --mode outer --interrupt=1.5s", []string{"cancel", "--mode", "outer", "--interrupt=1.5s"}, "0.1", false},
		{"cancel --no-drain", []string{"cancel", "--interrupt", "--no-drain"}, "0.05", false},
		{"cancel --mode outer, no interrupt", []string{"cancel", "--mode", "outer"}, "0.05", false},
		{"thread, both variants", []string{"thread"}, "0.05", false},
		{"thread --fail", []string{"thread", "--variant", "threadsafe-coroutine", "--fail"}, "0.05", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lesson := c.args[0]
			python := twinPython(t, lesson)
			flags := append(append([]string{}, c.args[1:]...), "--json", "--scale", c.scale)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			goOut, goErr, code := runCmdNow(ctx, append([]string{lesson}, flags...)...)
			var pyOut bytes.Buffer
			pyErr := twin.Runner{Python: python}.Run(ctx, lesson, flags, &pyOut)
			if c.fails {
				if code != exitFailure || pyErr == nil {
					t.Fatalf("want both to fail: go exit %d (%s), python %v", code, goErr, pyErr)
				}
			} else if code != exitOK || pyErr != nil {
				t.Fatalf("go exit %d (%s), python %v", code, goErr, pyErr)
			}
			checkTwin(t, goOut, pyOut.Bytes(), twinTolerance())
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
	// What the Go lessons' producer does with --messages 4,2,5: one a
	// second. No message ends when another is pushed or ends: no ties.
	twinOneASecond = []twinPush{{0, "4"}, {1, "2"}, {2, "5"}}
)

// TestTwinFidelityRedis runs lessons 10 to 12 on both sides, each against
// a Redis of its own (an embedded miniredis over a real socket). The test
// is the producer: it pushes the same messages at the same moments to
// both, as the tutorial's redis-cli session did.
//
// queue and sms run with --redis on both sides, so each consumes until
// Ctrl+C: once every message has been acknowledged (the queue and the
// processing list are empty), the test interrupts them, the Go lesson
// through its context and the twin with a real SIGINT.
//
// workers cannot be interrupted that way yet: the Go lesson panics when
// Ctrl+C finds its workers waiting for Redis (see DIFFERENCES.md). So its Go
// side runs in its embedded mode, with its own producer playing the same
// script and stopping once the queue has been idle for --idle; the twin
// gets --redis and --idle, and stops the same way. The Go producer's
// "LPUSH queue ..." events are left out of the comparison.
func TestTwinFidelityRedis(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		script []twinPush
		// embedded: the Go side uses its embedded Redis and its own
		// producer, playing the same script (--messages, if given), and
		// ends when idle.
		embedded bool
		messages string
	}{
		{"queue --mode poll, the tutorial's pushes", []string{"queue", "--mode", "poll"}, twinQueueScript, false, ""},
		{"queue --mode block, the tutorial's pushes", []string{"queue", "--mode", "block"}, twinQueueScript, false, ""},
		{"queue, messages 3,1,2,1 at once", []string{"queue"}, twinBatch, false, ""},
		{"sms, messages 5,1,1", []string{"sms"}, twinSMSScript, false, ""},
		{"sms --timeout 4: the failure path", []string{"sms", "--timeout", "4"}, twinSMSScript, false, ""},
		{"workers, the tutorial's pushes", []string{"workers"}, twinQueueScript, true, ""},
		{"workers --workers 3, messages 4,2,5", []string{"workers", "--workers", "3"}, twinOneASecond, true, "4,2,5"},
	}
	const scale = 0.1
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lesson := c.args[0]
			python := twinPython(t, lesson)
			flags := append(append([]string{}, c.args[1:]...), "--json", "--scale", strconv.FormatFloat(scale, 'g', -1, 64))
			if lesson == "sms" {
				flags = append(flags, "--url", startSMSAPI(t, scale))
			}
			tol := twinTolerance()
			tol.Slack = 150 * time.Millisecond // a poll interval (1 s at --scale 0.1)
			tol.Tasks = lesson != "workers"    // which worker takes a message is up to the scheduler
			if slices.Contains(flags, "block") || lesson == "sms" {
				// Waiting in BLMOVE, go-redis notices Ctrl+C only when the
				// wait's one second is up; redis-py at once.
				tol.TotalSlack = time.Second
			}

			var goOut []byte
			pyFlags := flags
			if c.embedded {
				args := []string{lesson, "--idle", "3"}
				if c.messages != "" {
					args = append(args, "--messages", c.messages)
				}
				out, errOut, code := runCmdNow(context.Background(), append(args, flags...)...)
				if code != exitOK {
					t.Fatalf("go: exit %d: %s", code, errOut)
				}
				goOut = withoutProducer(t, out)
				pyFlags = append(slices.Clone(flags), "--idle", "3")
				// Both end by noticing the idle queue between one-second
				// waits in Redis (BLMOVE's timeout, unscaled).
				tol.TotalSlack = time.Second
			} else {
				goOut = consumeScript(t, c.script, scale, true, func(ctx context.Context, url string) ([]byte, error) {
					out, errOut, code := runCmdNow(ctx, append([]string{lesson}, append(flags, "--redis", url)...)...)
					if code != exitInterrupted {
						return nil, errors.New("exit " + strconv.Itoa(code) + ", want 130 (Ctrl+C): " + errOut)
					}
					return []byte(out), nil
				})
			}
			pyOut := consumeScript(t, c.script, scale, !c.embedded, func(ctx context.Context, url string) ([]byte, error) {
				var out bytes.Buffer
				err := twin.Runner{Python: python}.Run(ctx, lesson, append(pyFlags, "--redis", url), &out)
				switch {
				case c.embedded && err != nil:
					return out.Bytes(), err
				case !c.embedded && !errors.Is(err, context.Canceled):
					return out.Bytes(), errors.New("want it stopped by Ctrl+C, got " + errString(err))
				}
				return out.Bytes(), nil
			})
			checkTwin(t, string(goOut), pyOut, tol)
		})
	}
}

// withoutProducer drops the embedded producer's events from JSON Lines.
func withoutProducer(t *testing.T, out string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, e := range events(t, out) {
		if e.Task == "producer" {
			continue
		}
		line, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	return b.Bytes()
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// consumeScript starts a Redis, runs consumer against it with ctx, and
// plays script to it. With interrupt it then cancels ctx (Ctrl+C) once
// every message has been acknowledged; without, it waits for the consumer
// to end by itself. It returns what the consumer printed.
func consumeScript(t *testing.T, script []twinPush, scale float64, interrupt bool, consumer func(ctx context.Context, url string) ([]byte, error)) []byte {
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
	rest := script
	for len(rest) > 0 && rest[0].at == 0 { // there before the consumer starts
		push(rest[0].value)
		rest = rest[1:]
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var out []byte
	var err error
	var wg sync.WaitGroup
	wg.Go(func() { out, err = consumer(runCtx, "redis://"+addr+"/3") })

	// The script's clock starts when the consumer has taken the first
	// messages, whatever its start-up took.
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
	if wait("the consumer takes the first messages", func() bool { return llen("queue") == 0 }) {
		start := time.Now()
		for _, p := range rest {
			time.Sleep(time.Until(start.Add(time.Duration(p.at * scale * float64(time.Second)))))
			push(p.value)
		}
		if interrupt {
			wait("every message is acknowledged", func() bool {
				return llen("queue") == 0 && llen("queue:processing:asyncdemo") == 0
			})
		}
	}
	if interrupt || t.Failed() {
		stop() // Ctrl+C
	}
	wg.Wait()
	if err != nil {
		t.Fatalf("consumer: %v\n%s", err, out)
	}
	return out
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
