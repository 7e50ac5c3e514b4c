// Three workers started, and nobody waits for them.
// fails: Prints
// says: It never printed “done 0”
package main

import (
	"fmt"
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
		close(jobs)
	}()
	for range 3 {
		go worker(jobs)
	}
}
