package redisqueue

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
)

// awkward are values a queue may hold: text, bytes that are not UTF-8, and
// what a terminal would act on.
var awkward = []string{"5", "banana", "", "日本語", "\xff\xfe", "ok\xc3(", "a\x00b", "\x1b]0;title\a", "<&>", "\u2028", "caf\xe9"}

// TestDeadLettersKeepEveryByte: issue 12, item 12. JSON turned the bytes of
// a value that are not UTF-8 into U+FFFD, and the message could not be
// replayed as it was. Text stays readable as "value"; other bytes go in
// "value_base64".
func TestDeadLettersKeepEveryByte(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		q.Push(ctx, awkward...)
		for range awkward {
			v, err := q.Take(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Reject(ctx, v, "reason of "+v, NewID(), true); err != nil {
				t.Fatal(err)
			}
		}
		dead, err := q.DeadLetters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range slices.Backward(dead) {
			got = append(got, d.Value)
		}
		if !slices.Equal(got, awkward) {
			t.Errorf("dead letters' values %q, want %q byte for byte", got, awkward)
		}
		for _, raw := range list(t, rdb, q.DeadKey()) {
			var j deadLetterJSON
			if err := json.Unmarshal([]byte(raw), &j); err != nil {
				t.Fatalf("entry %q: %v", raw, err)
			}
			switch {
			case (j.Value == nil) == (j.ValueBase64 == nil):
				t.Errorf("entry %s: want exactly one of value and value_base64", raw)
			case j.Value != nil && strings.ContainsRune(*j.Value, utf8.RuneError):
				t.Errorf("entry %s: U+FFFD in value", raw)
			case j.ValueBase64 != nil && utf8.Valid(j.ValueBase64):
				t.Errorf("entry %s: value_base64 for text, which value keeps readable", raw)
			}
		}
	})
}

// TestDeadLettersReadOlderEntries: entries written before value_base64, or
// by the Python twins, still read; one that is not a dead letter comes back
// whole, with a reason saying so.
func TestDeadLettersReadOlderEntries(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		rdb.LPush(ctx, q.DeadKey(),
			`{"value":"7","reason":"over the maximum of 5","consumer":"c0","at":"2025-01-02T03:04:05.123456789Z"}`,
			`{"value": "日本", "reason": "not a positive whole number", "consumer": "py", "at": "2025-01-02T03:04:05.123456Z"}`,
			`{"reason":"no value"}`,
			`banana`)
		dead, err := q.DeadLetters(ctx)
		if err != nil || len(dead) != 4 {
			t.Fatalf("DeadLetters = %+v, %v", dead, err)
		}
		if d := dead[3]; d.Value != "7" || d.Reason != "over the maximum of 5" || d.Consumer != "c0" || d.At.Nanosecond() != 123456789 {
			t.Errorf("Go entry read as %+v", d)
		}
		if d := dead[2]; d.Value != "日本" || d.Consumer != "py" || d.At.Year() != 2025 {
			t.Errorf("Python entry read as %+v", d)
		}
		for _, d := range dead[:2] {
			if !strings.HasPrefix(d.Reason, "unreadable dead letter") {
				t.Errorf("%q read as %+v, want an unreadable dead letter", d.Value, d)
			}
		}
		if dead[0].Value != "banana" {
			t.Errorf("an entry that is not JSON comes back as %q, want it whole", dead[0].Value)
		}
	})
}

