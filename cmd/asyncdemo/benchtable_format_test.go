package main

import (
	"strings"
	"testing"
)

func TestBenchTableShowsMediansRangesAndWhetherTheGoalIsMet(t *testing.T) {
	s := tableSamples{}
	for _, x := range []float64{3, 1, 2} {
		s.add("go", x)
		s.add("py", 10*x)
		s.add("x", 10)
	}
	s.add("share", 0.5)
	tw := &tableWriter{s: s}
	tw.row("gather", tableSecs, "go", "py", "x", "× faster", "≥ 10×", 10, true)
	tw.row("drain share", tablePercent, "share", "", "", "", "≥ 70 %", 0.7, true)
	tw.row("missing", tableRate, "nothing", "", "", "", "", 0, false)
	tw.note("redis-benchmark not installed")
	var out strings.Builder
	tw.print(&out)
	rows := map[string][]string{}
	for line := range strings.Lines(out.String()) {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[cells[0]] = cells
	}
	for name, want := range map[string][]string{
		"gather":      {"gather", "2.00 [1.00–3.00] s", "20.00 [10.00–30.00] s", "10.00 [10.00–10.00] × faster", "≥ 10×", "yes"},
		"drain share": {"drain share", "50 %", "", "", "≥ 70 %", "no"},
		"missing":     {"missing", "–", "", "", "", ""},
	} {
		if got := rows[name]; strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("row %q = %q, want %q", name, got, want)
		}
	}
	if !strings.Contains(out.String(), "\nredis-benchmark not installed\n") {
		t.Errorf("the note is missing:\n%s", out.String())
	}
}
