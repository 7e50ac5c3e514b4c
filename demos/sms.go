package demos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/consumer"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/smsapi"
	"github.com/asyncdemo/asyncdemo/timing"
)

// smsAttempts is how many times a careful consumer tries to send a
// message before it gives up and dead-letters it: a timeout, a refused
// connection or a 5xx may pass, so it waits 1 s, then 2 s, and tries again.
// A bad request (4xx) would fail the same way every time: it is not retried.
const smsAttempts = 3

// smsAlarmTimeout is the alarm's own deadline, in the lesson's seconds, for
// a --timeout of timeout: GET /error is known to take smsapi.ErrorDelay
// (3 s), so it is given twice that, or timeout if it is longer (0: no
// deadline, as for every call). Held to a --timeout meant for the
// messages, an alarm of 3 s would fail every time the timeout is shorter.
func smsAlarmTimeout(timeout float64) float64 {
	if timeout == 0 {
		return 0
	}
	return max(timeout, 2*smsapi.ErrorDelay.Seconds())
}

// smsCallError says in plain words why a call to path failed, for the
// learner: "GET /5 timed out after 2 s" for one that got no answer within
// timeout, the lesson's seconds (the HTTP client's own words are "context
// deadline exceeded (Client.Timeout exceeded while awaiting headers)").
// Any other error keeps the client's words, which name what it met: a
// refused connection, the API's answer.
func smsCallError(err error, path string, timeout float64) error {
	if err == nil || !smsapi.TimedOut(err) {
		return err
	}
	return &smsapi.TimeoutError{Path: path, After: lesson.FormatSeconds(timeout) + " s", Err: err}
}

// smsAio is the tutorial's SMS consumer: the same master-worker program as
// the queue lesson, but each coroutine calls the slow SMS API over HTTP.
// The HTTP call runs off the loop (t.ToThread), so the loop goes on with
// the other messages meanwhile. Like asyncio.to_thread, ToThread gives back
// a result or an error: an answer other than 2xx comes back in the error.
// The master takes a message only when one of inFlight slots is free (a
// semaphore): a backlog then waits in Redis, not as thousands of calls that
// time out waiting for a connection. A message not sent after smsAttempts
// tries raises the alarm (/error) and is dead-lettered: the alarm is a
// notification, not a delivery; it is called with alarmAPI, which has a
// deadline of its own. A call that times out says so in plain words, with
// timeout, the calls' --timeout in the lesson's seconds.
func smsAio(ctx context.Context, l *aio.Loop, c *consumer.Consumer, api, alarmAPI *smsapi.Client, r *timing.Recorder, inFlight int, timeout float64) error {
	stop := startLoop(l)
	defer stop()
	fetch := func(t *aio.Task, api *smsapi.Client, path string, timeout float64) (smsapi.Response, error) {
		res, err := t.ToThread(func(ctx context.Context) (any, error) {
			resp, err := api.Get(ctx, path)
			return resp, smsCallError(err, path, timeout)
		})
		resp, _ := res.(smsapi.Response)
		if answer, ok := errors.AsType[*smsapi.StatusError](err); ok {
			resp = answer.Response
		}
		if resp.Status != 0 {
			r.Printf(t.Name(), "%d", resp.Status) // print(resp.status)
		}
		return resp, err
	}
	stopped := func(err error) bool { // Ctrl+C: the loop cancelled or destroyed us
		return errors.Is(err, aio.ErrCancelled) || errors.Is(err, aio.ErrDestroyed)
	}
	send := func(t *aio.Task, x int) error {
		var err error
		for attempt := 1; attempt <= smsAttempts; attempt++ {
			if attempt > 1 {
				wait := 1 << (attempt - 2) // 1 s, then 2 s
				r.Printf(t.Name(), "trying again in %d s", wait)
				if err := t.Sleep(time.Duration(wait) * time.Second); err != nil {
					return err
				}
			}
			var resp smsapi.Response
			resp, err = fetch(t, api, fmt.Sprintf("/%d", x), timeout)
			if err == nil {
				r.Printf(t.Name(), "%s", resp.Text)
				return nil
			}
			if stopped(err) {
				return err
			}
			r.Printf(t.Name(), "sending failed: %v", err)
			if smsapi.BadRequest(err) {
				return fmt.Errorf("not sent, a bad request: %w", err)
			}
		}
		return fmt.Errorf("not sent after %d attempts: %w", smsAttempts, err)
	}
	slots := make(chan struct{}, inFlight) // at most inFlight messages at once
	doSomeWork := func(x int) aio.Coroutine {
		return func(t *aio.Task) (any, error) {
			defer func() { <-slots }() // the message's slot is free again
			r.Printf(t.Name(), "Waiting: %d", x)
			err := send(t, x)
			if err == nil {
				r.Printf(t.Name(), "Done %d", x)
				return nil, nil
			}
			if stopped(err) {
				return nil, err // not a failed send: no alarm
			}
			r.Printf(t.Name(), "calling /error, the alarm")
			alarm, aerr := fetch(t, alarmAPI, "/error", smsAlarmTimeout(timeout))
			switch {
			case stopped(aerr):
				return nil, aerr
			case aerr != nil:
				r.Printf(t.Name(), "the alarm failed too: %v", aerr)
			default:
				r.Printf(t.Name(), "%s", alarm.Text)
			}
			return nil, err // the message goes to queue:dead with the reason
		}
	}
	for {
		select {
		case slots <- struct{}{}: // wait for a free slot before taking a message
		case <-ctx.Done():
			return c.End(ctx.Err())
		}
		msg, err := c.Next(ctx) // rcon.brpop("queue")
		if err != nil {
			return c.End(err)
		}
		x, ok := c.Parse(ctx, msg)
		if !ok {
			<-slots
			continue
		}
		f, err := l.RunCoroutineThreadsafe(doSomeWork(x), lesson.Call("do_some_work", x))
		if err != nil {
			return err
		}
		c.Track(ctx, msg, f) // acknowledge when sent, dead-letter when not
	}
}

