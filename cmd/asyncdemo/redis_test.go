package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/timing"
)

// doneValues returns the x of every "Done x" line, in order.
func doneValues(evs []timing.Event) []string {
	var xs []string
	for _, e := range evs {
		if x, ok := strings.CutPrefix(e.Text, "Done "); ok {
			xs = append(xs, strings.Fields(x)[0])
		}
	}
	return xs
}

// seedOrder is what the tutorial's queue consumer printed.
var seedOrder = []string{"Waiting: 2", "Done 2", "Waiting: 5", "Waiting: 1", "Done 1", "Waiting: 1", "Done 1", "Done 5"}

func workLines(evs []timing.Event) []string {
	var lines []string
	for _, e := range evs {
		if strings.HasPrefix(e.Text, "Waiting: ") || strings.HasPrefix(e.Text, "Done ") {
			lines = append(lines, e.Text)
		}
	}
	return lines
}

func TestQueuePrintsTheTutorialsOrder(t *testing.T) {
	testenv.SkipShort(t, "a lesson on real sockets, in real time")
	for _, style := range []string{"aio", "go"} {
		for _, mode := range []string{"poll", "block"} {
			out, errOut, code := runCmdNow(context.Background(), "queue", "--json", "--scale", "0.1", "--style", style, "--mode", mode)
			if code != 0 {
				t.Fatalf("%s %s: exit %d: %s", style, mode, code, errOut)
			}
			if got := workLines(events(t, out)); !slices.Equal(got, seedOrder) {
				t.Errorf("%s %s: %q\nwant %q", style, mode, got, seedOrder)
			}
		}
	}
}

func TestSMSCallsOverlapAndFailuresCallError(t *testing.T) {
	testenv.SkipShort(t, "a lesson on real sockets, in real time")
	for _, style := range []string{"aio", "go"} {
		out, errOut, code := runCmdNow(context.Background(), "sms", "--json", "--scale", "0.1", "--style", style)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", style, code, errOut)
		}
		var texts []string
		for _, e := range events(t, out) {
			if e.Task != "" && e.Task != "producer" {
				texts = append(texts, e.Text)
			}
		}
		want := []string{"Waiting: 5", "Waiting: 1", "Waiting: 1", "200", "1 It works", "Done 1", "200", "1 It works", "Done 1", "200", "5 It works", "Done 5"}
		if !slices.Equal(texts, want) {
			t.Errorf("%s: %q\nwant %q", style, texts, want)
		}
		// A timeout shorter than the 5 s message: the call fails, /error is called.
		out, _, code = runCmdNow(context.Background(), "sms", "--json", "--scale", "0.1", "--style", style, "--timeout", "4")
		if code != 0 {
			t.Fatalf("%s --timeout 4: exit %d", style, code)
		}
		if s := out; !strings.Contains(s, "sending failed") || !strings.Contains(s, `"text":"error!"`) {
			t.Errorf("%s --timeout 4: no failure and alarm in %s", style, s)
		}
		// Said in plain words, in the lesson's seconds, the same in
		// both styles: not the HTTP client's.
		var failed []string
		for _, e := range events(t, out) {
			if strings.Contains(e.Text, "failed") || strings.Contains(e.Text, "moved to") {
				failed = append(failed, e.Text)
			}
		}
		want = []string{"sending failed: GET /5 timed out after 4 s", "sending failed: GET /5 timed out after 4 s", "sending failed: GET /5 timed out after 4 s",
			`message "5": not sent after 3 attempts: GET /5 timed out after 4 s; moved to queue:dead`}
		if !slices.Equal(failed, want) {
			t.Errorf("%s --timeout 4: the failures said\n%q\nwant\n%q", style, failed, want)
		}
		for _, raw := range []string{"deadline exceeded", "Client.Timeout", "error from the loop thread"} {
			if strings.Contains(out, raw) {
				t.Errorf("%s --timeout 4: %q in:\n%s", style, raw, out)
			}
		}
	}
}

