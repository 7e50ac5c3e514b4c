// Exercise 16: when one fails, cancel the others: a model solution.
package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

func download(ctx context.Context, name string, d time.Duration) error {
	select {
	case <-time.After(d): // the download, pretended
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
	// The first error cancels ctx, and is its cause.
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var wg sync.WaitGroup
	for _, f := range []func() error{
		func() error { return download(ctx, "a", 200*time.Millisecond) },
		func() error { return download(ctx, "b", 400*time.Millisecond) },
		func() error { return broken(ctx, "c", 100*time.Millisecond) },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				cancel(err) // only the first cause counts
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		fmt.Println("failed:", err)
	}
}
