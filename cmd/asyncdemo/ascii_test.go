package main

import (
	"context"
	"strings"
	"testing"
	"unicode"
)

func TestASCIIWriterKeepsCharactersSplitAcrossWrites(t *testing.T) {
	var out strings.Builder
	w := &asciiWriter{w: &out}
	in := []byte("── a · b × 中文 …\n")
	for i := range in { // one byte at a time: every character is split
		if _, err := w.Write(in[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := out.String(), "-- a - b x 中文 ...\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// With --ascii, an English lesson, its timeline, comparison and the
// Python side by side print nothing but ASCII.
func TestASCIIOutputIsASCII(t *testing.T) {
	check := func(t *testing.T, a ...string) {
		t.Helper()
		out, errOut, code := runCmdNow(context.Background(), append(a, "--scale", "0.05")...)
		if code != exitOK {
			t.Fatalf("%q: exit %d: %s", a, code, errOut)
		}
		for i, r := range out {
			if r > unicode.MaxASCII {
				t.Errorf("%q: %q at %d, in %q", a, r, i, out[max(0, i-40):min(len(out), i+40)])
				break
			}
		}
	}
	check(t, "gather", "--ascii")
	check(t, "cancel", "--interrupt", "--ascii")
	t.Run("vs python", func(t *testing.T) {
		twinPython(t, "gather")
		check(t, "gather", "--ascii", "--vs", "python")
	})
}
