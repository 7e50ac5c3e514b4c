package aio

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestTimerQueueOrdersLikeASortedList drives the queue with random pushes,
// cancellations and pops, and checks every pop against a reference: the
// live entries sorted by deadline, then scheduling order.
func TestTimerQueueOrdersLikeASortedList(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var q timerQueue
		var ref []timerEntry
		var seq uint64
		now := time.Duration(0)
		for step := range 2000 {
			switch op := rng.IntN(10); {
			case op < 5: // push: mostly in deadline order, sometimes earlier
				d := time.Duration(rng.IntN(100)) * time.Millisecond
				if rng.IntN(4) == 0 {
					d = time.Duration(rng.IntN(5)) * time.Millisecond
				}
				seq++
				h := &Handle{queued: true}
				e := timerEntry{when: now + d, seq: seq, h: h}
				q.push(e)
				ref = append(ref, e)
			case op < 7 && len(ref) > 0: // cancel a random live timer
				i := rng.IntN(len(ref))
				h := ref[i].h
				h.cancelled = true
				h.queued = false
				q.dead++
				ref = slices.Delete(ref, i, i+1)
			default: // pop the earliest
				slices.SortFunc(ref, func(a, b timerEntry) int {
					if a.before(b) {
						return -1
					}
					return 1
				})
				got, ok := q.peek()
				if ok != (len(ref) > 0) {
					t.Fatalf("seed %d step %d: peek ok=%v with %d live timers", seed, step, ok, len(ref))
				}
				if !ok {
					continue
				}
				if got.h != ref[0].h {
					t.Fatalf("seed %d step %d: popped when=%v seq=%d, want when=%v seq=%d",
						seed, step, got.when, got.seq, ref[0].when, ref[0].seq)
				}
				q.pop()
				got.h.queued = false
				ref = ref[1:]
				now = got.when
			}
			if q.dead < 0 || q.len()-q.dead != len(ref) {
				t.Fatalf("seed %d step %d: %d queued, %d dead, want %d live", seed, step, q.len(), q.dead, len(ref))
			}
		}
	}
}

// TestCancelledTimersAreCompacted checks that cancelling most timers frees
// their entries instead of keeping them until their deadlines.
func TestCancelledTimersAreCompacted(t *testing.T) {
	t.Parallel()
	l := NewLoop()
	defer l.Close()
	var hs []*Handle
	for i := range 1000 {
		hs = append(hs, l.CallLater(time.Duration(i+1)*time.Hour, func() {}))
	}
	for _, h := range hs[100:] { // the later ones: only compaction removes them
		h.Cancel()
	}
	l.CallSoon(l.Stop)
	l.CallLater(0, func() {}) // one due timer, so the loop pops (and compacts)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if n := l.timers.len(); n != 100 {
		t.Errorf("%d timers queued after cancelling 900 of 1000, want 100", n)
	}
}
