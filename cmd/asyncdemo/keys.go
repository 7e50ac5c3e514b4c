package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// keyReader reads a file, the terminal, and gives up as soon as its
// context is done: a signal from outside while the tour waits at a prompt
// ends the wait at once, rather than after the grace a forced exit waits.
// It polls the file together with a pipe that the context's end writes to,
// so it never reads a key it will not use, and it leaves the file's flags
// alone (the terminal's are shared with the shell that started us).
type keyReader struct {
	ctx    context.Context
	fd     int      // the file read
	wake   *os.File // the pipe's read end: readable once ctx is done
	wakeW  *os.File
	wakeFd int
	stop   func() bool // stops the wake-up
	buf    [64]byte
	i, n   int // buf[i:n] is read and not yet taken
}

// newKeyReader reads f until ctx is done. Close it after.
func newKeyReader(ctx context.Context, f *os.File) (*keyReader, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("reading the keyboard: %w", err)
	}
	k := &keyReader{ctx: ctx, fd: int(f.Fd()), wake: r, wakeW: w}
	// The pipe's fd is only polled, never read, so it stays with os.File
	// (and is closed by it); Control does not make it blocking as Fd would.
	raw, err := r.SyscallConn()
	if err == nil {
		err = raw.Control(func(fd uintptr) { k.wakeFd = int(fd) })
	}
	if err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("reading the keyboard: %w", err)
	}
	// A write after Close fails harmlessly: os.File guards its fd.
	k.stop = context.AfterFunc(ctx, func() { w.Write([]byte{0}) })
	return k, nil
}

// ReadByte returns the next byte typed, io.EOF at the end of the input, or
// the context's cause once it is done.
func (k *keyReader) ReadByte() (byte, error) {
	if k.i == k.n {
		if err := k.fill(); err != nil {
			return 0, err
		}
	}
	b := k.buf[k.i]
	k.i++
	return b, nil
}

// Read reads what was typed into p.
func (k *keyReader) Read(p []byte) (int, error) {
	if k.i == k.n {
		if err := k.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, k.buf[k.i:k.n])
	k.i += n
	return n, nil
}

// fill waits until the file or the wake-up pipe can be read, then reads
// what was typed.
func (k *keyReader) fill() error {
	if k.ctx.Err() != nil {
		return context.Cause(k.ctx)
	}
	fds := []unix.PollFd{
		{Fd: int32(k.fd), Events: unix.POLLIN},
		{Fd: int32(k.wakeFd), Events: unix.POLLIN},
	}
	for {
		_, err := unix.Poll(fds, -1)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EINTR) { // the runtime's own signals interrupt it
			return fmt.Errorf("reading the keyboard: %w", err)
		}
	}
	if fds[1].Revents != 0 {
		return context.Cause(k.ctx)
	}
	for {
		n, err := unix.Read(k.fd, k.buf[:])
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return fmt.Errorf("reading the keyboard: %w", err)
		case n == 0:
			return io.EOF
		}
		k.i, k.n = 0, n
		return nil
	}
}

// Close stops reading; what was typed and not taken is dropped.
func (k *keyReader) Close() error {
	k.stop()
	k.wakeW.Close()
	return k.wake.Close()
}

// keyboard is the terminal in raw mode, read a key at a time: a key
// arrives without Enter and is not echoed. Close restores the terminal,
// and so does a forced exit before Close.
type keyboard struct {
	*keyReader
	fd     int
	old    *term.State
	remove func() // unregisters the restore at a forced exit
}

// openKeyboard puts the terminal in raw mode and reads it until ctx is
// done.
func openKeyboard(ctx context.Context, ios *IOStreams, in *os.File) (*keyboard, error) {
	fd := int(in.Fd())
	old, err := term.GetState(fd)
	if err != nil {
		return nil, fmt.Errorf("reading the keyboard: %w", err)
	}
	// Registered first, so that there is no moment in raw mode when a
	// forced exit would leave the terminal so.
	remove := ios.atForcedExit(func() { term.Restore(fd, old) })
	kr, err := newKeyReader(ctx, in)
	if err != nil {
		remove()
		return nil, err
	}
	if _, err := term.MakeRaw(fd); err != nil {
		kr.Close()
		remove()
		return nil, fmt.Errorf("reading the keyboard: %w", err)
	}
	return &keyboard{keyReader: kr, fd: fd, old: old, remove: remove}, nil
}

// Close restores the terminal as it was before raw mode.
func (k *keyboard) Close() error {
	k.keyReader.Close()
	err := term.Restore(k.fd, k.old)
	k.remove()
	if err != nil {
		return fmt.Errorf("restoring the terminal: %w", err)
	}
	return nil
}

// quietKeys is the terminal while a lesson runs: what is typed does not
// echo into the lesson's output, and q stops the program at once, as
// Ctrl+C does (which, with the echo off, no longer prints ^C over the
// time gutter). Close puts the terminal back; so does a forced exit.
type quietKeys struct {
	once    sync.Once
	restore func() error
	remove  func()        // unregisters the restore at a forced exit
	stop    func()        // stops the reading
	done    chan struct{} // closed when the reading has stopped
}

// quietKeyboard silences the terminal in, if it is one, and reads it until
// Close, calling quit when q is typed. It returns nil where there is no
// terminal to silence.
func quietKeyboard(ctx context.Context, ios *IOStreams, in *os.File, quit func()) *quietKeys {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	restore, err := silence(fd)
	if err != nil {
		return nil
	}
	rctx, stop := context.WithCancel(ctx)
	kr, err := newKeyReader(rctx, in)
	if err != nil {
		stop()
		restore()
		return nil
	}
	q := &quietKeys{restore: restore, stop: stop, done: make(chan struct{})}
	q.remove = ios.atForcedExit(func() { restore() })
	go func() {
		defer close(q.done)
		defer kr.Close()
		for {
			b, err := kr.ReadByte()
			if err != nil {
				return
			}
			if b == 'q' || b == 'Q' {
				quit()
				return
			}
		}
	}()
	return q
}

// Close stops reading and puts the terminal back as it was; a second
// Close does nothing.
func (q *quietKeys) Close() (err error) {
	if q == nil {
		return nil
	}
	q.once.Do(func() {
		q.stop()
		<-q.done
		err = q.restore()
		q.remove()
	})
	return err
}
