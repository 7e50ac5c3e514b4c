package explain

import (
	"cmp"
	"slices"
	"time"
)

// Missed concurrency: a coroutine that awaited things one after another,
// each started by its await and none using another's result, while the
// loop had nothing else to do. Started together they would have taken
// about as long as the longest.
//
// What the recorder sees (see _Chains in _asyncrec.py): each time the loop
// goes idle, the task whose step ran last, and what each of the learner's
// coroutines in that task awaits: the await point in its source, the
// coroutine awaited and its arguments. An await runs from the end of the
// step that began it to the start of the step its coroutine went on in;
// consecutive awaits are known only when each step of the task between
// them ended with the loop going idle (else the run is broken off). From
// the source (_Scope) it knows which await points may use which others'
// results; at run time, that two calls of the same function with the same
// arguments (a stream read, a queue's get: one after another by nature)
// or of two methods of the same object (connect, then send) are not
// independent.

// Missed is a run of awaits in one coroutine, one after another, that
// might have been started together: Count awaits, at Lines, that took
// Took from the first's start to the last's end, where started together
// they would have taken about Estimate.
type Missed struct {
	Task     int // the task they were in
	Code     int // the coroutine's function (a code id)
	Fn       string
	File     string
	Lines    []int // the lines of the awaits, in order (one per await)
	Start    time.Duration
	Took     time.Duration
	Estimate time.Duration
}

// taskAwaits is what a task's coroutines await, as the recorder last saw.
type taskAwaits struct {
	captured bool
	last     int          // len(Task.Steps) at the last capture
	levels   []*coroAwait // by level in the task's chain; nil for a library's coroutine
}

// coroAwait is one of the learner's coroutines: what it awaits now, and
// the independent awaits it made one after another before it.
type coroAwait struct {
	serial, code, scope int
	cur                 *awaitSpan
	run                 []awaitSpan
}

// awaitSpan is one await of a coroutine.
type awaitSpan struct {
	start, end time.Duration
	point      int // its await point in the coroutine's scope; -1 if unknown
	line       int
	kind       string
	call, recv string
	fn         string
	ok         bool // work the await started, whose point is known
}

// candidate is a run of two or more awaits, judged at the end.
type candidate struct {
	task int
	code int
	run  []awaitSpan
}

// awaitRecord takes the recorder's note that task tid's step ended with
// the loop going idle, its coroutines awaiting what "await" frame n says
// (n 0: what they awaited before).
func (r *Recording) awaitRecord(tid, n int) {
	t := r.task(tid)
	w := r.awaitFrames[n]
	delete(r.awaitFrames, n)
	if r.awaits == nil {
		r.awaits = map[int]*taskAwaits{}
	}
	ta := r.awaits[tid]
	if ta == nil {
		ta = &taskAwaits{}
		r.awaits[tid] = ta
	}
	idx := len(t.Steps)
	if idx == 0 {
		return
	}
	step := t.Steps[idx-1]
	// The step between this capture and the last was seen whole: what
	// ended in it ended at its start.
	continuous := ta.captured && idx-ta.last == 1
	ta.captured, ta.last = true, idx
	if w == nil {
		return // the same awaits go on
	}
	from := max(w.From, 0)
	for l := from; l < len(ta.levels); l++ {
		if ca := ta.levels[l]; ca != nil {
			r.endAwait(tid, ca, step.Start, continuous)
		}
	}
	keep := min(from+1, len(ta.levels))
	for l := keep; l < len(ta.levels); l++ { // coroutines that returned
		if ca := ta.levels[l]; ca != nil {
			r.closeRun(tid, ca)
		}
	}
	ta.levels = ta.levels[:keep]
	for _, lv := range w.Lv {
		for len(ta.levels) <= lv.L {
			ta.levels = append(ta.levels, nil)
		}
		ca := ta.levels[lv.L]
		if ca != nil && ca.serial != lv.F {
			r.closeRun(tid, ca)
			ca = nil
		}
		if ca == nil {
			ca = &coroAwait{serial: lv.F, code: lv.C, scope: lv.Scope}
			ta.levels[lv.L] = ca
		}
		r.startAwait(tid, ca, lv, step)
	}
}

// endAwait ends what ca awaited: its coroutine went on at end, if the
// recording knows that (else the run ends before it).
func (r *Recording) endAwait(tid int, ca *coroAwait, end time.Duration, known bool) {
	if ca.cur == nil {
		return
	}
	a := *ca.cur
	ca.cur = nil
	if !known || !a.ok {
		r.closeRun(tid, ca)
		return
	}
	a.end = end
	ca.run = append(ca.run, a)
}

// startAwait notes that ca began awaiting what lv says, at the end of
// step; a new run begins if it may depend on the run so far.
func (r *Recording) startAwait(tid int, ca *coroAwait, lv wireLevel, step Step) {
	a := awaitSpan{start: step.End, point: lv.S, line: lv.Line, kind: lv.K, call: lv.Fp, recv: lv.R, fn: lv.Fn}
	if lv.Scope == 0 || lv.Scope != ca.scope {
		a.point = -1
	}
	switch lv.K {
	case "work":
		a.ok = a.point >= 0
	case "task": // a task made by the step that awaits it: work it started
		if at := r.tasks.get(lv.T); at != nil && lv.T != 0 {
			a.ok = a.point >= 0 && at.Created >= step.Start
		}
	}
	if !a.ok || !r.independent(ca, a) {
		r.closeRun(tid, ca)
	}
	ca.cur = &a
}

