package redisqueue

import (
	"context"
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
)

func TestAckTakeTakesInPushOrderAndKeepsMessagesUntilAcknowledged(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		q.Push(ctx, "1", "2", "3", "4", "5")
		got, err := q.AckTake(ctx, nil, NewID(), 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"1", "2"}) {
			t.Fatalf("took %q, want 1 and 2, the oldest", got)
		}
		if p := list(t, rdb, q.ProcessingKey()); !slices.Equal(p, []string{"2", "1"}) {
			t.Fatalf("processing list %q, want the batch taken", p)
		}
		// A consumer that dies now loses nothing: its batch waits in the
		// processing list, for Recover.
		got, err = q.AckTake(ctx, []string{"1", "2"}, NewID(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"3", "4", "5"}) {
			t.Fatalf("took %q, want the 3 left", got)
		}
		if p := list(t, rdb, q.ProcessingKey()); !slices.Equal(p, []string{"5", "4", "3"}) {
			t.Fatalf("processing list %q, want 1 and 2 acknowledged", p)
		}
		got, err = q.AckTake(ctx, []string{"3", "4", "5"}, "", 10)
		if err != nil || len(got) != 0 {
			t.Fatalf("AckTake on an empty queue = %q, %v; want nothing and no error", got, err)
		}
		if p := list(t, rdb, q.ProcessingKey()); len(p) != 0 {
			t.Fatalf("processing list %q, want empty", p)
		}
	})
}

func TestAckTakeAcknowledgesOnceWhenItsReplyIsLost(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		p := newReplyCutter(t, rdb.Options().Addr)
		viaCutter := redis.NewClient(&redis.Options{Addr: p.addr, DB: 3})
		defer viaCutter.Close()
		q := New(viaCutter, "queue", "c1")
		q.Push(ctx, "4", "4", "7", "8")
		if _, err := q.AckTake(ctx, nil, "", 2); err != nil { // both 4s
			t.Fatal(err)
		}
		// Loaded, the script runs at the first EVALSHA: the reply lost is
		// then that of the command done, not a NOSCRIPT error.
		if err := ackTakeScript.Load(ctx, viaCutter).Err(); err != nil {
			t.Fatal(err)
		}
		id := NewID()
		p.cut.Store(true)
		// go-redis sends the command again after the lost reply; so does a
		// consumer after an error.
		q.AckTake(ctx, []string{"4"}, id, 1)
		if _, err := q.AckTake(ctx, []string{"4"}, id, 1); err != nil {
			t.Fatal(err)
		}
		if p.cut.Load() {
			t.Fatal("no reply was lost")
		}
		// Three sends took 7 and 8 (the queue then empty); the one whose
		// reply was lost took 7, which no caller saw.
		if got := list(t, rdb, q.ProcessingKey()); !slices.Equal(got, []string{"8", "7", "4"}) {
			t.Errorf("processing list %q, want one 4 acknowledged, once, and 7 and 8 kept", got)
		}
		if n, err := q.Recover(ctx); err != nil || n != 3 {
			t.Errorf("Recover = %d, %v; want the 3 messages put back", n, err)
		}
	})
}

func TestAckTakeDrainTakesEachMessageOnce(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		const n, consumers, batch = 1000, 8, 16
		producer := New(rdb, "queue", "producer")
		for i := range n {
			producer.Push(ctx, strconv.Itoa(i))
		}
		taken := make([][]string, consumers)
		errs := make([]error, consumers)
		var wg sync.WaitGroup
		for c := range consumers {
			wg.Go(func() {
				q := New(rdb, "queue", "c"+strconv.Itoa(c))
				var done []string
				for {
					msgs, err := q.AckTake(ctx, done, NewID(), batch)
					if err != nil {
						errs[c] = err
						return
					}
					if len(msgs) == 0 {
						return
					}
					taken[c] = append(taken[c], msgs...)
					done = msgs
				}
			})
		}
		wg.Wait()
		seen := make([]int, n)
		for c, msgs := range taken {
			if errs[c] != nil {
				t.Fatal(errs[c])
			}
			for _, m := range msgs {
				i, _ := strconv.Atoi(m)
				seen[i]++
			}
			if p := list(t, rdb, New(rdb, "queue", "c"+strconv.Itoa(c)).ProcessingKey()); len(p) != 0 {
				t.Errorf("consumer %d's processing list holds %q after the drain, want all acknowledged", c, p)
			}
		}
		for i, k := range seen {
			if k != 1 {
				t.Errorf("message %d taken %d times, want once", i, k)
			}
		}
	})
}

