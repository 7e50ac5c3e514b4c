package main

import (
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestKeyReaderGivesUpWhenItsContextIsDone reads a pipe as the tour reads
// the terminal: what is typed comes through; once the context is done (a
// signal from outside), a read waiting for a key ends with the context's
// cause, and a key typed after that is left for whoever reads next, the
// shell.
func TestKeyReaderGivesUpWhenItsContextIsDone(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	k, err := newKeyReader(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	w.Write([]byte("ab"))
	for _, want := range []byte("ab") {
		if b, err := k.ReadByte(); b != want || err != nil {
			t.Fatalf("read %q, %v; want %q", b, err, want)
		}
	}
	waiting := make(chan error)
	go func() {
		_, err := k.ReadByte() // nothing typed: it waits
		waiting <- err
	}()
	for !strings.Contains(stacks(), "unix.Poll(") { // waiting for a key, and no sooner
		runtime.Gosched()
	}
	cancel(errTerminate)
	if err := <-waiting; err != errTerminate {
		t.Fatalf("a read waiting when the context ended returned %v, want its cause", err)
	}
	w.Write([]byte("c"))
	if _, err := k.ReadByte(); err != errTerminate {
		t.Fatalf("a read after the context ended returned %v, want its cause", err)
	}
	k.Close()
	var c [1]byte
	if _, err := r.Read(c[:]); err != nil || c[0] != 'c' {
		t.Errorf("the key typed after the end was taken: the next reader got %q, %v", c[0], err)
	}
}

func TestKeyReaderEndsAtTheEndOfInput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	k, err := newKeyReader(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	w.Write([]byte("q"))
	w.Close()
	if b, err := k.ReadByte(); b != 'q' || err != nil {
		t.Fatalf("read %q, %v; want q", b, err)
	}
	if _, err := k.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("at the end of the input: %v, want EOF", err)
	}
}

// stacks returns every goroutine's stack.
func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}
