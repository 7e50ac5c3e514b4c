// A cancellable context, made and cancelled, but not the one the downloads
// listen to.
// fails: Prints
// fails: Elapsed
// says: It never printed “cancelled a”
package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

func download(ctx context.Context, name string, d time.Duration) error {
	select {
	case <-time.After(d):
		fmt.Println("downloaded", name)
		return nil
	case <-ctx.Done():
		fmt.Println("cancelled", name)
		return ctx.Err()
	}
}

func broken(ctx context.Context, name string, d time.Duration) error {
	time.Sleep(d)
	return fmt.Errorf("%s is down", name)
}

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	bg := context.Background()
	var wg sync.WaitGroup
	for _, f := range []func() error{
		func() error { return download(bg, "a", 200*time.Millisecond) },
		func() error { return download(bg, "b", 400*time.Millisecond) },
		func() error { return broken(bg, "c", 100*time.Millisecond) },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		fmt.Println("failed:", err)
	}
}
