package explain

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest"
	"github.com/asyncdemo/asyncdemo/demos/smsapi"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// foundClientPython is the interpreter with aiohttp and redis, found once.
var foundClientPython = sync.OnceValues(func() (string, error) {
	return twin.Runner{Modules: []string{"aiohttp", "redis"}}.Interpreter(context.Background())
})

// clientPython returns a Python 3.11 or newer with aiohttp and redis, or
// skips the test (fails it under CI), as testenv says.
func clientPython(t *testing.T) string {
	t.Helper()
	testenv.SkipShort(t, "CPython with aiohttp and redis")
	path, err := foundClientPython()
	if err != nil {
		how := "install python3 (3.11+)"
		if errors.Is(err, twin.ErrMissingModules) {
			how = "apt-get install python3-aiohttp python3-redis"
		}
		testenv.Missing(t, "CPython 3.11 or newer with aiohttp and redis", err.Error(), how)
	}
	return path
}

// smsServer serves asyncdemo's SMS API on a free loopback port, its delays
// scaled by 0.1 (GET /4 takes 0.4 s), until the test ends; it returns its
// URL.
func smsServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- smsapi.Serve(ctx, l, smsapi.Handler(timing.NewClock(0.1), 30*time.Second), time.Second)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("the SMS API: %v", err)
		}
	})
	return "http://" + l.Addr().String()
}

// TestRealClients runs programs that use real clients under the recorder:
// aiohttp against asyncdemo's SMS API, redis.asyncio (and the synchronous
// redis client) against an embedded Redis and a real redis-server, and
// checks what each says it wants, as TestCorpus does.
func TestRealClients(t *testing.T) {
	py := clientPython(t)
	sms := smsServer(t)
	servers := map[string]func(*testing.T) string{
		"miniredis":    func(t *testing.T) string { return "redis://" + redistest.Embedded(t) + "/3" },
		"redis-server": func(t *testing.T) string { return "redis://" + redistest.Real(t).Addr + "/3" },
	}
	for _, c := range []struct{ program, server string }{
		{"sms_gather.py", "sms"}, {"sms_sequential.py", "sms"},
		{"redis_async.py", "miniredis"}, {"redis_async.py", "redis-server"},
		{"redis_sync.py", "miniredis"}, {"redis_sync.py", "redis-server"},
	} {
		t.Run(c.program+"/"+c.server, func(t *testing.T) {
			url := sms
			if c.server != "sms" {
				url = servers[c.server](t)
			}
			w, _ := readWants(t, filepath.Join("testdata", "clients", c.program))
			rec, lines := explainProgram(t, Program{Script: c.program, Args: []string{url}},
				Config{Python: py, Dir: filepath.Join("testdata", "clients")})
			var got []string
			for _, f := range rec.Findings(lesson.Labels("en")) {
				switch {
				case f.Kind == FindingSummary:
				case f.Line != 0:
					got = append(got, f.Kind+" "+strconv.Itoa(f.Line))
				default:
					got = append(got, f.Kind)
				}
			}
			if !slices.Equal(got, w.findings) || rec.Exit != w.exit {
				t.Errorf("findings %q, exit %d; want %q, exit %d\noutput: %s\nfindings: %+v",
					got, rec.Exit, w.findings, w.exit, lineTexts(lines), rec.Findings(lesson.Labels("en")))
			}
		})
	}
}
