// Package testenv says what asyncdemo's tests need from the machine: tools
// such as redis-server, tmux and CPython that a developer may lack, and
// that CI must have.
//
// One rule holds for every such test: on a developer's machine, a missing
// tool skips the test with a message naming it and how to install it; under
// CI (the environment variable CI set), where every test must run, it fails
// the test. Tests that start real servers, interpreters or terminals are
// also skipped by go test -short, the fast inner loop.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run under CI, where nothing may be
// skipped for want of a tool.
func InCI() bool { return os.Getenv("CI") != "" }

// Missing ends t, which needs what (such as "redis-server") and cannot
// have it because of why: it skips t, saying how to install it, or fails
// t under CI.
func Missing(t testing.TB, what, why, install string) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI must run this test, which needs %s: %s (.ci/run installs it: %s)", what, why, install)
	}
	t.Skipf("skipping: this test needs %s: %s (%s to run it)", what, why, install)
}

// LookPath returns the path of the program name, or ends t as Missing
// does when it is not installed.
func LookPath(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, "it is not installed", install)
	}
	return path
}

// SkipShort skips t under go test -short: it is slow, as every test that
// needs kind (a real Redis, a Python twin, a terminal) is.
func SkipShort(t testing.TB, kind string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping under -short: this test needs %s", kind)
	}
}
