// The downloads stop and clean up on Ctrl+C, but main does not wait for
// them: it says it stopped and returns while they are removing their files.
// fails: MainReturns
// fails: AfterCtrlC
// says: a goroutine printed after that
// says: before “removed
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
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
	for name, d := range map[string]time.Duration{"a": 3 * time.Second, "b": 4 * time.Second, "c": 5 * time.Second} {
		go download(ctx, name, d)
	}
	<-ctx.Done()
	fmt.Println("stopped")
}
