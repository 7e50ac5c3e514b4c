package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
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

// faultConsumer is one consumer process of the fault matrix.
type faultConsumer struct {
	name string // --consumer, or "" for the process's own default name
	args []string
	cmd  *exec.Cmd
	end  string // how it ended: the signal, and what it held

	mu     sync.Mutex
	done   []string // the x of each "Done x" it printed
	poison []string
	notes  []string // what it said of Redis, its lease and what it put back
	exited chan struct{}
}

// processingKey is the consumer's processing list: with a default name,
// the one whose name holds the process's id.
func (c *faultConsumer) processingKey(t *testing.T, rdb *redis.Client) string {
	if c.name != "" {
		return "queue:processing:" + c.name
	}
	keys, err := rdb.Keys(context.Background(), fmt.Sprintf("queue:heartbeat:*-%d-*", c.cmd.Process.Pid)).Result()
	if err != nil || len(keys) != 1 {
		keys, _ = rdb.Keys(context.Background(), fmt.Sprintf("queue:processing:*-%d-*", c.cmd.Process.Pid)).Result()
		if len(keys) != 1 {
			return ""
		}
		return keys[0]
	}
	return "queue:processing:" + strings.TrimPrefix(keys[0], "queue:heartbeat:")
}

func (c *faultConsumer) dones() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.done)
}

// startFaultConsumer starts a consumer of the Redis at url and reads what it
// prints.
func startFaultConsumer(t *testing.T, url, name string, args ...string) *faultConsumer {
	t.Helper()
	c := &faultConsumer{name: name, args: args, exited: make(chan struct{})}
	full := append(slices.Clone(args), "--json", "--redis", url, "--max", "3600", "--heartbeat", "3")
	if name != "" {
		full = append(full, "--consumer", name)
	}
	c.cmd = exec.Command(binary(t), full...)
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
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
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var e timing.Event
			if json.Unmarshal(sc.Bytes(), &e) != nil {
				continue
			}
			c.mu.Lock()
			c.done = append(c.done, doneValues([]timing.Event{e})...)
			if e.Task == "" && !strings.HasPrefix(e.Text, "poison") && !strings.HasPrefix(e.Text, "LPUSH") {
				c.notes = append(c.notes, fmt.Sprintf("%.3f %s", e.T.Seconds(), e.Text))
			}
			if v, ok := strings.CutPrefix(e.Text, "poison message "); ok {
				q, _ := strconv.Unquote(strings.SplitN(v, ":", 2)[0])
				c.poison = append(c.poison, q)
			}
			c.mu.Unlock()
		}
		c.cmd.Wait()
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
	})
	return c
}

