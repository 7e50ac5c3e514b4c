// The jobs channel is never closed: the workers wait for a tenth job, and
// main waits for the workers, for ever.
// fails: problem
// says: 1 in sync.WaitGroup.Wait at main.go:40 and 3 in chan receive at main.go:20
package main

import (
	"fmt"
	"sync"
	"time"
)

func process(job int) {
	fmt.Println("start", job)
	time.Sleep(100 * time.Millisecond)
	fmt.Println("done", job)
}

func worker(jobs <-chan int) {
	for job := range jobs {
		process(job)
	}
}

func main() {
	jobs := make(chan int)
	go func() {
		for job := range 9 {
			jobs <- job
		}
	}()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(jobs)
		}()
	}
	wg.Wait()
}
