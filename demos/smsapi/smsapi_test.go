package smsapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type scale float64

func (s scale) Real(d time.Duration) time.Duration { return time.Duration(float64(d) * float64(s)) }

// serve runs the API on an in-memory listener, which works inside a
// synctest bubble (real sockets do not), and returns a client for it.
func serve(t *testing.T, ctx context.Context, clock Clock, maxDelay time.Duration) *Client {
	t.Helper()
	return serveHandler(t, ctx, Handler(clock, maxDelay))
}

// serveHandler is serve with the handler h.
func serveHandler(t *testing.T, ctx context.Context, h http.Handler) *Client {
	t.Helper()
	l := newPipeListener()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, h, time.Second) }()
	u, err := ParseURL("http://sms")
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(u, time.Minute, 100)
	c.http.Transport.(*http.Transport).DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) { return l.dial() }
	t.Cleanup(func() {
		c.CloseIdleConnections()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return c
}

func TestAnswersAfterTheDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := serve(t, ctx, scale(1), 30*time.Second)
		cases := []struct {
			path   string
			status int
			text   string
			took   time.Duration
		}{
			{"/1", 200, "1 It works", time.Second},
			{"/0", 200, "0 It works", 0},
			{"/error", 200, "error!", 3 * time.Second},
			{"/30", 200, "30 It works", 30 * time.Second},
			{"/45", 400, "x must be at most 30 seconds here (the server's --max-delay), not 45", 0},
			{"/99999999999999999", 400, "x must be at most 30 seconds here (the server's --max-delay), not 99999999999999999", 0},
			{"/-1", 400, `x must be a whole number of seconds from 0, not "-1"`, 0},
			{"/banana", 400, `x must be a whole number of seconds from 0, not "banana"`, 0},
		}
		for _, tc := range cases {
			start := time.Now()
			r, err := c.Get(ctx, tc.path)
			if (err != nil) != (tc.status != 200) || r.Status != tc.status || r.Text != tc.text {
				t.Errorf("GET %s = %d %q, %v; want %d %q", tc.path, r.Status, r.Text, err, tc.status, tc.text)
			}
			// The answer is in the error too, for a caller that gets only the error.
			if answer, ok := errors.AsType[*StatusError](err); (err != nil) != ok || ok && answer.Response != r {
				t.Errorf("GET %s: error %#v, want a *StatusError holding %+v", tc.path, err, r)
			}
			if BadRequest(err) != (tc.status == 400) {
				t.Errorf("GET %s: BadRequest(%v) = %v", tc.path, err, BadRequest(err))
			}
			if took := time.Since(start); took != tc.took {
				t.Errorf("GET %s took %v, want %v", tc.path, took, tc.took)
			}
		}
		cancel()
	})
}

func TestConcurrentCallsOverlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := serve(t, ctx, scale(0.5), 30*time.Second)
		start := time.Now()
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if r, err := c.Get(ctx, "/4"); err != nil || r.Text != "4 It works" {
					t.Errorf("GET /4 = %+v, %v", r, err)
				}
			})
		}
		wg.Wait()
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("50 concurrent calls of 4 s at scale 0.5 took %v, want 2s", took)
		}
		cancel()
	})
}

func TestShutdownLetsRequestsInProgressFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		api := Handler(scale(0.5), time.Minute) // GET /1 takes 0.5 s, within serve's grace of 1 s
		arrived := make(chan struct{})
		c := serveHandler(t, ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(arrived) // one request only
			api.ServeHTTP(w, r)
		}))
		got := make(chan string)
		go func() {
			r, err := c.Get(context.Background(), "/1")
			if err != nil {
				got <- err.Error()
				return
			}
			got <- r.Text
		}()
		<-arrived
		stop() // Ctrl+C while a request is in progress
		if text := <-got; text != "1 It works" {
			t.Errorf("the request in progress got %q, want its answer", text)
		}
	})
}

