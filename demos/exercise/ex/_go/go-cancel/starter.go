// Exercise 16: when one fails, cancel the others. After: asyncdemo cancel --style go.
//
// main downloads a (0.2 s) and b (0.4 s) and asks c, which is down: it
// fails after 0.1 s. main waits for all three and reports the failure at
// 0.4 s, after downloads that were no use. Give the three a context, and
// cancel it as soon as one fails: a and b then stop at 0.1 s (they print
// "cancelled a" and "cancelled b") and main prints "failed: c is down" at
// 0.1 s. Leave download and broken as they are.
//
// 练习 16：一个失败，就取消其他的（先看 asyncdemo cancel --style go）。
// main 下载 a（0.2 秒）和 b（0.4 秒），并询问已经宕机的 c：它在 0.1 秒后失败。main 等三个都结束，
// 在 0.4 秒才报告失败，而那些下载已经没用了。给三个一个 context，一有失败就取消它：
// 这样 a 和 b 在 0.1 秒停下（打印 "cancelled a" 和 "cancelled b"），main 在 0.1 秒打印 "failed: c is down"。
// 不要修改 download 和 broken。
//
// Check it / 检查：asyncdemo check go-cancel
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
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for _, f := range []func() error{
		func() error { return download(ctx, "a", 200*time.Millisecond) },
		func() error { return download(ctx, "b", 400*time.Millisecond) },
		func() error { return broken(ctx, "c", 100*time.Millisecond) },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		fmt.Println("failed:", err)
	}
}
