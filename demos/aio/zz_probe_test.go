package aio

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestZZProbeBlocking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLoop()
		var woke time.Duration
		b := l.CreateTask(func(t *Task) (any, error) {
			err := t.Sleep(time.Second)
			woke = l.Time()
			return nil, err
		}, "b")
		a := l.CreateTask(func(t *Task) (any, error) {
			time.Sleep(2 * time.Second)
			return nil, nil
		}, "a")
		_, err := l.RunUntilComplete(l.Gather(a, b))
		t.Log(woke, err)
		l.Close()
	})
}
