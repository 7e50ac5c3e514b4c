package main

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
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

// sms-server says each call in its time gutter as it is answered, so that
// a second terminal shows the calls arrive.
func TestSMSServerLogsEachCall(t *testing.T) {
	var out lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		_, code := runCmdTo(ctx, &out, "sms-server", "--addr", "127.0.0.1:0", "--scale", "0.01", "--no-color")
		done <- code
	}()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; time.Sleep(5 * time.Millisecond) {
		if m := regexp.MustCompile(`listening on (http://[0-9.:]+)`).FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("never listening:\n%s", out.String())
		}
	}
	for _, path := range []string{"/5", "/banana"} {
		resp, err := http.Get(addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	cancel()
	<-done
	// The times are real: /5 waits its 0.05 s and may take longer on a
	// loaded machine; /banana is answered at once.
	for _, c := range []struct {
		line string
		min  float64
	}{{`s  GET /5 → 200 after (\d+\.\d\d)\x{a0}s`, 0.05}, {`s  GET /banana → 400 after (\d+\.\d\d)\x{a0}s`, 0}} {
		m := regexp.MustCompile(c.line).FindStringSubmatch(out.String())
		if m == nil {
			t.Errorf("no line %q:\n%s", c.line, out.String())
			continue
		}
		if took, _ := strconv.ParseFloat(m[1], 64); took < c.min {
			t.Errorf("%q: took %v s, less than its %v s:\n%s", m[0], took, c.min, out.String())
		}
	}
}
