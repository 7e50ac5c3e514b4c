package redisqueue

// BenchmarkQueueDrain: how fast 8 consumers drain a full queue on a real
// redis-server, in Go (the workers lesson's aio style, and goroutines) and
// in CPython (redis.asyncio, testdata/bench_queue.py), in the same run.
// BENCHMARKS.md at the module root records the figures. Each iteration is a
// whole measurement (several drains of 100,000 messages): run it with
//
//	go test -run '^$' -bench QueueDrain -benchtime 1x -count 3 ./demos/redisqueue/

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncdemo/asyncdemo/demos/aio"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/demos/twin/pybench"
)

const (
	// benchMessages is how many messages each drain takes, unless
	// ASYNCDEMO_BENCH_QUEUE_N says otherwise.
	benchMessages    = 100_000
	benchEnvMessages = "ASYNCDEMO_BENCH_QUEUE_N"
	// benchConsumers is how many consumers drain the queue at once.
	benchConsumers = 8
	// benchBatch is how many messages an acktake consumer takes at a time,
	// unless ASYNCDEMO_BENCH_QUEUE_BATCH says otherwise.
	benchBatch    = 16
	benchEnvBatch = "ASYNCDEMO_BENCH_QUEUE_BATCH"
	// benchKey and benchConsumer name the queue and its processing list.
	benchKey      = "bench"
	benchConsumer = "drain"
)

// BenchmarkQueueDrain measures how many messages a second 8 consumers take
// from a queue holding 100,000, on a real redis-server started for the
// benchmark (skipped if there is none), with no work per message:
//
//   - ack: each message taken and acknowledged the lessons' safe way,
//     LMOVE into the processing list, then LREM (Queue.Take and Queue.Ack,
//     as CPython's side does: without the id the lessons give each Ack so
//     that a retry acts once, which every message here being distinct
//     makes unneeded);
//   - rpop: each message taken with RPOP (Queue.TakeUnsafe), as the
//     tutorial does;
//   - acktake: Queue.AckTake, one round trip acknowledging the batch just
//     done (once, with an id) and taking up to 16 more: as safe as ack.
//
// Figures: aio-msgs/s, 8 tasks on an aio loop making each Redis call
// through t.ToThread, as the workers lesson does; go-msgs/s, 8 goroutines;
// py-msgs/s, 8 redis.asyncio worker coroutines (testdata/bench_queue.py,
// run with a Python that has redis and aiohttp, found as the twins find
// one); x-faster = aio-msgs/s ÷ py-msgs/s and go-x-faster = go-msgs/s ÷
// py-msgs/s, each computed within an iteration. Every drain is checked: each
// message taken exactly once, the queue and the processing list empty after.
func BenchmarkQueueDrain(b *testing.B) {
	n := benchEnvInt(b, benchEnvMessages, benchMessages)
	batch := benchEnvInt(b, benchEnvBatch, benchBatch)
	srv := redistest.Real(b) // skips the benchmark if redis-server is not installed
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	b.Cleanup(func() { rdb.Close() })
	// redistest fsyncs the append-only file after every write, so that a
	// restart keeps the data; that would time the disk, not the consumers.
	if err := rdb.ConfigSet(context.Background(), "appendonly", "no").Err(); err != nil {
		b.Fatalf("turning off the append-only file: %v", err)
	}
	py := pybench.Python(b, "redis.asyncio") // what testdata/bench_queue.py imports
	for _, mode := range []string{"ack", "rpop", "acktake"} {
		b.Run(mode, func(b *testing.B) {
			benchQueueDrain(b, rdb, "redis://"+srv.Addr+"/0", py, n, mode, batch)
		})
	}
}

// benchEnvInt returns the whole number from 1 in the environment variable
// name, or def if it is not set.
func benchEnvInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a whole number from 1", name, s)
	}
	return n
}

func benchQueueDrain(b *testing.B, rdb *redis.Client, url, py string, n int, mode string, batch int) {
	ctx := context.Background()
	q := New(rdb, benchKey, benchConsumer)
	if err := rdb.Del(ctx, q.Key(), q.ProcessingKey()).Err(); err != nil {
		b.Fatalf("emptying the queue: %v", err)
	}
	// measure fills the queue, times drain and checks what it took; the
	// filling and the checking are not timed.
	measure := func(style string, drain func() ([][]string, error)) float64 {
		b.StopTimer()
		defer b.StartTimer()
		if err := benchFill(ctx, rdb, q.Key(), n); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		taken, err := drain()
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatalf("%s drain: %v", style, err)
		}
		if err := benchCheck(ctx, q, n, taken); err != nil {
			b.Fatalf("%s drain: %v", style, err)
		}
		return float64(n) / elapsed.Seconds()
	}
	var aioRate, goRate, pyRate, aioRatio, goRatio float64
	iters := 0
	for b.Loop() {
		a := measure("aio", func() ([][]string, error) { return benchDrainAio(q, mode, batch) })
		g := measure("goroutines", func() ([][]string, error) { return benchDrainGo(ctx, q, mode, batch) })
		aioRate += a
		goRate += g
		if py != "" {
			b.StopTimer()
			if err := benchFill(ctx, rdb, q.Key(), n); err != nil {
				b.Fatal(err)
			}
			figs := pybench.Run(b, py, filepath.Join("testdata", "bench_queue.py"), url, q.Key(), q.ProcessingKey(), mode, strconv.Itoa(benchConsumers), strconv.Itoa(batch))
			if took, distinct := pybench.Figure(b, figs, "taken"), pybench.Figure(b, figs, "distinct"); took != float64(n) || distinct != float64(n) {
				b.Fatalf("python drain took %v messages, %v of them distinct; want %d", took, distinct, n)
			}
			if err := benchCheck(ctx, q, 0, nil); err != nil {
				b.Fatalf("python drain: %v", err)
			}
			p := pybench.Figure(b, figs, "msgs_per_s")
			pyRate += p
			aioRatio += a / p
			goRatio += g / p
			b.StartTimer()
		}
		iters++
	}
	k := float64(iters)
	b.ReportMetric(aioRate/k, "aio-msgs/s")
	b.ReportMetric(goRate/k, "go-msgs/s")
	if py != "" {
		b.ReportMetric(pyRate/k, "py-msgs/s")
		b.ReportMetric(aioRatio/k, "x-faster")
		b.ReportMetric(goRatio/k, "go-x-faster")
	}
}

