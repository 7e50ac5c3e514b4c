package main

import (
	"io"
	"strings"
	"unicode/utf8"
)

// asciiWriter writes through what it is given with the drawing and
// punctuation characters asyncdemo prints replaced by ASCII ones, for
// --ascii: terminals and projector fonts that lack them. Other text, such
// as Chinese, passes unchanged. A character split across two writes is
// held until the next.
type asciiWriter struct {
	w       io.Writer
	partial []byte
}

// asciiFor are the replacements.
var asciiFor = strings.NewReplacer(
	"─", "-", "━", "-", "│", "|", "└", "+", "┬", "+", "┌", "+", "┐", "+", "┘", "+", "├", "+", "┤", "+", "┼", "+",
	"—", "-", "–", "-", "·", "-", "×", "x", "…", "...", "≠", "!=", "▲", "^", "✓", "v", "✗", "x", "→", "->",
	"⏎", " ", "\u00a0", " ", "↑", "Up", "↓", "Down", "“", `"`, "”", `"`, "‘", "'", "’", "'",
	"█", "#", "░", "x", "▒", "!", "▏", "#", "▎", "#", "▍", "#", "▌", "#", "▋", "#", "▊", "#", "▉", "#", "▐", "#",
)

func (a *asciiWriter) Write(p []byte) (int, error) {
	buf := append(a.partial, p...)
	// Keep back an incomplete character at the end.
	cut := len(buf)
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	a.partial = append([]byte(nil), buf[cut:]...)
	if _, err := io.WriteString(a.w, asciiFor.Replace(string(buf[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}
