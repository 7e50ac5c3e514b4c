// Ctrl+C cancels the context, but each download sleeps its whole time
// and only then looks at it: the clean-up comes seconds late.
// fails: AfterCtrlC
// says: notices a cancelled context only once its work is over
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
	time.Sleep(d)
	if ctx.Err() != nil {
		removePart(name)
		return
	}
	fmt.Println("saved", name)
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
	fmt.Println("stopped")
}
