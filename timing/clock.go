package timing

import (
	"fmt"
	"math"
	"time"
)

// Clock is a real clock whose durations are scaled: with scale 0.1 a 2 s
// timer fires after 0.2 s of real time, and Now advances 10x faster than real
// time. Scale 1 is plain real time.
//
// Clock uses only the time package (time.Now, time.NewTimer), so it runs
// inside testing/synctest, where time is fake and exact.
type Clock struct {
	scale float64
	start time.Time // real time at NewClock
}

// NewClock returns a Clock that scales every duration by scale.
// It panics if scale is not > 0: callers validate their flags first.
func NewClock(scale float64) *Clock {
	if !(scale > 0) || math.IsInf(scale, 1) {
		panic(fmt.Sprintf("timing: NewClock: scale must be > 0 and finite, got %v", scale))
	}
	return &Clock{scale: scale, start: time.Now()}
}

// Scale returns the factor every duration is multiplied by.
func (c *Clock) Scale() float64 { return c.scale }

// Real returns how long d lasts in real time: d times the scale, rounded to
// the nanosecond.
func (c *Clock) Real(d time.Duration) time.Duration {
	r := math.Round(float64(d) * c.scale)
	switch {
	case r >= math.MaxInt64:
		return math.MaxInt64
	case r <= math.MinInt64:
		return math.MinInt64
	}
	return time.Duration(r)
}

// Now returns the clock's time: the real time at NewClock plus the real time
// since then divided by the scale, so it runs 1/scale times as fast.
func (c *Clock) Now() time.Time {
	since := float64(time.Since(c.start)) / c.scale
	if since >= math.MaxInt64 {
		since = math.MaxInt64
	}
	return c.start.Add(time.Duration(math.Round(since)))
}

// NewTimer returns a real timer that fires after Real(d).
func (c *Clock) NewTimer(d time.Duration) *time.Timer { return time.NewTimer(c.Real(d)) }

// Sleep blocks for Real(d).
func (c *Clock) Sleep(d time.Duration) { time.Sleep(c.Real(d)) }

// After returns a channel that receives the real time after Real(d).
func (c *Clock) After(d time.Duration) <-chan time.Time { return time.After(c.Real(d)) }

// Stopwatch measures real elapsed time. Its zero value measures from the
// zero time; use [StartStopwatch].
type Stopwatch struct{ start time.Time }

// StartStopwatch returns a Stopwatch started now.
func StartStopwatch() Stopwatch { return Stopwatch{start: time.Now()} }

// Elapsed returns the real time since the Stopwatch started.
func (s Stopwatch) Elapsed() time.Duration { return time.Since(s.start) }
