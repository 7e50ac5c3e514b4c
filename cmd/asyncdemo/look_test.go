package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"unicode"
	"unicode/utf8"

	"github.com/muesli/termenv"
	"github.com/rivo/uniseg"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// runInTerminal runs the command line as main would in a terminal of width
// columns with true colour, in a synctest bubble unless it shows code
// (--code, solution, hint: chroma's regexp engine starts a clock of its own) or runs a program
// (explain: a real Python, in real time); setup may change the
// streams first (the theme's variable, the background the terminal says).
func runInTerminal(t *testing.T, width int, setup func(*IOStreams), args ...string) (stdout, stderr string, code int) {
	t.Helper()
	run := func(*testing.T) {
		var out, errOut bytes.Buffer
		ios := &IOStreams{Out: &out, Err: &errOut, In: strings.NewReader(""), IsTerminal: true, Width: width,
			Profile: termenv.TrueColor, Term: "xterm-256color"}
		if setup != nil {
			setup(ios)
		}
		code = execute(context.Background(), ios, args)
		stdout, stderr = out.String(), errOut.String()
	}
	if slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--code") }) || len(args) > 0 && (args[0] == "explain" || args[0] == "solution" || args[0] == "hint") {
		run(t)
	} else {
		synctest.Test(t, run)
	}
	return stdout, stderr, code
}

var (
	trueColorFg = regexp.MustCompile(`\x1b\[[0-9;]*?38;2;(\d+);(\d+);(\d+)`)
	anySGR      = regexp.MustCompile(`\x1b\[([0-9;]*)m`)
)

// colorsIn returns the true colours of the foreground escapes in out, as
// #rrggbb, and fails the test on an escape that leaves the colour to the
// terminal's palette (16 colours, faint), whose contrast is unknown.
func colorsIn(t *testing.T, out string) map[string]bool {
	t.Helper()
	colors := map[string]bool{}
	for _, m := range trueColorFg.FindAllStringSubmatch(out, -1) {
		var rgb [3]int
		for i := range rgb {
			rgb[i], _ = strconv.Atoi(m[i+1])
		}
		colors[fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2])] = true
	}
	for _, m := range anySGR.FindAllStringSubmatch(out, -1) {
		params := strings.Split(m[1], ";")
		for i := 0; i < len(params); i++ {
			switch p := params[i]; {
			case p == "38" || p == "48":
				i += 4 // 38;2;r;g;b
			case p == "2" || (len(p) == 2 && (p[0] == '3' || p[0] == '9') && p[1] != '8') || (len(p) == 2 && p[0] == '4'):
				t.Errorf("an escape whose colour is the terminal's own (%q): its contrast is unknown", m[0])
			}
		}
	}
	return colors
}

// checkContrast fails for each colour in out under 4.5:1 against one of
// theme's backgrounds.
func checkContrast(t *testing.T, what string, theme *timing.Theme, out string) {
	t.Helper()
	colors := colorsIn(t, out)
	if len(colors) == 0 {
		t.Errorf("%s: no colour printed:\n%q", what, out)
	}
	for hex := range colors {
		for _, bg := range theme.Backgrounds {
			if c, _ := timing.Contrast(hex, bg); c < timing.MinContrast {
				t.Errorf("%s, %s theme: %s on %s has contrast %.2f, want at least %.1f", what, theme.Name, hex, bg, c, timing.MinContrast)
			}
		}
	}
}

// TestEveryColorIsReadableInBothThemes computes the contrast of every
// colour a lesson prints (gutter, tasks, states, totals, the timeline),
// its code's highlighting in Go and Python, projector mode and the
// side-by-side, against the backgrounds of the theme chosen.
func TestEveryColorIsReadableInBothThemes(t *testing.T) {
	for _, theme := range []*timing.Theme{timing.DarkTheme, timing.LightTheme} {
		for _, args := range [][]string{
			{"gather"},
			{"gather", "--big"},
			{"nest", "--durations", "4,1,2"},
			{"thread", "--fail", "--scale", "0.1"},
			{"gather", "--code"},
			{"gather", "--code", "--style", "go"},
			{"sms", "--code=python"},
			// --step's frames among the output, as a terminal shows them
			// when the keys do not come from it.
			{"gather", "--step", "--scale", "0.01"},
			// explain's output, timeline and findings.
			{"explain", filepath.Join("..", "..", "demos", "explain", "testdata", "blocking.py")},
		} {
			args := append(args, "--theme", theme.Name)
			if args[0] == "explain" { // its flags before the program, whose are the rest
				explainPython(t)
				args = []string{"explain", "--theme", theme.Name, args[1]}
			}
			out, errOut, code := runInTerminal(t, 100, nil, args...)
			if code != 0 && args[0] != "thread" {
				t.Fatalf("%q: exit %d: %s", args, code, errOut)
			}
			checkContrast(t, strings.Join(args, " "), theme, out)
			if dim := termenv.TrueColor.Color(theme.Dim).Sequence(false); slices.Contains(args, "--step") && !strings.Contains(out, "\x1b["+dim+"m┄ step 1 ") {
				t.Errorf("%q: the frames are not in the theme's quiet colour %s:\n%q", args, theme.Dim, out)
			}
		}
	}
}