// independent reports whether a may have run together with each await of
// ca's run: none of their points may give it a result (as the source
// shows), and it is not the same call again, or another method of the
// same object.
func (r *Recording) independent(ca *coroAwait, a awaitSpan) bool {
	sc, ok := r.scopes[ca.scope]
	if !ok || a.point >= len(sc.needs) {
		return false
	}
	needs := sc.needs[a.point]
	for _, b := range ca.run {
		if slices.Contains(needs, b.point) {
			return false
		}
		if a.call != "" && a.call == b.call {
			return false // the same call again: the next of a stream, a retry, a poll
		}
		if a.recv != "" && a.recv == b.recv && a.fn != b.fn {
			return false // another method of the same object: connect, then send
		}
	}
	return true
}

// closeRun ends ca's run of awaits: two or more are a candidate.
func (r *Recording) closeRun(tid int, ca *coroAwait) {
	if len(ca.run) >= 2 {
		r.candidates = append(r.candidates, candidate{task: tid, code: ca.code, run: ca.run})
	}
	ca.run = nil
}

// idleEnough is how much of a run's time the loop may have spent running
// other code for the run to count as the loop having nothing else to do.
const idleEnough = 0.1

// missedEnough is how much time at least starting a run's awaits together
// must save (and a tenth of the run's time) to be a finding.
const missedEnough = 100 * time.Millisecond

// judgeMissed ends the runs still open and keeps, as Missed, the
// candidates that would save at least missedEnough (and a tenth of their
// time) while the loop was idle. A task that ended after its last capture
// ended its last awaits in one of the steps since, at the first's start at
// the earliest: they are taken to end there, which can only make the
// saving smaller.
func (r *Recording) judgeMissed() {
	for tid, ta := range r.awaits {
		t := r.tasks.get(tid)
		ended := t != nil && t.State != "" && ta.captured && len(t.Steps) > ta.last
		for _, ca := range ta.levels {
			if ca == nil {
				continue
			}
			if ended {
				r.endAwait(tid, ca, t.Steps[ta.last].Start, true)
			}
			r.closeRun(tid, ca)
		}
	}
	r.awaits = nil
	if len(r.candidates) == 0 {
		return
	}
	busy := r.busyIndex()
	for _, c := range r.candidates {
		first, last := c.run[0], c.run[len(c.run)-1]
		took := last.end - first.start
		var longest, between time.Duration
		lines := make([]int, len(c.run))
		for i, a := range c.run {
			longest = max(longest, a.end-a.start)
			if i > 0 {
				between += a.start - c.run[i-1].end
			}
			lines[i] = a.line
		}
		estimate := longest + between
		saved := took - estimate
		if saved < missedEnough || float64(saved) < 0.1*float64(took) {
			continue
		}
		if busy.others(c.task, first.start, last.end, r.tasks.get(c.task)) > time.Duration(idleEnough*float64(took)) {
			continue
		}
		m := Missed{Task: c.task, Code: c.code, Lines: lines, Start: first.start, Took: took, Estimate: estimate}
		if fn, ok := r.codes[c.code]; ok {
			m.Fn, m.File = fn.fn, fn.file
		}
		r.Missed = append(r.Missed, m)
	}
	r.candidates = nil
	slices.SortFunc(r.Missed, func(a, b Missed) int { return cmp.Compare(a.Start, b.Start) })
}

// stepIndex is every task's steps, by start, for what ran in a stretch.
type stepIndex struct {
	steps []Step
}

func (r *Recording) busyIndex() stepIndex {
	var ix stepIndex
	for _, t := range r.tasks {
		if t != nil {
			ix.steps = append(ix.steps, t.Steps...)
		}
	}
	slices.SortFunc(ix.steps, func(a, b Step) int { return cmp.Compare(a.Start, b.Start) })
	return ix
}

// others returns how long steps ran between from and to, task t's own
// left out.
func (ix stepIndex) others(tid int, from, to time.Duration, t *Task) time.Duration {
	var d time.Duration
	i, _ := slices.BinarySearchFunc(ix.steps, from, func(s Step, at time.Duration) int { return cmp.Compare(s.Start, at) })
	i = max(i-1, 0)
	for ; i < len(ix.steps) && ix.steps[i].Start < to; i++ {
		s := ix.steps[i]
		d += max(0, min(s.End, to)-max(s.Start, from))
	}
	if t != nil { // its own steps are the awaits' work and the code between them
		j, _ := slices.BinarySearchFunc(t.Steps, from, func(s Step, at time.Duration) int { return cmp.Compare(s.Start, at) })
		j = max(j-1, 0)
		for ; j < len(t.Steps) && t.Steps[j].Start < to; j++ {
			s := t.Steps[j]
			d -= max(0, min(s.End, to)-max(s.Start, from))
		}
	}
	return max(d, 0)
}
