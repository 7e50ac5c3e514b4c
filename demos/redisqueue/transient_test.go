package redisqueue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
)

// reply is an error reply from Redis, as go-redis returns one.
type reply string

func (r reply) Error() string { return string(r) }
func (reply) RedisError()     {}

// TestTransientTellsAnOutageFromAnAnswer: the errors as a consumer sees
// them, wrapped in Reject's or Ack's context.
func TestTransientTellsAnOutageFromAnAnswer(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("rejecting %q: %w", "x", err) }
	dialRefused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{io.EOF, true},
		{wrap(io.ErrUnexpectedEOF), true},
		{wrap(dialRefused), true},
		{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{&net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, true},
		{&net.OpError{Op: "dial", Net: "tcp", Err: context.DeadlineExceeded}, true}, // a dial that timed out
		{&net.DNSError{Err: "server misbehaving", Name: "redis", IsTemporary: true}, true},
		{wrap(redis.ErrPoolTimeout), true},
		{redis.ErrPoolExhausted, true},
		{wrap(reply("LOADING Redis is loading the dataset in memory")), true},
		{reply("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."), true},
		{reply("READONLY You can't write against a read only replica."), true},
		{reply("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."), true},
		{reply("TRYAGAIN Multiple keys request during rehashing of slot"), true},
		{reply("CLUSTERDOWN The cluster is down"), true},
		{reply("NOREPLICAS Not enough good replicas to write."), true},
		{reply("OOM command not allowed when used memory > 'maxmemory'."), true},
		{reply("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."), true},
		{reply("ERR max number of clients reached"), true},
		{wrap(reply("WRONGTYPE queue:dead is a string, not a list: rename or delete it")), false},
		{reply("WRONGTYPE Operation against a key holding the wrong kind of value"), false},
		{reply("NOPERM User alice has no permissions to run the 'lpush' command"), false},
		{reply("NOAUTH Authentication required."), false},
		{reply("WRONGPASS invalid username-password pair or user is disabled."), false},
		{redis.ErrNoScript, false},
		{reply("ERR wrong number of arguments for 'get' command"), false},
		{reply("ERR unknown command 'lmove', with args beginning with: "), false},
		{reply("ERR Error running script (call to f_1234): @user_script:3: WRONGTYPE Operation against a key holding the wrong kind of value"), false}, // Redis 6
		{reply("EXECABORT Transaction discarded because of previous errors."), false},
		{reply("MOVED 3999 127.0.0.1:6381"), false},
		{redis.ErrClosed, false},
		{wrap(context.Canceled), false},
		{context.DeadlineExceeded, false},
		{&net.OpError{Op: "dial", Net: "tcp", Err: context.Canceled}, false},
		{redis.Nil, false},
		{ErrEmpty, false},
		{errors.New("something else"), false},
	} {
		if got := Transient(c.err); got != c.want {
			t.Errorf("Transient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestTransientOnRealErrors: the errors a real redis-server and real
// sockets give, through go-redis, as they come.
func TestTransientOnRealErrors(t *testing.T) {
	srv := redistest.Real(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	check := func(what string, err error, want bool) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		t.Logf("%s: %v", what, err)
		if got := Transient(err); got != want {
			t.Errorf("%s: Transient(%v) = %v, want %v", what, err, got, want)
		}
	}

	rdb.Set(ctx, "queue:dead", "a string", 0)
	check("LPUSH onto a string", rdb.LPush(ctx, "queue:dead", "x").Err(), false)
	q := New(rdb, "queue", "c1")
	q.Push(ctx, "x")
	q.Take(ctx, 0)
	check("Reject onto a string", q.Reject(ctx, "x", "r", NewID(), true), false)
	check("a script's runtime error", rdb.Eval(ctx, `return redis.call("LPUSH", KEYS[1], "x")`, []string{"queue:dead"}).Err(), false)
	check("EVALSHA of no script", rdb.EvalSha(ctx, "0123456789012345678901234567890123456789", nil).Err(), false)
	check("wrong number of arguments", rdb.Do(ctx, "GET").Err(), false)
	check("an unknown command", rdb.Do(ctx, "NOSUCHCOMMAND").Err(), false)
	check("GET of no key", rdb.Get(ctx, "nothing").Err(), false)

	rdb.Do(ctx, "ACL", "SETUSER", "reader", "on", ">secret", "~*", "+get", "+ping", "+hello", "+select", "+client")
	reader := redis.NewClient(&redis.Options{Addr: srv.Addr, Username: "reader", Password: "secret", MaxRetries: -1})
	defer reader.Close()
	check("LPUSH without the right", reader.LPush(ctx, "queue", "x").Err(), false)
	wrongPass := redis.NewClient(&redis.Options{Addr: srv.Addr, Username: "reader", Password: "wrong", MaxRetries: -1})
	defer wrongPass.Close()
	check("a wrong password", wrongPass.Ping(ctx).Err(), false)

	rdb.ConfigSet(ctx, "maxmemory", "1")
	check("LPUSH over maxmemory", rdb.LPush(ctx, "queue", "x").Err(), true)
	rdb.ConfigSet(ctx, "maxmemory", "0")

	closed := freeAddr(t)
	rdb.Do(ctx, "REPLICAOF", "127.0.0.1", fmt.Sprint(closed.Port))
	check("LPUSH on a replica", rdb.LPush(ctx, "queue", "x").Err(), true)
	rdb.ConfigSet(ctx, "replica-serve-stale-data", "no")
	check("GET on a replica without its master", rdb.Get(ctx, "queue:dead").Err(), true)
	rdb.ConfigSet(ctx, "replica-serve-stale-data", "yes")
	rdb.Do(ctx, "REPLICAOF", "NO", "ONE")

	refused := redis.NewClient(&redis.Options{Addr: closed.String(), MaxRetries: -1})
	defer refused.Close()
	check("nothing listening", refused.Ping(ctx).Err(), true)

	hangUp, silent := fakeServer(t, true), fakeServer(t, false)
	eof := redis.NewClient(&redis.Options{Addr: hangUp, MaxRetries: -1})
	defer eof.Close()
	check("a server that hangs up", eof.Ping(ctx).Err(), true)
	slow := redis.NewClient(&redis.Options{Addr: silent, MaxRetries: -1, ReadTimeout: 50 * time.Millisecond})
	defer slow.Close()
	check("a server that does not answer", slow.Ping(ctx).Err(), true)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	check("a cancelled context", rdb.Ping(cancelled).Err(), false)
	expired, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	check("a context past its deadline", rdb.Ping(expired).Err(), false)

	gone := redis.NewClient(&redis.Options{Addr: srv.Addr})
	gone.Close()
	check("a closed client", gone.Ping(ctx).Err(), false)
}

// freeAddr returns a loopback address where nothing listens.
func freeAddr(t *testing.T) *net.TCPAddr {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr)
}

// fakeServer listens on a loopback port, for the test, and either closes
// each connection at once (hangUp) or holds it open without a word.
func fakeServer(t *testing.T, hangUp bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
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
			c, err := l.Accept()
			if err != nil {
				return
			}
			if hangUp {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	return l.Addr().String()
}
