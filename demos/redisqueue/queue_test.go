package redisqueue

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
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
			if err := q.Ack(ctx, v, NewID()); err != nil {
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
		// Not a whole second, as go-redis's BLMove would wait (the server
		// never answers before its timeout, so that would take a second or
		// more, however fast the machine): redis-server checks timeouts 10
		// times a second, miniredis at once, and a loaded machine adds its
		// stalls.
		if waited := time.Since(start); waited < 90*time.Millisecond || waited >= time.Second {
			t.Errorf("Take(100ms) returned after %v", waited)
		}
		w := watchBlocking(t, rdb.Options().Addr)
		pushed := make(chan struct{})
		go func() {
			defer close(pushed)
			w.wait(t) // the Take below waits in Redis
			New(rdb, "queue", "producer").Push(ctx, "7")
		}()
		if v, err := q.Take(ctx, 5*time.Second); err != nil || v != "7" {
			t.Errorf("Take(5s) = %q, %v; want the pushed 7", v, err)
		}
		<-pushed
	})
}

// blockWatch sees a blocking command reach the server: redis-server counts
// its blocked clients (INFO); miniredis does not, and there the command is
// seen in the count of commands received, less the watch's own INFOs.
type blockWatch struct {
	rdb   *redis.Client
	count int // commands received before the watch
}

func watchBlocking(t *testing.T, addr string) *blockWatch {
	t.Helper()
	w := &blockWatch{rdb: redis.NewClient(&redis.Options{Addr: addr})}
	t.Cleanup(func() { w.rdb.Close() })
	_, w.count = w.info(t)
	return w
}

// info returns the number of blocked clients, -1 if the server does not
// say, and the number of commands received, this INFO included.
func (w *blockWatch) info(t *testing.T) (blocked, received int) {
	s, err := w.rdb.Info(context.Background()).Result()
	if err != nil {
		t.Errorf("INFO: %v", err)
	}
	blocked, received = -1, -1
	for _, line := range strings.Split(s, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
		case k == "blocked_clients":
			blocked = n
		case k == "total_commands_processed":
			received = n
		}
	}
	return blocked, received
}

// wait returns once a blocking command has reached the server since the
// watch began (or after 10 s, failing t).
func (w *blockWatch) wait(t *testing.T) {
	deadline := time.Now().Add(10 * time.Second)
	for infos := 1; ; infos++ {
		blocked, received := w.info(t)
		if blocked > 0 || blocked < 0 && received-w.count-infos > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("after 10 s, no command waits in Redis (blocked clients %d, commands received %d)", blocked, received)
			return
		}
		time.Sleep(time.Millisecond)
	}
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
			restarted.Ack(ctx, v, NewID())
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
		id := NewID()
		if err := q.Reject(ctx, v, "not a positive integer", id, true); err != nil {
			t.Fatal(err)
		}
		// A retry, as after a lost reply, records nothing more.
		if err := q.Reject(ctx, v, "not a positive integer", id, true); err != nil {
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

// TestAckAndRejectActOnceWhenTheirReplyIsLost: Redis did the command, but
// its reply was lost (as when the server stops right after a command), and
// the command is sent again: by go-redis, and then by the caller. Issue 11:
// a plain LREM done twice removed a second message of the same value, here
// the other 4 still being worked on; had the consumer stopped then, or had
// that 4 been one whose Take lost its reply, it was lost for good.
func TestAckAndRejectActOnceWhenTheirReplyIsLost(t *testing.T) {
	servers(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		p := newReplyCutter(t, rdb.Options().Addr)
		viaCutter := redis.NewClient(&redis.Options{Addr: p.addr, DB: 3})
		defer viaCutter.Close()
		q := New(viaCutter, "queue", "c1")
		q.Push(ctx, "4", "4", "x", "x")
		for range 4 {
			if _, err := q.Take(ctx, 0); err != nil {
				t.Fatal(err)
			}
		}
		// Loaded, the scripts run at the first EVALSHA: the reply lost is
		// then that of the command done, not a NOSCRIPT error.
		for _, s := range []*redis.Script{ackScript, rejectScript} {
			if err := s.Load(ctx, viaCutter).Err(); err != nil {
				t.Fatal(err)
			}
		}
		id := NewID()
		p.cut.Store(true)
		// go-redis sends the Ack again after the lost reply; so does a
		// consumer after an error.
		q.Ack(ctx, "4", id)
		if err := q.Ack(ctx, "4", id); err != nil {
			t.Fatal(err)
		}
		if p.cut.Load() {
			t.Fatal("no reply was lost")
		}
		id = NewID()
		p.cut.Store(true)
		q.Reject(ctx, "x", "not a positive integer", id, true)
		if err := q.Reject(ctx, "x", "not a positive integer", id, true); err != nil {
			t.Fatal(err)
		}
		if got := list(t, rdb, q.ProcessingKey()); !slices.Equal(got, []string{"x", "4"}) {
			t.Errorf("processing list %q, want one 4 and one x left: each done once", got)
		}
		if dead := list(t, rdb, q.DeadKey()); len(dead) != 1 {
			t.Errorf("%d dead letters, want 1: %q", len(dead), dead)
		}
	})
}

// replyCutter is a TCP proxy to a Redis server that can lose a reply: the
// server has done the command, and the client sees its connection break.
type replyCutter struct {
	addr string
	cut  atomic.Bool // the next reply is not passed on; its connection is closed
}

func newReplyCutter(t *testing.T, server string) *replyCutter {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &replyCutter{addr: l.Addr().String()}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", server)
			if err != nil {
				client.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, client, server)
			mu.Unlock()
			wg.Go(func() { io.Copy(server, client); server.Close() })
			wg.Go(func() {
				defer client.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := server.Read(buf)
					if n > 0 && p.cut.CompareAndSwap(true, false) {
						server.Close()
						return
					}
					if n > 0 {
						if _, err := client.Write(buf[:n]); err != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			})
		}
	})
	return p
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
		if waited := time.Since(start); waited < 90*time.Millisecond || waited >= time.Second {
			t.Errorf("TakeUnsafe(100ms) returned after %v, want a fraction of a second", waited)
		}
	})
}