func TestFailedCallIsAnErrorNotAPanic(t *testing.T) {
	u, err := ParseURL("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(u, time.Second, 1) // nothing listens there
	if _, err := c.Get(context.Background(), "/1"); err == nil || !strings.Contains(err.Error(), "GET /1") {
		t.Errorf("err = %v", err)
	}
}

// Reachable says in one error, naming the URL without its secrets, that
// nothing answers there; an API that answers, whatever it answers, is
// reachable.
func TestReachableNamesTheURLItCannotReach(t *testing.T) {
	u, err := ParseURL("http://bob:hunter2@127.0.0.1:1/v1?key=s3cret")
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(u, time.Millisecond, 1) // --timeout is not the check's
	err = c.Reachable(context.Background(), 3*time.Second)
	want := "cannot reach the SMS API at http://xxxxx@127.0.0.1:1/v1?…: dial tcp 127.0.0.1:1: connect: connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("Reachable = %v, want %q", err, want)
	}
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var paths []string
		c := serveHandler(t, ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			paths = append(paths, r.URL.Path)
			http.Error(w, "no", http.StatusServiceUnavailable)
		}))
		if err := c.Reachable(ctx, time.Second); err != nil || len(paths) != 1 || paths[0] != CheckPath {
			t.Errorf("an API that answers 503: Reachable = %v after calls %q; want nil after GET %s", err, paths, CheckPath)
		}
		silent := serveHandler(t, ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		want := "cannot reach the SMS API at http://sms: no answer to GET /0 within 3s"
		if err := silent.Reachable(ctx, 3*time.Second); err == nil || err.Error() != want {
			t.Errorf("an API that never answers: Reachable = %v, want %q", err, want)
		}
	})
}

// A call given a deadline of its own (the alarm's, with WithTimeout) is
// not held to the client's: GET /error takes 3 s, and a client whose calls
// give up after 2 s still gets its answer with 6 s.
func TestWithTimeoutGivesACallItsOwnDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := serve(t, ctx, scale(1), 30*time.Second)
		c.http.Timeout = 2 * time.Second
		var timedOut []string
		c.OnTimeout(func(path string) { timedOut = append(timedOut, path) })
		if _, err := c.Get(ctx, "/error"); err == nil {
			t.Errorf("GET /error with a 2 s deadline: no error")
		}
		alarm := c.WithTimeout(2 * ErrorDelay)
		start := time.Now()
		if resp, err := alarm.Get(ctx, "/error"); err != nil || resp.Text != "error!" || time.Since(start) != ErrorDelay {
			t.Errorf("GET /error with a 6 s deadline: %+v, %v after %v", resp, err, time.Since(start))
		}
		if _, err := alarm.Get(ctx, "/7"); err == nil || len(timedOut) != 2 || timedOut[1] != "/7" {
			t.Errorf("GET /7 with a 6 s deadline: %v; OnTimeout saw %q, want /error then /7", err, timedOut)
		}
		if c.http.Timeout != 2*time.Second {
			t.Errorf("WithTimeout changed the client it was called on: its timeout is %v", c.http.Timeout)
		}
	})
}

// A call that times out is TimedOut, and a TimeoutError says so in plain
// words, keeping the client's error; a refused call and the API's answer
// are not timeouts.
func TestTimedOutTellsATimeoutFromOtherFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := serve(t, ctx, scale(1), 30*time.Second)
		c.http.Timeout = 2 * time.Second
		_, err := c.Get(ctx, "/5")
		if !TimedOut(err) {
			t.Fatalf("GET /5 with a 2 s deadline: %v, want a timeout", err)
		}
		plain := &TimeoutError{Path: "/5", After: "2 s", Err: err}
		if got := plain.Error(); got != "GET /5 timed out after 2 s" {
			t.Errorf("TimeoutError says %q", got)
		}
		if !TimedOut(plain) || !errors.Is(plain, err) {
			t.Errorf("TimeoutError lost the client's error: %v", errors.Unwrap(plain))
		}
		if _, err := c.Get(ctx, "/x"); err == nil || TimedOut(err) {
			t.Errorf("GET /x, a bad request: %v, want an error that is no timeout", err)
		}
		if TimedOut(errors.New("connect: connection refused")) || TimedOut(nil) {
			t.Error("a refused connection, or no error, is a timeout")
		}
	})
}

// pipeListener is a net.Listener of in-memory connections.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) dial() (net.Conn, error) {
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// What may be printed of a URL: neither its user name and password nor its
// query or fragment, where secrets travel; even if it does not parse.
func TestRedactedHidesWhereSecretsTravel(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:5000":              "http://127.0.0.1:5000",
		"http://h:5000/send?key=s3cret":      "http://h:5000/send?…",
		"https://bob:hunter2@h/v1/?k=1#frag": "https://xxxxx@h/v1/?…",
		"http://h/#frag":                     "http://h/#…",
		"http://bob@h:1/x":                   "http://xxxxx@h:1/x",
		"http://h/a@b":                       "http://h/a@b",
		"ftp://bob:hunter2@[::1/?key=s3cret": "ftp://xxxxx@[::1/?…",
		"not a url?but=a secret@all":         "not a url?…",
		"http://bob:p@ss@h/?key=s3cret@x":    "http://xxxxx@h/?…",
	} {
		if got := Redacted(in); got != want {
			t.Errorf("Redacted(%q) = %q, want %q", in, got, want)
		}
	}
}
