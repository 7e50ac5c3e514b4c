package main

import "golang.org/x/sys/unix"

// silence turns off the echo and the line editing of the terminal fd, and
// keeps the rest: Ctrl+C still sends SIGINT, and a newline written still
// returns the carriage. It returns a function that puts the terminal back.
func silence(fd int) (restore func() error, err error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO | unix.ICANON // keys arrive one at a time, unseen
	quiet.Cc[unix.VMIN], quiet.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return nil, err
	}
	return func() error { return unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}
