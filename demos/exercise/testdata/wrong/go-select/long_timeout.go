// A select with a timeout, longer than the answer takes.
// fails: Prints
// fails: Elapsed
// says: It never printed “gave up”: it printed “the answer to life” at
package main

import (
	"fmt"
	"time"
)

func ask(q string) <-chan string {
	answer := make(chan string, 1)
	go func() {
		time.Sleep(2 * time.Second)
		answer <- "the answer to " + q
	}()
	return answer
}

func main() {
	select {
	case a := <-ask("life"):
		fmt.Println(a)
	case <-time.After(3 * time.Second):
		fmt.Println("gave up")
	}
}
