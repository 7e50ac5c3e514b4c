package redisqueue

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
)

// A consumer name is held by one live consumer at a time: a second
// Register fails, and succeeds once the first has unregistered.
func TestRegisterRefusesANameInUse(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		a, b := New(rdb, "queue", "c1"), New(rdb, "queue", "c1")
		ta, tb := NewID(), NewID()
		if err := a.Register(ctx, ta, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := b.Register(ctx, tb, time.Minute); !errors.Is(err, ErrNameInUse) {
			t.Fatalf("second Register of c1: %v, want ErrNameInUse", err)
		}
		if err := b.Unregister(ctx, tb); err != nil { // not b's to give up
			t.Fatal(err)
		}
		if err := a.Heartbeat(ctx, ta, time.Minute); err != nil {
			t.Fatalf("a's heartbeat after b's Unregister: %v", err)
		}
		if err := a.Unregister(ctx, ta); err != nil {
			t.Fatal(err)
		}
		if err := b.Register(ctx, tb, time.Minute); err != nil {
			t.Fatalf("Register once a gave the name up: %v", err)
		}
	})
}

// Reclaim puts back the messages of a consumer without a heartbeat, in the
// order they were taken, and leaves those of a live one alone.
func TestReclaimTakesBackOnlyFromConsumersWithoutAHeartbeat(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		live, dead, rescuer := New(rdb, "queue", "live"), New(rdb, "queue", "dead"), New(rdb, "queue", "rescuer")
		if err := live.Register(ctx, NewID(), time.Minute); err != nil {
			t.Fatal(err)
		}
		deadToken := NewID()
		if err := dead.Register(ctx, deadToken, time.Minute); err != nil {
			t.Fatal(err)
		}
		live.Push(ctx, "1", "2", "3", "4", "5")
		for _, q := range []*Queue{live, dead, dead, live, dead} {
			if _, err := q.Take(ctx, 0); err != nil {
				t.Fatal(err)
			}
		}
		if back, err := rescuer.Reclaim(ctx); err != nil || len(back) != 0 {
			t.Fatalf("Reclaim while both heartbeats live: %v, %v; want nothing", back, err)
		}
		rdb.Del(ctx, dead.HeartbeatKey()) // its lease ran out: it crashed
		back, err := rescuer.Reclaim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []Reclaimed{{Consumer: "dead", Messages: 3}}; !slices.Equal(back, want) {
			t.Fatalf("Reclaim: %v, want %v", back, want)
		}
		var got []string
		for range 3 {
			v, err := rescuer.Take(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		if !slices.Equal(got, []string{"2", "3", "5"}) {
			t.Errorf("took %q after the reclaim, want the dead consumer's 2 3 5 in order", got)
		}
		if p := list(t, rdb, live.ProcessingKey()); !slices.Equal(p, []string{"4", "1"}) {
			t.Errorf("the live consumer's list is %q, want 4 1 untouched", p)
		}
		// The dead consumer, back, finds its lease lost, and takes it again.
		if err := dead.Heartbeat(ctx, deadToken, time.Minute); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("heartbeat after the lease ran out: %v, want ErrLeaseLost", err)
		}
		if err := dead.Heartbeat(ctx, deadToken, time.Minute); err != nil {
			t.Errorf("the heartbeat after that: %v", err)
		}
	})
}

// A lease runs out by itself on a real Redis: nobody has to delete it.
func TestALeaseRunsOut(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: redistest.Real(t).Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	q := New(rdb, "queue", "brief")
	if err := q.Register(ctx, NewID(), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); rdb.Exists(ctx, q.HeartbeatKey()).Val() == 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the lease of 50 ms was still there after a minute")
		}
	}
	if err := New(rdb, "queue", "brief").Register(ctx, NewID(), time.Minute); err != nil {
		t.Fatalf("Register after the lease ran out: %v", err)
	}
}

// Names with the characters of a SCAN pattern are reclaimed as names, not
// patterns.
func TestReclaimHandlesGlobCharacters(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		odd := New(rdb, "q*[x]", "a?b")
		odd.Push(ctx, "7")
		if _, err := odd.Take(ctx, 0); err != nil {
			t.Fatal(err)
		}
		New(rdb, "qz[x]", "other").Push(ctx, "8") // matches q*[x] as a pattern
		back, err := New(rdb, "q*[x]", "rescuer").Reclaim(ctx)
		if err != nil || !slices.Equal(back, []Reclaimed{{Consumer: "a?b", Messages: 1}}) {
			t.Fatalf("Reclaim: %v, %v", back, err)
		}
	})
}
