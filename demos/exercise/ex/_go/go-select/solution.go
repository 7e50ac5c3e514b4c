// Exercise 13: give up with select: a model solution.
package main

import (
	"fmt"
	"time"
)

func ask(q string) <-chan string {
	answer := make(chan string, 1) // room for the answer: the goroutine can end even if nobody takes it
	go func() {
		time.Sleep(2 * time.Second) // the server, pretended: today it is slow
		answer <- "the answer to " + q
	}()
	return answer
}

func main() {
	// select waits for whichever is ready first: the answer, or the timer.
	select {
	case a := <-ask("life"):
		fmt.Println(a)
	case <-time.After(300 * time.Millisecond):
		fmt.Println("gave up")
	}
}
