package aio

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestQueueIsFIFOAcrossBlocks(t *testing.T) {
	var q queue[int]
	var model []int
	rng := rand.New(rand.NewPCG(1, 2))
	next := 0
	for step := range 20000 {
		switch {
		case step%5000 == 4999: // drop the odd ones, as a timer queue drops dead timers
			q.filter(func(v int) bool { return v%2 == 0 })
			model = slices.DeleteFunc(model, func(v int) bool { return v%2 != 0 })
		case rng.IntN(3) > 0 || len(model) == 0: // grow more than shrink: many blocks
			q.push(next)
			model = append(model, next)
			next++
		default:
			if got := q.pop(); got != model[0] {
				t.Fatalf("step %d: pop = %d, want %d", step, got, model[0])
			}
			model = model[1:]
		}
		if q.len() != len(model) {
			t.Fatalf("step %d: len = %d, want %d", step, q.len(), len(model))
		}
		if len(model) > 0 && (q.front() != model[0] || q.last() != model[len(model)-1]) {
			t.Fatalf("step %d: front, last = %d, %d, want %d, %d", step, q.front(), q.last(), model[0], model[len(model)-1])
		}
	}
	var all []int
	q.each(func(v int) { all = append(all, v) })
	if !slices.Equal(all, model) {
		t.Fatalf("each gave %d items, want %d, or in another order", len(all), len(model))
	}
}

func TestShortQueueAllocatesNothing(t *testing.T) {
	var q queue[entry]
	for range 2 * blockLen { // the first block, and the spare
		q.push(entry{})
		q.pop()
	}
	allocs := testing.AllocsPerRun(10, func() {
		for range 3 * blockLen {
			q.push(entry{})
			q.push(entry{})
			q.pop()
			q.pop()
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}
