package redisqueue

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
)

// TestRejectIsAllOrNothing: issue 12, item 4. The reject script removed the
// message (LREM), then failed to push it onto a dead-letter key holding a
// string (LPUSH); Redis keeps a script's writes made before an error, so
// the message was gone, and with its marker set, a retry reported success.
// Now nothing changes, the error comes back every time, and once the key
// is fixed the same rejection, retried, is done.
func TestRejectIsAllOrNothing(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		q.Push(ctx, "banana")
		if _, err := q.Take(ctx, 0); err != nil {
			t.Fatal(err)
		}
		rdb.Set(ctx, q.DeadKey(), "not a list", 0)
		id := NewID()
		for i := range 3 { // the consumer's retries, with the same id
			err := q.Reject(ctx, "banana", "not a positive whole number", id, true)
			if err == nil || !strings.HasSuffix(err.Error(), "queue:dead is a string, not a list: rename or delete it") {
				t.Fatalf("Reject %d onto a string: %v, want the dead-letter key's type and what to do", i+1, err)
			}
			if Transient(err) {
				t.Errorf("Transient(%v) = true: retrying does not fix it", err)
			}
			if p := list(t, rdb, q.ProcessingKey()); !slices.Equal(p, []string{"banana"}) {
				t.Fatalf("after Reject %d failed, processing list %q, want the message still there", i+1, p)
			}
		}
		if n, _ := rdb.Exists(ctx, q.markerKey(id)).Result(); n != 0 {
			t.Errorf("the marker of a rejection not done is set: a retry would report success")
		}
		if v, _ := rdb.Get(ctx, q.DeadKey()).Result(); v != "not a list" {
			t.Errorf("the dead-letter key became %q", v)
		}
		// Not taken (--unsafe): nothing is recorded.
		err := q.Reject(ctx, "x", "not a positive whole number", "", false)
		if err == nil || !strings.HasSuffix(err.Error(), "queue:dead is a string, not a list: rename or delete it") {
			t.Errorf("Reject, not taken, onto a string: %v", err)
		}
		// The operator renames the key; the consumer's retry now moves it.
		rdb.Rename(ctx, q.DeadKey(), "queue:dead:old")
		if err := q.Reject(ctx, "banana", "not a positive whole number", id, true); err != nil {
			t.Fatal(err)
		}
		if p := list(t, rdb, q.ProcessingKey()); len(p) != 0 {
			t.Errorf("processing list %q after the key was fixed, want empty", p)
		}
		if dead, err := q.DeadLetters(ctx); err != nil || len(dead) != 1 || dead[0].Value != "banana" {
			t.Errorf("dead letters %+v, %v; want banana once", dead, err)
		}
		// A processing key that is not a list: LREM, the first write, fails
		// before it changes anything, and the marker is not set.
		rdb.Set(ctx, q.ProcessingKey(), "not a list either", 0)
		id = NewID()
		if err := q.Reject(ctx, "banana", "r", id, true); err == nil || Transient(err) {
			t.Errorf("Reject from a processing key that is a string: %v", err)
		}
		if n, _ := rdb.Exists(ctx, q.markerKey(id)).Result(); n != 0 {
			t.Errorf("the marker of a failed rejection is set")
		}
		if n, _ := rdb.LLen(ctx, q.DeadKey()).Result(); n != 1 {
			t.Errorf("%d dead letters, want still 1", n)
		}
	})
}

// TestUnsafeRejectActsOnceForItsID: a message from TakeUnsafe is in no
// processing list; its dead letter, retried with the same id after a lost
// reply, is recorded once too.
func TestUnsafeRejectActsOnceForItsID(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		id := NewID()
		for range 2 {
			if err := q.Reject(ctx, "x", "r", id, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := q.Reject(ctx, "x", "r", "", false); err != nil {
			t.Fatal(err)
		}
		if n, _ := rdb.LLen(ctx, q.DeadKey()).Result(); n != 2 {
			t.Errorf("%d dead letters, want 2: one per id", n)
		}
	})
}

// TestTwinRejectIsAllOrNothing runs the Python twins' reject script
// (demos/twin/py/_asyncdemo.py) on a real redis-server, with no Python
// needed: like Reject, it changes nothing when the dead-letter key is not a
// list.
func TestTwinRejectIsAllOrNothing(t *testing.T) {
	src, err := os.ReadFile("../twin/py/_asyncdemo.py")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\n_REJECT = """(.*?)"""`).FindSubmatch(src)
	if m == nil {
		t.Fatal("no _REJECT script in _asyncdemo.py")
	}
	script := string(m[1])
	rdb := redis.NewClient(&redis.Options{Addr: redistest.Real(t).Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	keys := []string{"queue:processing:py", "queue:dead"}
	rdb.RPush(ctx, keys[0], "banana", "kiwi")
	rdb.Set(ctx, keys[1], "not a list", 0)
	err = rdb.Eval(ctx, script, keys, "banana", `{"value": "banana"}`).Err()
	if err == nil || !strings.Contains(err.Error(), "queue:dead is a string, not a list") || Transient(err) {
		t.Errorf("the twin's reject onto a string: %v", err)
	}
	if p := list(t, rdb, keys[0]); !slices.Equal(p, []string{"banana", "kiwi"}) {
		t.Errorf("processing list %q, want the message still there", p)
	}
	rdb.Del(ctx, keys[1])
	if err := rdb.Eval(ctx, script, keys, "banana", `{"value": "banana"}`).Err(); err != nil {
		t.Fatal(err)
	}
	if p, d := list(t, rdb, keys[0]), list(t, rdb, keys[1]); !slices.Equal(p, []string{"kiwi"}) || len(d) != 1 {
		t.Errorf("after the twin's reject: processing %q, dead %q", p, d)
	}
}
