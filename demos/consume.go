package demos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/pflag"

	"asyncdemo/demos/aio"
	"asyncdemo/demos/redisqueue"
	"asyncdemo/timing"
)

// What lessons 10 to 12 share: where Redis is, the scripted producer that
// plays the tutorial's redis-cli session, and a consumer that loses nothing.

// queueKey and queueDB are the tutorial's: LPUSH queue ... in db 3.
const (
	queueKey = "queue"
	queueDB  = 3
)

// redisFlags are the flags of the lessons that consume the queue.
type redisFlags struct {
	URL      string // --redis; empty: REDIS_URL, else an embedded server
	Mode     string // "poll" (RPOP, sleep 1 s when empty) or "block" (BRPOP)
	Unsafe   bool   // take with RPOP as the tutorial does: a crash loses the message
	Idle     float64
	IdleSet  bool // --idle was given: a run on --redis ends when idle too
	Consumer string
	Messages []string // what the embedded run's producer pushes
	Max      int      // the largest x a message may ask for
}

func (f *redisFlags) add(fs *pflag.FlagSet, messages string) {
	f.Messages = strings.Split(messages, ",")
	fs.Var(redisURLValue{&f.URL}, "redis", "use the Redis at `URL` (redis://HOST:PORT/DB; also REDIS_URL) and run until Ctrl+C (or --idle)")
	fs.Var(choiceValue{&f.Mode, []string{"poll", "block"}}, "mode", "poll: RPOP, sleeping 1 s when empty; block: BRPOP")
	fs.BoolVar(&f.Unsafe, "unsafe", false, "take messages with plain RPOP, as the tutorial does (a crash loses them)")
	fs.Var(idleValue{f}, "idle", "stop after the queue has been empty this long, in seconds (with --redis, only if given)")
	fs.StringVar(&f.Consumer, "consumer", "asyncdemo", "this consumer's name: its processing list is queue:processing:NAME")
	fs.Var(messagesValue{&f.Messages}, "messages", "what the embedded run's producer pushes, comma-separated")
	fs.Var(countValue{&f.Max, 1, MaxSeconds}, "max", "the largest x a message may ask for; larger ones are dead-lettered")
}

// redisURLValue is the --redis flag: a URL that go-redis can parse.
type redisURLValue struct{ p *string }

func (v redisURLValue) String() string { return *v.p }
func (v redisURLValue) Type() string   { return "URL" }
func (v redisURLValue) Set(s string) error {
	if _, err := redis.ParseURL(s); err != nil {
		return fmt.Errorf("%q is not a Redis URL (want redis://HOST:PORT/DB): %v", s, err)
	}
	*v.p = s
	return nil
}

// idleValue is the --idle flag: seconds, and that they were given.
type idleValue struct{ f *redisFlags }

func (v idleValue) String() string { return formatSeconds(v.f.Idle) }
func (v idleValue) Type() string   { return "seconds" }
func (v idleValue) Set(s string) error {
	if err := (secondsValue{&v.f.Idle}).Set(s); err != nil {
		return err
	}
	v.f.IdleSet = true
	return nil
}

// messagesValue is the --messages flag: comma-separated values, pushed as
// they are (so that a poison message can be pushed on purpose).
type messagesValue struct{ p *[]string }

func (v messagesValue) String() string { return strings.Join(*v.p, ",") }
func (v messagesValue) Type() string   { return "V,..." }
func (v messagesValue) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("no messages given")
	}
	*v.p = strings.Split(s, ",")
	return nil
}

// UsageError is a bad value found when a lesson starts rather than when its
// flags are parsed, such as a malformed REDIS_URL: exit code 2.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

func hasRedisURL() bool { return os.Getenv("REDIS_URL") != "" }

// push is one message of the scripted producer and when it is pushed.
type push struct {
	at    float64 // seconds after the start
	value string
}

// redisSession is a connection to the queue, with the embedded server and
// its producer when there is no real Redis.
type redisSession struct {
	rdb      *redis.Client
	queue    *redisqueue.Queue
	external bool
	stop     func() // stops the producer and the embedded server
}

// openRedis connects to the Redis the flags name, or starts an embedded
// one on a free loopback port. It fails within a few seconds if Redis
// cannot be reached.
func openRedis(ctx context.Context, e *Env, f *redisFlags) (*redisSession, error) {
	url := f.URL
	if url == "" {
		url = os.Getenv("REDIS_URL")
		if url != "" {
			if err := (redisURLValue{new(string)}).Set(url); err != nil {
				return nil, UsageError{fmt.Errorf("REDIS_URL: %w", err)}
			}
		}
	}
	s := &redisSession{stop: func() {}}
	var opts *redis.Options
	if url != "" {
		opts, _ = redis.ParseURL(url)
		s.external = true
	} else {
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("starting the embedded Redis: %w", err)
		}
		opts = &redis.Options{Addr: m.Addr(), DB: queueDB}
		s.stop = m.Close
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 2*time.Second, 3*time.Second, 3*time.Second
	s.rdb = redis.NewClient(opts)
	s.queue = redisqueue.New(s.rdb, queueKey, f.Consumer)
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := s.rdb.Ping(pingCtx).Err(); err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s: %w", opts.Addr, err)
	}
	if e.Printer != nil && !e.Tool {
		where := "an embedded Redis (miniredis) at " + opts.Addr
		if s.external {
			where = "Redis at " + opts.Addr + " (Ctrl+C to stop)"
		}
		e.Printer.Note(fmt.Sprintf("Consuming list %q in db %d of %s.", queueKey, opts.DB, where))
	}
	return s, nil
}

