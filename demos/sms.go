package demos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"asyncdemo/demos/aio"
	"asyncdemo/demos/consumer"
	"asyncdemo/demos/lesson"
	"asyncdemo/demos/smsapi"
	"asyncdemo/timing"
)

// smsAio is the tutorial's SMS consumer: the same master-worker program as
// the queue lesson, but each coroutine calls the slow SMS API over HTTP,
// and on failure calls /error, the alarm. The HTTP call runs off the loop
// (t.ToThread), so the loop goes on with the other messages meanwhile.
func smsAio(ctx context.Context, l *aio.Loop, c *consumer.Consumer, api *smsapi.Client, r *timing.Recorder) error {
	stop := startLoop(l)
	defer stop()
	fetch := func(t *aio.Task, path string) (string, error) {
		res, err := t.ToThread(func(ctx context.Context) (any, error) { return api.Get(ctx, path) })
		resp, _ := res.(smsapi.Response)
		if resp.Status != 0 {
			r.Printf(t.Name(), "%d", resp.Status) // print(resp.status)
		}
		return resp.Text, err
	}
	stopped := func(err error) bool { // Ctrl+C: the loop cancelled or destroyed us
		return errors.Is(err, aio.ErrCancelled) || errors.Is(err, aio.ErrDestroyed)
	}
	doSomeWork := func(x int) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			r.Printf(t.Name(), "Waiting %d", x)
			ret, err := fetch(t, fmt.Sprintf("/%d", x))
			if stopped(err) {
				return nil, err // not a failed send: no alarm
			}
			if err != nil {
				r.Printf(t.Name(), "sending failed: %v; calling /error", err)
				alarm, err := fetch(t, "/error")
				if stopped(err) {
					return nil, err
				}
				if err != nil {
					r.Printf(t.Name(), "%v", err)
					return nil, err
				}
				r.Printf(t.Name(), "%s", alarm)
				return nil, nil
			}
			r.Printf(t.Name(), "%s", ret)
			r.Printf(t.Name(), "Done %d", x)
			return nil, nil
		}
	}
	for {
		msg, err := c.Next(ctx) // rcon.brpop("queue")
		if err != nil {
			return c.End(err)
		}
		x, ok := c.Parse(ctx, msg)
		if !ok {
			continue
		}
		f, err := l.RunCoroutineThreadsafe(doSomeWork(x), lesson.Call("do_some_work", x))
		if err != nil {
			return err
		}
		c.Track(ctx, msg, f)
	}
}

// smsGo starts a goroutine per message, which calls the API with the shared client.
func smsGo(ctx context.Context, c *consumer.Consumer, api *smsapi.Client, r *timing.Recorder) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		msg, err := c.Next(ctx)
		if err != nil {
			wg.Wait()
			return c.End(err)
		}
		x, ok := c.Parse(ctx, msg)
		if !ok {
			continue
		}
		wg.Go(func() {
			name := lesson.Call("do_some_work", x)
			r.Begin(name, name)
			defer r.End(name, timing.StateDone)
			r.Printf(name, "Waiting %d", x)
			resp, err := api.Get(ctx, fmt.Sprintf("/%d", x))
			if resp.Status != 0 {
				r.Printf(name, "%d", resp.Status)
			}
			if err != nil {
				if ctx.Err() != nil {
					return // Ctrl+C: not acknowledged, recovered next time
				}
				r.Printf(name, "sending failed: %v; calling /error", err)
				if alarm, err := api.Get(ctx, "/error"); err != nil {
					r.Printf(name, "%v", err)
				} else {
					r.Printf(name, "%s", alarm.Text)
				}
			} else {
				r.Printf(name, "%s", resp.Text)
				r.Printf(name, "Done %d", x)
			}
			c.Done(ctx, msg, nil)
		})
	}
}

// smsLesson is lesson 11.
type smsLesson struct {
	redis    consumer.Flags
	URL      string
	Timeout  float64
	MaxDelay float64
}

// smsScript pushes 5, 1 and 1 in quick succession, as the tutorial did.
var smsScript = []consumer.Push{{At: 0, Value: "5"}, {At: 0.2, Value: "1"}, {At: 0.4, Value: "1"}}

func (s *smsLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "sms",
		Question: &lesson.Question{Kind: "first", Choices: []lesson.Choice{{Label: "5 It works", Text: "5 It works"}, {Label: "1 It works", Text: "1 It works"}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"startLoop", "smsAio"}, lesson.StyleGo: {"smsGo"}},
		Group:    "Redis and HTTP",
		Network:  true,
		Twin:     &lesson.Twin{Modules: []string{"redis.asyncio", "aiohttp"}, Order: consumer.Order},
	}
}

