// A limited errgroup, but a plain one (new(errgroup.Group)): its first
// error cancels nothing, and page 4 runs to its end.
// fails: Prints
// says: It never printed “end 4: stopped”: it printed “end 4: fetched”
// says: errgroup.WithContext
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
	var g errgroup.Group
	g.SetLimit(2)
	for n := 1; n <= 4; n++ {
		g.Go(func() error { return fetch(context.Background(), n) })
	}
	if err := g.Wait(); err != nil {
		fmt.Println("failed:", err)
	}
}
