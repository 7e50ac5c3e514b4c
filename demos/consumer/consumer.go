// Package consumer is what lessons 10 to 12 (queue, sms, workers) share:
// where Redis is (their flags; an embedded server, or the user's), the
// scripted producer that plays the tutorial's redis-cli session, a consumer
// that loses nothing, and what their Python twins need to run beside them.
package consumer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/timing"
)

// Key and DB are the tutorial's: LPUSH queue ... in db 3.
const (
	Key = "queue"
	DB  = 3
)

// Flags are the flags of the lessons that consume the queue.
type Flags struct {
	URL      string // --redis; empty: REDIS_URL, else an embedded server
	Mode     string // "poll" (RPOP, sleep 1 s when empty) or "block" (BRPOP)
	Unsafe   bool   // take with RPOP as the tutorial does: a crash loses the message
	Idle     float64
	IdleSet  bool     // --idle was given: a run on --redis ends when idle too
	Consumer string   // --consumer; empty: a name of this process's own (UniqueName)
	Messages []string // what the embedded run's producer pushes
	Max      int      // the largest x a message may ask for
	Lease    float64  // --heartbeat: seconds a consumer may be silent before the others reclaim its messages
	Workers  int      // how many goroutines take from Redis at once (workers' --workers); sizes the connection pools
}

// Add adds the flags to fs; messages are what the embedded run's producer
// pushes by default, comma-separated.
func (f *Flags) Add(fs *pflag.FlagSet, messages string) {
	f.Messages = strings.Split(messages, ",")
	fs.Var(URLFlag(&f.URL), "redis", "use the Redis at `URL` (redis://HOST:PORT/DB; also REDIS_URL) and run until Ctrl+C (or --idle)")
	fs.Var(lesson.ChoiceFlag(&f.Mode, "poll", "block"), "mode", "poll: RPOP, sleeping 1 s when empty; block: BRPOP")
	fs.BoolVar(&f.Unsafe, "unsafe", false, "take messages with plain RPOP, as the tutorial does (a crash loses them)")
	fs.Var(idleValue{f}, "idle", "stop after the queue has been empty this long, in seconds (with --redis, only if given)")
	fs.StringVar(&f.Consumer, "consumer", "", "this consumer's name, its processing list queue:processing:NAME (default: HOST-PID-RANDOM, unique)")
	f.Lease = DefaultLease.Seconds()
	fs.Var(leaseValue{&f.Lease}, "heartbeat", fmt.Sprintf("a consumer silent this many seconds (real time; %v to %d, the heartbeat is renewed three times in that time) is presumed crashed: the others put its messages back on the queue",
		MinLease.Seconds(), lesson.MaxSeconds))
	fs.Var(messagesValue{&f.Messages}, "messages", "what the embedded run's producer pushes, comma-separated")
	fs.Var(lesson.CountFlag(&f.Max, 1, lesson.MaxSeconds), "max", "the largest x a message may ask for; larger ones are dead-lettered")
}

// URLFlag returns the value of a --redis flag, stored in p: a URL that
// go-redis can parse.
func URLFlag(p *string) pflag.Value { return redisURLValue{p} }

type redisURLValue struct{ p *string }

func (v redisURLValue) String() string { return *v.p }
func (v redisURLValue) Type() string   { return "URL" }
func (v redisURLValue) Set(s string) error {
	if _, err := redis.ParseURL(s); err != nil {
		return fmt.Errorf("%q is not a Redis URL (want redis://HOST:PORT/DB): %s", Redacted(s), redactIn(s, err.Error()))
	}
	*v.p = s
	return nil
}

