package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/redisqueue"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/timing"
)

// The Python twins of lessons 10 to 12 keep the queue's promise beside Go
// consumers, on the same keys: a default name of the process's own, a lease
// on it (queue:heartbeat:NAME) renewed while they run, a live name refused,
// the messages of a crashed consumer reclaimed once its lease runs out, and
// at a clean stop what they took put back and the name given up. These run
// the twins from the source tree, as a person would, so that the test can
// signal the process itself (SIGKILL, SIGTERM).

// twinConsumer is a twin consuming a real Redis, read as JSON Lines.
type twinConsumer struct {
	cmd    *exec.Cmd
	stderr lockedBuffer
	exited chan struct{}

	mu     sync.Mutex
	events []timing.Event
}

// startTwinConsumer runs the twin of lesson with --json and args.
func startTwinConsumer(t *testing.T, python, lesson string, args ...string) *twinConsumer {
	t.Helper()
	script := filepath.Join("..", "..", "demos", "twin", "py", lesson+".py")
	c := &twinConsumer{exited: make(chan struct{})}
	c.cmd = exec.Command(python, append([]string{"-u", "-B", script, "--json"}, args...)...)
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test, however it ends
	c.cmd.Stderr = &c.stderr
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e timing.Event
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				c.mu.Lock()
				c.events = append(c.events, e)
				c.mu.Unlock()
			}
		}
		c.cmd.Wait()
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
	})
	return c
}

// said reports whether the twin has printed an event whose text is text.
func (c *twinConsumer) said(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.ContainsFunc(c.events, func(e timing.Event) bool { return e.Text == text })
}

func (c *twinConsumer) texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.events {
		if e.Text != "" {
			out = append(out, e.Text)
		}
	}
	return out
}

// waitFor waits until cond holds, failing the test if the twin exits first
// or 20 s pass.
func (c *twinConsumer) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		select {
		case <-c.exited:
			t.Fatalf("the twin exited (%v) while waiting until %s; it printed %q, stderr %q",
				c.cmd.ProcessState, what, c.texts(), c.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s, still waiting until %s; the twin printed %q", what, c.texts())
		}
	}
}

// stop sends sig and returns the twin's exit code once it has exited.
func (c *twinConsumer) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	c.cmd.Process.Signal(sig)
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after %v; it printed %q", sig, c.texts())
	}
	return c.cmd.ProcessState.ExitCode()
}

// heartbeatOf waits until the twin has registered its default name,
// HOST-PID-RANDOM, and returns the name.
func (c *twinConsumer) heartbeatOf(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	form := regexp.MustCompile(`^queue:heartbeat:(` + regexp.QuoteMeta(host) + `-` + strconv.Itoa(c.cmd.Process.Pid) + `-[a-z2-7]{4})$`)
	var keys []string
	c.waitFor(t, "its heartbeat key is there", func() bool {
		keys, _ = rdb.Keys(context.Background(), "queue:heartbeat:*").Result()
		return len(keys) > 0
	})
	if len(keys) != 1 || !form.MatchString(keys[0]) {
		t.Fatalf("heartbeat keys %q, want one of the form queue:heartbeat:%s-%d-xxxx", keys, host, c.cmd.Process.Pid)
	}
	if token := rdb.Get(context.Background(), keys[0]).Val(); len(token) != 26 {
		t.Errorf("the heartbeat holds %q, want a token of 26 characters (redisqueue.NewID)", token)
	}
	return form.FindStringSubmatch(keys[0])[1]
}

// twinLeaseArgs runs each twin at --scale 1 on a lease of 1 s, with the
// message of 20 s the tests push: it is in progress for the whole test.
func twinLeaseArgs(t *testing.T, lesson, url string) []string {
	args := []string{"--redis", url, "--scale", "1", "--heartbeat", "1", "--max", "3600"}
	if lesson == "sms" {
		args = append(args, "--url", startSMSAPI(t, 1), "--timeout", "60")
	}
	return args
}

