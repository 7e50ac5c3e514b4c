package lesson

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// Once Ctrl+C's function has started, stopping it waits for it: the mark it
// records belongs to the run that is ending, not to whatever comes next.
func TestOnCtrlCStopWaitsForAStartedCall(t *testing.T) {
	synctest.Test(t, testOnCtrlCStopWaitsForAStartedCall)
}

func testOnCtrlCStopWaitsForAStartedCall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	stop := OnCtrlC(ctx, func() {
		close(started)
		<-release
		finished.Store(true)
	})
	cancel()
	<-started
	go func() {
		time.Sleep(10 * time.Millisecond)
		close(release)
	}()
	stop()
	if !finished.Load() {
		t.Fatal("stop returned while the Ctrl+C function was still running")
	}
}

func TestOnCtrlCStopBeforeCtrlC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var called atomic.Bool
		stop := OnCtrlC(ctx, func() { called.Store(true) })
		stop()
		cancel()
		synctest.Wait()
		if called.Load() {
			t.Fatal("called after stop")
		}
	})
}
