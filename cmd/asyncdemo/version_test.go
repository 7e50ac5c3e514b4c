package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFromBuildInfo(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	for _, c := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: setting("GOOS", "linux", "GOARCH", "amd64")},
			true, "asyncdemo v1.2.0; go1.26.8 linux/amd64"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: setting("GOOS", "darwin", "GOARCH", "arm64",
			"vcs.revision", "3fbd79a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7", "vcs.time", "2026-12-02T09:41:07Z", "vcs.modified", "true")},
			true, "asyncdemo (devel), commit 3fbd79a1c2d3 of 2026-12-02 09:41 UTC, with local changes; go1.26.8 darwin/arm64"},
		{nil, false, "asyncdemo (no build information); " + runtime.Version()},
	} {
		if got := version(c.info, c.ok); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
	out, _, code := runCmd(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "asyncdemo ") || !strings.Contains(out, runtime.Version()) || strings.Count(out, "\n") != 1 {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}