// Monokai's near-white text on a light background was issue 16's first
// finding: in the light theme, plain code is the terminal's own colour and
// nothing is printed in the dark theme's colours.
func TestLightThemeCodeHasNoDarkColors(t *testing.T) {
	out, _, _ := runInTerminal(t, 100, nil, "gather", "--code", "--theme", "light")
	for what, hex := range timing.DarkTheme.Colors() {
		if colorsIn(t, out)[hex] {
			t.Errorf("the light theme printed the dark theme's %s %s", what, hex)
		}
	}
	if strings.Contains(out, "38;2;248;248;242") {
		t.Error("monokai's #f8f8f2 text is printed")
	}
}

// TestThemeChoice: --theme, then ASYNCDEMO_THEME, then (auto) what the
// terminal says of its background; a bad variable is an error naming it.
func TestThemeChoice(t *testing.T) {
	lightBg := func(ios *IOStreams) { ios.DarkBackground = func() bool { return false } }
	darkBg := func(ios *IOStreams) { ios.DarkBackground = func() bool { return true } }
	env := func(v string, bg func(*IOStreams)) func(*IOStreams) {
		return func(ios *IOStreams) { ios.Theme = v; bg(ios) }
	}
	light := termenv.TrueColor.Color(timing.LightTheme.Dim).Sequence(false)
	dark := termenv.TrueColor.Color(timing.DarkTheme.Dim).Sequence(false)
	for _, c := range []struct {
		name  string
		setup func(*IOStreams)
		args  []string
		want  string
	}{
		{"auto on a light background", lightBg, nil, light},
		{"auto on a dark background", darkBg, nil, dark},
		{"auto, the terminal cannot say", nil, nil, dark},
		{"--theme light on a dark background", darkBg, []string{"--theme", "light"}, light},
		{"--theme dark on a light background", lightBg, []string{"--theme=dark"}, dark},
		{"ASYNCDEMO_THEME=light", env("light", darkBg), nil, light},
		{"--theme auto over ASYNCDEMO_THEME=light", env("light", darkBg), []string{"--theme", "auto"}, dark},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runInTerminal(t, 80, c.setup, append([]string{"coroutine"}, c.args...)...)
			if code != 0 || !strings.Contains(out, "\x1b["+c.want+"m  0.000s") {
				t.Errorf("exit %d (%s); the gutter is not in %q:\n%q", code, errOut, c.want, out)
			}
		})
	}
	asked := false
	out, _, _ := runInTerminal(t, 80, func(ios *IOStreams) {
		ios.DarkBackground = func() bool { asked = true; return true }
	}, "coroutine", "--no-color")
	if asked || strings.Contains(out, "\x1b") {
		t.Errorf("--no-color asked the terminal for its background (%v) or printed colour", asked)
	}
	_, errOut, code := runInTerminal(t, 80, env("solarized", darkBg), "coroutine")
	if code != exitUsage || !strings.Contains(errOut, `ASYNCDEMO_THEME="solarized"`) {
		t.Errorf("ASYNCDEMO_THEME=solarized: exit %d, %q; want 2 naming the variable", code, errOut)
	}
	if _, errOut, code := runInTerminal(t, 80, nil, "coroutine", "--theme", "blue"); code != exitUsage || !strings.Contains(errOut, "--theme") {
		t.Errorf("--theme blue: exit %d, %q", code, errOut)
	}
}