// benchFill pushes the messages "0" to "n-1" onto the queue at key, oldest
// first as producers do (LPUSH), 10,000 to a command and all the commands
// in one pipeline: pushing them one by one would take longer than the drain.
func benchFill(ctx context.Context, rdb *redis.Client, key string, n int) error {
	const batch = 10_000
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for lo := 0; lo < n; lo += batch {
			values := make([]any, 0, batch)
			for i := lo; i < min(lo+batch, n); i++ {
				values = append(values, strconv.Itoa(i))
			}
			p.LPush(ctx, key, values...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("filling %s with %d messages: %w", key, n, err)
	}
	return nil
}

// benchWorker is one consumer of a drain, taking messages in the way mode
// says (ack, rpop or acktake).
type benchWorker struct {
	q     *Queue
	mode  string
	batch int
	done  []string // the batch taken last, for acktake to acknowledge
}

// next takes the next messages: one, or for acktake a batch, the batch
// before acknowledged in the same round trip. None: the queue is empty.
func (w *benchWorker) next(ctx context.Context) ([]string, error) {
	var msg string
	var err error
	switch w.mode {
	case "acktake":
		msgs, err := w.q.AckTake(ctx, w.done, NewID(), w.batch)
		w.done = msgs
		return msgs, err
	case "ack":
		msg, err = w.q.Take(ctx, 0)
	default:
		msg, err = w.q.TakeUnsafe(ctx, 0)
	}
	if errors.Is(err, ErrEmpty) {
		return nil, nil
	}
	return []string{msg}, err
}

// ack acknowledges msgs, the messages next took, if the mode says so now.
func (w *benchWorker) ack(ctx context.Context, msgs []string) error {
	if w.mode != "ack" {
		return nil // rpop: nothing to acknowledge; acktake: the next call does
	}
	return w.q.Ack(ctx, msgs[0], "")
}

// benchDrainAio drains the queue as the workers lesson's aio style does:
// benchConsumers tasks on one loop, each making its Redis calls through
// t.ToThread so that a task waiting for Redis holds up no other. It returns
// the messages each task took.
func benchDrainAio(q *Queue, mode string, batch int) ([][]string, error) {
	l := aio.NewLoop()
	defer l.Close()
	taken := make([][]string, benchConsumers)
	workers := make([]aio.Awaitable, benchConsumers)
	for i := range workers {
		w := &benchWorker{q: q, mode: mode, batch: batch}
		workers[i] = l.CreateTask(func(t *aio.Task) (any, error) {
			for {
				res, err := t.ToThread(func(ctx context.Context) (any, error) { return w.next(ctx) })
				if err != nil {
					return nil, err
				}
				msgs := res.([]string)
				if len(msgs) == 0 {
					return nil, nil // drained
				}
				taken[i] = append(taken[i], msgs...)
				if mode == "ack" {
					if _, err := t.ToThread(func(ctx context.Context) (any, error) { return nil, w.ack(ctx, msgs) }); err != nil {
						return nil, err
					}
				}
			}
		}, fmt.Sprintf("worker-%d", i+1))
	}
	_, err := l.RunUntilComplete(l.Gather(workers...))
	return taken, err
}

// benchDrainGo drains the queue with benchConsumers goroutines, and returns
// the messages each took.
func benchDrainGo(ctx context.Context, q *Queue, mode string, batch int) ([][]string, error) {
	taken := make([][]string, benchConsumers)
	errs := make([]error, benchConsumers)
	var wg sync.WaitGroup
	for i := range benchConsumers {
		w := &benchWorker{q: q, mode: mode, batch: batch}
		wg.Go(func() {
			for {
				msgs, err := w.next(ctx)
				if err == nil && len(msgs) > 0 {
					taken[i] = append(taken[i], msgs...)
					err = w.ack(ctx, msgs)
				}
				if err != nil || len(msgs) == 0 {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return taken, errors.Join(errs...)
}

// benchCheck checks that taken holds each of the messages "0" to "n-1"
// exactly once, and that the queue and its processing list are empty.
func benchCheck(ctx context.Context, q *Queue, n int, taken [][]string) error {
	times := make([]int, n)
	for _, msgs := range taken {
		for _, msg := range msgs {
			i, err := strconv.Atoi(msg)
			if err != nil || i < 0 || i >= n {
				return fmt.Errorf("took %q, which was never pushed", msg)
			}
			times[i]++
		}
	}
	for i, k := range times {
		if k != 1 {
			return fmt.Errorf("message %d taken %d times, want once", i, k)
		}
	}
	for _, key := range []string{q.Key(), q.ProcessingKey()} {
		left, err := q.rdb.LLen(ctx, key).Result()
		if err != nil {
			return fmt.Errorf("checking %s: %w", key, err)
		}
		if left != 0 {
			return fmt.Errorf("%s still holds %d messages after the drain, want none", key, left)
		}
	}
	return nil
}
