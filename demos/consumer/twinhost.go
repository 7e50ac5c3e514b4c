package consumer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/smsapi"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// errTwinExternal is HostTwin's answer when the lesson is to consume a
// Redis of the user's: the twin would consume the same queue.
var errTwinExternal = errors.New("--vs python runs the twin on an embedded Redis with the lesson's scripted producer, " +
	"as the lesson runs without --redis: leave out --redis (and unset REDIS_URL)")

// HostTwin starts an embedded Redis for the twin of a lesson that consumes
// the queue, and returns the twin's flags: the Redis, the same --idle, and
// the producer's script, which the twin plays as the Go lesson's producer
// does (--produce AT:VALUE,...).
func (f *Flags) HostTwin(script []Push) ([]string, func(), error) {
	if f.External() {
		return nil, nil, lesson.UsageError{Err: errTwinExternal}
	}
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, nil, fmt.Errorf("starting an embedded Redis for the twin: %w", err)
	}
	var plays []string
	for _, p := range f.script(script) {
		plays = append(plays, strconv.FormatFloat(p.At, 'g', -1, 64)+":"+p.Value)
	}
	args := []string{
		fmt.Sprintf("--redis=redis://%s/%d", m.Addr(), DB),
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
func (f *Flags) script(script []Push) []Push {
	if f.Messages == nil || sameValues(f.Messages, script) {
		return script
	}
	script = nil
	for i, v := range f.Messages {
		at := float64(i)
		if i > 0 {
			at += 0.5
		}
		script = append(script, Push{At: at, Value: v})
	}
	return script
}

// ServeSMS starts an SMS API (package smsapi) on a free loopback port, on
// the lesson's clock, with calls of up to maxDelay; it returns its base URL
// and a function that stops it and waits until it has.
func ServeSMS(clock *timing.Clock, maxDelay time.Duration) (url string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("starting an SMS API: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- smsapi.Serve(ctx, l, smsapi.Handler(clock, maxDelay), time.Second)
	}()
	return "http://" + l.Addr().String(), func() { cancel(); <-served }, nil
}

// Order is where the order of a queue lesson's events is left to chance:
// the producer pushing ("LPUSH queue ...") and the consumer are different
// threads or processes.
func Order(run string, e timing.Event) twin.Order {
	if e.Task == "producer" {
		return twin.Order{Stream: "producer"}
	}
	return twin.Order{Stream: "consumer"}
}
