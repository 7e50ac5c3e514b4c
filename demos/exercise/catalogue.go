package exercise

import "time"

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
				Waits{Fn: "download", Calls: nine(1 * s)},
				InFlight{Fn: "download", Min: 3, Max: 3},
				Elapsed{About: 3 * s, Min: 3 * s, Max: 3*s + 100*ms},
				NoBlocking{},
				Ends{},
			},
		},
	}
}

// nine are download(0) to download(8), each waiting d.
func nine(d time.Duration) []Call {
	calls := make([]Call, 9)
	for i := range calls {
		calls[i] = Call{Args: string(rune('0' + i)), Wait: d}
	}
	return calls
}
