// Package pybench runs the CPython side of asyncdemo's benchmarks: a
// Python script run within the same benchmark iteration as the Go side,
// which prints its figures as one JSON object on its last such line.
package pybench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncdemo/asyncdemo/demos/twin"
)

// Python returns the interpreter the benchmark's CPython side runs with:
// the one a twin needing the named modules (such as "redis.asyncio" or
// "aiohttp") would run with, found by twin.Runner (python3 on PATH, then
// /usr/bin/python3, 3.11 or newer, the interpreter itself rather than a
// launcher such as pyenv's shim). With none, it logs why the CPython side
// of the benchmark is skipped and returns "".
func Python(b testing.TB, modules ...string) string {
	b.Helper()
	py, err := twin.Runner{Modules: modules}.Interpreter(context.Background())
	if err != nil {
		b.Logf("CPython side of %s skipped: %v", b.Name(), err)
		return ""
	}
	return py
}

// Run runs the Python script at path with py and args, and returns the
// figures of the last line it prints that starts with "{". It fails the
// benchmark, with the end of the script's stderr, if the script fails.
func Run(b testing.TB, py, script string, args ...string) map[string]any {
	b.Helper()
	cmd := exec.Command(py, append([]string{script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tail := stderr.Bytes()[max(0, stderr.Len()-4096):] // a traceback's end says what went wrong
		b.Fatalf("%s: %v\n%s", cmd, err, tail)
	}
	return LastJSON(b, out, "")
}

// LastJSON decodes the last line of out that is prefix and then a JSON
// object, failing the benchmark if there is none.
func LastJSON(b testing.TB, out []byte, prefix string) map[string]any {
	b.Helper()
	var last string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, prefix+"{") {
			last = strings.TrimPrefix(line, prefix)
		}
	}
	var figs map[string]any
	if err := json.Unmarshal([]byte(last), &figs); err != nil {
		b.Fatalf("no JSON figures in the output (%v):\n%s", err, out)
	}
	return figs
}

// Figure returns the number figs[key], failing the benchmark if it is
// missing.
func Figure(b testing.TB, figs map[string]any, key string) float64 {
	b.Helper()
	x, ok := figs[key].(float64)
	if !ok {
		b.Fatalf("figure %q missing in %v", key, figs)
	}
	return x
}

// PeakRSS returns this process's peak resident set size in bytes (VmHWM in
// /proc/self/status), or 0 where there is no such file.
func PeakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
