package smsapi

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Each call is logged once it is over: its path, how long it took, the
// status, or that the client went away.
func TestLoggedSaysEachCallWhenItIsOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var mu sync.Mutex
		var lines []string
		h := Logged(Handler(scale(1), 30*time.Second), func(r *http.Request, took time.Duration, status int) {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, LogLine(r, took, status))
		})
		c := serveHandler(t, ctx, h)
		c.Get(ctx, "/2")
		c.Get(ctx, "/banana")
		c.Get(ctx, "/%1b[2J")
		gone, stop := context.WithTimeout(ctx, time.Second)
		c.Get(gone, "/5")
		stop()
		synctest.Wait()
		cancel()
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		want := []string{
			"GET /2 → 200 after 2.00\u00a0s",
			"GET /banana → 400 after 0.00\u00a0s",
			"GET /%1b[2J → 400 after 0.00\u00a0s", // as sent, escaped: a client cannot clear the class's screen
			"GET /5 → the client went away after 1.00\u00a0s",
		}
		if !slices.Equal(lines, want) {
			t.Errorf("logged\n%q\nwant\n%q", lines, want)
		}
	})
}
