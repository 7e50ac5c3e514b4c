// An errgroup whose first error cancels the rest, but with no limit: all
// four fetch at once.
// fails: Overlap
// says: at most 2 may
package main

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

func fetch(ctx context.Context, n int) error {
	fmt.Println("start", n)
	d := time.Duration(n) * 100 * time.Millisecond
	if n == 3 {
		d = 150 * time.Millisecond
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
		fmt.Printf("end %d: stopped\n", n)
		return ctx.Err()
	}
	if n == 3 {
		fmt.Printf("end %d: not found\n", n)
		return fmt.Errorf("page %d: not found", n)
	}
	fmt.Printf("end %d: fetched\n", n)
	return nil
}

func main() {
	g, ctx := errgroup.WithContext(context.Background())
	for n := 1; n <= 4; n++ {
		g.Go(func() error { return fetch(ctx, n) })
	}
	if err := g.Wait(); err != nil {
		fmt.Println("failed:", err)
	}
}
