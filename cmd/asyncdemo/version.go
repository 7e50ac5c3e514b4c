package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version says which asyncdemo this is, from what the Go toolchain
// stamped into the binary: the module's version (the tag, with go install
// MODULE/cmd/asyncdemo@v1.2.0; "(devel)" for a build from a checkout), the
// commit, its time and whether the tree had changes (a build in a git
// checkout), and the Go that built it. For example:
//
//	asyncdemo (devel), commit 3fbd79a1c2d3 of 2026-12-02 09:41 UTC, with local changes; go1.26.8 linux/amd64
func version(info *debug.BuildInfo, ok bool) string {
	v := "asyncdemo"
	if !ok {
		return v + " (no build information); " + runtime.Version()
	}
	v += " " + info.Main.Version
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		v += ", commit " + rev[:min(12, len(rev))]
		if t := settings["vcs.time"]; t != "" {
			v += " of " + strings.Replace(strings.TrimSuffix(t[:min(16, len(t))], "Z"), "T", " ", 1) + " UTC"
		}
		if settings["vcs.modified"] == "true" {
			v += ", with local changes"
		}
	}
	goos, goarch := settings["GOOS"], settings["GOARCH"]
	if goos == "" {
		goos, goarch = runtime.GOOS, runtime.GOARCH
	}
	return fmt.Sprintf("%s; %s %s/%s", v, info.GoVersion, goos, goarch)
}