// TestReplayPutsDeadLettersBackExactlyOldestFirst: reject, replay, take
// gives the same bytes, in the order they died; --reason's choice; entries
// that are not dead letters stay.
func TestReplayPutsDeadLettersBackExactlyOldestFirst(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		q.Push(ctx, awkward...)
		for range awkward {
			v, _ := q.Take(ctx, 0)
			reason := "not a positive whole number"
			if v == "5" {
				reason = "over the maximum of 4"
			}
			if err := q.Reject(ctx, v, reason, NewID(), true); err != nil {
				t.Fatal(err)
			}
		}
		rdb.LPush(ctx, q.DeadKey(), "junk") // pushed by hand
		overMax := func(d DeadLetter) bool { return strings.Contains(d.Reason, "maximum") }
		if would, err := q.Replayable(ctx, overMax); err != nil || len(would) != 1 || would[0].Value != "5" {
			t.Errorf("Replayable(over the maximum) = %+v, %v; want 5", would, err)
		}
		if n, _ := rdb.LLen(ctx, q.Key()).Result(); n != 0 {
			t.Errorf("Replayable changed the queue: %d waiting", n)
		}
		moved, err := q.Replay(ctx, overMax)
		if err != nil || len(moved) != 1 || moved[0].Value != "5" || moved[0].Reason != "over the maximum of 4" {
			t.Fatalf("Replay(over the maximum) = %+v, %v; want 5", moved, err)
		}
		moved, err = q.Replay(ctx, nil)
		if err != nil || len(moved) != len(awkward)-1 {
			t.Fatalf("Replay(all) = %+v, %v", moved, err)
		}
		var took []string
		for {
			v, err := q.Take(ctx, 0)
			if errors.Is(err, ErrEmpty) {
				break
			}
			took = append(took, v)
		}
		if !slices.Equal(took, awkward) {
			t.Errorf("took %q after the replays, want %q: the same bytes, oldest first", took, awkward)
		}
		if d := list(t, rdb, q.DeadKey()); !slices.Equal(d, []string{"junk"}) {
			t.Errorf("dead-letter list %q after replaying all, want only the entry that is not a dead letter", d)
		}
		if moved, err := q.Replay(ctx, nil); err != nil || len(moved) != 0 {
			t.Errorf("a second Replay moved %+v, %v", moved, err)
		}
	})
}

// TestReplayMovesEachOnce: two replays at once, and one whose reply is lost
// and that go-redis sends again: each dead letter reaches the queue once.
func TestReplayMovesEachOnce(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		const n = 100
		want := make([]string, n)
		for i := range want {
			want[i] = strings.Repeat("x", i) // each different, all poison
			if err := q.Reject(ctx, want[i], "r", NewID(), false); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		var moved []string
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				m, err := New(rdb, "queue", "operator").Replay(ctx, nil)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, d := range m {
					moved = append(moved, d.Value)
				}
			})
		}
		wg.Wait()
		queue := list(t, rdb, q.Key())
		slices.Sort(moved)
		slices.Sort(queue)
		if !slices.Equal(moved, want) || !slices.Equal(queue, want) {
			t.Errorf("two replays at once moved %d and the queue holds %d, want each of the %d once", len(moved), len(queue), n)
		}

		rdb.Del(ctx, q.Key())
		q.Reject(ctx, "y", "r", NewID(), false)
		p := newReplyCutter(t, rdb.Options().Addr)
		viaCutter := redis.NewClient(&redis.Options{Addr: p.addr, DB: 3})
		defer viaCutter.Close()
		if err := replayScript.Load(ctx, viaCutter).Err(); err != nil {
			t.Fatal(err)
		}
		p.cut.Store(true)
		if _, err := New(viaCutter, "queue", "operator").Replay(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if p.cut.Load() {
			t.Fatal("no reply was lost")
		}
		if got := list(t, rdb, q.Key()); !slices.Equal(got, []string{"y"}) {
			t.Errorf("after a replay whose reply was lost, the queue holds %q, want y once", got)
		}
	})
}

// TestReplayChangesNothingWhenTheQueueIsNotAList: the check comes before
// the first write.
func TestReplayChangesNothingWhenTheQueueIsNotAList(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		q := New(rdb, "queue", "c1")
		q.Reject(ctx, "5", "r", NewID(), false)
		rdb.Set(ctx, q.Key(), "oops", 0)
		moved, err := q.Replay(ctx, nil)
		if err == nil || len(moved) != 0 || !strings.Contains(err.Error(), "queue is a string, not a list") || Transient(err) {
			t.Errorf("Replay onto a string = %+v, %v", moved, err)
		}
		if n, _ := rdb.LLen(ctx, q.DeadKey()).Result(); n != 1 {
			t.Errorf("%d dead letters left, want the 1", n)
		}
	})
}