// TestTwinConsumerHoldsALease runs each consuming twin with its default
// name while it works on a message: its name is HOST-PID-RANDOM and
// registered as a heartbeat, which it renews, so that a Go consumer's
// Reclaim leaves its message alone however long past the lease it runs;
// stopped by Ctrl+C (or SIGTERM), it puts the message back on the queue and
// gives its name up.
func TestTwinConsumerHoldsALease(t *testing.T) {
	for _, c := range []struct {
		lesson, waiting string
		sig             syscall.Signal
		code            int
		said            string
	}{
		{"queue", "Waiting: 20", syscall.SIGINT, exitInterrupted, "interrupted\n"},
		{"sms", "Waiting: 20", syscall.SIGINT, exitInterrupted, "interrupted\n"},
		{"workers", "Wait 20", syscall.SIGINT, exitInterrupted, "interrupted\n"},
		{"workers", "Wait 20", syscall.SIGTERM, exitTerminated, "terminated\n"},
	} {
		t.Run(fmt.Sprintf("%s %v", c.lesson, c.sig), func(t *testing.T) {
			t.Parallel()
			python := twinPython(t, c.lesson)
			srv := redistest.Real(t)
			url := "redis://" + srv.Addr + "/3"
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
			defer rdb.Close()
			ctx := context.Background()
			rdb.LPush(ctx, "queue", "20")

			tw := startTwinConsumer(t, python, c.lesson, twinLeaseArgs(t, c.lesson, url)...)
			tw.waitFor(t, "it works on the 20", func() bool { return tw.said(c.waiting) })
			name := tw.heartbeatOf(t, rdb)
			beat := "queue:heartbeat:" + name
			if got := rdb.LRange(ctx, "queue:processing:"+name, 0, -1).Val(); !slices.Equal(got, []string{"20"}) {
				t.Fatalf("queue:processing:%s holds %q, want the 20 in progress", name, got)
			}

			// A Go consumer looks for crashed consumers until the lease has
			// been renewed 4 times, a third of a second apart: longer than
			// the lease of 1 s the twin took at start.
			other := redisqueue.New(rdb, "queue", "other")
			renewals, last := 0, rdb.PTTL(ctx, beat).Val()
			tw.waitFor(t, "its heartbeat is renewed 4 times", func() bool {
				back, err := other.Reclaim(ctx)
				if err != nil || len(back) > 0 {
					t.Fatalf("a Go consumer's Reclaim while the twin runs: %+v, %v; want nothing taken", back, err)
				}
				left, err := rdb.PTTL(ctx, beat).Result()
				if err != nil || left < 0 {
					t.Fatalf("the twin's heartbeat %s: PTTL %v, %v; want it renewed before it runs out", beat, left, err)
				}
				if left > last {
					renewals++
				}
				last = left
				return renewals >= 4
			})
			if got := rdb.LRange(ctx, "queue:processing:"+name, 0, -1).Val(); !slices.Equal(got, []string{"20"}) {
				t.Fatalf("queue:processing:%s holds %q after the Go consumer's Reclaims, want the 20 still", name, got)
			}

			if code := tw.stop(t, c.sig); code != c.code || tw.stderr.String() != c.said {
				t.Fatalf("after %v: exit %d, stderr %q; want %d and %q", c.sig, code, tw.stderr.String(), c.code, c.said)
			}
			if !tw.said("put back 1 message(s) taken and not finished") {
				t.Errorf("the twin did not say it put back the 20: %q", tw.texts())
			}
			if queue, processing, _ := lists(rdb); !slices.Equal(queue, []string{"20"}) || len(processing) > 0 {
				t.Errorf("queue %q and processing lists %q after %v, want the 20 back on the queue", queue, processing, c.sig)
			}
			if keys := rdb.Keys(ctx, "queue:heartbeat:*").Val(); len(keys) > 0 {
				t.Errorf("heartbeat keys %q after a clean stop, want the name given up", keys)
			}
		})
	}
}

// TestTwinConsumerCrashIsReclaimed: while a twin lives, a second twin of
// its name is refused (exit 2, saying why); killed with SIGKILL, it cleans
// nothing up, and another twin puts its message back once its lease has run
// out, and does it.
func TestTwinConsumerCrashIsReclaimed(t *testing.T) {
	python := twinPython(t, "queue")
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	rdb.LPush(ctx, "queue", "20")
	args := twinLeaseArgs(t, "queue", url)

	crashing := startTwinConsumer(t, python, "queue", args...)
	crashing.waitFor(t, "it works on the 20", func() bool { return crashing.said("Waiting: 20") })
	name := crashing.heartbeatOf(t, rdb)

	runCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	same := exec.CommandContext(runCtx, python, append([]string{"-B", filepath.Join("..", "..", "demos", "twin", "py", "queue.py"),
		"--consumer", name, "--idle", "1"}, args...)...)
	var errOut lockedBuffer
	same.Stderr = &errOut
	same.Run()
	want := fmt.Sprintf(`queue.py: --consumer %q: a live consumer holds this name (its heartbeat runs out in `, name)
	if code := same.ProcessState.ExitCode(); code != exitUsage || !strings.HasPrefix(errOut.String(), want) ||
		!strings.HasSuffix(errOut.String(), " s if it has stopped); choose another name or leave --consumer out\n") {
		t.Fatalf("a second twin named %s: exit %d, stderr %q; want 2 and the name refused", name, code, errOut.String())
	}
	if got := rdb.LRange(ctx, "queue:processing:"+name, 0, -1).Val(); !slices.Equal(got, []string{"20"}) {
		t.Fatalf("queue:processing:%s holds %q after the refused twin, want the 20 still", name, got)
	}

	crashing.stop(t, syscall.SIGKILL)
	if rdb.Exists(ctx, "queue:processing:"+name).Val() != 1 {
		t.Fatalf("the killed twin's processing list is gone: it cleaned up")
	}
	rescuer := startTwinConsumer(t, python, "queue", args...)
	reclaimed := fmt.Sprintf("put back 1 message(s) of consumer %q: its heartbeat stopped (it crashed, or was stopped without cleaning up)", name)
	rescuer.waitFor(t, "another twin reclaims the 20 and works on it", func() bool {
		return rescuer.said(reclaimed) && rescuer.said("Waiting: 20")
	})
	mine := rescuer.heartbeatOf(t, rdb)
	if queue, processing, _ := lists(rdb); len(queue) > 0 || !slices.Equal(processing, []string{"20"}) ||
		rdb.LLen(ctx, "queue:processing:"+mine).Val() != 1 {
		t.Errorf("queue %q, processing lists %q; want the 20 in the rescuer's only", queue, processing)
	}
	rescuer.stop(t, syscall.SIGINT)
}
