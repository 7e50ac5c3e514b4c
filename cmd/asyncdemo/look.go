package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/muesli/termenv"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// Themes: --theme's values. auto asks the terminal for its background.
var themeNames = []string{"auto", "dark", "light"}

// themeEnv is the environment variable that sets --theme's default.
const themeEnv = "ASYNCDEMO_THEME"

// look is how the output looks: colour or none, and with colour, the theme
// and how many colours the terminal shows.
type look struct {
	noColor bool
	theme   *timing.Theme
	profile termenv.Profile
}

// look resolves --no-color, NO_COLOR, a stdout that is not a terminal,
// --theme (auto: the terminal's background, dark when it does not say) and
// the terminal's colours, once per command.
func (o *Options) look() look {
	if o.resolved != nil {
		return *o.resolved
	}
	ios := o.IO
	l := look{noColor: o.NoColor || ios.NoColorEnv || !ios.IsTerminal, theme: timing.DarkTheme, profile: ios.Profile}
	if l.profile == termenv.Ascii {
		l.noColor = true
	}
	switch {
	case l.noColor:
	case o.Theme == "light":
		l.theme = timing.LightTheme
	case o.Theme == "auto" && ios.DarkBackground != nil && !ios.DarkBackground():
		l.theme = timing.LightTheme
	}
	o.resolved = &l
	return l
}

// printer returns a Printer to out in this look.
func (l look) printer(out io.Writer) *timing.Printer {
	p := timing.NewPrinter(out, l.noColor)
	p.Theme, p.Profile = l.theme, l.profile
	return p
}

// timeline returns a Timeline in this look.
func (l look) timeline() timing.Timeline {
	return timing.Timeline{NoColor: l.noColor, Theme: l.theme, Profile: l.profile}
}

// dim returns s in the theme's quiet colour, as the time gutter is.
func (l look) dim(s string) string {
	if l.noColor {
		return s
	}
	return timing.Paint(l.profile, l.theme.Dim, false, false, s)
}

// themeDefault returns --theme's default: ASYNCDEMO_THEME's value, or auto.
// A value that is not a theme is an error naming the variable.
func themeDefault(env string) (string, error) {
	if env == "" {
		return "auto", nil
	}
	if !slices.Contains(themeNames, env) {
		return "auto", lesson.UsageError{Err: fmt.Errorf("%s=%q is not one of auto, dark, light", themeEnv, env)}
	}
	return env, nil
}

// colorProfile is the colours a terminal shows, from $TERM and $COLORTERM as
// termenv reads them (true colour where COLORTERM says so, 256 colours for
// a TERM that names them), with two changes: no colour on a dumb terminal,
// and 256 colours where termenv would assume fewer (xterm, screen, vt220:
// the terminals called so today show 256), except on the Linux console,
// which has 16.
func colorProfile(termenvSays termenv.Profile, term string) termenv.Profile {
	switch {
	case term == "dumb":
		return termenv.Ascii
	case term == "linux":
		return termenv.ANSI
	case termenvSays == termenv.TrueColor || termenvSays == termenv.ANSI256:
		return termenvSays
	}
	return termenv.ANSI256
}