func TestWorkersShareTheQueueAndTheSyncClientStallsThem(t *testing.T) {
	testenv.SkipShort(t, "a lesson on real sockets, in real time")
	out, errOut, code := runCmdNow(context.Background(), "workers", "--json", "--scale", "0.1", "--workers", "4", "--sync-client")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	evs := events(t, out)
	took := summaries(evs)
	if took["sync-client"] <= took["workers"] {
		t.Errorf("the synchronous client (%v) was not slower than the fix (%v)", took["sync-client"], took["workers"])
	}
	got := doneValues(evs)
	slices.Sort(got)
	if want := []string{"1", "1", "1", "1", "2", "2", "5", "5"}; !slices.Equal(got, want) {
		t.Errorf("done %q, want every message once per run: %q", got, want)
	}
	// The two runs are compared as the other lessons compare theirs.
	var compare *timing.Event
	for _, e := range evs {
		if e.Kind == timing.KindCompare {
			compare = &e
		}
	}
	if compare == nil || compare.ConcurrentRun != "workers" || compare.SequentialRun != "sync-client" ||
		compare.Concurrent != took["workers"] || compare.Sequential != took["sync-client"] {
		t.Errorf("compare %+v, want workers %v against sync-client %v", compare, took["workers"], took["sync-client"])
	}
}

// TestWorkersSayWhichWorkerTookEachMessageAndMarkTheStall: each line of
// the workers names its worker; with --sync-client the timeline has a row
// where the loop stalled in Redis, and the comparison line follows.
func TestWorkersSayWhichWorkerTookEachMessageAndMarkTheStall(t *testing.T) {
	testenv.SkipShort(t, "a lesson on real sockets, in real time")
	out, errOut, code := runCmdNow(context.Background(), "workers", "--scale", "0.1", "--sync-client", "--no-color")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	work := regexp.MustCompile(`(?m)^ +[0-9.]+s  (worker-[12]|producer)  +(Wait|Done|LPUSH queue) [0-9]+$`)
	if n := len(work.FindAllString(out, -1)); n != 24 { // per run: 4 pushes, 4 Waits, 4 Dones
		t.Errorf("%d lines name who did the work, want 24:\n%s", n, out)
	}
	flat := strings.Join(strings.Fields(out), " ") // as wrapped lines read
	for _, want := range []string{"loop stalled in Redis │", "workers ", " vs sync-client ", "as the sync-client run showed: it took "} {
		if !strings.Contains(flat, want) {
			t.Errorf("no %q:\n%s", want, out)
		}
	}
}

// workerRow is a worker's row on a timeline: its label, and its bars.
var workerRow = regexp.MustCompile(`(?m)^(worker-[0-9]+) +│(.*)$`)

// TestWorkersRowsWaitInRedis: a worker spends most of its time waiting in
// Redis for a message, and its row on the timeline says so, a thin line
// there and a bar where it handles a message, in the aio style, in its
// Python twin's run beside it, and in the go style; the legend names the
// line. They were solid bars from start to end.
func TestWorkersRowsWaitInRedis(t *testing.T) {
	testenv.SkipShort(t, "a lesson on real sockets, in real time")
	cases := []struct {
		args []string
		rows int
	}{
		{[]string{"--style", "go"}, 2},
		{[]string{"--vs", "python"}, 4}, // the aio run's rows, and the twin's
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel() // the runs mostly wait
			if slices.Contains(c.args, "--vs") {
				twinPython(t, "workers")
			}
			args := append([]string{"workers", "--scale", "0.2", "--no-color"}, c.args...)
			out, errOut, code := runCmdNow(context.Background(), args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s\n%s", code, errOut, out)
			}
			rows := workerRow.FindAllStringSubmatch(out, -1)
			if len(rows) != c.rows {
				t.Fatalf("%d worker rows, want %d:\n%s", len(rows), c.rows, out)
			}
			for _, r := range rows {
				// 2 s of a run on some 60 columns: the first worker
				// waits 0.5 s for the 5, each waits out the 0.6 s idle
				// tail, and each handles at least a message of 1 s.
				if waits, bars := strings.Count(r[2], "─"), strings.Count(r[2], "█"); waits < 5 || bars < 5 {
					t.Errorf("%s: %d cells waiting, %d running; want both:\n%s", r[1], waits, bars, out)
				}
			}
			if !strings.Contains(out, "─ waiting, not running") {
				t.Errorf("no legend for the waits:\n%s", out)
			}
		})
	}
}

