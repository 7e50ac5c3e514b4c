package redisqueue

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"asyncdemo/demos/redisqueue/redistest"
)

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{}) // go-redis logs its redials; the tests check errors
	goleak.VerifyTestMain(m)
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// servers runs a test against the embedded server and a real redis-server.
func servers(t *testing.T, test func(t *testing.T, rdb *redis.Client)) {
	for name, start := range map[string]func(t testing.TB) string{
		"miniredis":    redistest.Embedded,
		"redis-server": func(t testing.TB) string { return redistest.Real(t).Addr },
	} {
		t.Run(name, func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: start(t), DB: 3})
			t.Cleanup(func() { rdb.Close() })
			test(t, rdb)
		})
	}
}

func list(t *testing.T, rdb *redis.Client, key string) []string {
	t.Helper()
	v, err := rdb.LRange(context.Background(), key, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTakeGivesMessagesInPushOrderAndKeepsThemUntilAck(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		if err := q.Push(ctx, "2", "5", "1"); err != nil {
			t.Fatal(err)
		}
		var got []string
		for range 3 {
			v, err := q.Take(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		if !slices.Equal(got, []string{"2", "5", "1"}) {
			t.Errorf("took %q, want push order 2 5 1", got)
		}
		if _, err := q.Take(ctx, 0); !errors.Is(err, ErrEmpty) {
			t.Errorf("Take on an empty queue: %v, want ErrEmpty", err)
		}
		if p := list(t, rdb, q.ProcessingKey()); len(p) != 3 {
			t.Errorf("processing list %q, want the 3 messages until acknowledged", p)
		}
		for _, v := range got {
			if err := q.Ack(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		if p := list(t, rdb, q.ProcessingKey()); len(p) != 0 {
			t.Errorf("processing list %q after Ack, want empty", p)
		}
	})
}

func TestTakeWaitsForAPush(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		start := time.Now()
		if _, err := q.Take(ctx, 100*time.Millisecond); !errors.Is(err, ErrEmpty) {
			t.Errorf("Take(100ms) on an empty queue: %v, want ErrEmpty", err)
		}
		// Not a whole second, as go-redis's BLMove would wait: redis-server
		// checks timeouts 10 times a second, miniredis at once.
		if waited := time.Since(start); waited < 90*time.Millisecond || waited > 500*time.Millisecond {
			t.Errorf("Take(100ms) returned after %v", waited)
		}
		go func() {
			time.Sleep(50 * time.Millisecond)
			New(rdb, "queue", "producer").Push(ctx, "7")
		}()
		if v, err := q.Take(ctx, 5*time.Second); err != nil || v != "7" {
			t.Errorf("Take(5s) = %q, %v; want the pushed 7", v, err)
		}
	})
}

// TestTakeWaitsLongerThanTheReadTimeout: a wait longer than the client's
// read timeout is not taken for a dead server.
func TestTakeWaitsLongerThanTheReadTimeout(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		short := redis.NewClient(&redis.Options{Addr: rdb.Options().Addr, DB: 3, ReadTimeout: 200 * time.Millisecond})
		defer short.Close()
		q := New(short, "queue", "c1")
		if _, err := q.Take(ctx, 500*time.Millisecond); !errors.Is(err, ErrEmpty) {
			t.Errorf("Take(500ms) with a read timeout of 200ms: %v, want ErrEmpty", err)
		}
		if _, err := q.TakeUnsafe(ctx, 500*time.Millisecond); !errors.Is(err, ErrEmpty) {
			t.Errorf("TakeUnsafe(500ms) with a read timeout of 200ms: %v, want ErrEmpty", err)
		}
	})
}

func TestRecoverPutsBackWhatACrashedConsumerTook(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		crashed := New(rdb, "queue", "c1")
		crashed.Push(ctx, "1", "2", "3", "4")
		crashed.Take(ctx, 0) // "1" and "2" taken, never acknowledged:
		crashed.Take(ctx, 0) // the consumer dies here
		restarted := New(rdb, "queue", "c1")
		n, err := restarted.Recover(ctx)
		if err != nil || n != 2 {
			t.Fatalf("Recover = %d, %v; want 2", n, err)
		}
		var got []string
		for {
			v, err := restarted.Take(ctx, 0)
			if errors.Is(err, ErrEmpty) {
				break
			}
			got = append(got, v)
			restarted.Ack(ctx, v)
		}
		if !slices.Equal(got, []string{"1", "2", "3", "4"}) {
			t.Errorf("after recovery took %q, want 1 2 3 4: the recovered ones first, in order", got)
		}
	})
}

func TestConsumersKeepSeparateProcessingLists(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		a, b := New(rdb, "queue", "a"), New(rdb, "queue", "b")
		a.Push(ctx, "1", "2")
		a.Take(ctx, 0)
		if n, _ := b.Recover(ctx); n != 0 {
			t.Errorf("consumer b recovered %d of a's messages", n)
		}
		if v, _ := b.Take(ctx, 0); v != "2" {
			t.Errorf("b took %q, want 2", v)
		}
	})
}

func TestRejectMovesToTheDeadLetterListWithTheReason(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		q.Push(ctx, "banana")
		v, _ := q.Take(ctx, 0)
		if err := q.Reject(ctx, v, "not a positive integer", true); err != nil {
			t.Fatal(err)
		}
		// A retry, as after a lost reply, records nothing more.
		if err := q.Reject(ctx, v, "not a positive integer", true); err != nil {
			t.Fatal(err)
		}
		if p := list(t, rdb, q.ProcessingKey()); len(p) != 0 {
			t.Errorf("a rejected message stayed in processing: %q", p)
		}
		dead, err := q.DeadLetters(ctx)
		if err != nil || len(dead) != 1 || dead[0].Value != "banana" || dead[0].Reason != "not a positive integer" || dead[0].Consumer != "c1" {
			t.Errorf("dead letters %+v, %v", dead, err)
		}
	})
}

func TestTakeUnsafeLosesAMessageIfTheConsumerDies(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		q.Push(ctx, "5")
		if v, err := q.TakeUnsafe(ctx, 0); err != nil || v != "5" {
			t.Fatalf("TakeUnsafe = %q, %v", v, err)
		}
		// The consumer dies now: nothing anywhere remembers "5".
		if n, _ := New(rdb, "queue", "c1").Recover(ctx); n != 0 {
			t.Errorf("recovered %d", n)
		}
		if l := list(t, rdb, "queue"); len(l) != 0 {
			t.Errorf("queue %q", l)
		}
		q.Push(ctx, "6")
		if v, err := q.TakeUnsafe(ctx, time.Second); err != nil || v != "6" {
			t.Errorf("blocking TakeUnsafe = %q, %v", v, err)
		}
		start := time.Now()
		if _, err := q.TakeUnsafe(ctx, 100*time.Millisecond); !errors.Is(err, ErrEmpty) {
			t.Errorf("TakeUnsafe(100ms) on an empty queue: %v, want ErrEmpty", err)
		}
		if waited := time.Since(start); waited < 90*time.Millisecond || waited > 500*time.Millisecond {
			t.Errorf("TakeUnsafe(100ms) returned after %v", waited)
		}
	})
}
