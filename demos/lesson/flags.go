package lesson

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// MaxSeconds is the longest duration a lesson accepts: an hour.
const MaxSeconds = 3600

// MaxTasks is the most tasks a lesson's --tasks accepts.
const MaxTasks = 10_000_000

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

// FormatSeconds writes seconds the way Python prints them: 2, 0.5.
func FormatSeconds(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// SecondsFlag returns a flag value for one duration in seconds, stored in p.
func SecondsFlag(p *float64) pflag.Value { return secondsValue{p} }

type secondsValue struct{ p *float64 }

func (v secondsValue) String() string { return FormatSeconds(*v.p) }
func (v secondsValue) Type() string   { return "seconds" }
func (v secondsValue) Set(s string) error {
	x, err := ParseSeconds(s)
	if err != nil {
		return err
	}
	*v.p = x
	return nil
}

// DurationsFlag returns a flag value for a comma-separated list of
// durations in seconds, stored in p.
func DurationsFlag(p *[]float64) pflag.Value { return durationsValue{p} }

type durationsValue struct{ p *[]float64 }

func (v durationsValue) String() string {
	parts := make([]string, len(*v.p))
	for i, x := range *v.p {
		parts[i] = FormatSeconds(x)
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

// ChoiceFlag returns a flag value that accepts one of choices, stored in p.
func ChoiceFlag(p *string, choices ...string) pflag.Value { return choiceValue{p, choices} }

type choiceValue struct {
	p       *string
	choices []string
}

func (v choiceValue) String() string { return *v.p }

// Choices returns the values the flag takes, for shell completion.
func (v choiceValue) Choices() []string { return slices.Clone(v.choices) }
func (v choiceValue) Type() string      { return strings.Join(v.choices, "|") }
func (v choiceValue) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(v.choices, ", "))
	}
	*v.p = s
	return nil
}

// CountFlag returns a flag value for a whole number from min to max,
// stored in p.
func CountFlag(p *int, min, max int) pflag.Value { return countValue{p, min, max} }

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