// TestAckTakeDrainLosesNothingWhenRedisRestarts stops and restarts
// redis-server while 8 consumers drain with AckTake, retrying each call
// (with the same acknowledgement and id) until Redis is back. What a lost
// reply took waits in a processing list, and Recover puts it back for a
// second drain: every message is done at least once, and all are acknowledged.
func TestAckTakeDrainLosesNothingWhenRedisRestarts(t *testing.T) {
	srv := redistest.Real(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3, MaxRetries: -1})
	defer rdb.Close()
	ctx := context.Background()
	const n, consumers, batch = 20_000, 8, 16
	values := make([]string, n)
	for i := range values {
		values[i] = strconv.Itoa(i)
	}
	if err := New(rdb, "queue", "producer").Push(ctx, values...); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := make([]int, n)
	var failures, took atomic.Int64
	drain := func() {
		var wg sync.WaitGroup
		for c := range consumers {
			wg.Go(func() {
				q := New(rdb, "queue", "c"+strconv.Itoa(c))
				var done []string
				for {
					id := NewID() // the same for every retry of this acknowledgement
					msgs, err := q.AckTake(ctx, done, id, batch)
					for err != nil {
						failures.Add(1)
						time.Sleep(50 * time.Millisecond)
						msgs, err = q.AckTake(ctx, done, id, batch)
					}
					if len(msgs) == 0 {
						return
					}
					mu.Lock()
					for _, m := range msgs {
						i, _ := strconv.Atoi(m)
						seen[i]++
					}
					mu.Unlock()
					took.Add(int64(len(msgs)))
					done = msgs
				}
			})
		}
		wg.Wait()
	}
	drained := make(chan struct{})
	go func() { drain(); close(drained) }()
	for took.Load() < n/4 {
		time.Sleep(time.Millisecond)
	}
	srv.Stop()
	time.Sleep(300 * time.Millisecond) // the consumers' calls fail meanwhile
	srv.Restart()
	<-drained
	if failures.Load() == 0 {
		t.Fatal("no call failed: Redis did not go away mid-drain")
	}
	recovered := 0
	for c := range consumers {
		k, err := New(rdb, "queue", "c"+strconv.Itoa(c)).Recover(ctx)
		if err != nil {
			t.Fatal(err)
		}
		recovered += k
	}
	drain()
	for i, k := range seen {
		if k < 1 {
			t.Errorf("message %d lost", i)
		}
	}
	for c := range consumers {
		if p := list(t, rdb, New(rdb, "queue", "c"+strconv.Itoa(c)).ProcessingKey()); len(p) != 0 {
			t.Errorf("consumer %d's processing list holds %d messages, want all acknowledged", c, len(p))
		}
	}
	if q := list(t, rdb, "queue"); len(q) != 0 {
		t.Errorf("the queue holds %d messages, want none", len(q))
	}
	t.Logf("%d failed calls retried; %d message(s) recovered after the first drain", failures.Load(), recovered)
}

// TestBenchQueueRunsTheQueuesOwnScripts checks that the CPython drain of
// the benchmarks (testdata/bench_queue.py) runs the very scripts Ack and
// AckTake run, so that both sides do the same work.
func TestBenchQueueRunsTheQueuesOwnScripts(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "bench_queue.py"))
	if err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string]*redis.Script{"ACK": ackScript, "ACK_TAKE": ackTakeScript} {
		_, rest, ok := strings.Cut(string(src), "\n"+name+` = """`)
		body, _, closed := strings.Cut(rest, `"""`)
		if !ok || !closed {
			t.Errorf("bench_queue.py has no %s script", name)
			continue
		}
		if got := fmt.Sprintf("%x", sha1.Sum([]byte(body))); got != script.Hash() {
			t.Errorf("bench_queue.py's %s is not queue.go's script (sha1 %s, want %s)", name, got, script.Hash())
		}
	}
}
