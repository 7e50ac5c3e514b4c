package demos

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxSeconds is the longest duration a lesson accepts: an hour.
const MaxSeconds = 3600

// ParseSeconds parses one duration in seconds, as the tutorial writes them:
// "2", "0.5". It must be a finite number from 0 to MaxSeconds.
func ParseSeconds(s string) (float64, error) {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%q is not a number of seconds", s)
	}
	if x < 0 || x > MaxSeconds {
		return 0, fmt.Errorf("%q is out of range (0 to %d seconds)", s, MaxSeconds)
	}
	return x, nil
}

// ParseDurations parses a comma-separated list of durations in seconds,
// such as "1,2,4". It needs at least one.
func ParseDurations(s string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("no durations given (want a list such as 1,2,4)")
	}
	var xs []float64
	for _, part := range strings.Split(s, ",") {
		x, err := ParseSeconds(part)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	return xs, nil
}

// formatSeconds writes seconds the way Python prints them: 2, 0.5.
func formatSeconds(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// secondsValue is a pflag.Value for one duration in seconds.
type secondsValue struct{ p *float64 }

func (v secondsValue) String() string { return formatSeconds(*v.p) }
func (v secondsValue) Type() string   { return "seconds" }
func (v secondsValue) Set(s string) error {
	x, err := ParseSeconds(s)
	if err != nil {
		return err
	}
	*v.p = x
	return nil
}

// durationsValue is a pflag.Value for a list of durations in seconds.
type durationsValue struct{ p *[]float64 }

func (v durationsValue) String() string {
	parts := make([]string, len(*v.p))
	for i, x := range *v.p {
		parts[i] = formatSeconds(x)
	}
	return strings.Join(parts, ",")
}
func (v durationsValue) Type() string { return "seconds,..." }
func (v durationsValue) Set(s string) error {
	xs, err := ParseDurations(s)
	if err != nil {
		return err
	}
	*v.p = xs
	return nil
}

// choiceValue is a pflag.Value that accepts one of a few words.
type choiceValue struct {
	p       *string
	choices []string
}

func (v choiceValue) String() string { return *v.p }
func (v choiceValue) Type() string   { return strings.Join(v.choices, "|") }
func (v choiceValue) Set(s string) error {
	for _, c := range v.choices {
		if s == c {
			*v.p = s
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(v.choices, ", "))
}

// MaxTasks is the most tasks --tasks accepts.
const MaxTasks = 10_000_000

// countValue is a pflag.Value for a whole number in [min, max].
type countValue struct {
	p        *int
	min, max int
}

func (v countValue) String() string { return strconv.Itoa(*v.p) }
func (v countValue) Type() string   { return "N" }
func (v countValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	if n < v.min || n > v.max {
		return fmt.Errorf("%q is out of range (%d to %d)", s, v.min, v.max)
	}
	*v.p = n
	return nil
}
