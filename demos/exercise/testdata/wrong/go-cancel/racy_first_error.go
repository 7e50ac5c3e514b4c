// Cancels on the first error, but keeps the errors in a variable that
// three goroutines write with no lock.
// fails: RaceFree
// says: The race detector found
package main

import (
	"context"
	"errors"
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var first error
	for _, f := range []func() error{
		func() error { return download(ctx, "a", 200*time.Millisecond) },
		func() error { return download(ctx, "b", 400*time.Millisecond) },
		func() error { return broken(ctx, "c", 100*time.Millisecond) },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				cancel()
				if first == nil || errors.Is(first, context.Canceled) {
					first = err
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		fmt.Println("failed:", first)
	}
}