// startProducer pushes the script's messages at their times, as the
// tutorial's redis-cli session did; --messages replaces the script with
// one message a second.
func (s *redisSession) startProducer(ctx context.Context, e *Env, f *redisFlags, script []push) {
	script = f.script(script)
	producer := redisqueue.New(s.rdb, queueKey, "producer")
	// What is pushed at 0 s is there before the consumer starts, so the
	// run does not depend on which of the two goroutines goes first.
	for len(script) > 0 && script[0].at == 0 {
		e.Rec.Printf("producer", "LPUSH queue %s", script[0].value)
		producer.Push(ctx, script[0].value)
		script = script[1:]
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		for _, p := range script {
			select {
			case <-time.After(time.Until(start.Add(e.Clock.Real(seconds(p.at))))):
			case <-ctx.Done():
				return
			}
			e.Rec.Printf("producer", "LPUSH queue %s", p.value)
			producer.Push(ctx, p.value)
		}
	}()
	stopServer := s.stop
	s.stop = func() {
		cancel()
		<-done
		stopServer()
	}
}

func sameValues(values []string, script []push) bool {
	if len(values) != len(script) {
		return false
	}
	for i := range values {
		if values[i] != script[i].value {
			return false
		}
	}
	return true
}

// Close stops the producer and the embedded server and closes the client.
func (s *redisSession) Close() {
	s.rdb.Close()
	s.stop()
}

// errIdle ends a run that ends when idle (an embedded run, or one given
// --idle): the queue has been empty long enough.
var errIdle = errors.New("the queue has been idle")

// consumer takes messages for a lesson and sees that none is lost: each is
// acknowledged when its work is done, dead-lettered with a reason if it
// cannot be done, or left in the processing list, to be recovered by the
// next run, if this one is stopped.
type consumer struct {
	queue  *redisqueue.Queue
	flags  *redisFlags
	clock  *timing.Clock
	rec    *timing.Recorder
	untilQ bool // end once the queue is idle (embedded runs, or --idle given)

	mu       sync.Mutex
	inflight int
	last     time.Time // when a message was last taken or finished
	outage   bool
	work     sync.WaitGroup
}

func newConsumer(ctx context.Context, s *redisSession, f *redisFlags, e *Env) (*consumer, error) {
	c := &consumer{queue: s.queue, flags: f, clock: e.Clock, rec: e.Rec, untilQ: !s.external || f.IdleSet, last: time.Now()}
	if !f.Unsafe {
		n, err := s.queue.Recover(ctx)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			c.rec.Printf("", "recovered %d message(s) a previous run took and did not finish", n)
		}
	}
	return c, nil
}

// Next takes the next message. In poll mode it tries once a second (RPOP,
// then sleep 1 s); in block mode it waits in Redis (BRPOP). While Redis is
// unreachable it says so once and retries, backing off up to 2 s. It
// returns errIdle once the queue has been idle for --idle (in a run that
// ends when idle), and ctx's error on Ctrl+C.
func (c *consumer) Next(ctx context.Context) (string, error) {
	backoff := 100 * time.Millisecond
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		wait := time.Duration(0)
		if c.flags.Mode == "block" {
			wait = time.Second // BRPOP's timeout, so that idleness and Ctrl+C are noticed
		}
		msg, err := c.TryTake(ctx, wait)
		switch {
		case err == nil, errors.Is(err, errIdle):
			return msg, err
		case errors.Is(err, redisqueue.ErrEmpty):
			if c.flags.Mode == "poll" {
				sleepCtx(ctx, c.clock.Real(time.Second)) // time.sleep(1)
			}
		case ctx.Err() != nil:
			return "", ctx.Err()
		default:
			sleepCtx(ctx, backoff)
			backoff = min(2*backoff, 2*time.Second)
		}
	}
}

// TryTake makes one attempt to take a message, waiting up to wait for one
// in Redis (0: not at all). It returns redisqueue.ErrEmpty if there was
// none, errIdle once the queue has been idle for --idle (in a run that ends
// when idle), and another error, after saying once that Redis is
// unavailable, if Redis could not be reached.
func (c *consumer) TryTake(ctx context.Context, wait time.Duration) (string, error) {
	if c.idle() {
		return "", errIdle
	}
	var msg string
	var err error
	if c.flags.Unsafe {
		msg, err = c.queue.TakeUnsafe(ctx, wait)
	} else {
		msg, err = c.queue.Take(ctx, wait)
	}
	switch {
	case err == nil:
		c.recovered()
		c.mu.Lock()
		c.inflight++
		c.last = time.Now()
		c.mu.Unlock()
	case errors.Is(err, redisqueue.ErrEmpty):
		c.recovered()
	case ctx.Err() == nil:
		c.unavailable(err)
	}
	return msg, err
}

