// Package redisqueue is a work queue on a Redis list that loses nothing.
//
// The tutorial's consumer takes a message with RPOP: if it crashes before the
// work is done, the message is gone. Here a consumer moves each message
// atomically (LMOVE, or BLMOVE to wait for one) from the queue to a
// processing list of its own, and removes it from there (LREM) only once the
// work is done. At start, a consumer puts back whatever its processing list
// still holds, so a message taken by a consumer that crashed is done again:
// delivery is at least once. A message that cannot be processed goes to a
// dead-letter list with the reason, instead of being lost or killing the
// consumer. A consumer of many small messages need not pay two round trips
// a message for this: AckTake acknowledges the batch it has done and takes
// the next in one.
package redisqueue

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrEmpty is returned by Take when there is no message.
var ErrEmpty = errors.New("the queue is empty")

// Queue is one consumer's view of a work queue stored in the Redis list Key.
// Producers LPUSH onto Key; consumers take from its other end, so messages
// come out in the order they were pushed.
type Queue struct {
	rdb      *redis.Client
	blocking *redis.Client // for the commands that wait in Redis; rdb if nil
	key      string
	consumer string
}

// New returns the queue stored at key, for the consumer named consumer
// (consumers sharing a queue need different names).
func New(rdb *redis.Client, key, consumer string) *Queue {
	return &Queue{rdb: rdb, key: key, consumer: consumer}
}

// SetBlockingClient makes Take and TakeUnsafe send the commands that wait
// in Redis (BLMOVE, BRPOP) through b rather than the queue's client.
// go-redis does not end a command when its context is cancelled: a BLMOVE
// waits out its whole timeout. Closing b when the consumer stops ends those
// waits at once, and leaves the queue's client for the clean-up.
func (q *Queue) SetBlockingClient(b *redis.Client) { q.blocking = b }

// Consumer is this consumer's name.
func (q *Queue) Consumer() string { return q.consumer }

// Key is the list producers push onto.
func (q *Queue) Key() string { return q.key }

// ProcessingKey is this consumer's list of messages taken and not yet done.
func (q *Queue) ProcessingKey() string { return q.key + ":processing:" + q.consumer }

// DeadKey is the list of messages that could not be processed.
func (q *Queue) DeadKey() string { return q.key + ":dead" }

// Push appends values to the queue, in order, as LPUSH does.
func (q *Queue) Push(ctx context.Context, values ...string) error {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	if err := q.rdb.LPush(ctx, q.key, args...).Err(); err != nil {
		return fmt.Errorf("pushing onto %s: %w", q.key, err)
	}
	return nil
}

// Take moves the oldest message to this consumer's processing list and
// returns it, or ErrEmpty. With wait > 0 it waits up to that long for one
// (BLMOVE) instead of returning ErrEmpty at once (LMOVE).
func (q *Queue) Take(ctx context.Context, wait time.Duration) (string, error) {
	var cmd *redis.StringCmd
	if wait > 0 {
		cmd = redis.NewStringCmd(ctx, "blmove", q.key, q.ProcessingKey(), "RIGHT", "LEFT", wait.Seconds())
		q.block(ctx, wait, cmd)
	} else {
		cmd = q.rdb.LMove(ctx, q.key, q.ProcessingKey(), "RIGHT", "LEFT")
	}
	v, err := cmd.Result()
	return v, q.takeErr(err)
}

// TakeUnsafe removes the oldest message and returns it, or ErrEmpty, as the
// tutorial does (RPOP, or BRPOP with wait > 0). If the consumer dies before
// the work is done, the message is lost: this is what Take fixes.
func (q *Queue) TakeUnsafe(ctx context.Context, wait time.Duration) (string, error) {
	if wait > 0 {
		cmd := redis.NewStringSliceCmd(ctx, "brpop", q.key, wait.Seconds())
		q.block(ctx, wait, cmd)
		kv, err := cmd.Result()
		if err != nil {
			return "", q.takeErr(err)
		}
		return kv[1], nil
	}
	v, err := q.rdb.RPop(ctx, q.key).Result()
	return v, q.takeErr(err)
}

// block sends cmd, a blocking command that waits up to wait, on a client
// whose read timeout allows for the wait, as go-redis's own blocking
// commands do. Those are not used: they send the timeout in whole seconds,
// and a wait under a second as a whole second. Redis 6 and later take a
// fraction of a second.
func (q *Queue) block(ctx context.Context, wait time.Duration, cmd redis.Cmder) {
	rdb := q.rdb
	if q.blocking != nil {
		rdb = q.blocking
	}
	if rt := rdb.Options().ReadTimeout; rt > 0 {
		rdb = rdb.WithTimeout(rt + wait)
	}
	rdb.Process(ctx, cmd)
}

