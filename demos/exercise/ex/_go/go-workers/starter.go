// Exercise 15: a pool of workers. After: asyncdemo workers --style go.
//
// Nine jobs of 0.1 s each come on a channel, and one worker does them all,
// one after another: 0.9 s. Start three workers on the same channel and
// wait for them to finish, so that three jobs run at a time and the nine
// take about 0.3 s. Every job must be done. Leave process as it is.
//
// 练习 15：工作者池（先看 asyncdemo workers --style go）。
// 九个任务，每个 0.1 秒，从一个 channel 送来，一个工作者一个接一个地全部做完：0.9 秒。
// 在同一个 channel 上启动三个工作者并等它们结束，让每次三个任务同时运行，九个约 0.3 秒完成。
// 每个任务都要做完。不要修改 process。
//
// Check it / 检查：asyncdemo check go-workers
package main

import (
	"fmt"
	"time"
)

func process(job int) {
	fmt.Println("start", job)
	time.Sleep(100 * time.Millisecond) // the work, pretended
	fmt.Println("done", job)
}

func worker(jobs <-chan int) {
	for job := range jobs { // until the channel is closed and empty
		process(job)
	}
}

func main() {
	jobs := make(chan int)
	go func() {
		for job := range 9 {
			jobs <- job
		}
		close(jobs) // no more jobs: each worker's range ends
	}()
	worker(jobs)
}
