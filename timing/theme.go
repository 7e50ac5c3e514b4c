package timing

import (
	"fmt"
	"math"
	"strings"

	"github.com/lucasb-eyer/go-colorful"
	"github.com/muesli/termenv"
)

// Theme is every colour asyncdemo prints with, for a dark or a light
// background: the task colours, the quiet colour of the time gutter and the
// axis, projector mode's gutter, and the colours of highlighted code. Each
// has a contrast of at least [MinContrast] against each of the theme's
// Backgrounds, exactly and as the nearest of the 256 xterm colours, which
// is what a terminal without true colour shows; the tests check it.
//
// Text with no colour of its own (a lesson's prose, plain code) is left in
// the terminal's own foreground, which is readable on its own background
// whatever the theme.
type Theme struct {
	Name string // "dark" or "light"
	// Backgrounds are the terminal backgrounds the theme is made for, as
	// #rrggbb: black to the common dark schemes, or white to the common
	// light ones.
	Backgrounds []string
	Tasks       [6]string // a task's colour, picked by its name
	Dim         string    // the time gutter, task states, a chart's axis and legend
	Strong      string    // --big's gutter and axis: bold, as readable as text
	Code        CodeColors
}

// CodeColors are the colours of --code's highlighting, by kind of token;
// "" is the terminal's foreground.
type CodeColors struct {
	Text, Comment, Keyword, Type, Builtin, Function, String, Number, Operator string
}

// MinContrast is the least contrast ratio between a colour and the
// background a theme prints on: WCAG 2's level AA for text.
const MinContrast = 4.5

var (
	// DarkTheme is for light text on a dark background (the default): the
	// task colours after One Dark's, the code's after Monokai, lightened
	// where Monokai's are too dim (its comments are 3.0:1 on its own
	// background, its operators 3.7:1 on One Dark's).
	DarkTheme = &Theme{
		Name:        "dark",
		Backgrounds: []string{"#000000", "#1e1e1e", "#282c34", "#002b36", "#300a24"},
		Tasks:       [6]string{"#56b6c2", "#98c379", "#e5c07b", "#c792ea", "#61afef", "#ff8787"},
		Dim:         "#a0a0a0",
		Strong:      "#e4e4e4",
		Code: CodeColors{
			Comment: "#a8a48f", Keyword: "#66d9ef", Type: "#66d9ef", Builtin: "#a6e22e", Function: "#a6e22e",
			String: "#e6db74", Number: "#bd93f9", Operator: "#ff6188",
		},
	}
	// LightTheme is for dark text on a light background: darker task
	// colours, and the code's after GitHub's light scheme, darkened where
	// GitHub's are too light (its comments are 4.2:1 on white, 3.4:1 as a
	// 256-colour).
	LightTheme = &Theme{
		Name:        "light",
		Backgrounds: []string{"#ffffff", "#fafafa", "#fdf6e3", "#eeeeee"},
		Tasks:       [6]string{"#00707a", "#22702a", "#7a5a00", "#a626a4", "#1565c0", "#b31d28"},
		Dim:         "#666666",
		Strong:      "#303030",
		Code: CodeColors{
			Comment: "#57606a", Keyword: "#cf222e", Type: "#0550ae", Builtin: "#0550ae", Function: "#6639ba",
			String: "#0a3069", Number: "#0550ae", Operator: "#cf222e",
		},
	}
)

// Themes are the themes by name.
var Themes = map[string]*Theme{"dark": DarkTheme, "light": LightTheme}

// Colors returns every colour the theme prints, each with what it is for.
func (t *Theme) Colors() map[string]string {
	c := map[string]string{"dim": t.Dim, "strong": t.Strong}
	for i, task := range t.Tasks {
		c[fmt.Sprintf("task %d", i)] = task
	}
	code := t.Code
	for name, hex := range map[string]string{"text": code.Text, "comment": code.Comment, "keyword": code.Keyword,
		"type": code.Type, "builtin": code.Builtin, "function": code.Function, "string": code.String,
		"number": code.Number, "operator": code.Operator} {
		if hex != "" {
			c["code "+name] = hex
		}
	}
	return c
}

// Contrast returns the WCAG 2 contrast ratio of two colours given as
// #rrggbb, from 1 (the same) to 21 (black and white).
func Contrast(a, b string) (float64, error) {
	ca, err := colorful.Hex(a)
	if err != nil {
		return 0, err
	}
	cb, err := colorful.Hex(b)
	if err != nil {
		return 0, err
	}
	return contrast(ca, cb), nil
}

func contrast(a, b colorful.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is a colour's relative luminance, as WCAG 2 defines it.
func luminance(c colorful.Color) float64 {
	linear := func(v float64) float64 {
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*linear(c.R) + 0.7152*linear(c.G) + 0.0722*linear(c.B)
}

// AsPrinted returns the colour a terminal of the given profile shows for
// hex: hex itself in true colour, the nearest of the 256 xterm colours in
// 256 colours. For 16 colours or none it returns "": the colour is the
// terminal's own.
func AsPrinted(profile termenv.Profile, hex string) string {
	switch profile {
	case termenv.TrueColor:
		return strings.ToLower(hex)
	case termenv.ANSI256:
		return termenv.ConvertToRGB(profile.Color(hex)).Hex()
	}
	return ""
}

// Paint returns text in colour hex ("" for the terminal's foreground),
// bold or italic if asked, for a terminal of the given profile: text itself
// with no colour (Ascii), or with nothing to apply.
func Paint(profile termenv.Profile, hex string, bold, italic bool, text string) string {
	if profile == termenv.Ascii || text == "" {
		return text
	}
	s := profile.String()
	if hex != "" {
		s = s.Foreground(profile.Color(hex))
	}
	if bold {
		s = s.Bold()
	}
	if italic {
		s = s.Italic()
	}
	return s.Styled(text)
}
