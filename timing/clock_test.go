package timing

import (
	"math"
	"testing"
	"testing/synctest"
	"time"
)

func TestClockTimerFiresAfterScaledDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewClock(0.1)
		start := time.Now()
		timer := c.NewTimer(2 * time.Second)
		<-timer.C
		if got := time.Since(start); got != 200*time.Millisecond {
			t.Errorf("2 s timer at scale 0.1 fired after %v of real time, want 200ms", got)
		}
	})
}

func TestClockNowRunsFasterByScale(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewClock(0.1)
		before := c.Now()
		time.Sleep(200 * time.Millisecond)
		if got := c.Now().Sub(before); got != 2*time.Second {
			t.Errorf("after 200ms of real time, Now advanced %v, want 2s", got)
		}
		time.Sleep(50 * time.Millisecond)
		if got := c.Now().Sub(before); got != 2500*time.Millisecond {
			t.Errorf("after 250ms of real time, Now advanced %v, want 2.5s", got)
		}
	})
}

func TestClockSleepAndAfterWaitScaledDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewClock(0.1)
		start := time.Now()
		c.Sleep(2 * time.Second)
		if got := time.Since(start); got != 200*time.Millisecond {
			t.Errorf("Sleep(2s) at scale 0.1 took %v, want 200ms", got)
		}
		start = time.Now()
		<-c.After(4 * time.Second)
		if got := time.Since(start); got != 400*time.Millisecond {
			t.Errorf("After(4s) at scale 0.1 fired after %v, want 400ms", got)
		}
	})
}

func TestClockScaleOneIsRealTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewClock(1)
		before, real := c.Now(), time.Now()
		c.Sleep(3 * time.Second)
		if got, want := c.Now().Sub(before), time.Since(real); got != 3*time.Second || want != 3*time.Second {
			t.Errorf("scale 1: clock advanced %v, real time %v, want 3s both", got, want)
		}
	})
}

func TestClockReal(t *testing.T) {
	tests := []struct {
		scale float64
		d     time.Duration
		want  time.Duration
	}{
		{0.1, 2 * time.Second, 200 * time.Millisecond},
		{0.1, 4 * time.Second, 400 * time.Millisecond},
		{1, 1234 * time.Millisecond, 1234 * time.Millisecond},
		{2, 3 * time.Second, 6 * time.Second},
		{1.5, 3, 5}, // 4.5 ns rounds away from zero
		{0.5, 0, 0},
		{1e6, math.MaxInt64 / 2, math.MaxInt64}, // saturates instead of overflowing
	}
	for _, tt := range tests {
		c := NewClock(tt.scale)
		if got := c.Real(tt.d); got != tt.want {
			t.Errorf("NewClock(%v).Real(%v) = %v, want %v", tt.scale, tt.d, got, tt.want)
		}
		if c.Scale() != tt.scale {
			t.Errorf("Scale() = %v, want %v", c.Scale(), tt.scale)
		}
	}
}

func TestNewClockPanicsOnBadScale(t *testing.T) {
	for _, scale := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewClock(%v) did not panic", scale)
				}
			}()
			NewClock(scale)
		}()
	}
}

func TestStopwatchMeasuresRealTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := StartStopwatch()
		time.Sleep(1500 * time.Millisecond)
		if got := s.Elapsed(); got != 1500*time.Millisecond {
			t.Errorf("Elapsed() = %v, want 1.5s", got)
		}
	})
}
