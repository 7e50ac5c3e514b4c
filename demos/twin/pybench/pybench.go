// Package pybench runs the CPython side of asyncdemo's benchmarks: a
// Python script run within the same benchmark iteration as the Go side,
// which prints its figures as one JSON object on its last such line.
package pybench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// candidates are the interpreters Python tries, in order: those the twins
// try too.
var candidates = []string{"python3", "/usr/bin/python3"}

// probeScript prints the interpreter's version ("3.11.2") and
// sys.executable, one a line, then "missing NAME" for each module named in
// its arguments that it cannot import. It runs on any Python, 2.7 included,
// so that an old one is told apart from no Python at all.
const probeScript = `import sys
print('%d.%d.%d' % tuple(sys.version_info[:3]))
print(sys.executable)
for m in sys.argv[1:]:
    try:
        __import__(m)
    except Exception:
        print('missing ' + m)
`

// Python returns the interpreter the benchmark's CPython side runs with: the
// first of python3 on PATH and /usr/bin/python3 that is 3.11 or newer and
// can import the named modules (such as "redis.asyncio" or "aiohttp"). It
// returns that interpreter's own path (sys.executable), not what PATH found:
// that may be a launcher script, such as pyenv's shim, which adds a start-up
// of its own (about 150 ms with pyenv). With none, it logs why the CPython
// side of the benchmark is skipped and returns "".
func Python(b testing.TB, modules ...string) string {
	b.Helper()
	var why []string
	var tried []string
	for _, name := range candidates {
		path, err := exec.LookPath(name)
		if err != nil {
			where := ""
			if !strings.ContainsRune(name, filepath.Separator) {
				where = " on PATH"
			}
			why = append(why, name+": not found"+where)
			continue
		}
		real, err := filepath.EvalSymlinks(path) // /bin/python3 is /usr/bin/python3 where /bin links to /usr/bin
		if err != nil {
			real = path
		}
		if slices.Contains(tried, real) {
			continue
		}
		tried = append(tried, real)
		exe, err := probe(path, modules)
		if err != nil {
			if path != name {
				name += " (" + path + ")"
			}
			why = append(why, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		return exe
	}
	b.Logf("CPython side of %s skipped: %s", b.Name(), strings.Join(why, "; "))
	return ""
}

// probe runs the Python at path with probeScript, and returns its
// sys.executable (path if it has none), or why it does not fit: no Python,
// older than 3.11, or missing some of modules.
func probe(path string, modules []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // importing aiohttp takes a while on a busy machine
	defer cancel()
	out, err := exec.CommandContext(ctx, path, append([]string{"-c", probeScript}, modules...)...).Output()
	lines := strings.Split(string(out), "\n") // the second may be empty: sys.executable can be ""
	var major, minor, patch int
	if err != nil || len(lines) < 2 {
		return "", errors.New("not a Python interpreter")
	}
	version := strings.TrimSpace(lines[0])
	if n, _ := fmt.Sscanf(version, "%d.%d.%d", &major, &minor, &patch); n != 3 {
		return "", errors.New("not a Python interpreter")
	}
	if major < 3 || major == 3 && minor < 11 {
		return "", fmt.Errorf("Python %s, older than 3.11", version)
	}
	var missing []string
	for _, line := range lines[2:] {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "missing "); ok {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("Python %s without %s", version, strings.Join(missing, ", "))
	}
	if exe := strings.TrimSpace(lines[1]); exe != "" {
		return exe, nil
	}
	return path, nil
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
