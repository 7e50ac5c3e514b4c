// Exercise 12: three fetches in goroutines: a model solution.
package main

import (
	"fmt"
	"sync"
	"time"
)

func fetch(n int) int {
	time.Sleep(time.Duration(n) * 100 * time.Millisecond) // the network, pretended
	fmt.Println("fetched", n)
	return n * 1000
}

func main() {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex // guards total: three goroutines add to it
		total int
	)
	for _, n := range []int{1, 2, 4} {
		wg.Add(1) // before the goroutine starts, so that Wait counts it
		go func() {
			defer wg.Done()
			size := fetch(n)
			mu.Lock()
			total += size
			mu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Println("total", total)
}
