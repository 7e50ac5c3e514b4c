package timing

import "strings"

// The palette's green and bright red, for a rule that held and one that
// did not.
const (
	green = 1
	red   = 5
)

// Rule prints one rule of a checklist: "  ✓ want" when it held, else
// "  ✗ want" in bold and, indented under it, what happened instead,
// word-wrapped to Width. (asyncdemo check's verdict.)
func (p *Printer) Rule(held bool, want, failed string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	width := p.Width
	if width <= 0 {
		width = 80
	}
	const indent = "      "
	var b strings.Builder
	head := strings.Split(Wrap(Printable(want), max(width-4, 20)), "\n")
	for i, line := range head {
		switch {
		case i > 0:
			b.WriteString("    " + line + "\n")
		case held:
			b.WriteString("  " + p.paint(green, "✓") + " " + line + "\n")
		default:
			b.WriteString("  " + p.paint(red, "✗") + " " + p.paint(boldColor, line) + "\n")
		}
	}
	if !held && failed != "" {
		for _, line := range strings.Split(Wrap(Printable(failed), max(width-len(indent), 20)), "\n") {
			b.WriteString(indent + line + "\n")
		}
	}
	p.write(b.String())
}
