package timing

import (
	"bytes"
	"strings"
	"testing"
)

func TestPrintableEscapesWhatActsOnATerminal(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Done 5", "Done 5"},
		{"5 It works", "5 It works"},
		{"两行\n第二行\ttab", "两行\n第二行\ttab"},
		{"\x1b]0;pwned\x07\x1b[2J", `\x1b]0;pwned\x07\x1b[2J`},
		{"bell\a and CR\r", `bell\x07 and CR\x0d`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"not utf-8: \xff\xfe", `not utf-8: \xff\xfe`},
		{"real \ufffd stays", "real \ufffd stays"},
		{"bidi \u202eevil", `bidi \u202eevil`},
		{"del \x7f", `del \x7f`},
	}
	for _, c := range cases {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// An event's text from outside (an HTTP body, a queue value) cannot set the
// window's title or clear the screen: the printer writes no ESC of its own
// with colour off, and none of the text's.
func TestPrinterEscapesOutsideText(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, true)
	p.Event(Event{Kind: KindEvent, Task: "do_some_work(\x1b[2J)", Text: "\x1b]0;pwned\x07hello"})
	p.Event(Event{Kind: KindState, Task: "t\x1b[31m", State: "done"})
	p.Note("note \x1b[2J")
	p.Heading("heading \x1b[2J")
	if strings.ContainsRune(out.String(), 0x1b) || strings.ContainsRune(out.String(), 0x07) {
		t.Errorf("raw control characters reached the output: %q", out.String())
	}
	if !strings.Contains(out.String(), `\x1b]0;pwned\x07hello`) {
		t.Errorf("the text is not shown escaped: %q", out.String())
	}
}
