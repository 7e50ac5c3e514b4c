package timing

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rivo/uniseg"
)

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		name, text string
		width      int
		want       string
	}{
		{"at spaces", "three tasks of 1, 2 and 4 s", 12, "three tasks\nof 1, 2 and\n4 s"},
		{"a word wider than a line fills the rest of it", "ab supercalifragilistic cd", 10, "ab superca\nlifragilis\ntic cd"},
		{"a flag is one word", "With --blocking they call", 12, "With\n--blocking\nthey call"},
		{"a flag after an opening mark", "does not (--blocking) yes", 20, "does not\n(--blocking) yes"},
		{"a flag with hyphens inside", "skip it --no-drain now", 12, "skip it\n--no-drain\nnow"},
		{"a word may break after its hyphen", "a well-known fact", 8, "a well-\nknown\nfact"},
		{"not after a slash", "timers and I/O here", 12, "timers and\nI/O here"},
		{"a path not after its hyphens nor its colon", "found in src/my-app/main.py:10 here", 24, "found in\nsrc/my-app/main.py:10\nhere"},
		{"Chinese by display width", "事件循环同时运行三个协程", 10, "事件循环同\n时运行三个\n协程"},
		{"never before a closing mark", "加上后，它们改为调用", 6, "加上\n后，它\n们改为\n调用"},
		{"never after an opening mark", "一二三（四五）", 6, "一二三\n（四\n五）"},
		{"English inside Chinese stays whole", "改为调用 time.sleep(x)，而这个调用", 20, "改为调用\ntime.sleep(x)，而这\n个调用"},
		{"lines kept", "one\ntwo three", 5, "one\ntwo\nthree"},
		{"spaces become one", "  a   b  ", 10, "a b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Wrap(c.text, c.width)
			if got != c.want {
				t.Errorf("Wrap(%q, %d) =\n%s\nwant\n%s", c.text, c.width, got, c.want)
			}
			for _, line := range strings.Split(got, "\n") {
				if w := uniseg.StringWidth(line); w > c.width {
					t.Errorf("line %q is %d columns wide, more than %d", line, w, c.width)
				}
			}
		})
	}
}

// TestCompareLineWrapsAtAWord: at 50 columns the comparison line is two
// lines, broken between words, not "1.75× fast" and "er" as the terminal
// would cut it.
func TestCompareLineWrapsAtAWord(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, true)
	p.Width = 50
	p.Event(Event{Kind: KindCompare, Concurrent: 4003 * ms, Sequential: 7004 * ms, Speedup: 1.75})
	want := "concurrent 4.00 s vs sequential 7.00 s:\n1.75× faster\n\n"
	if got := out.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	out.Reset()
	p.NoColor = false
	p.Event(Event{Kind: KindCompare, Concurrent: 4003 * ms, Sequential: 7004 * ms, Speedup: 1.75})
	if got := out.String(); !strings.Contains(got, "s:\x1b[0m\n\x1b[1m1.75× faster\x1b[0m\n") {
		t.Errorf("each line is bold on its own: %q", got)
	}
	out.Reset()
	p.NoColor, p.Words = true, Words{Vs: "对比", Faster: "更快"}
	p.Event(Event{Kind: KindCompare, Concurrent: 100 * ms, Sequential: 199 * ms})
	if got, want := out.String(), "concurrent 0.10 s 对比 sequential 0.20 s:\n1.99× 更快\n\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestParagraphsKeepToProseWidth: on a wide terminal a paragraph runs 88
// columns at most, the events as wide as the terminal; in projector mode
// everything keeps to 60.
func TestParagraphsKeepToProseWidth(t *testing.T) {
	long := strings.Repeat("Each says Waiting, then awaits asyncio.sleep. ", 10)
	for _, c := range []struct {
		width         int
		big           bool
		prose, events int // the widest lines
	}{
		{200, false, ProseWidth, 200},
		{70, false, 70, 70},
		{200, true, BigWidth, BigWidth},
	} {
		var out bytes.Buffer
		p := NewPrinter(&out, true)
		p.Width, p.Big = c.width, c.big
		p.Note(long)
		p.Item("Title", long)
		p.Heading(long)
		note := out.String()
		out.Reset()
		p.Event(Event{Kind: KindEvent, T: time.Second, Task: "t", Text: long})
		for what, s := range map[string]string{"prose": note, "events": out.String()} {
			limit := c.prose
			if what == "events" {
				limit = c.events
			}
			widest := 0
			for _, line := range strings.Split(s, "\n") {
				widest = max(widest, uniseg.StringWidth(line))
			}
			if widest > limit || widest < limit-12 {
				t.Errorf("width %d, big %v: the %s are %d columns wide, want close to %d", c.width, c.big, what, widest, limit)
			}
		}
	}
}

// A no-break space keeps a figure and its unit on one line.
func TestWrapKeepsANoBreakSpace(t *testing.T) {
	if got, want := Wrap("the run took 4.00\u00a0s in all", 16), "the run took\n4.00\u00a0s in all"; got != want {
		t.Errorf("Wrap = %q, want %q", got, want)
	}
}
