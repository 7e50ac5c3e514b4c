// exercise: go-ctrl-c
// Starts the downloads and prints the clean-up lines on a timer, without
// waiting for Ctrl+C: it has ended before the check presses it.
// fails: problem
// says: before the check pressed Ctrl+C
package main

import (
	"fmt"
	"sync"
	"time"
)

func download(name string) {
	fmt.Println("downloading", name)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("removed", name+".part")
}

func main() {
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			download(name)
		}()
	}
	wg.Wait()
	fmt.Println("stopped")
}
