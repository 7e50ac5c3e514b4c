package timing

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Widths a Printer's paragraphs keep to, however wide the terminal.
const (
	// ProseWidth is the widest a paragraph, a heading or a comparison
	// runs: longer lines are hard to follow back to their start.
	ProseWidth = 88
	// BigWidth is the widest anything runs in projector mode (--big), for
	// a back row to read.
	BigWidth = 60
)

// Wrap breaks each line of text into lines of at most width display
// columns (a Chinese character takes two). It breaks where the Unicode
// line-breaking algorithm (UAX #14) allows, which in English is at spaces
// and after hyphens, and in Chinese is between characters but never
// before a closing mark such as "，" or "）" nor after an opening one. A
// command-line flag ("--blocking", "-x", "--no-drain") is one word. A word
// wider than a line is broken between characters, filling the rest of the
// line it starts on. Spaces between words become one; a line's leading
// spaces are dropped.
func Wrap(text string, width int) string {
	width = max(width, 1)
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		wrapLine(&b, strings.Join(strings.FieldsFunc(line, breakingSpace), " "), width)
	}
	return b.String()
}

// wrapLine writes line, whose words are one space apart, wrapped to width.
func wrapLine(b *strings.Builder, line string, width int) {
	col, spaces := 0, 0 // the current line's width, and the spaces owed before the next word
	for _, word := range breakable(line) {
		text := strings.TrimRight(word, " ")
		w := uniseg.StringWidth(text)
		switch {
		case col == 0:
		case col+spaces+w <= width || (w > width && col+spaces < width):
			b.WriteString(strings.Repeat(" ", spaces))
			col += spaces
		default:
			b.WriteByte('\n')
			col = 0
		}
		if col+w <= width {
			b.WriteString(text)
			col += w
		} else { // wider than a line: broken between characters
			g := uniseg.NewGraphemes(text)
			for g.Next() {
				gw := g.Width()
				if col > 0 && col+gw > width {
					b.WriteByte('\n')
					col = 0
				}
				b.WriteString(g.Str())
				col += gw
			}
		}
		spaces = len(word) - len(text)
	}
}

// breakable splits line into the pieces between which it may break, each
// with the spaces that follow it: the segments of UAX #14, tailored so
// that a flag ("--no-drain", "(-x)") is not broken after its hyphens, nor
// a word after a slash ("I/O"), nor a path or URL before the space after
// it ("/tmp/my-dir/x.py:10").
func breakable(line string) []string {
	var words []string
	state := -1
	join, flag := false, false // the next segment joins the last word; the last word is a flag
	for rest := line; rest != ""; {
		var seg string
		seg, rest, _, state = uniseg.FirstLineSegmentInString(rest, state)
		if join {
			words[len(words)-1] += seg
		} else {
			words = append(words, seg)
			flag = false
		}
		word := words[len(words)-1]
		hyphens := strings.TrimRight(word, "-")
		flag = flag || (hyphens != word && !endsInLetterOrDigit(hyphens))
		// A path or URL is one word up to the space after it: not broken
		// after a hyphen or a colon in it (src/my-app/main.py:10).
		path := strings.Contains(word, "/") && strings.TrimRightFunc(word, unicode.IsSpace) == word
		join = (flag && hyphens != word) || strings.HasSuffix(word, "/") || path
	}
	return words
}

// endsInLetterOrDigit reports whether s ends in a letter or a digit.
func endsInLetterOrDigit(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// breakingSpace reports whether r is a space a line may break at: not a
// no-break space (U+00A0), which keeps "4.00 s" on one line.
func breakingSpace(r rune) bool { return r != '\u00a0' && unicode.IsSpace(r) }
