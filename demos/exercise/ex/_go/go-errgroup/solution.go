// Exercise 21: errgroup: at most two at a time, and the first error stops the rest: a model solution.
package main

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// fetch fetches page n, taking n × 0.1 s; page 3 is missing.
func fetch(ctx context.Context, n int) error {
	fmt.Println("start", n)
	d := time.Duration(n) * 100 * time.Millisecond
	if n == 3 {
		d = 150 * time.Millisecond
	}
	select {
	case <-time.After(d): // the network, pretended
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
	// The group's first error cancels ctx, which every fetch listens to.
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(2) // g.Go waits while two are running
	for n := 1; n <= 4; n++ {
		g.Go(func() error { return fetch(ctx, n) })
	}
	if err := g.Wait(); err != nil { // the first error, once all have returned
		fmt.Println("failed:", err)
	}
}
