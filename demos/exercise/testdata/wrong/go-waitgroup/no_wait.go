// Goroutines started, and nobody waits for them: main ends at once.
// fails: Prints
// fails: Elapsed
// says: It never printed “fetched 1”: it printed “total 0”
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
	total := 0
	for _, n := range []int{1, 2, 4} {
		go fetch(n)
	}
	fmt.Println("total", total)
}