func (s *smsLesson) AddFlags(fs *pflag.FlagSet) {
	s.redis.Add(fs, "5,1,1")
	fs.StringVar(&s.URL, "url", "", "call the SMS API at `URL` (e.g. one started with asyncdemo sms-server) instead of an embedded one")
	fs.Var(lesson.SecondsFlag(&s.Timeout), "timeout", "give up a call after this many seconds (then /error is called)")
	fs.Var(lesson.SecondsFlag(&s.MaxDelay), "max-delay", "the embedded API's longest delay, in seconds")
}

func (s *smsLesson) Run(e *lesson.Env) error {
	base := s.URL
	if base == "" {
		url, stop, err := consumer.ServeSMS(e.Clock, lesson.Seconds(s.MaxDelay))
		if err != nil {
			return fmt.Errorf("embedding the SMS API: %w", err)
		}
		defer stop()
		base = url
		if e.Printer != nil {
			e.Printer.Note("The SMS API is embedded at " + base + ".")
		}
	}
	api := smsapi.NewClient(base, e.Clock.Real(lesson.Seconds(s.Timeout)), 256)
	defer api.CloseIdleConnections()
	return consumer.Run(e, &s.redis, smsScript, "sms",
		func(l *aio.Loop, c *consumer.Consumer) error { return smsAio(e.Ctx, l, c, api, e.Rec) },
		func(ctx context.Context, c *consumer.Consumer) error { return smsGo(ctx, c, api, e.Rec) })
}

// smsServerCommand is "asyncdemo sms-server": the API on its own, for a
// second terminal.
type smsServerCommand struct {
	Addr     string
	MaxDelay float64
}

func (s *smsServerCommand) Info() lesson.Info {
	return lesson.Info{
		Name: "sms-server", Group: "Tools", Tool: true, HandlesInterrupt: true,
	}
}

func (s *smsServerCommand) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.Addr, "addr", "127.0.0.1:5000", "listen on `HOST:PORT` (loopback by default)")
	fs.Var(lesson.SecondsFlag(&s.MaxDelay), "max-delay", "the longest delay a call may ask for, in seconds")
}

func (s *smsServerCommand) Run(e *lesson.Env) error {
	l, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return lesson.UsageError{Err: fmt.Errorf("--addr %q: %w", s.Addr, err)}
	}
	if host, _, err := net.SplitHostPort(s.Addr); s.Addr == "" || (err == nil && (host == "" || net.ParseIP(host).IsUnspecified())) {
		e.Rec.Printf("", "warning: --addr %q listens on every network interface: anyone who can reach this machine can call it (127.0.0.1:PORT keeps it to this machine)", s.Addr)
	}
	n := smsapi.MaxConns()
	l = smsapi.LimitListener(l, n)
	e.Rec.Printf("", "SMS API listening on http://%s (GET /<x> answers after x s, x up to %v; GET /error; at most %d connections at once); Ctrl+C stops it",
		l.Addr(), s.MaxDelay, n)
	stop := context.AfterFunc(e.Ctx, func() {
		e.Rec.Printf("", "Ctrl+C: no new calls; waiting up to 5 s for the calls in progress")
	})
	defer stop()
	if err := smsapi.Serve(e.Ctx, l, smsapi.Handler(e.Clock, lesson.Seconds(s.MaxDelay)), 5*time.Second); err != nil {
		return err
	}
	e.Rec.Printf("", "stopped")
	return lesson.ErrInterrupted // a Ctrl+C ended it, gracefully: exit code 130
}

// TextValues implements lesson.Texter: the texts say who pushes what.
func (s *smsLesson) TextValues(labels map[string]string) map[string]string {
	return map[string]string{"pushes": s.redis.Pushes(labels, "pushes_sms", smsScript)}
}

// HostTwin implements lesson.TwinHost: the queue's Redis, and an SMS API of
// the twin's own unless --url names one.
func (s *smsLesson) HostTwin(e *lesson.Env) ([]string, func(), error) {
	args, stopRedis, err := s.redis.HostTwin(smsScript)
	if err != nil || s.URL != "" {
		return args, stopRedis, err
	}
	url, stopAPI, err := consumer.ServeSMS(e.Clock, lesson.Seconds(s.MaxDelay))
	if err != nil {
		stopRedis()
		return nil, nil, fmt.Errorf("for the twin: %w", err)
	}
	return append(args, "--url="+url), func() { stopAPI(); stopRedis() }, nil
}
