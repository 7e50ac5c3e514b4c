// Exercise 21: errgroup: at most two at a time, and the first error stops the rest. After: asyncdemo gather --style go.
//
// main fetches pages 1, 2, 3 and 4 (each n × 0.1 s), all at once, and page
// 3 is missing: it fails after 0.15 s. main waits for all four and reports
// the error at 0.4 s. Use golang.org/x/sync/errgroup instead of the
// WaitGroup: a group with a context (errgroup.WithContext) whose first
// error cancels it, and at most two fetches at a time (SetLimit). Then
// page 3 starts when page 1 is done, page 4 when page 2 is, page 4 is
// stopped when page 3 fails (0.25 s), and main prints
// "failed: page 3: not found" at that moment. Leave fetch as it is.
//
// 练习 21：errgroup：同时最多两个，第一个错误让其余的停下（先看 asyncdemo gather --style go）。
// main 同时获取第 1、2、3、4 页（每页 n × 0.1 秒），而第 3 页不存在：它在 0.15 秒后失败。
// main 等四个都结束，在 0.4 秒才报告错误。用 golang.org/x/sync/errgroup 代替 WaitGroup：
// 一个带 context 的 group（errgroup.WithContext），第一个错误会取消它；同时最多两个获取（SetLimit）。
// 这样第 1 页完成时第 3 页开始，第 2 页完成时第 4 页开始，第 3 页失败时（0.25 秒）第 4 页被停下，
// main 在那一刻打印 "failed: page 3: not found"。不要修改 fetch。
//
// Check it / 检查：asyncdemo check go-errgroup
package main

import (
	"context"
	"fmt"
	"sync"
	"time"
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
	ctx := context.Background()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for n := 1; n <= 4; n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fetch(ctx, n); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		fmt.Println("failed:", first)
	}
}
