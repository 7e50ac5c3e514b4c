package redisqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
)

// deadLetterJSON is a dead letter as the dead-letter list holds it.
// Exactly one of Value and ValueBase64 is set.
type deadLetterJSON struct {
	Value       *string   `json:"value,omitempty"`
	ValueBase64 []byte    `json:"value_base64,omitempty"` // encoding/json writes a []byte as base64
	Reason      string    `json:"reason"`
	Consumer    string    `json:"consumer"`
	At          time.Time `json:"at"`
}

// MarshalJSON writes d as the dead-letter list holds it:
//
//	{"value":"banana","reason":"not a positive whole number","consumer":"c1","at":"2025-06-01T10:00:00.123Z"}
//
// A JSON string is text: encoding/json would write each byte of the value
// that is not UTF-8 as U+FFFD, and the message could not be replayed as it
// was. So a value that is not UTF-8 is written as value_base64 instead,
// exactly, and one that is (the common case) stays readable with
// redis-cli. Reason and Consumer are text: a byte of theirs that is not
// UTF-8 becomes U+FFFD.
func (d DeadLetter) MarshalJSON() ([]byte, error) {
	j := deadLetterJSON{Reason: d.Reason, Consumer: d.Consumer, At: d.At}
	if utf8.ValidString(d.Value) {
		j.Value = &d.Value
	} else {
		j.ValueBase64 = []byte(d.Value)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a dead letter written by MarshalJSON, by the Python
// twins, or by an asyncdemo from before value_base64 (whose value may hold
// U+FFFD where the message had a byte that was not UTF-8).
func (d *DeadLetter) UnmarshalJSON(data []byte) error {
	var j deadLetterJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	switch {
	case j.ValueBase64 != nil:
		d.Value = string(j.ValueBase64)
	case j.Value != nil:
		d.Value = *j.Value
	default:
		return errors.New("a dead letter has a value or a value_base64, this has neither")
	}
	d.Reason, d.Consumer, d.At = j.Reason, j.Consumer, j.At
	return nil
}

// replayScript moves one dead letter back onto the queue, atomically: it
// removes the entry ARGV[1] (the JSON, as stored) from the dead-letter
// list, KEYS[1], and pushes its value, ARGV[2], onto the queue, KEYS[2];
// only if the entry was still there, so that a retried or concurrent replay
// moves it once. It returns 1 if it moved the entry, 0 if it was gone.
// Redis keeps what a script wrote before an error, so the queue's type is
// checked before anything is written (LREM on a dead-letter key that is not
// a list fails before it writes).
var replayScript = redis.NewScript(`
local t = redis.call("TYPE", KEYS[2])["ok"]
if t ~= "none" and t ~= "list" then
	return redis.error_reply("WRONGTYPE " .. KEYS[2] .. " is a " .. t .. ", not a list: rename or delete it; the dead letters stay in " .. KEYS[1])
end
if redis.call("LREM", KEYS[1], -1, ARGV[1]) == 0 then
	return 0
end
redis.call("LPUSH", KEYS[2], ARGV[2])
return 1`)

// deadEntry is one entry of the dead-letter list: as stored, and read.
type deadEntry struct {
	raw    string
	letter DeadLetter
}

// replayable returns the entries of the dead-letter list that read as dead
// letters and that keep (nil: every one) keeps, oldest first.
func (q *Queue) replayable(ctx context.Context, keep func(DeadLetter) bool) ([]deadEntry, error) {
	raw, err := q.rdb.LRange(ctx, q.DeadKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", q.DeadKey(), err)
	}
	var out []deadEntry
	for i := len(raw) - 1; i >= 0; i-- { // LPUSH put the newest first
		var d DeadLetter
		if json.Unmarshal([]byte(raw[i]), &d) != nil || keep != nil && !keep(d) {
			continue
		}
		out = append(out, deadEntry{raw: raw[i], letter: d})
	}
	return out, nil
}

// Replayable returns the dead letters that Replay, given keep, would put
// back on the queue now, oldest first, and changes nothing.
func (q *Queue) Replayable(ctx context.Context, keep func(DeadLetter) bool) ([]DeadLetter, error) {
	entries, err := q.replayable(ctx, keep)
	if err != nil {
		return nil, err
	}
	out := make([]DeadLetter, len(entries))
	for i, e := range entries {
		out[i] = e.letter
	}
	return out, nil
}

// Replay puts dead letters back on the queue, to be taken again once what
// made them fail has been fixed: those for which keep returns true (every
// one, if keep is nil), oldest first, so that they are taken in the order
// they died. Each is pushed with its value exactly as it was, and moves
// atomically and once: one that another Replay moved meanwhile is passed
// over, and so is one whose move go-redis sent again after losing the
// reply (moved, then, but not returned). Entries that do not read as dead
// letters stay in the list. Replay returns the dead letters it moved, also
// when it stops at an error.
func (q *Queue) Replay(ctx context.Context, keep func(DeadLetter) bool) ([]DeadLetter, error) {
	entries, err := q.replayable(ctx, keep)
	if err != nil {
		return nil, err
	}
	var moved []DeadLetter
	for _, e := range entries {
		n, err := replayScript.Run(ctx, q.rdb, []string{q.DeadKey(), q.key}, e.raw, e.letter.Value).Int()
		if err != nil {
			return moved, fmt.Errorf("replaying %q from %s onto %s: %w", e.letter.Value, q.DeadKey(), q.key, err)
		}
		if n == 1 {
			moved = append(moved, e.letter)
		}
	}
	return moved, nil
}
