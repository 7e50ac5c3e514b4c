// main hears Ctrl+C and removes the partial files itself, then returns;
// the downloads never look at the context and are still sleeping.
// fails: MainReturns
// says: still at work a second later
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	names := []string{"a", "b", "c"}
	for i, name := range names {
		go download(name, time.Duration(3+i)*time.Second)
	}
	<-ctx.Done()
	for _, name := range names {
		removePart(name)
	}
	fmt.Println("stopped")
}
