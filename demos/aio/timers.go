package aio

import (
	"slices"
	"time"
)

// timerEntry is one scheduled timer. Entries are held by value, so ordering
// them never chases a pointer. A cancelled timer's entry stays queued until
// it reaches the front, and is then dropped, as in CPython; gen tells a
// reused sleep timer's old entries from its current one.
type timerEntry struct {
	when time.Duration
	seq  uint64 // scheduling order: breaks ties between equal deadlines
	h    *Handle
	gen  uint32
}

func (a timerEntry) before(b timerEntry) bool {
	return a.when < b.when || (a.when == b.when && a.seq < b.seq)
}

func (e timerEntry) live() bool { return !e.h.cancelled && e.h.gen == e.gen }

// timerQueue orders timers by deadline, then scheduling order. Most timers
// are set in deadline order (many tasks sleeping the same time), so those
// go to a FIFO at no cost; only a timer due before the last one queued goes
// to a binary heap. The earliest timer is the earlier of the two fronts.
type timerQueue struct {
	heap []timerEntry      // a min-heap
	fifo queue[timerEntry] // sorted
	dead int               // entries of cancelled timers still queued
}

func (q *timerQueue) len() int { return len(q.heap) + q.fifo.len() }

func (q *timerQueue) push(e timerEntry) {
	if q.fifo.len() == 0 || !e.before(q.fifo.last()) {
		q.fifo.push(e)
		return
	}
	q.heap = append(q.heap, e)
	q.up(len(q.heap) - 1)
}

// peek returns the earliest live timer, dropping cancelled ones before it.
func (q *timerQueue) peek() (timerEntry, bool) {
	for {
		e, fromHeap, ok := q.front()
		if !ok || e.live() {
			return e, ok
		}
		q.take(fromHeap)
		q.dead--
	}
}

// pop removes the earliest timer; call it after peek.
func (q *timerQueue) pop() {
	_, fromHeap, _ := q.front()
	q.take(fromHeap)
	if q.dead > 64 && q.dead > q.len()/2 {
		q.compact()
	}
}

func (q *timerQueue) front() (e timerEntry, fromHeap, ok bool) {
	hasHeap, hasFIFO := len(q.heap) > 0, q.fifo.len() > 0
	switch {
	case hasHeap && (!hasFIFO || q.heap[0].before(q.fifo.front())):
		return q.heap[0], true, true
	case hasFIFO:
		return q.fifo.front(), false, true
	}
	return timerEntry{}, false, false
}

func (q *timerQueue) take(fromHeap bool) {
	if !fromHeap {
		q.fifo.pop()
		return
	}
	last := len(q.heap) - 1
	q.heap[0] = q.heap[last]
	q.heap[last] = timerEntry{}
	q.heap = q.heap[:last]
	q.down(0)
}

// compact drops the entries of cancelled timers once they are the majority,
// as CPython does, so that a loop that cancels many timers stays small.
func (q *timerQueue) compact() {
	q.heap = slices.DeleteFunc(q.heap, func(e timerEntry) bool { return !e.live() })
	for i := len(q.heap)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
	q.fifo.filter(timerEntry.live)
	q.dead = 0
}

func (q *timerQueue) up(i int) {
	h := q.heap
	for i > 0 {
		parent := (i - 1) / 2
		if !h[i].before(h[parent]) {
			return
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func (q *timerQueue) down(i int) {
	h := q.heap
	for {
		child := 2*i + 1
		if child >= len(h) {
			return
		}
		if right := child + 1; right < len(h) && h[right].before(h[child]) {
			child = right
		}
		if !h[child].before(h[i]) {
			return
		}
		h[i], h[child] = h[child], h[i]
		i = child
	}
}

// live returns the first max live timers, earliest first, and how many
// live timers there are in all. It is for a state observer, not the loop.
func (q *timerQueue) live(max int) ([]timerEntry, int) {
	var es []timerEntry
	for _, e := range q.heap {
		if e.live() {
			es = append(es, e)
		}
	}
	q.fifo.each(func(e timerEntry) {
		if e.live() {
			es = append(es, e)
		}
	})
	slices.SortFunc(es, func(a, b timerEntry) int {
		if a.before(b) {
			return -1
		}
		return 1
	})
	return es[:min(len(es), max)], len(es)
}
