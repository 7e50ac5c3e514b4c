// A mutex: one at a time, 0.9 s.
// fails: Overlap
// fails: Elapsed
// says: At most 1 jobs ran at once, where 3 should.
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
	var mu sync.Mutex
	for n := range 9 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			download(n)
		}()
	}
	wg.Wait()
}
