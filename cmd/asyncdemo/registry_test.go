package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// Every per-lesson table in these tests comes from the registry,
// demos.All: a new lesson is tested as soon as it is listed there, and
// TestEveryLessonHasItsGoldenFiles says which files it still lacks.

// allLessons returns the Info of every lesson, tools left out, in the
// order they are taught, with English texts.
func allLessons(t testing.TB) []lesson.Info {
	t.Helper()
	var infos []lesson.Info
	for _, l := range demos.All() {
		if info := lesson.Describe(l, "en"); !info.Tool {
			infos = append(infos, info)
		}
	}
	if len(infos) == 0 {
		t.Fatal("the registry lists no lesson")
	}
	return infos
}

// bubbleLessons returns the lessons that run in a synctest bubble, on fake
// time, so that their output is exact: all but those on real sockets.
func bubbleLessons(t testing.TB) []lesson.Info {
	t.Helper()
	var infos []lesson.Info
	for _, info := range allLessons(t) {
		if !info.Network {
			infos = append(infos, info)
		}
	}
	return infos
}

// goldenFiles are the golden files, under testdata, that a lesson must
// have: what --code shows in each style; for a lesson that runs in a
// bubble, its output and its Chinese output; and the events of its go
// style, unless that listens for a real SIGINT (cancel: os/signal cannot
// run in a bubble).
func goldenFiles(info lesson.Info) []string {
	files := []string{"code_" + info.Name + "_aio", "code_" + info.Name + "_go"}
	if !info.Network {
		files = append(files, info.Name, "zh_"+info.Name)
	}
	if goStyleInBubble(info) {
		files = append(files, "go_"+info.Name)
	}
	return files
}

// goStyleInBubble reports whether the lesson's go style runs in a synctest
// bubble: not on real sockets, and not listening for a real SIGINT.
func goStyleInBubble(info lesson.Info) bool { return !info.Network && !info.HandlesInterrupt }

// TestEveryLessonHasItsGoldenFiles fails when a lesson lacks a golden
// file (go test ./cmd/asyncdemo -update writes them), or a golden file
// names no lesson of the registry.
func TestEveryLessonHasItsGoldenFiles(t *testing.T) {
	want := map[string]bool{}
	for _, info := range allLessons(t) {
		for _, name := range goldenFiles(info) {
			want[name] = true
			if _, err := os.Stat(filepath.Join("testdata", name+".golden")); err != nil {
				t.Errorf("%s: no golden file %s.golden (go test ./cmd/asyncdemo -update writes it)", info.Name, name)
			}
		}
	}
	// A golden file of a lesson that left the registry would go on
	// passing unchecked: each must name a lesson (or the lesson list,
	// explain, the cheat sheet, or check).
	names := map[string]bool{"list": true, "explain": true, "cheatsheet": true, "check": true}
	for _, info := range allLessons(t) {
		names[info.Name] = true
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.golden"))
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".golden")
		for _, prefix := range []string{"code_", "go_", "zh_"} {
			name = strings.TrimPrefix(name, prefix)
		}
		lessonName, _, _ := strings.Cut(name, "_")
		if !names[lessonName] {
			t.Errorf("%s names no lesson of the registry", path)
		}
	}
}

var (
	headingLine = regexp.MustCompile(`^── (\S+) · (?:aio|go) ──`)
	gutterLine  = regexp.MustCompile(`^\s+([0-9]+\.[0-9]{3}s)  (.*)$`)
)

// inChanceOrder puts into one order the lines of out, a lesson's printed
// output, whose order the lesson's Info says is left to chance: lines of
// one instant printed by different streams (threads) interleave by chance,
// so such a run of lines is ordered by stream, each stream's lines keeping
// their own order; and lines of one instant and stream that come from a set
// (the results asyncio.wait returns) are sorted. Every other line keeps its
// place, so a golden file still fixes every order the lesson does.
func inChanceOrder(info lesson.Info, out string) string {
	if info.Twin == nil || info.Twin.Order == nil {
		return out
	}
	lines := strings.SplitAfter(out, "\n")
	run := ""
	type chance struct {
		at    string // the instant
		order twin.Order
		left  bool // printed by one of several streams, or from a set
	}
	key := func(line string) chance {
		m := gutterLine.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			return chance{}
		}
		o := info.Twin.Order(run, timing.Event{Kind: timing.KindEvent, Text: m[2]})
		return chance{at: m[1], order: o, left: o.Stream != "" || o.Set}
	}
	for i := 0; i < len(lines); i++ {
		if m := headingLine.FindStringSubmatch(lines[i]); m != nil {
			run = m[1]
			continue
		}
		k := key(lines[i])
		if !k.left {
			continue
		}
		j := i + 1 // lines[i:j]: one instant, every line's order left to chance
		for ; j < len(lines); j++ {
			if k2 := key(lines[j]); !k2.left || k2.at != k.at {
				break
			}
		}
		block := lines[i:j]
		keys := make(map[string]chance, len(block))
		for _, l := range block {
			keys[l] = key(l)
		}
		slices.SortStableFunc(block, func(a, b string) int { return strings.Compare(keys[a].order.Stream, keys[b].order.Stream) })
		for s := 0; s < len(block); { // then sort each stream's lines that come from a set
			e := s + 1
			for e < len(block) && keys[block[e]].order == keys[block[s]].order {
				e++
			}
			if keys[block[s]].order.Set {
				slices.Sort(block[s:e])
			}
			s = e
		}
		i = j - 1
	}
	return strings.Join(lines, "")
}