// TestIdleEndsARunOnRedisWhenGiven: with --redis a lesson consumes until
// Ctrl+C, unless --idle is given: then it stops once the queue has been idle
// that long, as a run on the embedded Redis does, and exits 0.
func TestIdleEndsARunOnRedisWhenGiven(t *testing.T) {
	for _, args := range [][]string{
		{"queue"}, {"queue", "--mode", "block"}, {"sms"}, {"workers"}, {"workers", "--sync-client"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			addr := redistest.Embedded(t)
			rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 3})
			defer rdb.Close()
			if err := rdb.LPush(context.Background(), "queue", "1").Err(); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--json", "--scale", "0.1", "--redis", "redis://"+addr+"/3", "--idle", "2")
			if args[0] == "sms" {
				args = append(args, "--url", startSMSAPI(t, 0.1))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			out, errOut, code := runCmdNow(ctx, args...)
			if code != exitOK || ctx.Err() != nil {
				t.Fatalf("exit %d (%v), want 0: it should stop by itself: %s", code, ctx.Err(), errOut)
			}
			if got := doneValues(events(t, out)); !slices.Contains(got, "1") {
				t.Errorf("done %q, want the 1 pushed", got)
			}
		})
	}
}

// TestWorkersStopOnCtrlCWithRedis: with --redis, Ctrl+C stops the workers
// whether they connect, wait in Redis, acknowledge a message or work on
// one: exit 130, no panic, no worker carrying on. A message done stays
// done; one in progress is put back on the queue, and the next run does it.
func TestWorkersStopOnCtrlCWithRedis(t *testing.T) {
	for _, syncClient := range []bool{false, true} {
		t.Run(fmt.Sprintf("sync-client=%v", syncClient), func(t *testing.T) {
			t.Parallel()
			// A real Redis: miniredis does not notice that a client
			// waiting in BLMOVE has closed its connection, and its BLMOVE
			// may then take a message put back after the Ctrl+C.
			addr := redistest.Real(t).Addr
			rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 3})
			defer rdb.Close()
			ctx := context.Background()
			processing := func() []string { return processingLists(t, rdb) }
			args := []string{"workers", "--json", "--scale", "0.1", "--redis", "redis://" + addr + "/3"}
			if syncClient {
				args = append(args, "--sync-client")
			}
			// run runs the lesson until its output so far makes until
			// true, then presses Ctrl+C; it returns the output.
			run := func(until func(out string) bool) string {
				t.Helper()
				runCtx, stop := context.WithCancel(ctx)
				defer stop()
				var out runWatcher
				type exit struct {
					errOut string
					code   int
				}
				exited := make(chan exit, 1)
				go func() {
					errOut, code := runCmdTo(runCtx, &out, args...)
					exited <- exit{errOut, code}
				}()
				for deadline := time.Now().Add(20 * time.Second); !until(string(out.Bytes())) && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
				stop() // Ctrl+C
				select {
				case e := <-exited:
					if e.code != exitInterrupted || e.errOut != "asyncdemo: interrupted\n" {
						t.Fatalf("exit %d, stderr %q; want 130 and one line (Ctrl+C)\n%s", e.code, e.errOut, out.Bytes())
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("still running 10 s after Ctrl+C:\n%s", out.Bytes())
				}
				return string(out.Bytes())
			}

			run(func(string) bool { return true }) // while connecting
			done := 0
			for range 10 { // as the message is acknowledged, or right after
				rdb.LPush(ctx, "queue", "1")
				done += len(doneValues(events(t, run(func(out string) bool { return strings.Contains(out, "Done 1") }))))
			}
			// An acknowledgement cut short leaves its message to be done
			// again: at least once, never lost.
			if left := rdb.LLen(ctx, "queue").Val() + int64(len(processing())); int64(done)+left < 10 {
				t.Fatalf("10 messages pushed, %d done, %d left in Redis: some were lost", done, left)
			}
			rdb.Del(ctx, append(processingKeys(t, rdb), "queue")...)
			rdb.LPush(ctx, "queue", "30")
			out := run(func(out string) bool { return strings.Contains(out, "Wait 30") })
			if got, p := rdb.LRange(ctx, "queue", 0, -1).Val(), processing(); !slices.Equal(got, []string{"30"}) || len(p) > 0 {
				t.Fatalf("queue %q and processing lists %q after Ctrl+C, want the 30 in progress put back on the queue", got, p)
			}
			if !strings.Contains(out, "put back 1 message(s) taken and not finished") {
				t.Errorf("the run did not say it put back the 30:\n%s", out)
			}
			run(func(out string) bool { return strings.Contains(out, "Wait 30") }) // the next run takes it
		})
	}
}

