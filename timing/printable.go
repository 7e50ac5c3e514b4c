package timing

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns s with every character that could act on a terminal
// written out as an escape instead: control characters but newline and tab
// (ESC, which starts the sequences that set a window's title or clear the
// screen, becomes \x1b), the C1 controls, the Unicode marks that reorder
// text (bidirectional overrides and isolates), and bytes that are not
// UTF-8. Text from outside the program (an HTTP body, a queue's values, a
// learner's output) goes through it before it reaches the terminal; text
// that has none of these comes back unchanged.
func Printable(s string) string {
	clean := true
	for i, r := range s {
		if needsEscape(r) || (r == utf8.RuneError && !isReplacementChar(s[i:])) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether r may not reach a terminal as it is.
func needsEscape(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e || r == 0x200f, r == 0x061c:
		return true // text direction: can make a line read other than it is
	}
	return !unicode.IsPrint(r) && !unicode.IsSpace(r) && unicode.Is(unicode.Cc, r)
}

// isReplacementChar reports whether s starts with a real U+FFFD, rather
// than a byte that is not UTF-8.
func isReplacementChar(s string) bool {
	_, size := utf8.DecodeRuneInString(s)
	return size == 3
}
