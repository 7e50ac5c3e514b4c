package demos

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/consumer"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue"

	"github.com/spf13/pflag"
)

// pushCommand is "asyncdemo push V...": the producer, LPUSH onto the queue,
// as the tutorial does with redis-cli. With --from-dead it replays the dead
// letters instead, once what made them fail has been fixed.
type pushCommand struct {
	redis    consumer.Flags
	values   []string
	FromDead bool   // replay the dead letters instead of pushing values
	Reason   string // with FromDead: only the dead letters whose reason contains it
	DryRun   bool   // with FromDead: list them and change nothing
}

func (p *pushCommand) Info() lesson.Info {
	return lesson.Info{
		Name: "push", Group: "Tools", Tool: true, Args: "[V... | --from-dead]",
	}
}

func (p *pushCommand) AddFlags(fs *pflag.FlagSet) {
	fs.Var(consumer.URLFlag(&p.redis.URL), "redis", "the Redis at `URL` (redis://HOST:PORT/DB; also REDIS_URL)")
	fs.BoolVar(&p.FromDead, "from-dead", false, "instead of pushing values, move the dead letters (queue:dead) back onto the queue, oldest first, each exactly as it was pushed")
	fs.StringVar(&p.Reason, "reason", "", "with --from-dead: only the dead letters whose reason contains `TEXT`")
	fs.BoolVar(&p.DryRun, "dry-run", false, "with --from-dead: list the dead letters it would replay, and change nothing")
}

// SetArgs takes the values to push; Run checks them against the flags.
func (p *pushCommand) SetArgs(args []string) error {
	p.values = args
	return nil
}

// check finds a bad command line before anything connects to Redis.
func (p *pushCommand) check() error {
	switch {
	case p.FromDead && len(p.values) > 0:
		return fmt.Errorf("push takes values or --from-dead, not both (got %d value(s) with --from-dead)", len(p.values))
	case !p.FromDead && p.Reason != "":
		return errors.New("--reason chooses dead letters to replay: it needs --from-dead")
	case !p.FromDead && p.DryRun:
		return errors.New("--dry-run lists the dead letters --from-dead would replay: it needs --from-dead")
	case !p.FromDead && len(p.values) == 0:
		return errors.New("push needs at least one value, e.g. asyncdemo push 5 1 1 (or --from-dead, to replay the dead letters)")
	}
	return nil
}

func (p *pushCommand) Run(e *lesson.Env) error {
	if err := p.check(); err != nil {
		return lesson.UsageError{Err: err}
	}
	if !p.redis.External() {
		return lesson.UsageError{Err: errors.New("push needs a real Redis: give --redis redis://HOST:PORT/DB or set REDIS_URL")}
	}
	s, err := consumer.Open(e.Ctx, e, &p.redis)
	if err != nil {
		return err
	}
	defer s.Close()
	if p.FromDead {
		return e.Interrupted(p.replay(e, s))
	}
	if err := s.Queue.Push(e.Ctx, p.values...); err != nil {
		return err
	}
	n, err := s.Client.LLen(e.Ctx, consumer.Key).Result()
	if err != nil {
		return fmt.Errorf("reading the queue's length: %w", err)
	}
	args := make([]string, len(p.values))
	for i, v := range p.values {
		args[i] = quotedIfNeeded(v) // outside text: never raw on the terminal
	}
	e.Rec.Printf("", "LPUSH queue %s: %d waiting", strings.Join(args, " "), n)
	return nil
}

// replay moves the dead letters that --reason chooses back onto the queue
// (with --dry-run, only lists them), printing each, then what is left.
func (p *pushCommand) replay(e *lesson.Env, s *consumer.Session) error {
	q := s.Queue
	keep := func(d redisqueue.DeadLetter) bool { return strings.Contains(d.Reason, p.Reason) }
	verb, replay := "replayed", q.Replay
	if p.DryRun {
		verb, replay = "would replay", q.Replayable
	}
	dead, err := replay(e.Ctx, keep)
	for _, d := range dead {
		// Values and reasons come from outside: quoted, they cannot act
		// on the terminal, and a value's every byte shows.
		e.Rec.Printf("", "%s %q: reason %q%s", verb, d.Value, d.Reason, diedWhere(d))
	}
	if err != nil {
		return err
	}
	left, err := s.Client.LLen(e.Ctx, q.DeadKey()).Result()
	if err != nil {
		return fmt.Errorf("reading %s's length: %w", q.DeadKey(), err)
	}
	chosen := ""
	if p.Reason != "" {
		chosen = fmt.Sprintf(" whose reason contains %q", p.Reason)
	}
	switch {
	case len(dead) == 0:
		e.Rec.Printf("", "no dead letter%s to replay; %d in %s", chosen, left, q.DeadKey())
	case p.DryRun:
		e.Rec.Printf("", "--dry-run: would replay %d dead letter(s)%s onto %s, oldest first; nothing changed, %d in %s",
			len(dead), chosen, q.Key(), left, q.DeadKey())
	default:
		e.Rec.Printf("", "replayed %d dead letter(s)%s onto %s, oldest first; %d left in %s",
			len(dead), chosen, q.Key(), left, q.DeadKey())
	}
	return nil
}

// diedWhere says which consumer dead-lettered d, and when, as far as its
// entry says.
func diedWhere(d redisqueue.DeadLetter) string {
	var where []string
	if d.Consumer != "" {
		where = append(where, quotedIfNeeded(d.Consumer))
	}
	if !d.At.IsZero() {
		where = append(where, d.At.UTC().Format(time.DateTime)+" UTC")
	}
	if len(where) == 0 {
		return ""
	}
	return " (" + strings.Join(where, ", ") + ")"
}

// quotedIfNeeded returns s, or s quoted as a Go string if it is empty or
// has anything a Go string literal would escape (a control character, a
// byte that is not UTF-8, a quote), a space or a single quote: bare, it
// would act on the terminal, or not read back as one value.
func quotedIfNeeded(s string) string {
	if q := strconv.Quote(s); q != `"`+s+`"` || s == "" || strings.ContainsAny(s, " '") {
		return q
	}
	return s
}
