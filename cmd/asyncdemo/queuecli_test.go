package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/demos/smsapi"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/timing"
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

// sms --url takes an http:// or https:// URL with a host; anything else is
// a usage error, before anything is printed, naming the value with its
// secrets (user name and password, query) redacted.
func TestSMSRefusesAURLItCannotCall(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"ftp://x", `"ftp://x" is not an http:// or https:// URL (want http://HOST:PORT)`},
		{"ftp://bob:hunter2@x/?key=s3cret", `"ftp://xxxxx@x/?…" is not an http:// or https:// URL (want http://HOST:PORT)`},
		{"localhost:5000", `"localhost:5000" is not an http:// or https:// URL (want http://HOST:PORT)`},
		{"http://", `"http://" has no host (want http://HOST:PORT)`},
		{"http:foo", `"http:foo" has no host (want http://HOST:PORT)`},
		{"http://a b", `"http://a b" is not a URL (want http://HOST:PORT)`},
		{"https://[::1", `"https://[::1" is not a URL (want http://HOST:PORT)`},
		{"http://h:99999/?key=s3cret", `"http://h:99999/?…" has port 99999, not one from 1 to 65535`},
	} {
		out, errOut, code := runCmdNow(context.Background(), "sms", "--url", c.url)
		want := `asyncdemo: invalid argument for "--url" flag: ` + c.want + "\n"
		if code != exitUsage || out != "" || errOut != want {
			t.Errorf("--url %q: exit %d, stdout %q, stderr %q; want 2, nothing printed, and %q", c.url, code, out, errOut, want)
		}
	}
}

// A --url with a path and a query is called at the path joined to its own,
// the query kept byte for byte (it may hold a key); and neither its query
// nor its user name and password is ever printed or written to the dead
// letters: they are redacted (http://xxxxx@host/path?…). In both styles and
// in the twin.
func TestSMSKeepsTheURLsQueryAndNeverPrintsItsSecrets(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	var mu sync.Mutex
	var calls []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.URL.RequestURI())
		mu.Unlock()
		fmt.Fprintf(w, "%s It works", path.Base(r.URL.Path))
	}))
	defer api.Close()
	// An API that answers the check that it is up, and drops every other
	// call: it went away during the run.
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path.Base(r.URL.Path) == "0" {
			return
		}
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer drop.Close()
	dropping := strings.TrimPrefix(drop.URL, "http://")
	secrets := []string{"hunter2", "s3cret"}
	const query = "key=s3cret&to=%2B44%20x"
	goRun := func(args ...string) (string, int) {
		out, errOut, code := runCmdNow(ctx, append([]string{"sms", "--no-color", "--redis", url, "--scale", "0.01", "--idle", "100"}, args...)...)
		return out + errOut, code
	}
	python := ""
	pyRun := func(args ...string) (string, int) {
		script := filepath.Join("..", "..", "demos", "twin", "py", "sms.py")
		cmd := exec.Command(python, append([]string{"-B", script, "--no-color", "--redis", url, "--scale", "0.01", "--idle", "100"}, args...)...)
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	for _, c := range []struct {
		name string
		run  func(args ...string) (string, int)
		args []string
	}{
		{"aio", goRun, []string{"--style", "aio"}},
		{"go", goRun, []string{"--style", "go"}},
		{"twin", pyRun, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "twin" {
				python = twinPython(t, "sms")
			}
			// Sent: to /v1/1 and /v1/2, the query kept; and first the check
			// that the API is up, GET /v1/0.
			rdb.FlushDB(ctx)
			mu.Lock()
			calls = nil
			mu.Unlock()
			redisqueue.New(rdb, "queue", "producer").Push(ctx, "1", "2")
			out, code := c.run(append(c.args, "--url", api.URL+"/v1/?"+query)...)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			mu.Lock()
			slices.Sort(calls)
			if want := []string{"/v1/0?" + query, "/v1/1?" + query, "/v1/2?" + query}; !slices.Equal(calls, want) {
				t.Errorf("the API was called at %q, want %q", calls, want)
			}
			mu.Unlock()
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%q printed:\n%s", s, out)
				}
			}
			if !strings.Contains(out, "/v1/?…") {
				t.Errorf("the API's URL is not named, redacted, as http://…/v1/?…:\n%s", out)
			}

			// Nothing listens on port 1: refused before anything else, in
			// one line naming the URL redacted.
			out, code = c.run(append(c.args, "--url", "http://bob:hunter2@127.0.0.1:1/v1?"+query)...)
			if code != 1 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "cannot reach the SMS API at http://xxxxx@127.0.0.1:1/v1?…: ") {
				t.Errorf("an API that is not there: exit %d, output %q; want 1 and one line naming http://xxxxx@127.0.0.1:1/v1?…", code, out)
			}
			for _, s := range append(secrets, "bob") {
				if strings.Contains(out, s) {
					t.Errorf("%q printed:\n%s", s, out)
				}
			}

			// Not sent (the API drops every call after answering the
			// check): the errors name the URL redacted, on the terminal and
			// in the dead letters.
			rdb.FlushDB(ctx)
			redisqueue.New(rdb, "queue", "producer").Push(ctx, "1")
			out, code = c.run(append(c.args, "--url", "http://bob:hunter2@"+dropping+"/v1?"+query)...)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			dead, err := redisqueue.New(rdb, "queue", "test").DeadLetters(ctx)
			if err != nil || len(dead) != 1 {
				t.Fatalf("dead letters %+v, %v; want the message not sent:\n%s", dead, err, out)
			}
			for _, s := range append(secrets, "bob") {
				if strings.Contains(out, s) || strings.Contains(dead[0].Reason, s) {
					t.Errorf("%q printed, or in the dead letter's reason %q:\n%s", s, dead[0].Reason, out)
				}
			}
			if !strings.Contains(out, "sending failed") || !strings.Contains(out, "xxxxx@"+dropping+"/v1") {
				t.Errorf("the failure does not name the URL, redacted, as http://xxxxx@%s/v1…:\n%s", dropping, out)
			}
		})
	}
}

