package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"regexp"
	"strings"
)

// replay prints a recorded run line by line, waiting for Enter (a line on
// ios.In) after each event line, those with a time gutter. Once In is at
// its end, or a line is "q", it prints the rest at once. Once ctx is done
// (Ctrl+C, SIGTERM), even while it waits, it stops: the program is ending.
func replay(ctx context.Context, ios *IOStreams, recorded string) {
	var typed io.Reader = ios.In
	if f, ok := ios.In.(*os.File); ok {
		if kr, err := newKeyReader(ctx, f); err == nil {
			defer kr.Close()
			typed = kr
		}
	}
	in := bufio.NewReader(typed)
	waiting := ios.In != nil
	for _, line := range strings.SplitAfter(recorded, "\n") {
		if ctx.Err() != nil {
			return
		}
		io.WriteString(ios.Out, line)
		if waiting && eventLine.MatchString(line) {
			if answer, err := in.ReadString('\n'); err != nil || strings.TrimSpace(answer) == "q" {
				waiting = false
			}
		}
	}
}

// eventLine matches a printed event: a gutter such as "  1.002s  " (after
// any colour codes) and text.
var eventLine = regexp.MustCompile(`^(\x1b\[[0-9;]*m)*\s+[0-9]+\.[0-9]{3}s(\x1b\[[0-9;]*m)*\s`)