// TestSMSStopsOnCtrlCDuringACall: Ctrl+C while a call to the SMS API is in
// progress is not a failed send (no alarm, no panic): the message is put
// back on the queue for the next run, and the run's tasks are cancelled and
// drained, not destroyed.
func TestSMSStopsOnCtrlCDuringACall(t *testing.T) {
	addr := redistest.Embedded(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	args := []string{"sms", "--mode", "poll", "--json", "--scale", "0.1", "--redis", "redis://" + addr + "/3", "--url", startSMSAPI(t, 0.1)}
	for range 10 {
		rdb.LPush(ctx, "queue", "5")
		runCtx, stop := context.WithCancel(ctx)
		var out runWatcher
		go func() {
			for deadline := time.Now().Add(20 * time.Second); !strings.Contains(string(out.Bytes()), "Waiting: 5") && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			stop() // Ctrl+C
		}()
		errOut, code := runCmdTo(runCtx, &out, args...)
		stop()
		if code != exitInterrupted {
			t.Fatalf("exit %d, want 130: %s\n%s", code, errOut, out.Bytes())
		}
		for _, bad := range []string{"sending failed", "error!", "Task was destroyed"} {
			if strings.Contains(string(out.Bytes()), bad) {
				t.Fatalf("after Ctrl+C during a call, %q:\n%s", bad, out.Bytes())
			}
		}
		if got, p := rdb.LRange(ctx, "queue", 0, -1).Val(), processingLists(t, rdb); !slices.Equal(got, []string{"5"}) || len(p) > 0 {
			t.Fatalf("queue %q and processing lists %q after Ctrl+C, want the 5 in progress put back on the queue", got, p)
		}
		rdb.Del(ctx, "queue")
	}
}

func TestPoisonMessagesAreDeadLetteredAndTheConsumerGoesOn(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	q := redisqueue.New(rdb, "queue", "test")
	ctx := context.Background()
	q.Push(ctx, "1", "banana", "-2", "99", "", "2")
	runConsumerUntil(t, url, 2, "--scale", "0.05")
	dead, err := q.DeadLetters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, d := range dead {
		reasons[d.Value] = d.Reason
	}
	want := map[string]string{
		"banana": "not a positive whole number", "-2": "not a positive whole number",
		"99": "over the maximum of 30", "": "not a positive whole number",
	}
	for v, r := range want {
		if reasons[v] != r {
			t.Errorf("dead letter %q: reason %q, want %q (all: %v)", v, reasons[v], r, reasons)
		}
	}
}

// consumerRun is the binary consuming a real Redis, read as JSON lines.
type consumerRun struct {
	cmd    *exec.Cmd
	events chan timing.Event
	done   chan error
}

func startConsumer(t *testing.T, url string, args ...string) *consumerRun {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"queue", "--json", "--redis", url, "--consumer", "test"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test, however it ends
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &consumerRun{cmd: cmd, events: make(chan timing.Event, 10000), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e timing.Event
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				c.events <- e
			}
		}
		close(c.events)
		c.done <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	return c
}

