package aio

import (
	"iter"
	"sync"
	"testing"
)

// The loop hands control to a task's coroutine and back at every await.
// These benchmarks time one round trip (loop → coroutine → loop) with the
// three ways Go can do it; the loop uses the fastest, iter.Pull. Run them
// with: go test -run '^$' -bench Handoff ./demos/aio/

// BenchmarkHandoffIterPull passes control with iter.Pull, whose next and
// yield switch goroutines directly (runtime coroutines), without the
// scheduler.
func BenchmarkHandoffIterPull(b *testing.B) {
	next, stop := iter.Pull(func(yield func(struct{}) bool) {
		for yield(struct{}{}) {
		}
	})
	defer stop()
	for b.Loop() {
		next()
	}
}

// BenchmarkHandoffChannels passes control over two unbuffered channels.
func BenchmarkHandoffChannels(b *testing.B) {
	resume, suspended := make(chan struct{}), make(chan struct{})
	go func() {
		for range resume {
			suspended <- struct{}{}
		}
		close(suspended)
	}()
	for b.Loop() {
		resume <- struct{}{}
		<-suspended
	}
	close(resume)
	<-suspended
}

// BenchmarkHandoffCond passes a baton guarded by a mutex and a sync.Cond.
func BenchmarkHandoffCond(b *testing.B) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	turn := 0 // 0: the loop's turn, 1: the coroutine's, 2: done
	go func() {
		mu.Lock()
		for {
			for turn == 0 {
				cond.Wait()
			}
			if turn == 2 {
				mu.Unlock()
				return
			}
			turn = 0
			cond.Signal()
		}
	}()
	mu.Lock()
	for b.Loop() {
		turn = 1
		cond.Signal()
		for turn == 1 {
			cond.Wait()
		}
	}
	turn = 2
	cond.Signal()
	mu.Unlock()
}
