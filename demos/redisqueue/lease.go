package redisqueue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A consumer's processing list is safe only while the consumer lives: if it
// crashes, the messages it took wait there until a consumer of the same
// name starts again, which may be never. So a consumer holds a lease on its
// name, a heartbeat key with a time to live that it keeps renewing. A
// consumer whose heartbeat has expired is presumed dead, and any other
// consumer puts its messages back on the queue (Reclaim): what SQS calls a
// visibility timeout and Sidekiq's reliable fetch does with its heartbeats.
//
// The lease also keeps two live consumers from sharing a name, and so a
// processing list: each would put back the other's messages at start, and
// both would do them.

// ErrNameInUse is returned by Register when a live consumer holds the name.
var ErrNameInUse = errors.New("a live consumer holds this name")

// NameInUseError is Register's error when a live consumer holds the name:
// it says whose name, and how long the holder's heartbeat runs if it is not
// renewed. errors.Is(err, ErrNameInUse) reports it.
type NameInUseError struct {
	Consumer string
	Left     time.Duration // the heartbeat's time to live; negative if unknown
}

func (e *NameInUseError) Error() string {
	if e.Left < 0 {
		return fmt.Sprintf("consumer %q: %v", e.Consumer, ErrNameInUse)
	}
	return fmt.Sprintf("consumer %q: %v (its heartbeat runs out in %.1f s if it has stopped)", e.Consumer, ErrNameInUse, e.Left.Seconds())
}

// Unwrap returns ErrNameInUse.
func (e *NameInUseError) Unwrap() error { return ErrNameInUse }

// HeartbeatKey is the key that says this consumer is alive.
func (q *Queue) HeartbeatKey() string { return heartbeatKey(q.key, q.consumer) }

func heartbeatKey(key, consumer string) string { return key + ":heartbeat:" + consumer }

// processingPrefix is what every processing list's key of the queue key
// begins with; the consumer's name follows.
func processingPrefix(key string) string { return key + ":processing:" }

// Register takes the lease on the consumer's name for ttl: it fails with
// a *NameInUseError (saying how long the lease still runs) if a live
// consumer holds it. The lease is held by token, which only this consumer knows
// (NewID), and is renewed with Heartbeat and given up with Unregister.
func (q *Queue) Register(ctx context.Context, token string, ttl time.Duration) error {
	ok, err := q.rdb.SetNX(ctx, q.HeartbeatKey(), token, ttl).Result()
	if err != nil {
		return fmt.Errorf("registering consumer %q: %w", q.consumer, err)
	}
	if !ok {
		left, err := q.rdb.PTTL(ctx, q.HeartbeatKey()).Result()
		if err != nil || left < 0 {
			left = -1
		}
		return &NameInUseError{Consumer: q.consumer, Left: left}
	}
	return nil
}

// heartbeatScript renews the lease KEYS[1] held by token ARGV[1] for ARGV[2]
// ms. It returns 1 if the lease was held, 0 if it had expired (and is
// taken again), -1 if another consumer holds it now.
var heartbeatScript = redis.NewScript(`
local holder = redis.call("GET", KEYS[1])
if holder == ARGV[1] then
	redis.call("PEXPIRE", KEYS[1], ARGV[2])
	return 1
elseif holder == false then
	redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
	return 0
end
return -1`)

// ErrLeaseLost is returned by Heartbeat when the lease had expired: other
// consumers may have put back the messages this one is working on, which
// will then be done twice. The lease is held again.
var ErrLeaseLost = errors.New("the heartbeat had expired: other consumers may have taken back this consumer's messages")

// Heartbeat renews the lease taken with Register for ttl. It returns
// ErrLeaseLost if the lease had expired meanwhile (it is taken again), and
// ErrNameInUse if another consumer took the name meanwhile.
func (q *Queue) Heartbeat(ctx context.Context, token string, ttl time.Duration) error {
	n, err := heartbeatScript.Run(ctx, q.rdb, []string{q.HeartbeatKey()}, token, ttl.Milliseconds()).Int()
	switch {
	case err != nil:
		return fmt.Errorf("renewing the heartbeat of consumer %q: %w", q.consumer, err)
	case n == 0:
		return fmt.Errorf("consumer %q: %w", q.consumer, ErrLeaseLost)
	case n < 0:
		return fmt.Errorf("consumer %q: %w", q.consumer, ErrNameInUse)
	}
	return nil
}

// unregisterScript deletes the lease KEYS[1] if token ARGV[1] holds it.
var unregisterScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	redis.call("DEL", KEYS[1])
end
return 1`)

// Unregister gives up the lease taken with Register, if it still holds it.
func (q *Queue) Unregister(ctx context.Context, token string) error {
	if err := unregisterScript.Run(ctx, q.rdb, []string{q.HeartbeatKey()}, token).Err(); err != nil {
		return fmt.Errorf("unregistering consumer %q: %w", q.consumer, err)
	}
	return nil
}

// reclaimScript puts back on the queue KEYS[3] the processing list KEYS[1]
// of a consumer whose heartbeat KEYS[2] has expired, all of it, in the
// order it was taken, and returns how many messages; it moves nothing while
// the heartbeat lives. Checking the heartbeat and moving in one script
// means a consumer that registers is never robbed.
var reclaimScript = redis.NewScript(`
if redis.call("EXISTS", KEYS[2]) == 1 then
	return 0
end
local n = 0
while redis.call("LMOVE", KEYS[1], KEYS[3], "LEFT", "RIGHT") do
	n = n + 1
end
return n`)

// Reclaimed is what Reclaim put back from one consumer presumed dead.
type Reclaimed struct {
	Consumer string
	Messages int
}

// Reclaim puts back on the queue the messages of every other consumer whose
// heartbeat has expired (or that never had one: a consumer of an older
// version, or one run with a name nobody uses any more), to be taken next.
// It returns what it put back, by consumer.
func (q *Queue) Reclaim(ctx context.Context) ([]Reclaimed, error) {
	var out []Reclaimed
	prefix := processingPrefix(q.key)
	iter := q.rdb.Scan(ctx, 0, escapeGlob(prefix)+"*", 100).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		name := strings.TrimPrefix(key, prefix)
		if name == q.consumer {
			continue
		}
		n, err := reclaimScript.Run(ctx, q.rdb, []string{key, heartbeatKey(q.key, name), q.key}).Int()
		if err != nil {
			return out, fmt.Errorf("reclaiming %s: %w", key, err)
		}
		if n > 0 {
			out = append(out, Reclaimed{Consumer: name, Messages: n})
		}
	}
	if err := iter.Err(); err != nil {
		return out, fmt.Errorf("looking for the processing lists of %s: %w", q.key, err)
	}
	return out, nil
}

// escapeGlob escapes what SCAN's MATCH pattern would take as a wildcard.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