// runConsumerUntil runs a consumer of the real Redis at url until it has
// finished n messages, stops it with Ctrl+C, and returns the x of each
// message it finished.
func runConsumerUntil(t *testing.T, url string, n int, args ...string) []string {
	t.Helper()
	c := startConsumer(t, url, args...)
	var done []string
	timeout := time.After(60 * time.Second)
	for len(done) < n {
		select {
		case e, ok := <-c.events:
			if !ok {
				t.Fatalf("the consumer ended after %d of %d messages: %v", len(done), n, <-c.done)
			}
			done = append(done, doneValues([]timing.Event{e})...)
		case <-timeout:
			t.Fatalf("only %d of %d messages done after 60 s", len(done), n)
		}
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	for range c.events {
	}
	<-c.done
	return done
}

// drained is what a consumer printed: the x of each message done, the value
// of each poison message, and how many messages it started (Waiting x).
// late holds the x of each message done after the Ctrl+C that stopped it:
// that Ctrl+C may have cut its acknowledgement short, leaving it to be done
// again (at least once, by design).
type drained struct {
	done, poison, late []string
	started            int
}

// idle reports whether every message the consumer started is done.
func (d *drained) idle() bool { return d.started == len(d.done) }

// drain runs a consumer of the real Redis at url (rdb is a client of it)
// until it has started taking messages and until, checked every 10 ms,
// says that the work has reached the state the test waits for, or for at
// most drainDeadline; then it stops the consumer with Ctrl+C and goes on
// counting what it prints until it exits. onEvent, if not nil, sees every
// event until the Ctrl+C.
func drain(t *testing.T, rdb *redis.Client, url string, until func(d *drained) bool, onEvent func(timing.Event), args ...string) *drained {
	t.Helper()
	before := takes(rdb)
	if before < 0 {
		t.Fatal("Redis does not answer INFO commandstats")
	}
	c := startConsumer(t, url, args...)
	d := &drained{}
	// A consumer that takes messages has long handled Ctrl+C; one that has
	// not may not have yet, and then Ctrl+C kills it, or, where Ctrl+C was
	// ignored (a background job of a shell), does nothing.
	taking := false
	ready := func() bool {
		taking = taking || takes(rdb) > before
		return taking && until(d)
	}
	record := func(e timing.Event) {
		d.done = append(d.done, doneValues([]timing.Event{e})...)
		if strings.HasPrefix(e.Text, "Waiting: ") {
			d.started++
		}
		if v, ok := strings.CutPrefix(e.Text, "poison message "); ok {
			q, _ := strconv.Unquote(strings.SplitN(v, ":", 2)[0])
			d.poison = append(d.poison, q)
		}
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(drainDeadline)
wait:
	for !ready() {
		select {
		case e, ok := <-c.events:
			if !ok {
				t.Errorf("the consumer ended by itself: %v", <-c.done)
				return d
			}
			record(e)
			if onEvent != nil {
				onEvent(e)
			}
		case <-tick.C:
		case <-deadline:
			t.Errorf("after %v, the consumer had still not reached the state the test waits for", drainDeadline)
			break wait
		}
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	stopped := time.After(30 * time.Second)
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				<-c.done
				return d
			}
			record(e)
			d.late = append(d.late, doneValues([]timing.Event{e})...)
		case <-stopped:
			c.cmd.Process.Kill()
			t.Fatalf("the consumer was still running 30 s after Ctrl+C")
		}
	}
}

// takes returns how many LMOVE and BLMOVE commands the Redis of rdb has
// run since it started, or -1 if it did not answer.
func takes(rdb *redis.Client) int {
	stats, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		return -1
	}
	n := 0
	for _, line := range strings.Split(stats, "\n") {
		if cmd, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls="); ok && (cmd == "cmdstat_lmove" || cmd == "cmdstat_blmove") {
			calls, _, _ := strings.Cut(rest, ",")
			k, _ := strconv.Atoi(calls)
			n += k
		}
	}
	return n
}

// lists returns the queue and what every consumer's processing list holds,
// and ok false if Redis did not answer.
func lists(rdb *redis.Client) (queue, processing []string, ok bool) {
	ctx := context.Background()
	queue, err := rdb.LRange(ctx, "queue", 0, -1).Result()
	if err != nil {
		return nil, nil, false
	}
	keys, err := rdb.Keys(ctx, "queue:processing:*").Result()
	if err != nil {
		return nil, nil, false
	}
	for _, k := range keys {
		v, err := rdb.LRange(ctx, k, 0, -1).Result()
		if err != nil {
			return nil, nil, false
		}
		processing = append(processing, v...)
	}
	return queue, processing, true
}