// smsGo starts a goroutine per message, which calls the API with the
// shared client; a buffered channel is the semaphore that keeps at most
// inFlight messages in flight. The alarm is called with alarmAPI, which
// has a deadline of its own. A call that times out says so in plain words,
// with timeout, the calls' --timeout in the lesson's seconds.
func smsGo(ctx context.Context, c *consumer.Consumer, api, alarmAPI *smsapi.Client, clock *timing.Clock, r *timing.Recorder, inFlight int, timeout float64) error {
	send := func(name string, x int) error {
		var err error
		for attempt := 1; attempt <= smsAttempts; attempt++ {
			if attempt > 1 {
				wait := 1 << (attempt - 2) // 1 s, then 2 s
				r.Printf(name, "trying again in %d s", wait)
				select {
				case <-clock.After(time.Duration(wait) * time.Second):
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			var resp smsapi.Response
			path := fmt.Sprintf("/%d", x)
			resp, err = api.Get(ctx, path)
			err = smsCallError(err, path, timeout)
			if resp.Status != 0 {
				r.Printf(name, "%d", resp.Status)
			}
			if err == nil {
				r.Printf(name, "%s", resp.Text)
				return nil
			}
			if ctx.Err() != nil {
				return err
			}
			r.Printf(name, "sending failed: %v", err)
			if smsapi.BadRequest(err) {
				return fmt.Errorf("not sent, a bad request: %w", err)
			}
		}
		return fmt.Errorf("not sent after %d attempts: %w", smsAttempts, err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, inFlight)
	for {
		select {
		case slots <- struct{}{}: // wait for a free slot before taking a message
		case <-ctx.Done():
			wg.Wait()
			return c.End(ctx.Err())
		}
		msg, err := c.Next(ctx)
		if err != nil {
			wg.Wait()
			return c.End(err)
		}
		x, ok := c.Parse(ctx, msg)
		if !ok {
			<-slots
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			name := lesson.Call("do_some_work", x)
			r.Begin(name, name)
			state := timing.StateDone
			defer func() { r.End(name, state) }()
			r.Printf(name, "Waiting: %d", x)
			err := send(name, x)
			switch {
			case err == nil:
				r.Printf(name, "Done %d", x)
			case ctx.Err() != nil:
				state = timing.StateCancelled
			default:
				state = timing.StateError // drawn as the aio style draws a task that raised
				r.Printf(name, "calling /error, the alarm")
				if alarm, aerr := alarmAPI.Get(ctx, "/error"); aerr != nil {
					r.Printf(name, "the alarm failed too: %v", smsCallError(aerr, "/error", smsAlarmTimeout(timeout)))
				} else {
					r.Printf(name, "%s", alarm.Text)
				}
			}
			if err != nil && ctx.Err() != nil {
				return // Ctrl+C before it was sent: put back when the consumer stops
			}
			c.Done(ctx, msg, err) // acknowledge when sent, dead-letter when not
		})
	}
}

// smsLesson is lesson 11.
type smsLesson struct {
	redis    consumer.Flags
	queue    *consumer.Session // opened by Prepare
	URL      string
	Timeout  float64
	MaxDelay float64
	InFlight int
}

// smsScript pushes 5, 1 and 1 in quick succession, as the tutorial did.
var smsScript = []consumer.Push{{At: 0, Value: "5"}, {At: 0.2, Value: "1"}, {At: 0.4, Value: "1"}}

func (s *smsLesson) Info() lesson.Info {
	return lesson.Info{
		Name:     "sms",
		Question: &lesson.Question{Kind: "first", Choices: []lesson.Choice{{Label: "5 It works", Text: "5 It works"}, {Label: "1 It works", Text: "1 It works"}}},
		Code:     map[lesson.Style][]string{lesson.StyleAio: {"startLoop", "smsAttempts", "smsAlarmTimeout", "smsCallError", "smsAio"}, lesson.StyleGo: {"smsAttempts", "smsAlarmTimeout", "smsCallError", "smsGo"}},
		Group:    "Redis and HTTP",
		Network:  true,
		Twin:     &lesson.Twin{Modules: []string{"redis.asyncio", "aiohttp"}, Order: consumer.Order},
	}
}

func (s *smsLesson) AddFlags(fs *pflag.FlagSet) {
	s.redis.Add(fs, "5,1,1")
	fs.Var(smsapi.URLFlag(&s.URL), "url", "call the SMS API at `URL`, http:// or https:// (e.g. one started with asyncdemo sms-server) instead of an embedded one")
	fs.Var(lesson.SecondsFlag(&s.Timeout), "timeout", fmt.Sprintf("give up a call after this many seconds, 0 for never (it is tried 3 times, then the alarm, /error, is called with a deadline of its own: %v s, or --timeout if longer)",
		smsAlarmTimeout(1)))
	fs.Var(lesson.CountFlag(&s.InFlight, 1, 1000), "in-flight", "send at most this many messages at once (a semaphore); the rest wait in Redis")
	fs.Var(lesson.SecondsFlag(&s.MaxDelay), "max-delay", "the embedded API's longest delay, in seconds")
}

// smsCheckWait is how long the check that the API at --url is up waits for
// its answer, in real time: as long as the check that Redis is up.
const smsCheckWait = 3 * time.Second

// Prepare implements lesson.Preparer: before anything is printed, it
// checks that the SMS API at --url answers (one line and exit 1 if not:
// every call of the run would fail), then opens the queue and takes the
// consumer's name.
func (s *smsLesson) Prepare(e *lesson.Env) (func(), error) {
	if s.URL != "" {
		u, err := smsapi.ParseURL(s.URL)
		if err != nil {
			return nil, lesson.UsageError{Err: fmt.Errorf("--url: %w", err)}
		}
		api := smsapi.NewClient(u, 0, 1)
		err = api.Reachable(e.Ctx, smsCheckWait)
		api.CloseIdleConnections()
		if e.Ctx.Err() != nil {
			return nil, lesson.ErrInterrupted
		}
		if err != nil {
			return nil, err
		}
	}
	q, err := consumer.Prepare(e, &s.redis)
	if err != nil {
		return nil, err
	}
	s.queue = q
	return q.Close, nil
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
			e.Printer.Note(e.Say("note_sms_embedded", base))
		}
	} else if e.Printer != nil {
		e.Printer.Note(e.Say("note_sms_url", smsapi.Redacted(base), smsapi.CheckPath))
	}
	u, err := smsapi.ParseURL(base)
	if err != nil {
		return lesson.UsageError{Err: fmt.Errorf("--url: %w", err)}
	}
	// A connection for each message in flight: no call waits for one, so
	// --timeout is the call's own time.
	api := smsapi.NewClient(u, e.Clock.Real(lesson.Seconds(s.Timeout)), s.InFlight)
	defer api.CloseIdleConnections()
	if s.URL != "" && e.Clock.Scale() != 1 {
		api.OnTimeout(s.scaleHint(e))
	}
	alarm := api.WithTimeout(e.Clock.Real(lesson.Seconds(smsAlarmTimeout(s.Timeout))))
	return consumer.Run(e, s.queue, &s.redis, smsScript, "sms",
		func(l *aio.Loop, c *consumer.Consumer) error {
			return smsAio(e.Ctx, l, c, api, alarm, e.Rec, s.InFlight, s.Timeout)
		},
		func(ctx context.Context, c *consumer.Consumer) error {
			return smsGo(ctx, c, api, alarm, e.Clock, e.Rec, s.InFlight, s.Timeout)
		})
}

