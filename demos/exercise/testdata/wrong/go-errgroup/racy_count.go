// Right in all it prints, but counts the fetches started in a variable
// the goroutines share with no lock.
// fails: RaceFree
// says: The race detector found
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
	g.SetLimit(2)
	started := 0
	for n := 1; n <= 4; n++ {
		g.Go(func() error {
			started++
			return fetch(ctx, n)
		})
	}
	if err := g.Wait(); err != nil {
		fmt.Println("failed:", err)
	}
	_ = started
}
