package redisqueue

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
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
