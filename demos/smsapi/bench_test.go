package smsapi

// BenchmarkHTTPFanout: 1,000 concurrent calls of the SMS API, each answered
// after 0.5 s, from Go (the sms lesson's aio style, and goroutines) and from
// CPython (aiohttp, testdata/bench_http.py), in the same run. BENCHMARKS.md
// at the module root records the figures. Each iteration is a whole
// measurement (several fan-outs): run it with
//
//	go test -run '^$' -bench HTTPFanout -benchtime 1x -count 3 ./demos/smsapi/

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/twin/pybench"
)

const (
	// benchRequests is how many calls one fan-out makes at once.
	benchRequests = 1000
	// benchPath is the call: GET /1 waits 1 s, which benchClock halves.
	benchPath = "/1"
	benchText = "1 It works"
	// benchTimeout is the client's timeout per call, waiting for a
	// connection included.
	benchTimeout = 60 * time.Second
)

// benchClock makes the API's delays half as long, as a timing.Clock with
// scale 0.5 does: the API takes whole seconds only.
type benchClock struct{}

func (benchClock) Real(d time.Duration) time.Duration { return d / 2 }

// BenchmarkHTTPFanout measures the wall time of 1,000 concurrent calls of
// the SMS API (GET /1, answered after 0.5 s) served by Serve and Handler on
// a free loopback port, from the first request to the last response, with
// at most conns connections open at once:
//
//   - conns=256: what the sms lesson's shared Client and the sms twin's
//     aiohttp connector allow; 1,000 calls take four rounds of 0.5 s;
//   - conns=unlimited: one connection per call;
//   - conns=100: aiohttp's default limit (TCPConnector()).
//
// Figures: aio-s, 1,000 tasks on an aio loop, each calling through
// t.ToThread with one shared Client, as the sms lesson does; go-s, a
// goroutine per call with one shared Client; py-s, 1,000 coroutines
// gathered on one aiohttp ClientSession (testdata/bench_http.py, run with a
// Python that has redis and aiohttp, found as the twins find one);
// x-faster = py-s ÷ aio-s and go-x-faster = py-s ÷ go-s, each computed
// within an iteration. Every call must answer 200 "1 It works". Each side
// opens its connections during the fan-out: a new Client, or ClientSession,
// for every fan-out.
//
// A fan-out with n connections holds about 2n open files in this process
// (the client's and the server's ends). The soft limit is raised to the
// hard one first, as Go does at start; a case that needs more is skipped.
func BenchmarkHTTPFanout(b *testing.B) {
	files, err := benchFileLimit()
	if err != nil {
		b.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("starting the SMS API: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, l, Handler(benchClock{}, 10*time.Second), 5*time.Second) }()
	b.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			b.Errorf("the SMS API: %v", err)
		}
	})
	base := "http://" + l.Addr().String()
	py := pybench.Python(b, "aiohttp") // what testdata/bench_http.py imports
	for _, c := range []struct {
		name  string
		conns int // 0: no limit
	}{{"conns=256", 256}, {"conns=unlimited", 0}, {"conns=100", 100}} {
		b.Run(c.name, func(b *testing.B) {
			open := c.conns
			if open == 0 {
				open = benchRequests
			}
			if need := 2*open + 100; files < uint64(need) {
				b.Skipf("the limit of open files is %d, and %d connections need about %d: raise it (ulimit -n %d) to run this case",
					files, open, need, need)
			}
			benchFanout(b, base, py, c.conns)
		})
	}
}

func benchFanout(b *testing.B, base, py string, conns int) {
	// measure times one fan-out with a new Client allowing conns connections.
	measure := func(style string, fanout func(api *Client) error) float64 {
		u, err := ParseURL(base)
		if err != nil {
			b.Fatal(err)
		}
		api := NewClient(u, benchTimeout, conns)
		defer api.CloseIdleConnections()
		start := time.Now()
		err = fanout(api)
		elapsed := time.Since(start)
		if err != nil {
			b.Fatalf("%s fan-out: %v", style, err)
		}
		return elapsed.Seconds()
	}
	var aioS, goS, pyS, aioRatio, goRatio float64
	iters := 0
	for b.Loop() {
		a := measure("aio", benchFanoutAio)
		g := measure("goroutines", benchFanoutGo)
		aioS += a
		goS += g
		if py != "" {
			b.StopTimer()
			figs := pybench.Run(b, py, filepath.Join("testdata", "bench_http.py"), base+benchPath, strconv.Itoa(benchRequests), strconv.Itoa(conns))
			if ok := pybench.Figure(b, figs, "ok"); ok != benchRequests {
				b.Fatalf("python fan-out: %v of %d calls answered %q; first error: %v", ok, benchRequests, benchText, figs["first_error"])
			}
			p := pybench.Figure(b, figs, "seconds")
			pyS += p
			aioRatio += p / a
			goRatio += p / g
			b.StartTimer()
		}
		iters++
	}
	k := float64(iters)
	b.ReportMetric(aioS/k, "aio-s")
	b.ReportMetric(goS/k, "go-s")
	if py != "" {
		b.ReportMetric(pyS/k, "py-s")
		b.ReportMetric(aioRatio/k, "x-faster")
		b.ReportMetric(goRatio/k, "go-x-faster")
	}
}

// benchCall makes one call and checks its answer.
func benchCall(ctx context.Context, api *Client) error {
	resp, err := api.Get(ctx, benchPath)
	if err != nil {
		return err
	}
	if resp.Text != benchText {
		return fmt.Errorf("GET %s answered %q, want %q", benchPath, resp.Text, benchText)
	}
	return nil
}

// benchFanoutAio makes the calls as the sms lesson's aio style does: a task
// per call on one loop, each calling through t.ToThread, so that a task
// waiting for its answer holds up no other.
func benchFanoutAio(api *Client) error {
	l := aio.NewLoop()
	defer l.Close()
	tasks := make([]aio.Awaitable, benchRequests)
	for i := range tasks {
		tasks[i] = l.CreateTask(func(t *aio.Task) (any, error) {
			return t.ToThread(func(ctx context.Context) (any, error) { return nil, benchCall(ctx, api) })
		}, fmt.Sprintf("call-%d", i+1))
	}
	_, err := l.RunUntilComplete(l.Gather(tasks...))
	return err
}

// benchFanoutGo makes the calls from a goroutine each.
func benchFanoutGo(api *Client) error {
	errs := make([]error, benchRequests)
	var wg sync.WaitGroup
	for i := range benchRequests {
		wg.Go(func() { errs[i] = benchCall(context.Background(), api) })
	}
	wg.Wait()
	failed, first := 0, error(nil)
	for _, err := range errs {
		if err != nil {
			failed++
			first = cmp.Or(first, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d calls failed; the first: %w", failed, benchRequests, first)
	}
	return nil
}

// benchFileLimit raises this process's soft limit of open files to the hard
// limit, as Go does at start (it may have been lowered since), and returns
// the soft limit.
func benchFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("reading the limit of open files: %w", err)
	}
	if lim.Cur < lim.Max {
		raised := syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			lim = raised
		}
	}
	return lim.Cur, nil
}
