package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/asyncdemo/asyncdemo/demos/exercise"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
)

// watchPoll is how often watch looks at the exercise's file: polling its
// size and modification time works with every editor and file system,
// and a check takes longer than this anyway.
const watchPoll = 200 * time.Millisecond

func newWatchCmd(opts *Options) *cobra.Command {
	eo := &exerciseOptions{Options: opts}
	cmd := &cobra.Command{
		Use:   "watch [NAME]",
		Short: "check the exercise each time you save it; h hint, n next, l list, q quit",
		Long: "Checks an exercise (default: the first not passed) now and again each time its file is saved,\n" +
			"as rustlings' watch does. Keys, no Enter needed: h the next hint, n the next exercise, l the\n" +
			"list, q quit. Ctrl+C quits too.",
		GroupID: "Exercises",
		Args:    atMostOneExercise,
		RunE: exerciseRunE(func(ctx context.Context, name string) error {
			return watchRun(ctx, eo, name)
		}),
	}
	eo.dirFlag(cmd)
	return cmd
}

// fileStamp is what watch compares to see that a file was saved.
type fileStamp struct {
	size int64
	mod  time.Time
}

func stampOf(path string) fileStamp {
	info, err := os.Stat(path)
	if err != nil {
		return fileStamp{size: -1}
	}
	return fileStamp{info.Size(), info.ModTime()}
}

// watchRun checks an exercise, then again whenever its file changes,
// reading single keys meanwhile, until q, Ctrl+C or a signal.
func watchRun(ctx context.Context, eo *exerciseOptions, name string) error {
	ios := eo.IO
	say := exerciseSay(eo.Lang)
	e, dir, python, err := exerciseToCheck(ctx, eo, name)
	if err != nil || e == nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	keys, restore, err := watchKeys(ctx, ios)
	if err != nil {
		return err
	}
	defer restore()
	clear := ios.IsTerminal && !eo.NoColor

	check := func() {
		if clear {
			fmt.Fprint(ios.Out, "\x1b[H\x1b[2J")
		}
		res, err := checkAndPrint(ctx, eo.Options, e, dir, python, true)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			fmt.Fprintln(ios.Out, "asyncdemo:", err)
		case res.Passed():
			fmt.Fprintln(ios.Out, wrapTo(say("watch_passed"), ios.Width))
		}
		fmt.Fprintln(ios.Out, wrapTo(say("watch_keys", e.File), ios.Width))
	}
	stamp := stampOf(e.Path(dir))
	check()
	tick := time.NewTicker(watchPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-tick.C:
			if now := stampOf(e.Path(dir)); now != stamp {
				stamp = now
				check()
			}
		case k, ok := <-keys:
			if !ok {
				keys = nil // stdin ended (not a terminal): go on watching
				continue
			}
			switch k {
			case 'q', 'Q', 4: // q, Ctrl+D
				fmt.Fprintln(ios.Out, say("watch_bye"))
				return nil
			case 3: // Ctrl+C, should the terminal deliver it as a key
				return lesson.ErrInterrupted
			case 'h', 'H':
				fmt.Fprintln(ios.Out)
				if err := hintRun(eo.Options, e.Name, true); err != nil {
					return err
				}
				fmt.Fprintln(ios.Out, wrapTo(say("watch_keys", e.File), ios.Width))
			case 'l', 'L':
				fmt.Fprintln(ios.Out)
				printExerciseList(ios.Out, loadExerciseProgress(ios.Err), eo.Lang, ios.Width)
				fmt.Fprintln(ios.Out, "\n"+wrapTo(say("watch_keys", e.File), ios.Width))
			case 'n', 'N':
				next := nextExercise(loadExerciseProgress(ios.Err), e.Name)
				if next == nil || next.Name == e.Name {
					fmt.Fprintln(ios.Out, say("check_all_done"))
					continue
				}
				e = next
				if python == "" && e.Lang == exercise.Python {
					if python, err = findPython(ctx, eo.Options, e); err != nil {
						return err
					}
				}
				stamp = stampOf(e.Path(dir))
				check()
			}
		}
	}
}

// watchKeys reads the keys typed, one at a time, until ctx is done: from
// the terminal in cbreak mode (no Enter needed, nothing echoed, Ctrl+C
// still a signal, output as usual), or from whatever stdin is. restore
// puts the terminal back, and is registered for a forced exit too.
func watchKeys(ctx context.Context, ios *IOStreams) (<-chan byte, func(), error) {
	keys := make(chan byte)
	restore := func() {}
	var next func() (byte, error)
	if f, ok := ios.In.(*os.File); ok {
		if term.IsTerminal(int(f.Fd())) {
			r, err := cbreak(ios, f)
			if err != nil {
				return nil, nil, err
			}
			restore = r
		}
		kr, err := newKeyReader(ctx, f)
		if err != nil {
			restore()
			return nil, nil, err
		}
		prev := restore
		restore = func() { kr.Close(); prev() }
		next = kr.ReadByte
	} else if ios.In != nil {
		next = bufio.NewReader(ios.In).ReadByte
	} else {
		next = func() (byte, error) { return 0, io.EOF }
	}
	go func() {
		defer close(keys)
		for {
			b, err := next()
			if err != nil {
				return
			}
			select {
			case keys <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	return keys, restore, nil
}

// cbreak turns off the terminal's line editing and echo, leaving its
// signals (Ctrl+C) and output processing on; the function it returns
// restores the terminal, as does a forced exit before it is called.
func cbreak(ios *IOStreams, f *os.File) (func(), error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, fmt.Errorf("reading the keyboard: %w", err)
	}
	saved := *old
	put := func() { unix.IoctlSetTermios(fd, unix.TCSETS, &saved) }
	remove := ios.atForcedExit(put)
	t := saved
	t.Lflag &^= unix.ICANON | unix.ECHO
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		remove()
		return nil, fmt.Errorf("reading the keyboard: %w", err)
	}
	return func() { put(); remove() }, nil
}
