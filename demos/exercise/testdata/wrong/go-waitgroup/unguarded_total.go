// Goroutines and a WaitGroup, but the total shared with no lock.
// fails: RaceFree
// says: The race detector found
// says: at main.go:27
package main

import (
	"fmt"
	"sync"
	"time"
)

func fetch(n int) int {
	time.Sleep(time.Duration(n) * 100 * time.Millisecond)
	fmt.Println("fetched", n)
	return n * 1000
}

func main() {
	var wg sync.WaitGroup
	total := 0
	for _, n := range []int{1, 2, 4} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			size := fetch(n)
			total += size
		}()
	}
	wg.Wait()
	fmt.Println("total", total)
}
