package demos

import (
	"errors"
	"fmt"

	"asyncdemo/demos/consumer"
	"asyncdemo/demos/lesson"

	"github.com/spf13/pflag"
)

// pushCommand is "asyncdemo push V...": the producer, LPUSH onto the queue,
// as the tutorial does with redis-cli.
type pushCommand struct {
	redis  consumer.Flags
	values []string
}

func (p *pushCommand) Info() lesson.Info {
	return lesson.Info{
		Name: "push", Group: "Tools", Tool: true, Args: "V...",
	}
}

func (p *pushCommand) AddFlags(fs *pflag.FlagSet) {
	fs.Var(consumer.URLFlag(&p.redis.URL), "redis", "the Redis at `URL` (redis://HOST:PORT/DB; also REDIS_URL)")
}

// SetArgs takes the values to push.
func (p *pushCommand) SetArgs(args []string) error {
	if len(args) == 0 {
		return errors.New("push needs at least one value, e.g. asyncdemo push 5 1 1")
	}
	p.values = args
	return nil
}

func (p *pushCommand) Run(e *lesson.Env) error {
	if !p.redis.External() {
		return lesson.UsageError{Err: errors.New("push needs a real Redis: give --redis redis://HOST:PORT/DB or set REDIS_URL")}
	}
	s, err := consumer.Open(e.Ctx, e, &p.redis)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Queue.Push(e.Ctx, p.values...); err != nil {
		return err
	}
	n, err := s.Client.LLen(e.Ctx, consumer.Key).Result()
	if err != nil {
		return fmt.Errorf("reading the queue's length: %w", err)
	}
	e.Rec.Printf("", "LPUSH queue %v: %d waiting", p.values, n)
	return nil
}
