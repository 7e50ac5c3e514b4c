package consumer

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/timing"
)

// A Redis URL's password never appears in what is printed: not in the
// flag's error, whatever part of the URL is wrong.
func TestRedisPasswordsAreRedacted(t *testing.T) {
	for _, u := range []string{
		"redis://:s3cr3tpw@127.0.0.1:6379/3x",
		"redis://alice:s3cr3tpw@127.0.0.1:notaport/3",
		"redis://alice:s3cr3tpw@[::1/3",
		"rediss://:s3cr3tpw@host:6379/nodb",
		"redis://:s3cr%3Atpw@host:6379/x",
	} {
		var got string
		err := URLFlag(&got).Set(u)
		if err == nil {
			t.Errorf("%s: accepted", u)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cr3tpw") || strings.Contains(msg, "s3cr%3Atpw") || strings.Contains(msg, "s3cr:tpw") {
			t.Errorf("the password is in the error: %s", msg)
		}
	}
	if got := Redacted("redis://alice:pw@host:6379/3"); got != "redis://xxxxx@host:6379/3" {
		t.Errorf("Redacted: %s", got)
	}
	if got := Redacted("redis://host:6379/3"); got != "redis://host:6379/3" {
		t.Errorf("Redacted without a password: %s", got)
	}
	// A password with an @ in it, unescaped: url.Parse (and so go-redis)
	// takes the user name and password up to the last @.
	if got := Redacted("redis://alice:p@ss@host:6379/3"); got != "redis://xxxxx@host:6379/3" {
		t.Errorf("Redacted with an @ in the password: %s", got)
	}
}

// --idle means the queue was empty that long, not that Redis could not be
// asked: while every command fails, the run does not end as idle; once
// Redis answers again, an empty queue ends it.
func TestRedisErrorsAreNotIdleTime(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), DB: DB, MaxRetries: -1})
	defer rdb.Close()
	s := &Session{Client: rdb, Queue: redisqueue.New(rdb, Key, "test"), stop: func() {}}
	f := &Flags{Mode: "poll", Idle: 0.1, Max: 30}
	e := &lesson.Env{Clock: timing.NewClock(1), Rec: timing.NewRecorder(timing.NewJSONWriter(io.Discard))}
	ctx := context.Background()
	c, err := newConsumer(ctx, s, f, e)
	if err != nil {
		t.Fatal(err)
	}
	m.SetError("LOADING Redis is loading the dataset in memory")
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if _, err := c.TryTake(ctx, 0); errors.Is(err, ErrIdle) {
			t.Fatal("the run ended as idle while Redis answered every command with an error")
		}
	}
	m.SetError("")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, err := c.TryTake(ctx, 0)
		if errors.Is(err, ErrIdle) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never idle once Redis answered again: last %v", err)
		}
	}
}

// --heartbeat takes seconds, and no fewer than MinLease: a shorter lease
// would be renewed many times a second.
func TestHeartbeatFlag(t *testing.T) {
	var f Flags
	for _, bad := range []string{"0", "0.1", "x", "-1"} {
		if err := (leaseValue{&f.Lease}).Set(bad); err == nil || !strings.Contains(err.Error(), strconv.Quote(bad)) {
			t.Errorf("--heartbeat %s: %v, want an error naming it", bad, err)
		}
	}
	if err := (leaseValue{&f.Lease}).Set("2.5"); err != nil || f.Lease != 2.5 {
		t.Errorf("--heartbeat 2.5: %v, lease %v", err, f.Lease)
	}
}
