// Exercise 14: at most three goroutines at a time: a model solution.
package main

import (
	"fmt"
	"sync"
	"time"
)

func download(n int) {
	fmt.Println("start", n)
	time.Sleep(100 * time.Millisecond) // the network, pretended
	fmt.Println("done", n)
}

func main() {
	var wg sync.WaitGroup
	slots := make(chan struct{}, 3) // a semaphore: three places
	for n := range 9 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}        // take a place, waiting while all three are taken
			defer func() { <-slots }() // give it back when done
			download(n)
		}()
	}
	wg.Wait()
}
