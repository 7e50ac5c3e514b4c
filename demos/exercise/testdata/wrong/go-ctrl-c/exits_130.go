// Cleans up as it should, then ends with exit status 130, as a shell
// reports a program Ctrl+C killed.
// fails: problem
// says: exit status 130
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"time"
)

func download(ctx context.Context, name string, d time.Duration) {
	fmt.Println("downloading", name)
	select {
	case <-time.After(d):
		fmt.Println("saved", name)
	case <-ctx.Done():
		removePart(name)
	}
}

// removePart removes the partial file a stopped download of name left.
func removePart(name string) {
	time.Sleep(100 * time.Millisecond)
	fmt.Println("removed", name+".part")
}

func main() {
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
	wg.Wait()
	if ctx.Err() != nil {
		fmt.Println("stopped")
		os.Exit(130)
	}
}