func (q *Queue) takeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, redis.Nil):
		return ErrEmpty
	}
	return fmt.Errorf("taking from %s: %w", q.key, err)
}

// NewID returns a new name for one acknowledgement or rejection, for Ack
// and Reject.
func NewID() string { return rand.Text() }

// markerTTL is how long Redis remembers an acknowledgement or rejection
// done with an id: longer than a consumer waits for Redis to come back and
// retries it.
const markerTTL = 24 * time.Hour

// markerKey is where Redis remembers that the acknowledgement or rejection
// named id was done.
func (q *Queue) markerKey(id string) string { return q.key + ":done:" + id }

// ackScript removes one message from the processing list, unless the
// acknowledgement named by the marker key was done already.
var ackScript = redis.NewScript(`
if redis.call("SET", KEYS[2], "1", "NX", "EX", ARGV[2]) then
	redis.call("LREM", KEYS[1], 1, ARGV[1])
end
return 1`)

// Ack marks a message taken with Take as done: one message of that value
// leaves the processing list. Messages taken with TakeUnsafe need no Ack.
//
// A reply can be lost after Redis did the command (it stopped, the
// connection broke), and the command is then sent again, by go-redis or
// by a caller that retries. Done twice, a plain LREM would remove a second
// message of the same value: another consumer task's, or one whose Take
// lost its own reply and that the next run should recover. So Ack with an
// id (NewID, the same for every retry of one acknowledgement) acts once:
// Redis remembers the id for markerTTL. With id "", Ack is a plain LREM,
// safe only when no two messages in the processing list can be equal.
func (q *Queue) Ack(ctx context.Context, value, id string) error {
	var err error
	if id == "" {
		err = q.rdb.LRem(ctx, q.ProcessingKey(), 1, value).Err()
	} else {
		err = ackScript.Run(ctx, q.rdb, []string{q.ProcessingKey(), q.markerKey(id)}, value, int(markerTTL.Seconds())).Err()
	}
	if err != nil {
		return fmt.Errorf("acknowledging %q: %w", value, err)
	}
	return nil
}

// ackTakeScript acknowledges the messages ARGV[4], ARGV[5], ... as Ack
// does each (once for the marker key KEYS[2], with ARGV[3] "1"; without a
// marker, with "0"), then moves up to ARGV[1] of the oldest messages from
// the queue KEYS[3] to the processing list KEYS[1] and returns them, oldest
// first.
var ackTakeScript = redis.NewScript(`
if #ARGV > 3 and (ARGV[3] == "0" or redis.call("SET", KEYS[2], "1", "NX", "EX", ARGV[2])) then
	for i = 4, #ARGV do
		redis.call("LREM", KEYS[1], 1, ARGV[i])
	end
end
local taken = {}
for i = 1, tonumber(ARGV[1]) do
	local v = redis.call("LMOVE", KEYS[3], KEYS[1], "RIGHT", "LEFT")
	if not v then
		break
	end
	taken[i] = v
end
return taken`)

// AckTake acknowledges done, messages taken earlier whose work is done, and
// takes up to n more, as Ack and Take would, in one round trip to Redis
// instead of one a message for each: what makes a drain of many small
// messages as fast as RPOP without giving up what Take guarantees. It
// returns the messages taken, oldest first: none, and no error, if the
// queue is empty. With n 0 it only acknowledges.
//
// Each message taken stays in the processing list until it is acknowledged,
// by a later AckTake or Ack: a consumer that dies with a batch leaves it
// there, for Recover or Reclaim to put back. The acknowledgement acts once
// for id (NewID; "" for plain LREMs, as Ack), so after an error AckTake may
// be called again with the same done and id. The messages a lost reply had
// taken stay in the processing list, unknown to the caller, until Recover
// puts them back when the consumer stops or starts again: late, not lost.
// Redis keeps the marker of id for markerTTL: one key a call, where Ack
// keeps one a message.
func (q *Queue) AckTake(ctx context.Context, done []string, id string, n int) ([]string, error) {
	marker := "1"
	if id == "" {
		marker = "0"
	}
	args := make([]any, 0, 3+len(done))
	args = append(args, n, int(markerTTL.Seconds()), marker)
	for _, v := range done {
		args = append(args, v)
	}
	taken, err := ackTakeScript.Run(ctx, q.rdb, []string{q.ProcessingKey(), q.markerKey(id), q.key}, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("acknowledging %d message(s) and taking up to %d from %s: %w", len(done), n, q.key, err)
	}
	return taken, nil
}

