// Handles Ctrl+C with signal.Notify, and ends the program from the
// handler with os.Exit(0): nothing cleans up.
// fails: AfterCtrlC
// fails: MainReturns
// says: It never printed “removed a.part”
// says: os.Exit
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"time"
)

func download(name string, d time.Duration) {
	fmt.Println("downloading", name)
	time.Sleep(d)
	fmt.Println("saved", name)
}

// removePart removes the partial file a stopped download of name left.
func removePart(name string) {
	time.Sleep(100 * time.Millisecond)
	fmt.Println("removed", name+".part")
}

func main() {
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	go func() {
		<-interrupts
		fmt.Println("stopped")
		os.Exit(0)
	}()
	var wg sync.WaitGroup
	for name, d := range map[string]time.Duration{"a": 3 * time.Second, "b": 4 * time.Second, "c": 5 * time.Second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			download(name, d)
		}()
	}
	wg.Wait()
	fmt.Println("all saved")
}
