package aio

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
)

// TestStateObserverChangesNothing runs the differential test's random
// programs with and without a state observer: the logs must be the same,
// and every state must hold what the loop's own lists hold.
func TestStateObserverChangesNothing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		for seed := range uint64(200) {
			p := genProgram(rand.New(rand.NewPCG(seed, 1)))
			plain, _, _, _ := runGo(p)
			states := 0
			watched, _, _, _ := runGo(p, WithStateObserver(func(s LoopState) {
				states++
				if len(s.Ready) != s.ReadyCount || len(s.Timers) != s.TimerCount || len(s.Tasks) != s.TaskCount {
					t.Errorf("seed %d: lists cut short below 64: %+v", seed, s)
				}
				for i := 1; i < len(s.Timers); i++ {
					if s.Timers[i].When < s.Timers[i-1].When {
						t.Errorf("seed %d: timers out of order: %v", seed, s.Timers)
					}
				}
			}))
			if !slices.Equal(plain, watched) {
				t.Fatalf("seed %d: watched, the program logs\n%s\nunwatched\n%s", seed, strings.Join(watched, " | "), strings.Join(plain, " | "))
			}
			if states == 0 {
				t.Fatalf("seed %d: the observer was never called", seed)
			}
		}
	})
}
