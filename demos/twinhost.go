package demos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"

	"asyncdemo/demos/smsapi"
)

// A TwinHost is a lesson whose Python twin needs what the Go lesson starts
// for itself: an embedded Redis with its scripted producer, an SMS API.
// HostTwin starts them for the twin, before the Go lesson runs, and returns
// the flags that point the twin at them and a function that stops them.
type TwinHost interface {
	HostTwin(e *Env) (args []string, stop func(), err error)
}

// errTwinExternal is HostTwin's answer when the lesson is to consume a
// Redis of the user's: the twin would consume the same queue.
var errTwinExternal = errors.New("--vs python runs the twin on an embedded Redis with the lesson's scripted producer, " +
	"as the lesson runs without --redis: leave out --redis (and unset REDIS_URL)")

// hostTwin starts an embedded Redis for the twin of a lesson that consumes
// the queue, and returns the twin's flags: the Redis, the same --idle, and
// the producer's script, which the twin plays as the Go lesson's producer
// does (--produce AT:VALUE,...).
func (f *redisFlags) hostTwin(script []push) ([]string, func(), error) {
	if f.URL != "" || hasRedisURL() {
		return nil, nil, UsageError{errTwinExternal}
	}
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, nil, fmt.Errorf("starting an embedded Redis for the twin: %w", err)
	}
	var plays []string
	for _, p := range f.script(script) {
		plays = append(plays, strconv.FormatFloat(p.at, 'g', -1, 64)+":"+p.value)
	}
	args := []string{
		fmt.Sprintf("--redis=redis://%s/%d", m.Addr(), queueDB),
		"--idle=" + strconv.FormatFloat(f.Idle, 'g', -1, 64),
		"--produce=" + strings.Join(plays, ","),
	}
	return args, m.Close, nil
}

// script is what the embedded producer pushes: the lesson's script, or,
// when --messages names other values, one of them a second: the first at
// once, the others half-way between two of the consumer's polls (at 1.5 s,
// 2.5 s, ...), so that no push races a poll and the run is the same every
// time.
func (f *redisFlags) script(script []push) []push {
	if f.Messages == nil || sameValues(f.Messages, script) {
		return script
	}
	script = nil
	for i, v := range f.Messages {
		at := float64(i)
		if i > 0 {
			at += 0.5
		}
		script = append(script, push{at: at, value: v})
	}
	return script
}

// HostTwin implements TwinHost.
func (q *queueLesson) HostTwin(e *Env) ([]string, func(), error) {
	return q.redis.hostTwin(queueScript)
}

// HostTwin implements TwinHost.
func (w *workersLesson) HostTwin(e *Env) ([]string, func(), error) {
	return w.redis.hostTwin(queueScript)
}

// HostTwin implements TwinHost: the queue's Redis, and an SMS API of the
// twin's own unless --url names one.
func (s *smsLesson) HostTwin(e *Env) ([]string, func(), error) {
	args, stopRedis, err := s.redis.hostTwin(smsScript)
	if err != nil || s.URL != "" {
		return args, stopRedis, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stopRedis()
		return nil, nil, fmt.Errorf("starting an SMS API for the twin: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- smsapi.Serve(ctx, l, smsapi.Handler(e.Clock, seconds(s.MaxDelay)), time.Second)
	}()
	stop := func() {
		cancel()
		<-served
		stopRedis()
	}
	return append(args, "--url=http://"+l.Addr().String()), stop, nil
}
