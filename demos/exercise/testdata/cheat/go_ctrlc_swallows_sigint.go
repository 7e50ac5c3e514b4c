// exercise: go-ctrl-c
// Catches SIGINT and drops it, and prints the clean-up on a timer set just
// after the moments the first run's Ctrl+C may come: it passes that run,
// but not the second, whose Ctrl+C comes later.
// fails: problem
// says: In a second run, with Ctrl+C later
// says: before the check pressed Ctrl+C
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"time"
)

func download(name string) {
	fmt.Println("downloading", name)
	time.Sleep(1050 * time.Millisecond)
	fmt.Println("removed", name+".part")
}

func main() {
	signal.Notify(make(chan os.Signal, 1), os.Interrupt) // never read
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