// Every value --heartbeat refuses, however it is wrong, is refused in the
// same words: the value and the range it must be in. In the lessons that
// consume the queue and in their twins.
func TestHeartbeatRefusalsNameTheValueAndTheRange(t *testing.T) {
	bad := []string{"-1", "0", "0.1", "0.29", "3601", "abc", "inf", "NaN", ""}
	for _, lesson := range []string{"queue", "sms", "workers"} {
		for _, v := range bad {
			out, errOut, code := runCmdNow(context.Background(), lesson, "--heartbeat="+v)
			want := fmt.Sprintf("asyncdemo: invalid argument for \"--heartbeat\" flag: %q is not a number of seconds from 0.3 to 3600\n", v)
			if code != exitUsage || out != "" || errOut != want {
				t.Errorf("%s --heartbeat=%s: exit %d, stdout %q, stderr %q; want 2 and %q", lesson, v, code, out, errOut, want)
			}
		}
	}
	t.Run("twin", func(t *testing.T) {
		python := twinPython(t, "queue")
		for _, v := range bad {
			script := filepath.Join("..", "..", "demos", "twin", "py", "queue.py")
			cmd := exec.Command(python, "-B", script, "--heartbeat="+v)
			out, _ := cmd.CombinedOutput()
			want := fmt.Sprintf("queue.py: argument --heartbeat: %q is not a number of seconds from 0.3 to 3600\n", v)
			if code := cmd.ProcessState.ExitCode(); code != exitUsage || string(out) != want {
				t.Errorf("queue.py --heartbeat=%s: exit %d, output %q; want 2 and %q", v, code, out, want)
			}
		}
	})
}