// processingKeys returns the keys of the consumers' processing lists.
func processingKeys(t *testing.T, rdb *redis.Client) []string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), "queue:processing:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// processingLists returns what every consumer's processing list holds.
func processingLists(t *testing.T, rdb *redis.Client) []string {
	t.Helper()
	_, processing, ok := lists(rdb)
	if !ok {
		t.Fatal("Redis did not answer")
	}
	return processing
}

// drainDeadline is how long drain waits: many times what a drain takes on
// a loaded machine.
const drainDeadline = time.Minute

// TestKilledConsumerLosesNothing kills a consumer with SIGKILL in the
// middle of a message: a consumer of the same name is refused while the
// killed one's heartbeat lasts; another consumer puts the message back once
// the heartbeat has stopped, and does it.
func TestKilledConsumerLosesNothing(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	redisqueue.New(rdb, "queue", "producer").Push(ctx, "20", "1", "1")
	// At --scale 1 the 20 s message leaves 19 s in which to kill the
	// consumer once both 1 s messages are acknowledged.
	c := startConsumer(t, url, "--scale", "1", "--heartbeat", "1")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		queue, processing, ok := lists(rdb)
		if ok && len(queue) == 0 && slices.Equal(processing, []string{"20"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s, queue %q and processing list %q; want both 1 s messages acknowledged and the 20 in progress", queue, processing)
		}
	}
	c.cmd.Process.Kill()
	for range c.events {
	}
	<-c.done
	// The name is the killed consumer's while its heartbeat lasts: it
	// might be alive, and two consumers of one name would share a list.
	if _, errOut, code := runCmdNow(ctx, "queue", "--redis", url, "--consumer", "test"); code != exitUsage || !strings.Contains(errOut, "a live consumer holds this name") {
		t.Errorf("a consumer named like the killed one, at once: exit %d, %q; want 2 and the name refused", code, errOut)
	}
	var reclaimed string
	after := drain(t, rdb, url, func(d *drained) bool {
		queue, processing, ok := lists(rdb)
		return ok && len(d.done) > 0 && d.idle() && len(queue)+len(processing) == 0
	}, func(e timing.Event) {
		if strings.HasPrefix(e.Text, "put back ") {
			reclaimed = e.Text
		}
	}, "--scale", "0.05", "--consumer", "rescuer")
	if want := []string{"20"}; !slices.Equal(after.done, want) {
		t.Errorf("after the kill, done %q; want %q: the killed consumer's message, put back", after.done, want)
	}
	if want := `put back 1 message(s) of consumer "test"`; !strings.HasPrefix(reclaimed, want) {
		t.Errorf("the other consumer said %q; want %q...", reclaimed, want)
	}
	if queue, processing, _ := lists(rdb); len(queue)+len(processing) != 0 {
		t.Errorf("queue %q and processing list %q, want both empty", queue, processing)
	}
}

