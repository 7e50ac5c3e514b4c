package aio

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/testenv"
)

// The tests that compare the loop with CPython's asyncio (order_test.go,
// diff_test.go) run the first of these that is Python 3.11 or newer.
var cpythonCandidates = []string{"python3", "/usr/bin/python3"}

// cpythonFound is the interpreter the tests run, or why there is none.
type cpythonFound struct {
	path    string // the interpreter itself (sys.executable)
	version string // such as "3.11.7"
	why     string // when path is "": why no candidate will do
}

// findCPython asks each candidate its version once per test binary. The
// path it keeps is sys.executable, not the candidate: python3 on PATH may
// be a launcher, such as pyenv's shim, that costs a start-up of its own.
var findCPython = sync.OnceValue(func() cpythonFound {
	var why []string
	for _, name := range cpythonCandidates {
		path, err := exec.LookPath(name)
		if err != nil {
			why = append(why, name+" not found")
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out, err := exec.CommandContext(ctx, path, "-c",
			"import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)").Output()
		cancel()
		var major, minor int
		fields := strings.Fields(string(out))
		if err != nil || len(fields) != 2 {
			why = append(why, fmt.Sprintf("%s is not a Python interpreter (%v)", path, err))
			continue
		}
		if _, err := fmt.Sscanf(fields[0], "%d.%d", &major, &minor); err != nil || major < 3 || major == 3 && minor < 11 {
			why = append(why, fmt.Sprintf("%s is Python %s", path, fields[0]))
			continue
		}
		return cpythonFound{path: fields[1], version: fields[0]}
	}
	return cpythonFound{why: strings.Join(why, ", ")}
})

// cpython returns the interpreter to compare the loop with and its version,
// or ends t as testenv.Missing does if no candidate is 3.11 or newer, the
// asyncio whose behaviour the loop follows.
func cpython(t *testing.T) (path, version string) {
	t.Helper()
	c := findCPython()
	if c.path == "" {
		testenv.Missing(t, "CPython 3.11 or newer", c.why, "apt-get install python3")
	}
	return c.path, c.version
}