// userInfo matches what comes before the host in a URL: the user name and
// password of redis://user:password@host, up to the last @ before the
// path, as url.Parse reads it.
var userInfo = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@`)

// Redacted returns the Redis URL u with its user name and password, if it
// has any, replaced by xxxxx: what may be printed of it.
func Redacted(u string) string {
	return userInfo.ReplaceAllString(u, "${1}xxxxx@")
}

// redactIn returns text, an error's words about the URL u, with u's user
// name and password replaced by xxxxx wherever they appear.
func redactIn(u, text string) string {
	m := userInfo.FindStringSubmatch(u)
	if m == nil || m[2] == "" {
		return text
	}
	text = strings.ReplaceAll(text, u, Redacted(u))
	for _, secret := range []string{m[2], url.PathEscape(m[2]), url.QueryEscape(m[2])} {
		text = strings.ReplaceAll(text, secret, "xxxxx")
	}
	if user, pass, ok := strings.Cut(m[2], ":"); ok {
		for _, secret := range []string{pass, user} {
			if len(secret) >= 3 { // a short user name such as "a" would blank out words
				text = strings.ReplaceAll(text, secret, "xxxxx")
			}
		}
	}
	return text
}

// idleValue is the --idle flag: seconds, and that they were given.
type idleValue struct{ f *Flags }

func (v idleValue) String() string { return lesson.FormatSeconds(v.f.Idle) }
func (v idleValue) Type() string   { return "seconds" }
func (v idleValue) Set(s string) error {
	if err := lesson.SecondsFlag(&v.f.Idle).Set(s); err != nil {
		return err
	}
	v.f.IdleSet = true
	return nil
}

// leaseValue is the --heartbeat flag: seconds, from MinLease to an hour.
// Whatever is wrong with a value, the error says the same: the value, and
// the range.
type leaseValue struct{ p *float64 }

func (v leaseValue) String() string { return lesson.FormatSeconds(*v.p) }
func (v leaseValue) Type() string   { return "seconds" }
func (v leaseValue) Set(s string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(x >= MinLease.Seconds() && x <= lesson.MaxSeconds) { // NaN is neither
		return fmt.Errorf("%q is not a number of seconds from %v to %d", s, MinLease.Seconds(), lesson.MaxSeconds)
	}
	*v.p = x
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

// External reports whether the flags name a Redis of the user's (--redis,
// or REDIS_URL), rather than an embedded one.
func (f *Flags) External() bool { return f.URL != "" || os.Getenv("REDIS_URL") != "" }

// Push is one message of the scripted producer and when it is pushed.
type Push struct {
	At    float64 // seconds after the start
	Value string
}

// DefaultLease is how long a consumer may go without a heartbeat before
// the others presume it crashed and put its messages back on the queue
// (--heartbeat): long enough for a Redis restart or a pause of the consumer's
// process, short enough that a class sees the messages of a killed consumer
// come back.
const DefaultLease = 10 * time.Second

// MinLease is the shortest --heartbeat: the heartbeat is renewed three
// times a lease.
const MinLease = 300 * time.Millisecond

// UniqueName returns a consumer name of this process's own: the host, the
// process id and a random part (a container's process ids repeat).
func UniqueName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), strings.ToLower(redisqueue.NewID()[:4]))
}

// Session is a connection to the queue, with the embedded server when there
// is no real Redis.
type Session struct {
	Client   *redis.Client
	Queue    *redisqueue.Queue
	blocking *redis.Client // for the commands that wait in Redis; closed on Ctrl+C
	external bool
	where    string // what the lesson says it consumes
	said     bool   // it has said so
	stop     func() // stops the embedded server

	mu    sync.Mutex
	lease string // the token of the lease Prepare took, until a consumer adopts it
}

// Open connects to the Redis the flags name, or starts an embedded
// one on a free loopback port. It fails within a few seconds if Redis
// cannot be reached.
func Open(ctx context.Context, e *lesson.Env, f *Flags) (*Session, error) {
	url := f.URL
	if url == "" {
		url = os.Getenv("REDIS_URL")
		if url != "" {
			if err := (redisURLValue{new(string)}).Set(url); err != nil {
				return nil, lesson.UsageError{Err: fmt.Errorf("REDIS_URL: %w", err)}
			}
		}
	}
	s := &Session{stop: func() {}}
	var opts *redis.Options
	if url != "" {
		opts, _ = redis.ParseURL(url)
		s.external = true
	} else {
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("starting the embedded Redis: %w", err)
		}
		opts = &redis.Options{Addr: m.Addr(), DB: DB}
		s.stop = m.Close
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 2*time.Second, 3*time.Second, 3*time.Second
	// Every worker may wait in Redis for a message (on the blocking client)
	// and acknowledge another (on this one) at once; a few more connections
	// serve the heartbeat, the producer and the master.
	workers := max(f.Workers, 1)
	opts.PoolSize = max(10*runtime.GOMAXPROCS(0), workers+4)
	s.Client = redis.NewClient(opts)
	blocking := *opts
	blocking.PoolSize = workers + 1
	s.blocking = redis.NewClient(&blocking)
	name := f.Consumer
	if name == "" {
		name = UniqueName()
	}
	s.Queue = redisqueue.New(s.Client, Key, name)
	s.Queue.SetBlockingClient(s.blocking)
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := s.Client.Ping(pingCtx).Err(); err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s: %w", opts.Addr, err)
	}
	where := e.Say("note_redis_embedded", opts.Addr)
	if s.external {
		where = e.Say("note_redis_external", opts.Addr, name)
	}
	s.where = e.Say("note_consuming", Key, opts.DB, where)
	return s, nil
}

// Prepare opens the queue the flags name, as Open does, and takes the lease
// on the consumer's name (unless --unsafe), before the lesson prints
// anything: a --consumer name that a live consumer holds is a UsageError,
// said in one line. It is what the lessons that consume the queue do as
// lesson.Preparers. Run adopts the session and the lease; Close gives up a
// lease that no run adopted.
func Prepare(e *lesson.Env, f *Flags) (*Session, error) {
	s, err := Open(e.Ctx, e, f)
	if err != nil {
		return nil, interrupted(e, err)
	}
	if f.Unsafe {
		return s, nil // RPOP: no processing list, no lease
	}
	token := redisqueue.NewID()
	if err := s.Queue.Register(e.Ctx, token, leaseOf(f)); err != nil {
		s.Close()
		return nil, interrupted(e, nameInUse(f, err))
	}
	s.lease = token
	return s, nil
}

// leaseOf is how long the consumer's lease on its name lasts unrenewed.
func leaseOf(f *Flags) time.Duration {
	if d := lesson.Seconds(f.Lease); d > 0 {
		return d
	}
	return DefaultLease
}

// nameInUse turns the refusal of a name given with --consumer into a
// usage error that names the flag and the value once; other errors it
// returns as they are.
func nameInUse(f *Flags, err error) error {
	if f.Consumer == "" || !errors.Is(err, redisqueue.ErrNameInUse) {
		return err
	}
	detail := ""
	if inUse, ok := errors.AsType[*redisqueue.NameInUseError](err); ok && inUse.Left >= 0 {
		detail = fmt.Sprintf(" (its heartbeat runs out in %.1f s if it has stopped)", inUse.Left.Seconds())
	}
	return lesson.UsageError{Err: fmt.Errorf("--consumer %q: %w%s; choose another name or leave --consumer out",
		f.Consumer, redisqueue.ErrNameInUse, detail)}
}

// adoptLease returns the token of the lease Prepare took, once: the first
// consumer of the session holds its name with it.
func (s *Session) adoptLease() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	token := s.lease
	s.lease = ""
	return token
}

// say says, once, which queue the lesson consumes.
func (s *Session) say(e *lesson.Env) {
	if e.Printer != nil && !e.Tool && !s.said {
		e.Printer.Note(s.where)
	}
	s.said = true
}

// startProducer pushes the script's messages at their times, as the
// tutorial's redis-cli session did; --messages replaces the script with
// one message a second. The function it returns stops it.
func (s *Session) startProducer(ctx context.Context, e *lesson.Env, f *Flags, script []Push) (stop func()) {
	script = f.script(script)
	producer := redisqueue.New(s.Client, Key, "producer")
	// What is pushed at 0 s is there before the consumer starts, so the
	// run does not depend on which of the two goroutines goes first.
	for len(script) > 0 && script[0].At == 0 {
		e.Rec.Printf("producer", "LPUSH queue %s", script[0].Value)
		producer.Push(ctx, script[0].Value)
		script = script[1:]
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		for _, p := range script {
			select {
			case <-time.After(time.Until(start.Add(e.Clock.Real(lesson.Seconds(p.At))))):
			case <-ctx.Done():
				return
			}
			e.Rec.Printf("producer", "LPUSH queue %s", p.Value)
			producer.Push(ctx, p.Value)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

func sameValues(values []string, script []Push) bool {
	if len(values) != len(script) {
		return false
	}
	for i := range values {
		if values[i] != script[i].Value {
			return false
		}
	}
	return true
}

// Close gives up a lease no consumer adopted, closes the clients and stops
// the embedded server.
func (s *Session) Close() {
	if token := s.adoptLease(); token != "" {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTime)
		s.Queue.Unregister(ctx, token)
		cancel()
	}
	s.blocking.Close()
	s.Client.Close()
	s.stop()
}

// ErrIdle ends a run that ends when idle (an embedded run, or one given
// --idle): the queue has been empty long enough.
var ErrIdle = errors.New("the queue has been idle")

// ErrUnavailable wraps the error of a look at the queue that Redis did not
// answer (it is away, restarting, or loading): worth trying again soon.
var ErrUnavailable = errors.New("Redis is unavailable")

// cleanupTime is how long a consumer that is stopping may take to
// acknowledge the work that finished and to put back the rest.
const cleanupTime = 2 * time.Second

// Consumer takes messages for a lesson and sees that none is lost: each is
// acknowledged when its work is done, dead-lettered with a reason if it
// cannot be done, or put back on the queue when the consumer stops. While
// it runs, it holds a lease on its name (a heartbeat), and puts back the
// messages of consumers whose heartbeat stopped.
type Consumer struct {
	queue  *redisqueue.Queue
	flags  *Flags
	clock  *timing.Clock
	rec    *timing.Recorder
	untilQ bool   // end once the queue is idle (embedded runs, or --idle given)
	token  string // holds the lease on the consumer's name
	lease  time.Duration
	run    context.Context // the run's: done on Ctrl+C, when the client that waits in Redis is closed

	mu       sync.Mutex
	inflight int
	last     time.Time // when a message was last taken or finished, or Redis last failed to answer
	outage   bool
	fatal    error           // an error retrying will not fix: the run ends with it
	reported map[string]bool // errors said once already
	work     sync.WaitGroup

	stopBeat func() // stops the heartbeat
}

func newConsumer(ctx context.Context, s *Session, f *Flags, e *lesson.Env) (*Consumer, error) {
	c := &Consumer{queue: s.Queue, flags: f, clock: e.Clock, rec: e.Rec, untilQ: !s.external || f.IdleSet,
		last: time.Now(), lease: leaseOf(f), run: ctx, reported: map[string]bool{}, stopBeat: func() {}}
	if f.Unsafe {
		return c, nil // RPOP: no processing list to look after
	}
	// The lease Prepare took, renewed at once (if it ran out meanwhile, it
	// is taken again); or, for a later run of the lesson, a new one.
	var err error
	if c.token = s.adoptLease(); c.token != "" {
		if err = s.Queue.Heartbeat(ctx, c.token, c.lease); errors.Is(err, redisqueue.ErrLeaseLost) {
			err = nil
		}
	} else {
		c.token = redisqueue.NewID()
		err = s.Queue.Register(ctx, c.token, c.lease)
	}
	if err != nil {
		return nil, nameInUse(f, err)
	}
	n, err := s.Queue.Recover(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		c.rec.Printf("", "recovered %d message(s) a previous run took and did not finish", n)
	}
	c.reclaim(ctx)
	beatCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.beat(beatCtx)
	}()
	c.stopBeat = func() { stop(); <-done }
	return c, nil
}

// beat renews the lease on the consumer's name every third of its length,
// and puts back the messages of consumers presumed dead, until ctx is done.
func (c *Consumer) beat(ctx context.Context) {
	t := time.NewTicker(c.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		err := c.queue.Heartbeat(ctx, c.token, c.lease)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, redisqueue.ErrLeaseLost), errors.Is(err, redisqueue.ErrNameInUse):
			c.rec.Printf("", "warning: %v", err)
		case err != nil:
			continue // Redis is away: the consumer's own commands say so
		}
		c.reclaim(ctx)
	}
}

// reclaim puts back the messages of consumers whose heartbeat stopped, and
// says so.
func (c *Consumer) reclaim(ctx context.Context) {
	back, err := c.queue.Reclaim(ctx)
	for _, r := range back {
		c.rec.Printf("", "put back %d message(s) of consumer %q: its heartbeat stopped (it crashed, or was stopped without cleaning up)",
			r.Messages, r.Consumer)
	}
	if err != nil && ctx.Err() == nil && !redisqueue.Transient(err) {
		c.reportOnce(err, "looking for the messages of crashed consumers failed: %v", err)
	}
}

// Next takes the next message. In poll mode it tries once a second (RPOP,
// then sleep 1 s); in block mode it waits in Redis (BRPOP). While Redis is
// unreachable it says so once and retries, backing off up to 2 s. It
// returns ErrIdle once the queue has been idle for --idle (in a run that
// ends when idle), ctx's error on Ctrl+C, and an error that retrying will
// not fix.
func (c *Consumer) Next(ctx context.Context) (string, error) {
	backoff := 100 * time.Millisecond
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		wait := time.Duration(0)
		if c.flags.Mode == "block" {
			wait = time.Second // BRPOP's timeout, so that idleness is noticed
		}
		msg, err := c.TryTake(ctx, wait)
		switch {
		case errors.Is(err, redisqueue.ErrEmpty):
			if c.flags.Mode == "poll" {
				sleepCtx(ctx, c.clock.Real(time.Second)) // time.sleep(1)
			}
		case errors.Is(err, ErrUnavailable):
			sleepCtx(ctx, backoff)
			backoff = min(2*backoff, 2*time.Second)
		default:
			return msg, err
		}
	}
}

// TryTake makes one attempt to take a message, waiting up to wait for one
// in Redis (0: not at all). It returns redisqueue.ErrEmpty if there was
// none, ErrIdle once the queue has been idle for --idle (in a run that ends
// when idle), ErrUnavailable, after saying once that Redis is unavailable,
// if Redis could not be reached, ctx's error on Ctrl+C, and an error that
// retrying will not fix (the queue is not a list, say).
func (c *Consumer) TryTake(ctx context.Context, wait time.Duration) (string, error) {
	if err := c.fatalErr(); err != nil {
		return "", err
	}
	if c.idle() {
		return "", ErrIdle
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
	case ctx.Err() != nil:
		return "", ctx.Err()
	case c.run.Err() != nil: // ctx is a helper goroutine's (ToThread), still going as the run stops
		return "", c.run.Err()
	case redisqueue.Transient(err):
		c.unavailable(err)
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	default:
		c.mu.Lock()
		if c.fatal == nil {
			c.fatal = err
		}
		c.mu.Unlock()
	}
	return msg, err
}

func (c *Consumer) fatalErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fatal
}

func (c *Consumer) idle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.untilQ && c.inflight == 0 && time.Since(c.last) >= c.clock.Real(lesson.Seconds(c.flags.Idle))
}

// unavailable says once that Redis is unavailable. A look at the queue that
// Redis did not answer is no sign that the queue is empty: the count towards
// --idle starts again.
func (c *Consumer) unavailable(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = time.Now()
	if !c.outage {
		c.outage = true
		c.rec.Printf("", "Redis is unavailable (%v); retrying", err)
	}
}

func (c *Consumer) recovered() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outage {
		c.outage = false
		c.rec.Printf("", "Redis is back")
	}
}

// reportOnce says what format and args say, the first time err's cause is
// seen: an error that will not go away by itself is said once, not at
// every message.
func (c *Consumer) reportOnce(err error, format string, args ...any) {
	for errors.Unwrap(err) != nil { // the cause, without the message it was about
		err = errors.Unwrap(err)
	}
	c.mu.Lock()
	seen := c.reported[err.Error()]
	c.reported[err.Error()] = true
	c.mu.Unlock()
	if !seen {
		c.rec.Printf("", format, args...)
	}
}

// Parse checks a message: x must be a whole number of seconds from 1 to
// --max. A message that is not goes to the dead-letter list with the
// reason (the tutorial's int(task) would kill the consumer), and Parse
// returns false.
func (c *Consumer) Parse(ctx context.Context, msg string) (int, bool) {
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
// is reported with the message that caused it, in the words Done uses.
func (c *Consumer) Track(ctx context.Context, msg string, f *aio.ConcurrentFuture) {
	c.work.Go(func() {
		_, err := f.Wait(ctx)
		if ctx.Err() != nil && (!f.Done() || f.Cancelled()) {
			c.abandon() // stopped: the message goes back to the queue
			return
		}
		if err != nil {
			c.Done(ctx, msg, err)
			return
		}
		c.finish(ctx, msg, err)
	})
}

// Done finishes msg after the work on it ended, with err if it failed; also
// after Ctrl+C: work that was done is acknowledged.
func (c *Consumer) Done(ctx context.Context, msg string, err error) {
	if err != nil {
		c.rec.Printf("", "message %q: %v; moved to %s", msg, err, c.queue.DeadKey())
	}
	c.finish(ctx, msg, err)
}

// abandon says that the work on a message taken was stopped (Ctrl+C)
// before it was done: the message goes back to the queue when the consumer
// stops.
func (c *Consumer) abandon() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight--
}

// finish acknowledges msg, or dead-letters it if err is not nil, retrying
// while Redis is unreachable. Once the consumer is stopping (ctx is done),
// it has cleanupTime left.
func (c *Consumer) finish(ctx context.Context, msg string, err error) {
	defer func() {
		c.mu.Lock()
		c.inflight--
		c.last = time.Now()
		c.mu.Unlock()
	}()
	if c.flags.Unsafe && err == nil {
		return // nothing to acknowledge: RPOP already removed it
	}
	ctx, cancel := cleanupContext(ctx)
	defer cancel()
	backoff := 100 * time.Millisecond
	id := redisqueue.NewID() // the same for every attempt: a retry after a lost reply acts once
	for {
		var ferr error
		if err != nil {
			ferr = c.queue.Reject(ctx, msg, err.Error(), id, !c.flags.Unsafe)
		} else {
			ferr = c.queue.Ack(ctx, msg, id)
		}
		switch {
		case ferr == nil:
			c.recovered()
			return
		case ctx.Err() != nil:
			return // out of time: the message stays in processing, to be put back
		case !redisqueue.Transient(ferr):
			c.reportOnce(ferr, "%v: the message stays in %s until this is fixed (further such errors are not shown)", ferr, c.queue.ProcessingKey())
			return
		}
		c.unavailable(ferr)
		sleepCtx(ctx, backoff)
		backoff = min(2*backoff, 2*time.Second)
	}
}

// cleanupContext returns a context that lasts as long as ctx and then, once
// ctx is done (Ctrl+C), cleanupTime more: what a stopping consumer has to
// acknowledge the work it finished, even while it retries because Redis
// is away.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(cleanupTime, cancel)
		context.AfterFunc(cctx, func() { t.Stop() })
	})
	return cctx, func() {
		stop()
		cancel()
	}
}

// Wait waits for the work in flight to be finished.
func (c *Consumer) Wait() { c.work.Wait() }

// End turns how a consumer's loop ended into the lesson's result: it waits
// for the work in flight, and says so when the queue was idle.
func (c *Consumer) End(err error) error {
	c.Wait()
	if fatal := c.fatalErr(); fatal != nil {
		return fatal
	}
	if errors.Is(err, ErrIdle) {
		// Real seconds, as the gutter shows them: --idle 3 at --scale 0.2 is 0.6 s.
		c.rec.Printf("", "queue idle for %v s: done", lesson.FormatSeconds(c.clock.Real(lesson.Seconds(c.flags.Idle)).Seconds()))
		return nil
	}
	return err
}

// stop ends the consumer once its lesson's body has returned err: it puts
// back on the queue what it took and did not finish, and gives up its name.
func (c *Consumer) stop(ctx context.Context, err error) error {
	c.Wait()
	c.stopBeat()
	if c.flags.Unsafe {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTime)
	defer cancel()
	n, rerr := c.queue.Recover(ctx)
	if n > 0 {
		c.rec.Printf("", "put back %d message(s) taken and not finished", n)
	}
	if rerr != nil {
		c.rec.Printf("", "could not put back what %s holds (%v): another consumer will, %v s after this one stopped",
			c.queue.ProcessingKey(), rerr, lesson.FormatSeconds(c.lease.Seconds()))
		return err
	}
	c.queue.Unregister(ctx, c.token)
	return err
}

// Run records one run of a lesson that consumes the queue s, the session
// Prepare opened (nil: Run prepares one of its own): with no real Redis, it
// starts the producer; it recovers what an earlier run left, and runs the
// style's body; then it puts back what the run took and did not finish.
func Run(e *lesson.Env, s *Session, f *Flags, script []Push, name string,
	aioBody func(l *aio.Loop, c *Consumer) error, goBody func(ctx context.Context, c *Consumer) error) error {
	if s == nil {
		var err error
		if s, err = Prepare(e, f); err != nil {
			return err
		}
		defer s.Close()
	}
	s.say(e)
	// go-redis does not end a command on Ctrl+C: closing the client that
	// waits in Redis ends those waits at once.
	defer context.AfterFunc(e.Ctx, func() { s.blocking.Close() })()
	stopProducer := func() {}
	defer func() { stopProducer() }()
	open := func() (*Consumer, error) {
		if !s.external {
			stopProducer = s.startProducer(e.Ctx, e, f, script)
		}
		c, err := newConsumer(e.Ctx, s, f, e)
		return c, interrupted(e, err)
	}
	_, err := e.RunStyle(name,
		func(l *aio.Loop) error {
			c, err := open()
			if err != nil {
				return err
			}
			return e.Interrupted(c.stop(e.Ctx, aioBody(l, c)))
		},
		func(ctx context.Context) error {
			c, err := open()
			if err != nil {
				return err
			}
			return c.stop(ctx, goBody(ctx, c))
		})
	return err
}

// interrupted makes Ctrl+C while connecting or recovering no error,
// whatever the client makes of it ("context canceled", "operation was
// canceled").
func interrupted(e *lesson.Env, err error) error {
	if err != nil && e.Ctx.Err() != nil {
		return lesson.ErrInterrupted
	}
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