// DeadLetter is one entry of the dead-letter list: a message that could
// not be processed, why, by which consumer, and when. The list holds it as
// JSON, readable with redis-cli (see MarshalJSON), and Value is kept
// exactly, whatever its bytes, so that it can be replayed (Replay).
type DeadLetter struct {
	Value    string
	Reason   string
	Consumer string
	At       time.Time
}

// rejectScript moves a message from the processing list (KEYS[1]) to the
// dead-letter list (KEYS[2]), once: not if the rejection named by the
// marker key (KEYS[3]) was done already, and only if the message is still
// there. With ARGV[4] "0" (a message from TakeUnsafe, in no processing
// list) it only records the dead letter.
//
// It is all or nothing. Redis keeps what a script wrote before an error,
// so a script that removed the message and then failed to push it (the
// dead-letter key holding a string, say) would lose it, and with the
// marker set, a retry would report success. So everything that can fail
// is checked before the first write: the marker and the dead-letter key's
// type are read first; LREM, the first write, fails (on a processing key
// that is not a list) before it changes anything; LPUSH onto a list then
// cannot fail (once a script has written, Redis lets it finish even over
// maxmemory); and the marker is set last, only once the move is done.
var rejectScript = redis.NewScript(`
if redis.call("EXISTS", KEYS[3]) == 1 then
	return 0
end
local t = redis.call("TYPE", KEYS[2])["ok"]
if t ~= "none" and t ~= "list" then
	return redis.error_reply("WRONGTYPE " .. KEYS[2] .. " is a " .. t .. ", not a list: rename or delete it")
end
if ARGV[4] == "0" or redis.call("LREM", KEYS[1], 1, ARGV[1]) == 1 then
	redis.call("LPUSH", KEYS[2], ARGV[2])
end
redis.call("SET", KEYS[3], "1", "EX", ARGV[3])
return 1`)

// Reject moves a message that cannot be processed from the processing list
// to the dead-letter list, with the reason, atomically: all or nothing.
// Like Ack, it acts once for id (NewID), however often it is retried; with
// id "", a retry moves another message of the same value, if there is one.
// With taken false (a message from TakeUnsafe) it only records the dead
// letter.
//
// If the dead-letter key holds something other than a list, Reject changes
// nothing and says so, every time it is called, until the key is renamed or
// deleted: the message stays in the processing list, and the marker of id
// is not set, so the same rejection, retried then, is done. Transient tells
// such an error, which retrying does not fix, from an outage.
func (q *Queue) Reject(ctx context.Context, value, reason, id string, taken bool) error {
	if id == "" {
		id = NewID()
	}
	entry, err := json.Marshal(DeadLetter{Value: value, Reason: reason, Consumer: q.consumer, At: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("rejecting %q: %w", value, err)
	}
	inProcessing := "0"
	if taken {
		inProcessing = "1"
	}
	err = rejectScript.Run(ctx, q.rdb, []string{q.ProcessingKey(), q.DeadKey(), q.markerKey(id)},
		value, entry, int(markerTTL.Seconds()), inProcessing).Err()
	if err != nil {
		return fmt.Errorf("rejecting %q: %w", value, err)
	}
	return nil
}

// Recover puts back on the queue what this consumer's processing list still
// holds (messages taken by an earlier run that did not finish them, or by
// this one as it stops), to be taken next, in the order they were first
// taken. It returns how many messages the list held.
//
// A BLMOVE of this consumer's that Redis has not yet seen to be abandoned
// (its connection was closed as the consumer stopped) may take a message
// back as soon as it is put back: Recover moves until the list is empty, and
// counts such a message once.
func (q *Queue) Recover(ctx context.Context) (int, error) {
	n, err := q.rdb.LLen(ctx, q.ProcessingKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("recovering %s: %w", q.ProcessingKey(), err)
	}
	for {
		err := q.rdb.LMove(ctx, q.ProcessingKey(), q.key, "LEFT", "RIGHT").Err()
		switch {
		case errors.Is(err, redis.Nil):
			return int(n), nil
		case err != nil:
			return 0, fmt.Errorf("recovering %s: %w", q.ProcessingKey(), err)
		}
	}
}

// DeadLetters returns the dead-letter list, newest first. An entry that is
// not a dead letter's JSON (one pushed by hand, say) comes back whole as
// the Value, with a Reason that says it could not be read.
func (q *Queue) DeadLetters(ctx context.Context) ([]DeadLetter, error) {
	raw, err := q.rdb.LRange(ctx, q.DeadKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", q.DeadKey(), err)
	}
	out := make([]DeadLetter, 0, len(raw))
	for _, r := range raw {
		var d DeadLetter
		if err := json.Unmarshal([]byte(r), &d); err != nil {
			d = DeadLetter{Value: r, Reason: "unreadable dead letter: " + err.Error()}
		}
		out = append(out, d)
	}
	return out, nil
}