// TestRedisRestartMidDrainLosesNothing stops and restarts redis-server
// while a consumer drains 200 messages, 10 of them poison: the consumer
// says Redis went away, retries, and resumes; what it could not finish a
// second run recovers. In the end every message pushed was processed or
// dead-lettered exactly once, and nothing else was.
func TestRedisRestartMidDrainLosesNothing(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	var pushed []string
	for i := range 190 {
		pushed = append(pushed, strconv.Itoa(1+i%19))
	}
	pushed = append(pushed, "x1", "x2", "0", "31", "-5", "1.5", "", " ", "99", "banana")
	redisqueue.New(rdb, "queue", "producer").Push(ctx, pushed...)
	var sawAway, sawBack, restarted bool
	n := 0
	// The first run goes on until the queue is empty and it is working on
	// nothing, and each message pushed has been done, dead-lettered or is
	// in the processing list: one whose Take lost its reply when Redis
	// stopped is there, for the next run to recover.
	first := drain(t, rdb, url, func(d *drained) bool {
		queue, processing, ok := lists(rdb)
		return ok && sawBack && d.idle() && len(queue) == 0 &&
			len(symmetricDiff(slices.Concat(d.done, d.poison, processing), pushed)) == 0
	}, func(e timing.Event) {
		sawAway = sawAway || strings.HasPrefix(e.Text, "Redis is unavailable")
		sawBack = sawBack || e.Text == "Redis is back"
		if strings.HasPrefix(e.Text, "Waiting: ") {
			if n++; n == 20 && !restarted {
				restarted = true
				srv.Stop()
				time.Sleep(2500 * time.Millisecond) // the outage: longer than go-redis waits for a pooled connection
				srv.Restart()
			}
		}
	}, "--scale", "0.01", "--max", "30")
	if !sawAway || !sawBack {
		t.Errorf("the consumer did not say Redis went away (%v) and came back (%v)", sawAway, sawBack)
	}
	second := drain(t, rdb, url, func(d *drained) bool {
		queue, processing, ok := lists(rdb)
		return ok && d.idle() && len(queue)+len(processing) == 0 &&
			len(symmetricDiff(slices.Concat(first.done, first.poison, d.done, d.poison), pushed)) == 0
	}, nil, "--scale", "0.01", "--max", "30")
	done := slices.Concat(first.done, second.done)
	poison := slices.Concat(first.poison, second.poison)
	dead, _ := redisqueue.New(rdb, "queue", "test").DeadLetters(ctx)
	if len(dead) != len(poison) {
		t.Errorf("%d dead letters, %d poison messages reported", len(dead), len(poison))
	}
	// The first run stops once nothing it started is unfinished; but a
	// message in the processing list may be one it had just taken and not
	// yet started rather than one a lost reply left there. If the Ctrl+C
	// then cut that message's acknowledgement short, the second run did it
	// again, as it should.
	got := slices.Concat(done, poison)
	for _, x := range first.late {
		if i := slices.Index(got, x); i >= 0 && countOf(got, x) > countOf(pushed, x) {
			got = slices.Delete(got, i, i+1)
		}
	}
	if d := symmetricDiff(got, pushed); len(d) > 0 {
		t.Errorf("processed %d + dead-lettered %d, pushed %d; per value, extra (+) or missing (-): %v",
			len(done), len(poison), len(pushed), d)
	}
	if queue, processing, _ := lists(rdb); len(queue)+len(processing) != 0 {
		t.Errorf("queue %q and processing list %q, want both empty", queue, processing)
	}
}

func symmetricDiff(a, b []string) []string {
	count := map[string]int{}
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		count[x]--
	}
	var d []string
	for x, n := range count {
		if n != 0 {
			d = append(d, fmt.Sprintf("%s:%+d", x, n))
		}
	}
	slices.Sort(d)
	return d
}

func TestUnreachableRedisFailsFast(t *testing.T) {
	testenv.SkipShort(t, "a lesson on real sockets, in real time")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	for _, lesson := range []string{"queue", "sms", "workers"} {
		start := time.Now()
		out, errOut, code := runCmdNow(context.Background(), lesson, "--redis", "redis://"+addr+"/3")
		if code != 1 || !strings.Contains(errOut, "cannot reach Redis at "+addr) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 1 and one line naming %s", lesson, code, errOut, addr)
		}
		if out != "" { // checked before the introduction
			t.Errorf("%s printed before it found Redis unreachable:\n%s", lesson, out)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%s took %v to give up", lesson, took)
		}
	}
	_, errOut, code := runCmdNow(context.Background(), "push", "1")
	if code != 2 || !strings.Contains(errOut, "--redis") {
		t.Errorf("push without Redis: exit %d, %q", code, errOut)
	}
}

func TestPushFeedsARealRedis(t *testing.T) {
	srv := redistest.Real(t)
	out, errOut, code := runCmdNow(context.Background(), "push", "--redis", "redis://"+srv.Addr+"/3", "5", "1", "1")
	if code != 0 || !strings.Contains(out, "3 waiting") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	if got, _ := rdb.LRange(context.Background(), "queue", 0, -1).Result(); !slices.Equal(got, []string{"1", "1", "5"}) {
		t.Errorf("queue = %q, want LPUSH order 1 1 5", got)
	}
}

