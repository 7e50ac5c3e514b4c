package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMERenders reads the README as Markdown renders it: a table is
// one run of rows, each with as many cells as its header (a blank line
// between two rows splits it in two, the second half plain text), and no
// word is written twice in a row, as one can be across a line break.
func TestREADMERenders(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(readme), "\n")
	fence, cells := false, 0 // inside a code block; the cells of the table being read, 0 outside one
	var prose []string
	for i, line := range lines {
		n := i + 1
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		if fence {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if line == "" && cells > 0 && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "|") &&
				!(i+2 < len(lines) && isTableRule(lines[i+2])) {
				t.Errorf("README.md:%d: a blank line inside a table splits it", n)
			}
			cells = 0
			if strings.HasPrefix(line, "#") {
				line = "¶" // a heading is not read on into the paragraph under it
			}
			prose = append(prose, line)
			continue
		}
		c := len(tableCell.FindAllString(line, -1))
		switch {
		case cells == 0:
			cells = c
		case c != cells:
			t.Errorf("README.md:%d: %d cells in a table of %d: %s", n, c, cells, line)
		}
	}
	words := strings.Fields(strings.Join(prose, "\n"))
	for i := 1; i < len(words); i++ {
		if w := strings.ToLower(words[i]); strings.ToLower(words[i-1]) == w && plainWord.MatchString(w) {
			t.Errorf("README.md: %q twice in a row: …%s…", w, strings.Join(words[max(0, i-4):min(len(words), i+4)], " "))
		}
	}
}

// tableCell matches a Markdown table's cell separator: a | not escaped.
var tableCell = regexp.MustCompile(`(^|[^\\])\|`)

// plainWord matches a word of prose, which is not doubled on purpose.
var plainWord = regexp.MustCompile(`^[a-z]+$`)

// isTableRule reports whether line is a table's rule under its header.
func isTableRule(line string) bool {
	return strings.HasPrefix(line, "|--") || strings.HasPrefix(line, "|:-")
}