func TestColorProfile(t *testing.T) {
	for _, c := range []struct {
		termenv termenv.Profile
		term    string
		want    termenv.Profile
	}{
		{termenv.TrueColor, "xterm-256color", termenv.TrueColor},
		{termenv.ANSI256, "tmux-256color", termenv.ANSI256},
		{termenv.ANSI, "xterm", termenv.ANSI256},
		{termenv.Ascii, "screen", termenv.ANSI256},
		{termenv.ANSI, "linux", termenv.ANSI},
		{termenv.Ascii, "dumb", termenv.Ascii},
	} {
		if got := colorProfile(c.termenv, c.term); got != c.want {
			t.Errorf("TERM=%s, termenv says %s: got %s, want %s", c.term, c.termenv.Name(), got.Name(), c.want.Name())
		}
	}
}

// TestEveryLessonTextWrapsWell prints every lesson's texts, in English and
// Chinese, at 50, 100 and 200 columns and in projector mode, and checks
// each line: no wider than the terminal nor 88 columns (60 with --big), no
// English word or flag cut in two where the text had no space, no line
// starting with a closing mark (，。）) or ending with an opening one (（).
func TestEveryLessonTextWrapsWell(t *testing.T) {
	const closing, opening = "，。、：；）」』！？,.;:)", "（「『("
	isWordRune := func(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') }
	for _, lang := range []string{"en", "zh"} {
		for _, demo := range demos.All() {
			info := lesson.Describe(demo, lang)
			for _, c := range []struct {
				width int
				big   bool
			}{{50, false}, {100, false}, {200, false}, {200, true}} {
				limit := min(c.width, timing.ProseWidth)
				if c.big {
					limit = timing.BigWidth
				}
				for _, text := range []string{info.Before, info.After, info.AfterGo} {
					var out bytes.Buffer
					p := timing.NewPrinter(&out, true)
					p.Width, p.Big = c.width, c.big
					p.Note(text)
					where := fmt.Sprintf("%s %s at %d (big %v)", lang, info.Name, c.width, c.big)
					for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
						if w := uniseg.StringWidth(line); w > limit {
							t.Errorf("%s: %d columns, more than %d: %q", where, w, limit, line)
						}
						if first, _ := utf8.DecodeRuneInString(line); line != "" && strings.ContainsRune(closing, first) {
							t.Errorf("%s: a line starts with a closing mark: %q", where, line)
						}
						if last, _ := utf8.DecodeLastRuneInString(line); line != "" && strings.ContainsRune(opening, last) {
							t.Errorf("%s: a line ends with an opening mark: %q", where, line)
						}
					}
					// Walk the text and what was printed together: a line
					// break where the text had no space must not fall
					// between two letters of a word.
					src, got := []rune(strings.Join(strings.Fields(text), " ")), []rune(strings.TrimRight(out.String(), "\n"))
					for i, j := 0, 0; i < len(src) && j < len(got); i, j = i+1, j+1 {
						if got[j] == '\n' && src[i] != ' ' {
							// (or after a flag's hyphens: "--" and "blocking")
							flag := i > 0 && src[i-1] == '-' && strings.LastIndexFunc(string(src[:i]), func(r rune) bool { return r != '-' }) ==
								strings.LastIndexAny(string(src[:i]), " (（")
							if i > 0 && (isWordRune(src[i-1]) || flag) && isWordRune(src[i]) {
								t.Errorf("%s: %q cut in two", where, string(src[max(0, i-12):min(len(src), i+12)]))
							}
							i--
						}
					}
				}
			}
		}
	}
}

// axisLabels matches a timeline's line of seconds.
var axisLabels = regexp.MustCompile(`^\s+[0-9.]+s(\s+[0-9.]+s)*$`)

