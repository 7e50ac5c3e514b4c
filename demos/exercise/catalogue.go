package exercise

import (
	"strconv"
	"time"
)

const (
	ms = time.Millisecond
	s  = time.Second
)

// All returns every exercise, in the order they are done. Each follows a
// lesson of demos.All, named in Lesson; its files and texts are in
// ex/NAME/ (FORMAT.md).
func All() []*Exercise {
	return []*Exercise{
		{
			Name: "overlap", Lesson: "gather", Lang: Python, File: "01_overlap.py", Clock: Virtual,
			Rules: []Rule{
				Waits{Fn: "download", Calls: []Call{{"1", 1 * s}, {"2", 2 * s}, {"4", 4 * s}}},
				InFlight{Fn: "download", Min: 3},
				Elapsed{About: 4 * s, Min: 4 * s, Max: 4*s + 100*ms},
				NoBlocking{},
				Ends{},
			},
		},
		{
			Name: "blocking", Lesson: "await", See: "await --blocking", Lang: Python, File: "02_blocking.py", Clock: Virtual,
			Rules: []Rule{
				NoBlocking{},
				Waits{Fn: "report", Calls: []Call{{"", 2 * s}}},
				Prints{Lines: []string{"tick 0", "tick 1", "tick 2", "tick 3"}, At: []time.Duration{0, 500 * ms, 1000 * ms, 1500 * ms}},
				Elapsed{About: 2 * s, Min: 2 * s, Max: 2*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "gather-order", Lesson: "nest", See: "nest --variant gather --durations 4,1,2", Lang: Python,
			File: "03_gather_order.py", Clock: Virtual,
			Rules: []Rule{
				Waits{Fn: "fetch", Calls: []Call{{"'slow', 3", 3 * s}, {"'quick', 1", 1 * s}, {"'medium', 2", 2 * s}}},
				InFlight{Fn: "fetch", Min: 3},
				Prints{Lines: []string{"['slow', 'quick', 'medium']"}, At: []time.Duration{3 * s}},
				Elapsed{About: 3 * s, Min: 3 * s, Max: 3*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "as-completed", Lesson: "nest", See: "nest --variant as-completed --durations 4,1,2", Lang: Python,
			File: "04_as_completed.py", Clock: Virtual,
			Rules: []Rule{
				Waits{Fn: "download", Calls: []Call{{"3", 3 * s}, {"1", 1 * s}, {"2", 2 * s}}},
				InFlight{Fn: "download", Min: 3},
				Prints{Lines: []string{"got 1", "got 2", "got 3"}, At: []time.Duration{1 * s, 2 * s, 3 * s}},
				Elapsed{About: 3 * s, Min: 3 * s, Max: 3*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "semaphore", Lesson: "sms", Lang: Python, File: "05_semaphore.py", Clock: Virtual,
			Rules: []Rule{
				Waits{Fn: "download", Calls: jobs(9, 1*s)},
				InFlight{Fn: "download", Min: 3, Max: 3},
				Elapsed{About: 3 * s, Min: 3 * s, Max: 3*s + 100*ms},
				NoBlocking{},
				Ends{},
			},
		},
		{
			Name: "timeout", Lesson: "cancel", Lang: Python, File: "06_timeout.py", Clock: Virtual,
			Rules: []Rule{
				Cancelled{Fn: "ask", Calls: []Call{{"'life'", 1 * s}}},
				Prints{Lines: []string{"gave up after 1 s"}, At: []time.Duration{1 * s}},
				Elapsed{About: 3 * s, Min: 3 * s, Max: 3*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "taskgroup", Lesson: "gather", Lang: Python, File: "07_taskgroup.py", Clock: Virtual,
			Rules: []Rule{
				Cancelled{Fn: "download", Calls: []Call{{"'a'", 1 * s}, {"'b'", 1 * s}}},
				Prints{Lines: []string{"failed: c is down"}, At: []time.Duration{1 * s}},
				Elapsed{About: 6 * s, Min: 6 * s, Max: 6*s + 100*ms},
				NoBlocking{},
				Ends{},
			},
		},
		{
			Name: "queue", Lesson: "workers", Lang: Python, File: "08_queue.py", Clock: Virtual,
			Rules: []Rule{
				Waits{Fn: "work", Calls: jobs(6, 1*s)},
				InFlight{Fn: "work", Min: 2, Max: 2},
				Elapsed{About: 3 * s, Min: 3 * s, Max: 3*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "to-thread", Lesson: "thread", See: "await --blocking", Lang: Python, File: "09_to_thread.py", Clock: Virtual,
			Rules: []Rule{
				NoBlocking{},
				Waits{Fn: "legacy_fetch", Calls: []Call{{"1", 1 * s}, {"2", 2 * s}, {"3", 3 * s}}},
				InFlight{Fn: "legacy_fetch", Min: 3},
				Prints{Lines: []string{"tick 0", "tick 1", "tick 2", "tick 3", "tick 4", "tick 5", "fetched [1, 2, 3]"},
					At: []time.Duration{0, 500 * ms, 1000 * ms, 1500 * ms, 2000 * ms, 2500 * ms, 3000 * ms}},
				Elapsed{About: 3 * s, Min: 3 * s, Max: 3*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "background", Lesson: "cancel", See: "cancel --no-drain", Lang: Python, File: "10_background.py", Clock: Virtual,
			Rules: []Rule{
				Waits{Fn: "log", Calls: []Call{{"'a'", 1 * s}, {"'b'", 1 * s}, {"'c'", 1 * s}}},
				Prints{Lines: []string{"main done", "logged a", "logged b", "logged c"},
					At: []time.Duration{500 * ms, 1 * s, 1 * s, 1 * s}, AnyOrder: true},
				Elapsed{About: 1 * s, Min: 1 * s, Max: 1*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "first-wins", Lesson: "nest", See: "nest --variant wait", Lang: Python, File: "11_first_wins.py", Clock: Virtual,
			Rules: []Rule{
				Prints{Lines: []string{"got it from near"}, At: []time.Duration{1 * s}},
				Waits{Fn: "mirror", Calls: []Call{{"'near'", 1 * s}}},
				Cancelled{Fn: "mirror", Calls: []Call{{"'far'", 1 * s}}},
				Elapsed{About: 3 * s, Min: 3 * s, Max: 3*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "go-waitgroup", Lesson: "gather", See: "gather --style go", Lang: Go, File: "go/12_waitgroup/main.go", Clock: Real, Limit: 3 * s,
			Rules: []Rule{
				Prints{Lines: []string{"fetched 1", "fetched 2", "fetched 4", "total 7000"},
					At: []time.Duration{100 * ms, 200 * ms, 400 * ms, 400 * ms}},
				Elapsed{About: 400 * ms, Min: 350 * ms, Max: 900 * ms},
				InGoroutine{Fn: "fetch"},
				RaceFree{},
			},
		},
		{
			Name: "go-select", Lesson: "cancel", See: "cancel --style go", Lang: Go, File: "go/13_select/main.go", Clock: Real, Limit: 3 * s,
			Rules: []Rule{
				Prints{Lines: []string{"gave up"}, At: []time.Duration{300 * ms}},
				Elapsed{About: 300 * ms, Min: 250 * ms, Max: 900 * ms},
				RaceFree{},
			},
		},
		{
			Name: "go-semaphore", Lesson: "sms", See: "sms --style go", Lang: Go, File: "go/14_semaphore/main.go", Clock: Real, Limit: 3 * s,
			Rules: []Rule{
				Overlap{Start: "start", Done: "done", Min: 3, Max: 3},
				Elapsed{About: 300 * ms, Min: 280 * ms, Max: 800 * ms},
				InGoroutine{Fn: "download"},
				RaceFree{},
			},
		},
		{
			Name: "go-workers", Lesson: "workers", See: "workers --style go", Lang: Go, File: "go/15_workers/main.go", Clock: Real, Limit: 3 * s,
			Rules: []Rule{
				Overlap{Start: "start", Done: "done", Min: 3, Max: 3},
				Prints{Lines: []string{"done 0", "done 1", "done 2", "done 3", "done 4", "done 5", "done 6", "done 7", "done 8"},
					AnyOrder: true},
				Elapsed{About: 300 * ms, Min: 280 * ms, Max: 800 * ms},
				InGoroutine{Fn: "worker"},
				RaceFree{},
			},
		},
		{
			Name: "go-cancel", Lesson: "cancel", See: "cancel --style go", Lang: Go, File: "go/16_cancel/main.go", Clock: Real, Limit: 3 * s,
			Rules: []Rule{
				Prints{Lines: []string{"cancelled a", "cancelled b", "failed: c is down"},
					At: []time.Duration{100 * ms, 100 * ms, 100 * ms}, AnyOrder: true},
				Elapsed{About: 100 * ms, Min: 90 * ms, Max: 300 * ms},
				RaceFree{},
			},
		},
		{
			Name: "ctrl-c", Lesson: "cancel", Lang: Python, File: "17_ctrl_c.py", Clock: Virtual, Interrupt: 1 * s,
			Rules: []Rule{
				Cancelled{Fn: "download", Calls: []Call{{"'a'", 1 * s}, {"'b'", 1 * s}, {"'c'", 1 * s}}},
				Prints{Lines: []string{"removed a.part", "removed b.part", "removed c.part", "stopped"},
					At: []time.Duration{1 * s, 1 * s, 1 * s, 1 * s}, AnyOrder: true, Missing: map[string]string{"removed a.part": "ctrlc_no_cleanup"}},
				Elapsed{About: 1 * s, Min: 1 * s, Max: 1*s + 100*ms},
				Ends{},
			},
		},
		{
			Name: "threadsafe", Lesson: "thread", See: "thread --variant threadsafe-coroutine", Lang: Python,
			File: "18_threadsafe.py", Clock: Real, Limit: 10 * s,
			Rules: []Rule{
				LoopThread{},
				Waits{Fn: "download", Calls: []Call{{"0.5", 500 * ms}, {"1", 1 * s}, {"1.5", 1500 * ms}}},
				InFlight{Fn: "download", Min: 3, OneAtATime: "threadsafe_one_at_a_time"},
				Prints{Lines: []string{"fetched [0.5, 1, 1.5]"}},
				Elapsed{About: 1500 * ms, Min: 1500 * ms, Max: 2900 * ms},
				Ends{},
			},
		},
		{
			Name: "redis-drain", Lesson: "workers", Lang: Python, File: "19_redis_drain.py", Clock: Real, Limit: 15 * s,
			Service: RedisJobs{List: "jobs", Jobs: 12, Watch: []string{"jobs:processing"}}, Modules: []string{"redis"},
			Rules: []Rule{
				Waits{Fn: "process", Calls: named(12, 300*ms)},
				InFlight{Fn: "process", Min: 3, Max: 3},
				Held{List: "jobs:processing", Min: 2},
				Drained{Lists: []string{"jobs", "jobs:processing"}},
				Elapsed{About: 1200 * ms, Min: 1200 * ms, Max: 3300 * ms},
				Ends{},
			},
		},
		{
			Name: "sms-fanout", Lesson: "sms", Lang: Python, File: "20_sms_fanout.py", Clock: Real, Limit: 15 * s,
			Service: SMSAPI{Scale: 0.3}, Modules: []string{"aiohttp"},
			Rules: []Rule{
				ServerLoad{Requests: 12, Min: 2, Max: 4, Within: 2400 * ms, TooMany: "smsfanout_too_many"},
				Prints{Lines: []string{"sent 12"}},
				Ends{},
			},
		},
		{
			Name: "go-errgroup", Lesson: "gather", See: "gather --style go", Lang: Go, File: "go/21_errgroup/main.go", Clock: Real,
			Limit: 3 * s, Modules: []string{"golang.org/x/sync"},
			Rules: []Rule{
				Overlap{Start: "start", Done: "end", Min: 2, Max: 2},
				Prints{Lines: []string{"end 1: fetched", "end 2: fetched", "end 4: stopped", "failed: page 3: not found"},
					At: []time.Duration{100 * ms, 200 * ms, 250 * ms, 250 * ms}, Instead: map[string]string{"end 4: fetched": "errgroup_no_context"}},
				Elapsed{About: 250 * ms, Min: 230 * ms, Max: 500 * ms},
				RaceFree{},
			},
		},
		{
			Name: "go-ctrl-c", Lesson: "cancel", See: "cancel --style go", Lang: Go, File: "go/22_ctrl_c/main.go", Clock: Real,
			Limit: 8 * s, Interrupt: 500 * ms,
			Rules: []Rule{
				Prints{Lines: []string{"downloading a", "downloading b", "downloading c"}, AnyOrder: true},
				InGoroutine{Fn: "download"},
				AfterCtrlC{Lines: []string{"removed a.part", "removed b.part", "removed c.part"}, Last: "stopped", Stop: "saved",
					Within: 1 * s},
				MainReturns{},
				RaceFree{},
			},
		},
	}
}

// GoMod is the go.mod exercises init writes beside the Go exercises, so
// that an editor and the go command see them as a module, with the modules
// they may import; GoSum is its go.sum.
const (
	GoMod = "module asyncdemo-exercises\n\n" + goLine + goRequire
	GoSum = goSums
)

// goRequire is what a Go exercise may import beyond the standard library:
// golang.org/x/sync (errgroup), at the version asyncdemo itself is built
// with, so that a Go that built asyncdemo has it in its module cache and a
// check builds offline. goSums are its lines of go.sum. (A test checks
// both against asyncdemo's go.mod and go.sum.) goLine is the Go they
// need: x/sync v0.25.0 says go 1.26.0, as asyncdemo needs 1.26 (and since
// 1.22 a loop variable is each iteration's own).
const (
	goLine    = "go 1.26.0\n\n"
	goRequire = "require golang.org/x/sync v0.25.0\n"
	goSums    = "golang.org/x/sync v0.25.0 h1:dJnifr0nMV8/SBnBvdo4eSGGnrc3O4FFx6IqvtLcmRs=\n" +
		"golang.org/x/sync v0.25.0/go.mod h1:sUUOizhqBxiL6pEWpqNLUiaJn1ShEbZ6BBqskPbjZm0=\n"
)

// named are calls '0' to 'n-1' (strings, as a Redis list holds them),
// each waiting d.
func named(n int, d time.Duration) []Call {
	calls := jobs(n, d)
	for i := range calls {
		calls[i].Args = "'" + calls[i].Args + "'"
	}
	return calls
}

// jobs are calls 0 to n-1, each waiting d.
func jobs(n int, d time.Duration) []Call {
	calls := make([]Call, n)
	for i := range calls {
		calls[i] = Call{Args: strconv.Itoa(i), Wait: d}
	}
	return calls
}
