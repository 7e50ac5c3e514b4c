// exercise: go-waitgroup
// Prints the lines of a pass at the times of a pass, from main, with no
// goroutine: Go has no recorder, but the source shows it.
// fails: InGoroutine
// says: No go statement starts fetch
package main

import (
	"fmt"
	"time"
)

func fetch(n int) int {
	time.Sleep(time.Duration(n) * 100 * time.Millisecond)
	fmt.Println("fetched", n)
	return n * 1000
}

func main() {
	for _, n := range []int{1, 2, 4} {
		time.Sleep(time.Duration(n-n/2*1-n/4) * 100 * time.Millisecond)
		fmt.Println("fetched", n)
	}
	fmt.Println("total", 7000)
}
