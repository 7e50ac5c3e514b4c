// Exercise 14: at most three goroutines at a time. After: asyncdemo sms --style go.
//
// Nine downloads take 0.1 s each, and the server takes at most three at a
// time, but main starts all nine at once. Use a buffered channel as a
// semaphore so that at most three download at any moment (and always three
// while there is work): the nine then take about 0.3 s. Leave download as
// it is.
//
// 练习 14：同时最多三个 goroutine（先看 asyncdemo sms --style go）。
// 九个下载每个需要 0.1 秒，服务器同时最多接受三个，但 main 一下子启动了全部九个。
// 用一个带缓冲的 channel 作信号量，让任何时刻最多三个在下载（有活时总是三个）：九个约 0.3 秒完成。
// 不要修改 download。
//
// Check it / 检查：asyncdemo check go-semaphore
package main

import (
	"fmt"
	"sync"
	"time"
)

func download(n int) {
	fmt.Println("start", n)
	time.Sleep(100 * time.Millisecond) // the network, pretended
	fmt.Println("done", n)
}

func main() {
	var wg sync.WaitGroup
	for n := range 9 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			download(n)
		}()
	}
	wg.Wait()
}
