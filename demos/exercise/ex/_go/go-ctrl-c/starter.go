// Exercise 22: Ctrl+C cancels a context, and each goroutine cleans up. After: asyncdemo cancel --style go.
//
// main downloads a (3 s), b (4 s) and c (5 s) at once, each into a partial
// file. The check presses Ctrl+C (a real SIGINT) soon after 0.5 s. As it
// is, Ctrl+C kills the program: the partial files stay. Make Ctrl+C cancel
// a context instead: each download must then stop at once, clean up
// (removePart prints "removed a.part" and so on), and return; main waits
// for them, prints "stopped" and returns (exit status 0, no goroutine left
// running). Keep the downloads' times and removePart as they are.
//
// 练习 22：Ctrl+C 取消一个 context，每个 goroutine 自己清理（先看 asyncdemo cancel --style go）。
// main 同时下载 a（3 秒）、b（4 秒）和 c（5 秒），每个都写入一个不完整的文件。检查会在 0.5 秒后不久
// 按下 Ctrl+C（真正的 SIGINT）。现在 Ctrl+C 直接杀死程序：不完整的文件留了下来。让 Ctrl+C 改为取消
// 一个 context：这时每个下载都必须立刻停下、清理（removePart 打印 "removed a.part" 等）并返回；
// main 等它们结束，打印 "stopped" 后返回（退出状态 0，不留下仍在运行的 goroutine）。
// 下载的时间和 removePart 保持不变。
//
// Check it / 检查：asyncdemo check go-ctrl-c
package main

import (
	"fmt"
	"sync"
	"time"
)

// download pretends to download name, which takes d, into name.part.
func download(name string, d time.Duration) {
	fmt.Println("downloading", name)
	time.Sleep(d) // the download, pretended
	fmt.Println("saved", name)
}

// removePart removes the partial file a stopped download of name left.
func removePart(name string) {
	time.Sleep(100 * time.Millisecond) // the clean-up takes a moment
	fmt.Println("removed", name+".part")
}

func main() {
	var wg sync.WaitGroup
	for name, d := range map[string]time.Duration{"a": 3 * time.Second, "b": 4 * time.Second, "c": 5 * time.Second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			download(name, d)
		}()
	}
	wg.Wait()
	fmt.Println("all saved")
}
