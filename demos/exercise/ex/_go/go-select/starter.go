// Exercise 13: give up with select. After: asyncdemo cancel --style go.
//
// ask(q) asks a slow server in a goroutine and returns a channel its answer
// will come on: today, after 2 s. main waits for it. Don't wait that long:
// with select, take the answer if it comes within 0.3 s, else print
// "gave up" at 0.3 s and end. Leave ask as it is.
//
// 练习 13：用 select 放弃等待（先看 asyncdemo cancel --style go）。
// ask(q) 在一个 goroutine 里询问一个很慢的服务器，并返回一个 channel，答案会从这里来：今天要 2 秒。
// main 一直等它。不要等那么久：用 select，如果答案在 0.3 秒内到来就接收它，否则在 0.3 秒时打印
// "gave up" 并结束。不要修改 ask。
//
// Check it / 检查：asyncdemo check go-select
package main

import (
	"fmt"
	"time"
)

func ask(q string) <-chan string {
	answer := make(chan string, 1) // room for the answer: the goroutine can end even if nobody takes it
	go func() {
		time.Sleep(2 * time.Second) // the server, pretended: today it is slow
		answer <- "the answer to " + q
	}()
	return answer
}

func main() {
	fmt.Println(<-ask("life"))
}