// TestSMSServerHoldsTenThousandConnections runs asyncdemo sms-server and
// keeps 10,000 requests open on it at once; then Ctrl+C shuts it down
// gracefully.
func TestSMSServerHoldsTenThousandConnections(t *testing.T) {
	testenv.SkipShort(t, "10,000 connections to a real sms-server (14 s, more on a loaded machine)")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(binary(t), "sms-server", "--addr", addr, "--scale", "0.5")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	wait := startAndWaitFor(t, cmd, "listening")
	defer cmd.Process.Kill()
	const n = 10_000
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n, DisableKeepAlives: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Go(func() {
			resp, err := client.Get("http://" + addr + "/2")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					ok.Add(1)
					return
				}
				err = fmt.Errorf("status %s", resp.Status)
			}
			failed.Add(1)
			firstErr.CompareAndSwap(nil, err)
		})
	}
	wg.Wait()
	if ok.Load() != n {
		t.Fatalf("%d of %d requests answered 200 (%d failed, first: %v)", ok.Load(), n, failed.Load(), firstErr.Load())
	}
	t.Logf("%d concurrent requests of 1 s each answered in %v", n, time.Since(start))
	// Ctrl+C during a request (of 2 s here): it is answered, then the
	// server exits 130. The Ctrl+C comes once the server has read the
	// request.
	answered := make(chan error, 1)
	wrote := make(chan int, 1) // the port the request was sent from
	go func() {
		var from int
		trace := &httptrace.ClientTrace{
			GotConn:      func(c httptrace.GotConnInfo) { from = c.Conn.LocalAddr().(*net.TCPAddr).Port },
			WroteRequest: func(httptrace.WroteRequestInfo) { wrote <- from },
		}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "http://"+addr+"/4", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	select {
	case from := <-wrote:
		_, port, _ := net.SplitHostPort(addr)
		to, _ := strconv.Atoi(port)
		waitTCP(t, "the server's end received all the request", func(conns map[[2]int]tcpEnd) bool {
			c, ok := conns[[2]int{from, to}]
			return ok && c.unacked == 0
		})
		waitTCP(t, "the server read it", func(conns map[[2]int]tcpEnd) bool {
			s, ok := conns[[2]int{to, from}]
			return ok && s.accepted && s.unread == 0
		})
	case err := <-answered:
		t.Fatalf("the request failed before it was sent: %v", err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := <-answered; err != nil {
		t.Errorf("the request in progress at Ctrl+C failed: %v", err)
	}
	var exit *exec.ExitError
	if err := wait(); !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Errorf("sms-server after Ctrl+C: %v, want exit 130 after the graceful shutdown", err)
	}
}

// tcpEnd is one end of a TCP connection, as the kernel says
// (/proc/net/tcp).
type tcpEnd struct {
	unacked, unread int  // bytes sent and not acknowledged, received and not read
	accepted        bool // it has a socket (a connection not yet accepted has none)
}

// waitTCP waits until cond holds for the TCP connections on the loopback,
// by the (local, remote) port of each end, for up to 10 s.
func waitTCP(t *testing.T, what string, cond func(map[[2]int]tcpEnd) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		tcp, err := os.ReadFile("/proc/net/tcp")
		if err != nil {
			t.Fatalf("reading the state of TCP connections: %v", err)
		}
		hex := func(s string) int { n, _ := strconv.ParseUint(s, 16, 64); return int(n) }
		port := func(addr string) int { _, p, _ := strings.Cut(addr, ":"); return hex(p) }
		conns := map[[2]int]tcpEnd{}
		for _, line := range strings.Split(string(tcp), "\n") {
			f := strings.Fields(line) // sl local remote st tx:rx tr:when retrnsmt uid timeout inode
			if len(f) < 10 || f[0] == "sl" {
				continue
			}
			tx, rx, _ := strings.Cut(f[4], ":")
			conns[[2]int{port(f[1]), port(f[2])}] = tcpEnd{unacked: hex(tx), unread: hex(rx), accepted: f[9] != "0"}
		}
		if cond(conns) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s, still waiting until %s", what)
		}
	}
}