func (c *consumer) idle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.untilQ && c.inflight == 0 && time.Since(c.last) >= c.clock.Real(seconds(c.flags.Idle))
}

func (c *consumer) unavailable(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.outage {
		c.outage = true
		c.rec.Printf("", "Redis is unavailable (%v); retrying", err)
	}
}

func (c *consumer) recovered() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outage {
		c.outage = false
		c.rec.Printf("", "Redis is back")
	}
}

// Parse checks a message: x must be a whole number of seconds from 1 to
// --max. A message that is not goes to the dead-letter list with the
// reason (the tutorial's int(task) would kill the consumer), and Parse
// returns false.
func (c *consumer) Parse(ctx context.Context, msg string) (int, bool) {
	x, err := strconv.Atoi(strings.TrimSpace(msg))
	reason := ""
	switch {
	case err != nil || x < 1:
		reason = "not a positive whole number"
	case x > c.flags.Max:
		reason = fmt.Sprintf("over the maximum of %d", c.flags.Max)
	}
	if reason == "" {
		return x, true
	}
	c.rec.Printf("", "poison message %q: %s; moved to %s", msg, reason, c.queue.DeadKey())
	c.finish(ctx, msg, errors.New(reason))
	return 0, false
}

// Track finishes msg when the coroutine working on it is done: an error it
// raised in the loop thread reaches this goroutine through the future, and
// is reported with the message that caused it.
func (c *consumer) Track(ctx context.Context, msg string, f *aio.ConcurrentFuture) {
	c.work.Go(func() {
		_, err := f.Wait(ctx)
		if ctx.Err() != nil {
			return // stopped: the message stays in processing for the next run
		}
		if err != nil {
			c.rec.Printf("", "error from the loop thread, message %q: %v", msg, err)
		}
		c.finish(ctx, msg, err)
	})
}

// Done finishes msg after the work on it ended, with err if it failed.
func (c *consumer) Done(ctx context.Context, msg string, err error) {
	if ctx.Err() == nil {
		c.finish(ctx, msg, err)
	}
}

// finish acknowledges msg, or dead-letters it if err is not nil, retrying
// while Redis is unreachable.
func (c *consumer) finish(ctx context.Context, msg string, err error) {
	defer func() {
		c.mu.Lock()
		c.inflight--
		c.last = time.Now()
		c.mu.Unlock()
	}()
	if c.flags.Unsafe && err == nil {
		return // nothing to acknowledge: RPOP already removed it
	}
	backoff := 100 * time.Millisecond
	id := redisqueue.NewID() // the same for every attempt: a retry after a lost reply acts once
	for {
		var ferr error
		if err != nil {
			ferr = c.queue.Reject(ctx, msg, err.Error(), id, !c.flags.Unsafe)
		} else {
			ferr = c.queue.Ack(ctx, msg, id)
		}
		if ferr == nil || ctx.Err() != nil {
			if ferr == nil {
				c.recovered()
			}
			return
		}
		c.unavailable(ferr)
		sleepCtx(ctx, backoff)
		backoff = min(2*backoff, 2*time.Second)
	}
}

// Wait waits for the work in flight to be finished.
func (c *consumer) Wait() { c.work.Wait() }

// end turns how a consumer's loop ended into the lesson's result.
func (c *consumer) end(err error) error {
	c.Wait()
	if errors.Is(err, errIdle) {
		c.rec.Printf("", "queue idle for %v s: done", formatSeconds(c.flags.Idle))
		return nil
	}
	return err
}

// runConsumer records one run of a lesson that consumes the queue: it
// opens the queue (and, with no real Redis, starts the embedded one and its
// producer), recovers what an earlier run left, and runs the style's body.
func runConsumer(e *Env, f *redisFlags, script []push, name string,
	aioBody func(l *aio.Loop, c *consumer) error, goBody func(ctx context.Context, c *consumer) error) error {
	// Ctrl+C while connecting or recovering is no error, whatever the
	// client makes of it ("context canceled", "operation was canceled").
	interrupted := func(err error) error {
		if err != nil && e.Ctx.Err() != nil {
			return ErrInterrupted
		}
		return err
	}
	s, err := openRedis(e.Ctx, e, f)
	if err != nil {
		return interrupted(err)
	}
	defer s.Close()
	open := func() (*consumer, error) {
		if !s.external {
			s.startProducer(e.Ctx, e, f, script)
		}
		c, err := newConsumer(e.Ctx, s, f, e)
		return c, interrupted(err)
	}
	_, err = e.RunStyle(name,
		func(l *aio.Loop) error {
			c, err := open()
			if err != nil {
				return err
			}
			return e.Interrupted(aioBody(l, c))
		},
		func(ctx context.Context) error {
			c, err := open()
			if err != nil {
				return err
			}
			return goBody(ctx, c)
		})
	return err
}

// sleepCtx sleeps for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
