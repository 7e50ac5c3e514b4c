package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"asyncdemo/demos/redisqueue"
	"asyncdemo/demos/redisqueue/redistest"
)

// What a new user meets first in the queue lessons (queue, sms, workers,
// push) and their twins: the command line's refusals, each one line naming
// the flag and the value, before anything else is printed.

// A --consumer name that a live consumer holds is refused before the
// lesson prints anything: nothing on stdout, one line on stderr naming the
// flag and the value once, exit 2; and the holder keeps its name and its
// messages. In every lesson that consumes the queue, in both styles and
// with --json, and in their Python twins.
func TestConsumerNameInUseIsRefusedBeforeTheLessonStarts(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	// bob is alive, working on a 7.
	rdb.Set(ctx, "queue:heartbeat:bob", "bobs-token", time.Minute)
	rdb.LPush(ctx, "queue:processing:bob", "7")
	rdb.LPush(ctx, "queue", "1")
	const want = `asyncdemo: --consumer "bob": a live consumer holds this name (its heartbeat runs out in `
	const wantEnd = " s if it has stopped); choose another name or leave --consumer out\n"
	held := func(t *testing.T) {
		t.Helper()
		if token := rdb.Get(ctx, "queue:heartbeat:bob").Val(); token != "bobs-token" {
			t.Errorf("bob's heartbeat holds %q after the refusal, want bob's token", token)
		}
		if got := rdb.LRange(ctx, "queue:processing:bob", 0, -1).Val(); len(got) != 1 || got[0] != "7" {
			t.Errorf("bob's processing list holds %q after the refusal, want the 7", got)
		}
		if got := rdb.LRange(ctx, "queue", 0, -1).Val(); len(got) != 1 || got[0] != "1" {
			t.Errorf("the queue holds %q after the refusal, want the 1 untouched", got)
		}
	}
	for _, lesson := range []string{"queue", "sms", "workers"} {
		for _, args := range [][]string{{"--style", "aio"}, {"--style", "go"}, {"--json"}} {
			t.Run(lesson+" "+strings.Join(args, " "), func(t *testing.T) {
				out, errOut, code := runCmdNow(ctx, append([]string{lesson, "--no-color", "--redis", url, "--consumer", "bob"}, args...)...)
				if code != exitUsage || out != "" || !strings.HasPrefix(errOut, want) || !strings.HasSuffix(errOut, wantEnd) ||
					strings.Count(errOut, "bob") != 1 || strings.Count(errOut, "\n") != 1 {
					t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing printed, and %q...%q", code, out, errOut, want, wantEnd)
				}
				held(t)
			})
		}
		t.Run(lesson+" twin", func(t *testing.T) {
			python := twinPython(t, lesson)
			script := filepath.Join("..", "..", "demos", "twin", "py", lesson+".py")
			cmd := exec.Command(python, "-B", script, "--no-color", "--redis", url, "--consumer", "bob", "--idle", "1")
			var out, errOut lockedBuffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			cmd.Run()
			wantPy := lesson + ".py: " + strings.TrimPrefix(want, "asyncdemo: ")
			if code := cmd.ProcessState.ExitCode(); code != exitUsage || out.String() != "" || !strings.HasPrefix(errOut.String(), wantPy) ||
				!strings.HasSuffix(errOut.String(), wantEnd) || strings.Count(errOut.String(), "bob") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing printed, and %q...%q", code, out.String(), errOut.String(), wantPy, wantEnd)
			}
			held(t)
		})
	}
}

// A bad request (4xx) would fail the same way every time: it is not tried
// again, in either style. Each message is sent once, the alarm is raised
// once for each, and the message is dead-lettered with the API's answer as the reason.
func TestSMSDoesNotRetryABadRequest(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	var mu sync.Mutex
	calls := map[string]int{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		mu.Unlock()
		http.Error(w, "no such number", http.StatusBadRequest)
	}))
	defer api.Close()
	for _, style := range []string{"aio", "go"} {
		t.Run(style, func(t *testing.T) {
			rdb.FlushDB(ctx)
			mu.Lock()
			clear(calls)
			mu.Unlock()
			redisqueue.New(rdb, "queue", "producer").Push(ctx, "1", "2", "3")
			out, errOut, code := runCmdNow(ctx, "sms", "--json", "--style", style, "--redis", url,
				"--url", api.URL, "--scale", "0.01", "--idle", "100")
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, errOut, out)
			}
			mu.Lock()
			for path, want := range map[string]int{"/1": 1, "/2": 1, "/3": 1, "/error": 3} {
				if calls[path] != want {
					t.Errorf("GET %s called %d times, want %d", path, calls[path], want)
				}
			}
			mu.Unlock()
			if strings.Contains(out, "trying again in") {
				t.Errorf("a bad request was tried again:\n%s", out)
			}
			dead, err := redisqueue.New(rdb, "queue", "test").DeadLetters(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(dead) != 3 {
				t.Fatalf("%d dead letters, want the 3 messages:\n%s", len(dead), out)
			}
			for _, d := range dead {
				if !strings.Contains(d.Reason, "not sent, a bad request") || !strings.Contains(d.Reason, "400 Bad Request: no such number") {
					t.Errorf("dead letter %q has reason %q, want the bad request and the API's answer", d.Value, d.Reason)
				}
			}
		})
	}
}