// TestReadableInARealTerminal runs lessons in tmux as issue 16 found them:
// 50 and 200 columns, English and Chinese, a light and a dark background.
// No line is left for the terminal to cut (the screen, its rows joined,
// has none wider than the terminal); at 50 columns the comparison wraps
// between words; at 200 a paragraph runs 88 columns at most; and auto
// picks the theme from the background the terminal reports (COLORFGBG,
// as inside tmux).
func TestReadableInARealTerminal(t *testing.T) {
	bin := binary(t)
	for _, c := range []struct {
		cols int
		args string
		bg   string // COLORFGBG: foreground;background
		dim  string // the gutter's colour as tmux keeps it
		want []string
	}{
		{50, "gather --scale 0.01", "0;15", "38;2;102;102;102", []string{"s:\n", "× faster\n"}},
		{50, "await --lang zh --scale 0.01", "15;0", "38;2;160;160;160", []string{"加上 --blocking 后，", "s:\n", "× 更快\n"}},
		{100, "await --lang zh --scale 0.01", "15;0", "38;2;160;160;160", []string{"\n两个协程各等待 2 秒（-x）。使用 await asyncio.sleep(x) 时，"}},
		{200, "await --lang zh --scale 0.01 --theme light", "15;0", "38;2;102;102;102", []string{"\n两个协程各等待 2 秒（-x）。使用 await asyncio.sleep(x) 时，"}},
		{200, "gather --scale 0.01 --big", "0;15", "38;2;48;48;48m", []string{"Three tasks sleep for 1, 2 and 4 seconds on one event loop.\n"}},
		// The side-by-side, one side under the other, a repr cut in its
		// middle after the task's name, no other row cut.
		{50, "cancel --vs python --interrupt --scale 0.2", "15;0", "38;2;160;160;160", []string{
			"\n  go 0.", "s KeyboardInterrupt\n  py 0.", "s <Task pending name='do_some_work(1)…]>\n", "s do_some_work(2): cancelled\n"}},
	} {
		t.Run(fmt.Sprintf("%d %s", c.cols, c.args), func(t *testing.T) {
			if strings.Contains(c.args, "--vs python") {
				twinPython(t, "cancel")
			}
			// TERM says tmux, whatever the tmux server was started with, so the
			// background is read from COLORFGBG, not asked of the terminal;
			// and CI is emptied: a tmux server that CI's test run started
			// passes CI on, and termenv takes a set CI for "not a terminal"
			// and never reads the background (a user's terminal has no CI).
			s := newTmuxSized(t, c.cols, 100, "LANG=C.UTF-8", "PS1=$ ", "TERM=tmux-256color", "CI=", "COLORTERM=truecolor", "COLORFGBG="+c.bg)
			s.keys(bin+" "+c.args+"; echo exit=$?", "Enter")
			s.waitFor("exit=0", 1)
			screen := s.screen()
			joined := strings.ReplaceAll(screen, "\n", " ")
			for _, want := range c.want {
				if strings.Contains(want, "\n") && !strings.Contains(screen, want) || !strings.Contains(joined, strings.ReplaceAll(want, "\n", " ")) {
					t.Errorf("the screen does not show %q:\n%s", want, screen)
				}
			}
			for _, line := range strings.Split(screen, "\n") {
				if strings.Contains(line, bin) { // the command typed
					continue
				}
				if strings.HasPrefix(line, "两个协程各等待") && c.cols >= 100 && uniseg.StringWidth(line) <= 80 {
					t.Errorf("the paragraph keeps to 80 columns on a terminal of %d: %q", c.cols, line)
				}
				if w := uniseg.StringWidth(line); w > c.cols {
					t.Errorf("a line of %d columns, cut by the terminal: %q", w, line)
				}
				chart := strings.ContainsAny(line, "│─┬└█") || axisLabels.MatchString(line)
				if c.cols == 200 && !chart && uniseg.StringWidth(line) > timing.ProseWidth {
					t.Errorf("a paragraph line of %d columns on a wide terminal: %q", uniseg.StringWidth(line), line)
				}
			}
			colored, _ := s.tmux("capture-pane", "-p", "-e", "-t", s.name).Output()
			if want256 := nearest256(t, c.dim); !strings.Contains(string(colored), "\x1b["+strings.TrimSuffix(c.dim, "m")) &&
				!strings.Contains(string(colored), "\x1b["+want256+"m") {
				t.Errorf("the gutter is not in %s, nor in %s, its nearest of 256 colours (COLORFGBG=%s):\n%q", c.dim, want256, c.bg, colored)
			}
		})
	}
}

// nearest256 returns the SGR parameters of the 256-colour palette's nearest
// to sgr, a true colour's ("38;2;R;G;B"). Whether asyncdemo writes true
// colour or 256 colours inside tmux is the terminal's to say (termenv reads
// TERM and TERM_PROGRAM, which depend on the tmux server that runs the
// test), so the test accepts either, each the theme's colour.
func nearest256(t *testing.T, sgr string) string {
	t.Helper()
	var r, g, b int
	if _, err := fmt.Sscanf(strings.TrimSuffix(sgr, "m"), "38;2;%d;%d;%d", &r, &g, &b); err != nil {
		t.Fatalf("not a true colour's SGR: %q: %v", sgr, err)
	}
	return termenv.ANSI256.Color(fmt.Sprintf("#%02x%02x%02x", r, g, b)).Sequence(false)
}
