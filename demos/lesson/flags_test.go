package lesson

import (
	"math"
	"strings"
	"testing"
)

func TestParseDurations(t *testing.T) {
	good := map[string][]float64{
		"1,2,4":       {1, 2, 4},
		" 0.5 , 1 ":   {0.5, 1},
		"0":           {0},
		"3600":        {3600},
		"1e-3,2.5e0":  {0.001, 2.5},
		"4,1,2,2,2,2": {4, 1, 2, 2, 2, 2},
	}
	for in, want := range good {
		got, err := ParseDurations(in)
		if err != nil || len(got) != len(want) {
			t.Errorf("ParseDurations(%q) = %v, %v; want %v", in, got, err, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("ParseDurations(%q)[%d] = %v, want %v", in, i, got[i], want[i])
			}
		}
	}
	bad := map[string]string{
		"":      "no durations",
		"1,x":   `"x" is not a number`,
		"1,,2":  `"" is not a number`,
		"-1":    `"-1" is out of range`,
		"3601":  `"3601" is out of range`,
		"NaN":   `"NaN" is not a number`,
		"inf":   `"inf" is not a number`,
		"1;2":   `"1;2" is not a number`,
		"0x10":  `"0x10"`,
		"1,2,":  `"" is not a number`,
		"1s,2s": `"1s" is not a number`,
	}
	for in, want := range bad {
		_, err := ParseDurations(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseDurations(%q) error = %v, want one containing %s", in, err, want)
		}
	}
}

// FuzzParseDurations checks that any input either parses to durations a
// lesson can use or is refused with an error naming the bad part.
func FuzzParseDurations(f *testing.F) {
	for _, s := range []string{"1,2,4", "0.5", "", ",", "1,x", "-0", "1e308", "NaN", " 2 ,3", "3600.0000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		xs, err := ParseDurations(s)
		if err != nil {
			if xs != nil {
				t.Errorf("ParseDurations(%q) returned %v with error %v", s, xs, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error for %q is not one line: %q", s, err)
			}
			return
		}
		if len(xs) != strings.Count(s, ",")+1 {
			t.Errorf("ParseDurations(%q) = %d durations, want one per comma-separated part", s, len(xs))
		}
		for _, x := range xs {
			if math.IsNaN(x) || x < 0 || x > MaxSeconds {
				t.Errorf("ParseDurations(%q) gave %v, outside [0, %d]", s, x, MaxSeconds)
			}
		}
		// Formatting and parsing again gives the same durations.
		again, err := ParseDurations(durationsValue{&xs}.String())
		if err != nil || len(again) != len(xs) {
			t.Fatalf("round trip of %v failed: %v", xs, err)
		}
		for i := range xs {
			if again[i] != xs[i] {
				t.Errorf("round trip changed %v to %v", xs[i], again[i])
			}
		}
	})
}
