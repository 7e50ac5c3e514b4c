package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// sms-server says when it listens on every interface, and how many
// connections it holds at once.
func TestSMSServerWarnsOfEveryInterfaceAndStatesItsLimit(t *testing.T) {
	for _, c := range []struct {
		addr string
		warn bool
	}{{":0", true}, {"", true}, {"0.0.0.0:0", true}, {"127.0.0.1:0", false}} {
		var out lockedBuffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			_, code := runCmdTo(ctx, &out, "sms-server", "--addr", c.addr, "--no-color")
			done <- code
		}()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "listening"); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("--addr %q: never listening:\n%s", c.addr, out.String())
			}
		}
		cancel()
		<-done
		got := out.String()
		if strings.Contains(got, "every network interface") != c.warn {
			t.Errorf("--addr %q: warning %v, want %v:\n%s", c.addr, !c.warn, c.warn, got)
		}
		if !strings.Contains(got, "connections at once") {
			t.Errorf("--addr %q: no limit stated:\n%s", c.addr, got)
		}
	}
}
