// Exercise 15: a pool of workers: a model solution.
package main

import (
	"fmt"
	"sync"
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
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(jobs) // three workers take from one channel: each job goes to one of them
		}()
	}
	wg.Wait()
}
