package timing

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/muesli/termenv"
)

// TestThemeColorsAreReadable computes the WCAG contrast of every colour of
// both themes against each background the theme is for, as the exact
// colour and as the 256-colour one a terminal without true colour shows.
func TestThemeColorsAreReadable(t *testing.T) {
	for _, theme := range []*Theme{DarkTheme, LightTheme} {
		for what, hex := range theme.Colors() {
			for _, bg := range theme.Backgrounds {
				for _, profile := range []termenv.Profile{termenv.TrueColor, termenv.ANSI256} {
					shown := AsPrinted(profile, hex)
					c, err := Contrast(shown, bg)
					if err != nil {
						t.Fatalf("%s %s %s: %v", theme.Name, what, hex, err)
					}
					if c < MinContrast {
						t.Errorf("%s theme: %s %s (shown as %s in %s) on %s: contrast %.2f, want at least %.1f",
							theme.Name, what, hex, shown, profile.Name(), bg, c, MinContrast)
					}
				}
			}
		}
	}
}

func TestContrast(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#777777", "#ffffff", 4.48}, // the grey that just fails AA
		{"#f8f8f2", "#ffffff", 1.07}, // Monokai's text on white: issue 16
	} {
		got, err := Contrast(c.a, c.b)
		if err != nil || got < c.want-0.01 || got > c.want+0.01 {
			t.Errorf("Contrast(%s, %s) = %.2f, %v; want %.2f", c.a, c.b, got, err, c.want)
		}
	}
}

// sgrColor finds the foreground colours of true-colour escapes.
var sgrColor = regexp.MustCompile(`\x1b\[[0-9;]*38;2;(\d+);(\d+);(\d+)`)

// printedColors returns every true colour in out, as #rrggbb, and fails if
// out has a colour that is not one (a 16-colour or a faint one, whose look
// is the terminal's own).
func printedColors(t *testing.T, out string) map[string]bool {
	t.Helper()
	colors := map[string]bool{}
	for _, m := range sgrColor.FindAllStringSubmatch(out, -1) {
		var rgb [3]int
		for i := range rgb {
			rgb[i], _ = strconv.Atoi(m[i+1])
		}
		colors[fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2])] = true
	}
	for _, seq := range regexp.MustCompile(`\x1b\[([0-9;]*)m`).FindAllStringSubmatch(out, -1) {
		for _, p := range regexp.MustCompile(`(^|;)(2|3[0-7]|9[0-7])(;|$)`).FindAllString(seq[1], -1) {
			if !regexp.MustCompile(`38;2;`).MatchString(seq[1]) {
				t.Errorf("a colour of the terminal's own (%q in %q): its contrast is unknown", p, seq[0])
			}
		}
	}
	return colors
}

// TestEveryPrintedColorIsReadable prints what a lesson prints (events,
// states, totals, a comparison, headings, a timeline with cancelled and
// failed tasks and a mark), in both themes and in projector mode, and
// checks the contrast of every colour that appears.
func TestEveryPrintedColorIsReadable(t *testing.T) {
	for _, theme := range []*Theme{DarkTheme, LightTheme} {
		for _, big := range []bool{false, true} {
			var out bytes.Buffer
			p := NewPrinter(&out, false)
			p.Theme, p.Big = theme, big
			concurrent, sequential := gatherRuns()
			for _, e := range concurrent.Events {
				p.Event(e)
			}
			for i := range 12 { // every task colour
				p.Event(Event{Kind: KindEvent, Task: fmt.Sprintf("worker-%d", i), Text: "Waiting: 1"})
			}
			p.Event(Event{Kind: KindState, Task: "do_some_work(1)", State: "pending"})
			p.Event(Event{Kind: KindCompare, Concurrent: 4 * time.Second, Sequential: 7 * time.Second})
			p.Heading("concurrent · aio")
			cancel := cancelRun()
			cancel.Marks = []Mark{{T: 800 * ms, Label: "Ctrl+C"}}
			out.WriteString(Timeline{Theme: theme, Big: big}.Render(concurrent, sequential, cancel, blockedRun()))
			colors := printedColors(t, out.String())
			if len(colors) < 7 {
				t.Errorf("%s: only %d colours printed: %q", theme.Name, len(colors), out.String())
			}
			for hex := range colors {
				for _, bg := range theme.Backgrounds {
					if c, _ := Contrast(hex, bg); c < MinContrast {
						t.Errorf("%s theme (big %v) printed %s: contrast %.2f on %s", theme.Name, big, hex, c, bg)
					}
				}
			}
		}
	}
}
