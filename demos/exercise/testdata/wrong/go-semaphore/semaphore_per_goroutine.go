// A semaphore made in each goroutine: nine semaphores of three places.
// fails: Overlap
// says: 9 jobs were running at once: at most 3 may
package main

import (
	"fmt"
	"sync"
	"time"
)

func download(n int) {
	fmt.Println("start", n)
	time.Sleep(100 * time.Millisecond)
	fmt.Println("done", n)
}

func main() {
	var wg sync.WaitGroup
	for n := range 9 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots := make(chan struct{}, 3)
			slots <- struct{}{}
			defer func() { <-slots }()
			download(n)
		}()
	}
	wg.Wait()
}