// scaleHint returns what the client calls when a call to --url times out:
// the first time a call that should have answered well within --timeout
// does not, it says once that the API may be running at another --scale
// (an sms-server started without it takes x s for GET /x, not x·scale s).
func (s *smsLesson) scaleHint(e *lesson.Env) func(path string) {
	var once sync.Once
	return func(path string) {
		x, err := strconv.Atoi(strings.TrimPrefix(path, "/"))
		if err != nil || float64(x) >= s.Timeout {
			return // the alarm, or a call meant to outlast --timeout
		}
		once.Do(func() {
			scale := strconv.FormatFloat(e.Clock.Scale(), 'g', -1, 64)
			e.Rec.Printf("", "warning: GET %s timed out, though --timeout is %v s: is the SMS API at --url running at another --scale? "+
				"Start it with the same one (asyncdemo sms-server --scale %s)", path, lesson.FormatSeconds(s.Timeout), scale)
		})
	}
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
	api := smsapi.Logged(smsapi.Handler(e.Clock, lesson.Seconds(s.MaxDelay)), func(r *http.Request, took time.Duration, status int) {
		e.Rec.Printf("", "%s", smsapi.LogLine(r, took, status)) // a line per call, for the class to see them come
	})
	if err := smsapi.Serve(e.Ctx, l, api, 5*time.Second); err != nil {
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
	return append(args, "--url="+url, "--own-api"), func() { stopAPI(); stopRedis() }, nil
}

// RunValues implements lesson.RunTexter: what this run did with its
// messages, counted from what it printed: how many were sent, and whether
// their calls overlapped; how many could not be sent, raised the alarm and
// went to queue:dead, and what the alarm answered; how many were poison.
func (s *smsLesson) RunValues(e *lesson.Env) map[string]string {
	values := map[string]string{"what_happened": "", "failure_path": e.Say("sms_failure_path")}
	if len(e.Runs) == 0 {
		return values
	}
	run := e.Runs[len(e.Runs)-1]
	count := func(prefix string) int { return len(lesson.EventsOf(run, prefix)) }
	sent, failed, alarmFailed, poison := count("Done "), count("calling /error"), count("the alarm failed too"), count("poison message")
	v := map[string]string{"sent": fmt.Sprint(sent), "failed": fmt.Sprint(failed), "poison": fmt.Sprint(poison),
		"answered": fmt.Sprint(failed - alarmFailed), "alarm_failed": fmt.Sprint(alarmFailed),
		"peak": fmt.Sprint(lesson.MostAtOnce(run, "do_some_work("))}
	var said []string
	short, long, overtaken := lesson.Overtaken(run, "do_some_work(")
	switch {
	case sent > 0 && overtaken:
		v["short"], v["short_start"], v["short_end"] = short.Task, lesson.Took(short.Start), lesson.Took(short.End)
		v["long"], v["long_start"] = long.Task, lesson.Took(long.Start)
		said = append(said, "sms_overlapped")
	case sent > 0:
		said = append(said, "sms_no_overlap")
	case failed > 0:
		said = append(said, "sms_none_sent")
	case poison == 0:
		said = append(said, "sms_none")
	}
	if failed > 0 {
		v["alarm"] = e.Say("sms_alarm_mixed")
		switch alarmFailed {
		case 0:
			v["alarm"] = e.Say("sms_alarm_answered")
		case failed:
			v["alarm"] = e.Say("sms_alarm_failed")
		}
		said = append(said, "sms_failed")
		values["failure_path"] = "" // this run showed it
	}
	if slices.ContainsFunc(lesson.EventsOf(run, "sending failed: "), func(ev timing.Event) bool {
		return strings.Contains(ev.Text, " timed out after ")
	}) {
		said = append(said, "sms_timed_out") // what a timeout is, and what it is not (the line said when)
	}
	if poison > 0 {
		said = append(said, "sms_poison")
	}
	// English says one message, and n messages; Chinese, with no plural,
	// says the same either way.
	one := map[string]int{"sms_no_overlap": sent, "sms_failed": failed, "sms_poison": poison}
	var text strings.Builder
	for _, key := range said {
		if n, ok := one[key]; ok && n == 1 {
			key += "_one"
		}
		text.WriteString(e.Say(key))
	}
	values["what_happened"] = strings.TrimSpace(lesson.Fill(text.String(), v))
	return values
}