// An SMS API at --url started without the lesson's --scale answers GET /1
// after 1 s, not 0.1 s: every call times out. sms says once why that may be,
// in both styles and in the twin; against an API at the same scale, or
// when the call was meant to outlast --timeout, it says nothing.
func TestSMSWarnsOnceOfAnAPIAtAnotherScale(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	unscaled := httptest.NewServer(smsapi.Handler(timing.NewClock(1), 30*time.Second))
	defer unscaled.Close()
	scaled := httptest.NewServer(smsapi.Handler(timing.NewClock(0.1), 30*time.Second))
	defer scaled.Close()
	const warning = "warning: GET /1 timed out, though --timeout is 5 s: is the SMS API at --url running at another --scale? " +
		"Start it with the same one (asyncdemo sms-server --scale 0.1)"
	python := ""
	run := func(style, api string, messages ...string) string {
		rdb.FlushDB(ctx)
		redisqueue.New(rdb, "queue", "producer").Push(ctx, messages...)
		args := []string{"--json", "--redis", url, "--url", api, "--scale", "0.1", "--timeout", "5"}
		if style == "twin" {
			script := filepath.Join("..", "..", "demos", "twin", "py", "sms.py")
			cmd := exec.Command(python, append([]string{"-B", script, "--idle", "10"}, args...)...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			return string(out)
		}
		out, errOut, code := runCmdNow(ctx, append([]string{"sms", "--style", style, "--idle", "10"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		return out
	}
	for _, style := range []string{"aio", "go", "twin"} {
		t.Run(style, func(t *testing.T) {
			if style == "twin" {
				python = twinPython(t, "sms")
			}
			if out := run(style, unscaled.URL, "1", "1"); strings.Count(out, `"text":"warning: `) != 1 || !strings.Contains(out, `"text":"`+warning+`"`) {
				t.Errorf("against an API at scale 1: want the warning %q once:\n%s", warning, out)
			}
			if out := run(style, scaled.URL, "1", "6"); strings.Contains(out, "warning") || !strings.Contains(out, `"text":"Done 1"`) {
				t.Errorf("against an API at --scale 0.1, a call of 6 s timing out after 5: want 1 sent and no warning:\n%s", out)
			}
		})
	}
}

// sms --url naming an API that is not there is refused before anything is
// printed (every call of the run would fail): one line naming the URL,
// exit 1, in both styles and with --json; before the queue is opened.
func TestSMSChecksTheAPIIsUpFirst(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	for _, args := range [][]string{{}, {"--style", "go"}, {"--json"}, {"--redis", "redis://127.0.0.1:1/3"}} {
		out, errOut, code := runCmdNow(context.Background(), append([]string{"sms", "--url", "http://" + addr}, args...)...)
		want := "asyncdemo: cannot reach the SMS API at http://" + addr + ": dial tcp " + addr + ": connect: connection refused\n"
		if code != 1 || out != "" || errOut != want {
			t.Errorf("sms %q: exit %d, stdout %q, stderr %q; want 1, nothing printed, and %q", args, code, out, errOut, want)
		}
	}
}

// sms --timeout 2: a send of 5 s times out three times, and the alarm,
// which takes 3 s, is answered all the same: it has a deadline of its own.
// In both styles; and the words after the run say what the alarm did.
func TestSMSAlarmOutlivesAShortTimeout(t *testing.T) {
	testenv.SkipShort(t, "a lesson on real sockets, in real time")
	for _, style := range []string{"aio", "go"} {
		t.Run(style, func(t *testing.T) {
			after, _, runs, _ := afterTextOf(t, "sms", []string{"--scale", "0.05", "--timeout", "2", "--style", style})
			var alarm []string
			for _, e := range runs[0].Events {
				if e.Task == "do_some_work(5)" && len(alarm) > 0 || e.Text == "calling /error, the alarm" {
					alarm = append(alarm, e.Text)
				}
			}
			if !slices.Contains(alarm, "error!") || slices.ContainsFunc(alarm, func(s string) bool { return strings.HasPrefix(s, "the alarm failed") }) {
				t.Errorf("after the alarm was called: %q, want its answer, error!", alarm)
			}
			if want := "1 message could not be sent: it raised the alarm, GET /error (it answered), and went to queue:dead with the reason."; !strings.Contains(after, want) {
				t.Errorf("want %q in:\n%s", want, after)
			}
		})
	}
}