// TestFaultMatrix is the hostile pass of the queue as a test, on a real
// redis-server with an append-only file: unique values pushed in a steady
// stream, with poison among them, consumed by several consumers of both
// styles (with names of their own, and with default names) that are killed
// (SIGKILL) and stopped (SIGTERM) and replaced, through a restart of Redis
// and a spell when queue:dead is a string. At the end every value pushed
// was processed or dead-lettered, the queue and every processing list are
// empty, and a value was processed twice only where a SIGKILL fell between
// its Done and its acknowledgement (at least once: counted and reported),
// never because two live consumers shared it.
func TestFaultMatrix(t *testing.T) {
	srv := redistest.Real(t)
	url := "redis://" + srv.Addr + "/3"
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer rdb.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))

	const n = 1500 // values 1..n: x is the value, so each "Done x" names its message
	var values []string
	for x := 1; x <= n; x++ {
		values = append(values, strconv.Itoa(x))
	}
	rng.Shuffle(len(values), func(i, j int) { values[i], values[j] = values[j], values[i] })
	poison := []string{"banana", "-3", "0", "99999", "1.5", "x7", "", " ", "tea", "4000"}

	// The kinds of consumer: both styles of the master-worker lesson, and
	// the workers lesson, each at --scale 0.00005 (x seconds: x*50 µs).
	kinds := [][]string{
		{"queue", "--style", "aio", "--scale", "0.00005"},
		{"queue", "--style", "go", "--mode", "block", "--scale", "0.00005"},
		{"workers", "--style", "go", "--workers", "6", "--scale", "0.00005"},
		{"workers", "--style", "aio", "--workers", "6", "--scale", "0.00005"},
	}
	began := time.Now()
	var all []*faultConsumer
	live := map[int]*faultConsumer{}
	next := 0
	start := func(slot int) {
		name := ""
		if next%2 == 0 {
			name = fmt.Sprintf("c%d", next) // half have names of their own
		}
		c := startFaultConsumer(t, url, name, kinds[next%len(kinds)]...)
		next++
		all = append(all, c)
		live[slot] = c
	}
	for slot := range 4 {
		start(slot)
	}

	// The producer: the values in batches of 25, every 60 ms, and a poison
	// value in every sixth batch.
	pushed := make(chan struct{})
	go func() {
		defer close(pushed)
		p := redisqueue.New(rdb, "queue", "producer")
		for i := 0; i < len(values); i += 25 {
			batch := values[i:min(i+25, len(values))]
			if k := i / 25; k%6 == 0 && k/6 < len(poison) {
				batch = append(slices.Clone(batch), poison[k/6])
			}
			for p.Push(ctx, batch...) != nil { // Redis is restarting: push again once it is back
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(60 * time.Millisecond)
		}
	}()

	// allowed holds, for each consumer stopped, the values it held (in its
	// processing list as the signal came, or when it had died) and had
	// printed Done for: the only ones that may be done twice. A SIGKILL can
	// fall between a Done and its acknowledgement; so can a SIGTERM, in the
	// aio style: a task that finishes in the loop's last turn before it
	// stops has printed Done, but its future (run_coroutine_threadsafe's)
	// is completed by a callback of the next turn, which never comes, and
	// the message is put back.
	allowed := map[string]int{}
	byTerm := map[string]bool{} // allowed because of a SIGTERM
	kills, terms, restarts := 0, 0, 0
	stop := func(slot int, sig syscall.Signal) {
		c := live[slot]
		key := c.processingKey(t, rdb)
		var held []string
		if key != "" {
			held = answered(t, rdb, key)
		}
		c.end = fmt.Sprintf("%v at %v holding %d", sig, time.Since(began).Round(time.Millisecond), len(held))
		c.cmd.Process.Signal(sig)
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			t.Fatalf("consumer %v still running 30 s after %v", c.args, sig)
		}
		if key != "" { // and what it held when it died, before anyone reclaims it (its lease lasts 3 s)
			after := answered(t, rdb, key)
			held = append(held, after...)
			slices.Sort(held)
			done := c.dones()
			for _, v := range slices.Compact(held) {
				if slices.Contains(done, v) {
					allowed[v]++
					byTerm[v] = byTerm[v] || sig == syscall.SIGTERM
				}
			}
		}
	}
	for round := 0; round < 12; round++ {
		time.Sleep(400 * time.Millisecond)
		slot := rng.IntN(len(live))
		switch {
		case round == 4:
			t.Logf("%v: Redis restarts", time.Since(began).Round(time.Millisecond))
			srv.Stop() // Redis restarts, its data kept by the append-only file
			srv.Restart()
			t.Logf("%v: Redis is back", time.Since(began).Round(time.Millisecond))
			restarts++
		case round == 6: // an operator's mistake: queue:dead is a string (its letters kept aside)
			rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Rename(ctx, "queue:dead", "saved")
				p.Set(ctx, "queue:dead", "not a list", 0)
				return nil
			})
		case round == 9: // put right
			rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Del(ctx, "queue:dead")
				p.Rename(ctx, "saved", "queue:dead")
				return nil
			})
		case round%2 == 0:
			stop(slot, syscall.SIGKILL)
			start(slot)
			kills++
		default:
			stop(slot, syscall.SIGTERM)
			start(slot)
			terms++
		}
	}
	<-pushed
	t.Logf("%v: faults done", time.Since(began))

	// The end: stop every consumer, then one last consumer drains what is
	// left, and puts back the lists of the killed ones once their leases
	// have run out.
	for slot := range live {
		stop(slot, syscall.SIGTERM)
		terms++
	}
	t.Logf("%v: every consumer stopped", time.Since(began))
	last := startFaultConsumer(t, url, "", "queue", "--scale", "0.00005")
	all = append(all, last)
	deadline := time.Now().Add(45 * time.Second)
	for {
		queue, processing, ok := lists(rdb)
		beats, _ := rdb.Keys(ctx, "queue:heartbeat:*").Result()
		if ok && len(queue) == 0 && len(processing) == 0 && len(beats) <= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("45 s after the end, queue %d, processing %d, heartbeats %v", len(queue), len(processing), beats)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%v: drained", time.Since(began))
	last.cmd.Process.Signal(syscall.SIGTERM)
	<-last.exited

	// Every value processed or dead-lettered; twice only where allowed.
	count := map[string]int{}
	var poisoned []string
	for _, c := range all {
		for _, v := range c.dones() {
			count[v]++
		}
		c.mu.Lock()
		poisoned = append(poisoned, c.poison...)
		c.mu.Unlock()
	}
	lost, duplicated, afterTerm := 0, 0, 0
	for _, v := range values {
		switch k := count[v]; {
		case k == 0:
			lost++
			t.Errorf("value %s was never processed", v)
		case k > 1:
			duplicated += k - 1
			if byTerm[v] {
				afterTerm += k - 1
			}
			if k-1 > allowed[v] {
				var who []string
				for i, c := range all {
					if slices.Contains(c.dones(), v) {
						c.mu.Lock()
						who = append(who, fmt.Sprintf("#%d %v %q (%s; said %q)", i, c.args, c.name, c.end, c.notes))
						c.mu.Unlock()
					}
				}
				t.Errorf("value %s was processed %d times, but no kill fell between its Done and its acknowledgement %d time(s): by %s", v, k, k-1, strings.Join(who, ", "))
			}
		}
	}
	dead, err := redisqueue.New(rdb, "queue", "test").DeadLetters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadCount := map[string]int{}
	for _, d := range dead {
		deadCount[d.Value]++
	}
	for _, v := range poison {
		if deadCount[v] != 1 {
			t.Errorf("poison %q is %d times in queue:dead, want once (printed as poison %d times)", v, deadCount[v], countOf(poisoned, v))
		}
	}
	if queue, processing, _ := lists(rdb); len(queue)+len(processing) != 0 {
		t.Errorf("queue %q and processing lists %q at the end, want both empty", queue, processing)
	}
	t.Logf("fault matrix: %d messages (%d poison), %d consumers, %d SIGKILLs, %d SIGTERMs, %d Redis restart(s); lost %d, processed twice %d (each where a kill fell between Done and the acknowledgement; %d of them a SIGTERM)",
		len(values)+len(poison), len(poison), len(all), kills, terms, restarts, lost, duplicated, afterTerm)
}

// answered returns the list at key, once Redis answers (just after its
// restart, the client's first command may find its connection closed).
func answered(t *testing.T, rdb *redis.Client, key string) []string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		v, err := rdb.LRange(context.Background(), key, 0, -1).Result()
		if err == nil {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis did not answer LRANGE %s for 30 s: %v", key, err)
		}
	}
}
