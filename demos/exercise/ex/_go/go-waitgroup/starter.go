// Exercise 12: three fetches in goroutines. After: asyncdemo gather --style go.
//
// fetch(n) pretends to fetch a file that takes n tenths of a second, and
// returns its size. main fetches three, one after another: 0.1 + 0.2 + 0.4 =
// 0.7 s. Run each in a goroutine of its own and wait for the three with a
// sync.WaitGroup, so that the whole takes about 0.4 s, then print the total
// size as before. The race detector checks that the goroutines share the
// total safely. Leave fetch as it is.
//
// 练习 12：在 goroutine 里并发获取（先看 asyncdemo gather --style go）。
// fetch(n) 假装获取一个需要 n 个十分之一秒的文件，并返回它的大小。main 一个接一个地获取三个：
// 0.1 + 0.2 + 0.4 = 0.7 秒。让每个在自己的 goroutine 里运行，用 sync.WaitGroup 等待三个完成，
// 使整体约 0.4 秒，然后像原来一样打印总大小。竞态检测器会检查 goroutine 是否安全地共享总数。
// 不要修改 fetch。
//
// Check it / 检查：asyncdemo check go-waitgroup
package main

import (
	"fmt"
	"time"
)

func fetch(n int) int {
	time.Sleep(time.Duration(n) * 100 * time.Millisecond) // the network, pretended
	fmt.Println("fetched", n)
	return n * 1000
}

func main() {
	total := 0
	for _, n := range []int{1, 2, 4} {
		total += fetch(n)
	}
	fmt.Println("total", total)
}
