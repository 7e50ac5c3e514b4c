package exercise

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/asyncdemo/asyncdemo/demos/smsapi"
	"github.com/asyncdemo/asyncdemo/timing"
)

// A Service is what a check serves the program on a loopback port while it
// runs, as the lessons do: an embedded Redis, the SMS API. It measures
// what the program does to it, for the rules: the server's side of the
// run, which the program cannot make up.
type Service interface {
	// start starts the service and returns what the program finds it by
	// ("REDIS_URL=redis://..."), and a function that stops it and notes
	// what it measured in the run's Served.
	start() (env []string, stop func(*Served), err error)
}

// Served is what a Service measured of a run.
type Served struct {
	// Redis: each list's length when the program had ended, and the most
	// items each list held at once while it ran.
	Left, Most map[string]int
	// The SMS API: the requests it answered, the most it served at once
	// and when it first served that many, and the time from the first
	// request's arrival to the last one's answer.
	Requests, Peak int
	PeakAt, Span   time.Duration
}

// RedisJobs is an embedded Redis (miniredis) whose list List holds the
// jobs "0" to "Jobs-1" when the program starts, the first to be taken at
// its right end (RPOP, LMOVE ... RIGHT). The program finds it at
// $REDIS_URL. While the program runs, the lengths of List and Watch are
// sampled: Served.Most says how many items each held at once.
type RedisJobs struct {
	List  string
	Jobs  int
	Watch []string
}

// sample is how often RedisJobs reads its lists' lengths.
const sample = 5 * time.Millisecond

func (s RedisJobs) start() ([]string, func(*Served), error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, nil, fmt.Errorf("check: starting the embedded Redis: %w", err)
	}
	for i := range s.Jobs {
		m.Lpush(s.List, strconv.Itoa(i))
	}
	keys := append([]string{s.List}, s.Watch...)
	length := func(key string) int {
		items, err := m.List(key)
		if err != nil { // no such key: an empty list
			return 0
		}
		return len(items)
	}
	most := map[string]int{}
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(sample)
		defer tick.Stop()
		for {
			for _, k := range keys {
				most[k] = max(most[k], length(k))
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	stop := func(sv *Served) {
		close(done)
		<-sampled
		sv.Most, sv.Left = most, map[string]int{}
		for _, k := range keys {
			sv.Left[k] = length(k)
		}
		m.Close()
	}
	return []string{"REDIS_URL=redis://" + m.Addr() + "/0"}, stop, nil
}

// SMSAPI is the tutorial's SMS API (package smsapi), its delays scaled by
// Scale (GET /1 waits Scale seconds), counting the requests it serves at
// once. The program finds it at $SMS_URL.
type SMSAPI struct {
	Scale float64
}

func (s SMSAPI) start() ([]string, func(*Served), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("check: serving the SMS API: %w", err)
	}
	var (
		mu          sync.Mutex
		sv          Served
		now         int
		first, last time.Time
	)
	began := time.Now()
	// Each request is counted in as it comes, and out once it is over
	// (smsapi.Logged says when, and with which status).
	api := smsapi.Logged(smsapi.Handler(timing.NewClock(s.Scale), 10*time.Second),
		func(r *http.Request, took time.Duration, status int) {
			mu.Lock()
			defer mu.Unlock()
			now--
			if status == http.StatusOK {
				sv.Requests++
			}
			last = time.Now()
		})
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now++
		if now > sv.Peak {
			sv.Peak, sv.PeakAt = now, time.Since(began)
		}
		if first.IsZero() {
			first = time.Now()
		}
		mu.Unlock()
		api.ServeHTTP(w, r)
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- smsapi.Serve(ctx, l, counted, time.Second) }()
	stop := func(out *Served) {
		cancel()
		<-served // the run is over: what the server measured stands, whatever it says
		mu.Lock()
		defer mu.Unlock()
		if !first.IsZero() {
			sv.Span = last.Sub(first)
		}
		out.Requests, out.Peak, out.PeakAt, out.Span = sv.Requests, sv.Peak, sv.PeakAt, sv.Span
	}
	return []string{"SMS_URL=http://" + l.Addr().String()}, stop, nil
}
