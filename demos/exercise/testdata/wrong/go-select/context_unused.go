// A context with a deadline, which nothing waits on.
// fails: Prints
// says: It never printed “gave up”
package main

import (
	"context"
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
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	a := <-ask("life")
	if ctx.Err() != nil {
		fmt.Println("late:", a)
		return
	}
	fmt.Println(a)
}
