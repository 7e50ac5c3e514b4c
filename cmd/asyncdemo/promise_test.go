package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/demos/smsapi"
	"github.com/asyncdemo/asyncdemo/timing"
)

// A message whose send fails every time, and whose alarm fails too, is not
// acknowledged as if it had been sent: after three tries it goes to
// queue:dead with the reason, in both styles; and the words after the run
// say so, with its counts.
func TestSMSDeadLettersWhatItCouldNotSend(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	// An API that is up and fails every call, the alarm too (503: worth
	// trying again).
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	defer api.Close()
	for _, style := range []string{"aio", "go"} {
		rdb.FlushDB(ctx)
		redisqueue.New(rdb, "queue", "producer").Push(ctx, "1", "2", "3")
		out, errOut, code := runCmdNow(ctx, "sms", "--no-color", "--style", style, "--redis", url,
			"--url", api.URL, "--scale", "0.01", "--idle", "100")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s\n%s", style, code, errOut, out)
		}
		said := strings.Join(strings.Fields(out), " ")
		if want := "No message was sent in this run. 3 messages could not be sent: each raised the alarm, GET /error (it failed too), and went to queue:dead with the reason."; !strings.Contains(said, want) {
			t.Errorf("%s: want %q in:\n%s", style, want, out)
		}
		if strings.Contains(said, "in flight at once") || strings.Contains(said, "overlapped") {
			t.Errorf("%s: the words after the run speak of calls in flight:\n%s", style, out)
		}
		dead, err := redisqueue.New(rdb, "queue", "test").DeadLetters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 3 {
			t.Fatalf("%s: %d dead letters, want the 3 messages never sent:\n%s", style, len(dead), out)
		}
		for _, d := range dead {
			if !strings.Contains(d.Reason, "not sent after 3 attempts") {
				t.Errorf("%s: dead letter %q has reason %q, want the three failed attempts", style, d.Value, d.Reason)
			}
		}
		if n := strings.Count(out, "trying again in"); n != 6 {
			t.Errorf("%s: %d retries, want 2 for each of the 3 messages", style, n)
		}
		if queue, processing, _ := lists(rdb); len(queue)+len(processing) != 0 {
			t.Errorf("%s: queue %q, processing %q; want both empty", style, queue, processing)
		}
	}
}

// A backlog of 10,000 messages against a healthy API is delivered whole,
// and never more than --in-flight calls are open at once (the API counts
// them): the consumer takes a message only when it has a slot for it, so
// no call waits for a connection, and none times out for want of one.
// (The timeout is an hour, scaled to 36 s: a loaded machine must not fail
// the test; the count of calls open at once is what shows the bound.)
func TestSMSDeliversABacklogOfTenThousand(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	var open, most atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := open.Add(1)
		defer open.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		smsapi.Handler(timing.NewClock(0.01), 30*time.Second).ServeHTTP(w, r)
	}))
	defer api.Close()
	const inFlight = 50
	for _, style := range []string{"aio", "go"} {
		rdb.FlushDB(ctx)
		most.Store(0)
		backlog := make([]string, 10000)
		for i := range backlog {
			backlog[i] = "1"
		}
		redisqueue.New(rdb, "queue", "producer").Push(ctx, backlog...)
		out, errOut, code := runCmdNow(ctx, "sms", "--json", "--style", style, "--redis", url, "--url", api.URL,
			"--in-flight", strconv.Itoa(inFlight), "--scale", "0.01", "--idle", "100", "--timeout", "3600")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", style, code, errOut)
		}
		if n := strings.Count(out, `"text":"Done 1"`); n != len(backlog) {
			t.Errorf("%s: %d of %d delivered", style, n, len(backlog))
		}
		if n := strings.Count(out, "sending failed"); n != 0 {
			i := strings.Index(out, "sending failed")
			t.Errorf("%s: %d sends failed against a healthy API: %s", style, n, out[i:i+300])
		}
		if m := most.Load(); m > inFlight {
			t.Errorf("%s: %d calls open at once, more than --in-flight %d", style, m, inFlight)
		}
		if queue, processing, _ := lists(rdb); len(queue)+len(processing) != 0 {
			t.Errorf("%s: %d left in the queue, %d in processing", style, len(queue), len(processing))
		}
	}
}

// More workers than go-redis's default pool has connections: each worker
// waits in Redis on a connection of its own, and the run ends as idle,
// without a false "Redis is unavailable".
func TestWorkersOutnumberingThePoolDoNotStall(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	for _, style := range []string{"aio", "go"} {
		rdb.FlushDB(ctx)
		redisqueue.New(rdb, "queue", "producer").Push(ctx, "1", "2", "1", "2", "1")
		out, errOut, code := runCmdNow(ctx, "workers", "--json", "--style", style, "--workers", "300",
			"--redis", url, "--scale", "0.1", "--idle", "2")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", style, code, errOut)
		}
		if strings.Contains(out, "Redis is unavailable") {
			t.Errorf("%s: a false outage with 300 workers:\n%s", style, out)
		}
		if n := strings.Count(out, `"text":"Done `); n != 5 {
			t.Errorf("%s: %d of 5 messages done", style, n)
		}
	}
}

// Ctrl+C while a consumer waits in Redis (BLMOVE) ends the wait at once:
// the lesson ends through its own clean-up, within the second a forced
// exit waits, so it prints its summary and exits 130, having given up its
// name (no heartbeat left behind).
func TestCtrlCEndsAWaitInRedisThroughTheCleanUp(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	for _, args := range [][]string{
		{"queue", "--mode", "block", "--style", "aio"},
		{"queue", "--mode", "block", "--style", "go"},
		{"sms", "--style", "aio"},
		{"workers", "--style", "go", "--workers", "3"},
		{"workers", "--style", "aio", "--sync-client", "--workers", "2"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(binary(t), append(args, "--json", "--redis", url, "--scale", "5")...)
			var out strings.Builder
			cmd.Stdout = &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			// It waits in Redis once Redis counts a blocked client.
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				info, _ := rdb.Info(ctx, "clients").Result()
				if strings.Contains(info, "blocked_clients:") && !strings.Contains(info, "blocked_clients:0") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no consumer waiting in Redis after 30 s:\n%s", out.String())
				}
			}
			cmd.Process.Signal(syscall.SIGINT)
			err := cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
				t.Fatalf("exit %v, want 130", err)
			}
			if !strings.Contains(out.String(), `"kind":"summary"`) {
				t.Errorf("no summary: the clean-up did not run (a forced exit?):\n%s", out.String())
			}
			if beats, _ := rdb.Keys(ctx, "queue:heartbeat:*").Result(); len(beats) > 0 {
				t.Errorf("heartbeats left behind: %q", beats)
				rdb.Del(ctx, beats...)
			}
		})
	}
}
