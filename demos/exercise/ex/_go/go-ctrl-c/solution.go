// Exercise 22: Ctrl+C cancels a context, and each goroutine cleans up: a model solution.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"time"
)

// download pretends to download name, which takes d, into name.part; if
// ctx is cancelled first, it stops and removes the partial file.
func download(ctx context.Context, name string, d time.Duration) {
	fmt.Println("downloading", name)
	select {
	case <-time.After(d): // the download, pretended
		fmt.Println("saved", name)
	case <-ctx.Done(): // Ctrl+C: stop now, and clean up
		removePart(name)
	}
}

// removePart removes the partial file a stopped download of name left.
func removePart(name string) {
	time.Sleep(100 * time.Millisecond) // the clean-up takes a moment
	fmt.Println("removed", name+".part")
}

func main() {
	// Ctrl+C (SIGINT) now cancels ctx instead of killing the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var wg sync.WaitGroup
	for name, d := range map[string]time.Duration{"a": 3 * time.Second, "b": 4 * time.Second, "c": 5 * time.Second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			download(ctx, name, d)
		}()
	}
	wg.Wait() // every download has saved its file or removed its part
	if ctx.Err() != nil {
		fmt.Println("stopped")
		return
	}
	fmt.Println("all saved")
}
