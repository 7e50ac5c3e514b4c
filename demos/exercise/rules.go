package exercise

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/explain"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
)

// Rule is one thing a run must do to pass. Rules judge what the recorder
// measured (the program's tasks, its timers, the steps that held its loop,
// when each line came), never what the program says of itself.
type Rule interface {
	// Want says what the rule asks, in a few words of the learner's
	// language: "the three downloads wait at the same time".
	Want(r *Run) string
	// Check returns "" if the run keeps the rule, else what happened and
	// what it means, with the figures: a sentence or two.
	Check(r *Run) string
}

// Call is a call of a function, by its arguments as the recorder writes
// them ("2", "'slow', 3"), and how long it must wait.
type Call struct {
	Args string
	Wait time.Duration
}

// Waits says that each call of Fn waits its time on the event loop (an
// asyncio.sleep, pretending to be the network): the work is really done,
// not skipped or shortened.
type Waits struct {
	Fn    string
	Calls []Call
}

// InFlight bounds how many calls of Fn wait at once, at the most: at least
// Min (they overlap), at most Max (a limit holds); 0 is no bound.
type InFlight struct {
	Fn       string
	Min, Max int
	// OneAtATime, if not "", is a label that says what calls that waited
	// one after another most likely mean, in this exercise.
	OneAtATime string
}

// Elapsed says how long the whole program takes on its clock: about
// About, from Min to Max.
type Elapsed struct {
	About, Min, Max time.Duration
}

// NoBlocking says that no step of the loop (a task's step, a callback)
// holds it 50 ms or more: every wait is an await.
type NoBlocking struct{}

// Ends says that every task ends, done or cancelled: none is left pending
// or destroyed while pending, no coroutine is never awaited, no task's
// exception goes unretrieved.
type Ends struct{}

// Prints says that the program prints Lines (whole lines of its stdout),
// in this order; other lines may come between. With At, line i must come
// at At[i] (as soon as what it reports has happened).
type Prints struct {
	Lines []string
	At    []time.Duration
	// AnyOrder lets the lines come in any order (lines of one moment,
	// whose order asyncio leaves open).
	AnyOrder bool
	// Instead names, by a line the program may print in place of one of
	// Lines ("end 4: fetched" for "end 4: stopped"), a label that says
	// what printing it means.
	Instead map[string]string
	// Missing names, by one of Lines, a label that says what its missing
	// most likely means.
	Missing map[string]string
}

// Cancelled says that each call of Fn has its wait cancelled at its time:
// a timeout gave up on it, or a TaskGroup cancelled it when a sibling
// failed. (It must have started waiting: skipping the call is no cancel.)
type Cancelled struct {
	Fn    string
	Calls []Call // Wait is when the call's wait must be cancelled
}

// LoopThread says that the program's event loop runs in a thread of its
// own, not the main thread: the main thread stays free for the program's
// other, blocking work, and hands the loop coroutines
// (asyncio.run_coroutine_threadsafe).
type LoopThread struct{}

// Run is what a check saw the program do, for the rules.
type Run struct {
	Exercise *Exercise
	// Rec is the recorder's recording of a Python program.
	Rec *explain.Recording
	// Elapsed is how long the program ran, on its clock.
	Elapsed time.Duration
	Lines   []explain.Line // what it wrote, stdout and stderr
	Lang    string         // the learner's language
	// Go marks the run of a Go exercise: Race is what its race detector
	// reported ("" for nothing), NoRace that it ran without one (no C
	// compiler for cgo).
	Go     bool
	Race   string
	NoRace bool
	Source []byte // the Go file, while the rules read it
	// Served is what the exercise's Service measured.
	Served Served
	labels map[string]string
	shift  time.Duration // how much later than Exercise.Interrupt Ctrl+C came
	ctrlC  ctrlCRun      // a Go program's Ctrl+C, and how its main ended
}

// due is when something an exercise's rule expects at t must come in this
// run: t, or for a moment from Exercise.Interrupt on, as much later as
// Ctrl+C came.
func (r *Run) due(t time.Duration) time.Duration {
	if r.Exercise.Interrupt > 0 && t >= r.Exercise.Interrupt {
		return t + r.shift
	}
	return t
}

// say formats a label of the learner's language.
func (r *Run) say(key string, args ...any) string {
	f, ok := r.labels[key]
	if !ok {
		return "!" + key
	}
	return fmt.Sprintf(f, args...)
}

// near reports whether got is want, as near as the clock measures: to the
// millisecond on virtual time; on real time, up to 10% and 50 ms early,
// and up to a quarter and 250 ms late (a loaded machine runs a program
// late, never early: a Go timer of 0.4 s was seen to fire 0.13 s late
// with two CPUs shared by a dozen processes).
func (r *Run) near(got, want time.Duration) bool {
	d := got - want
	switch {
	case r.Exercise.Clock == Virtual:
		return max(d, -d) <= time.Millisecond
	case d < 0:
		return -d <= want/10+50*time.Millisecond
	}
	return d <= want/4+250*time.Millisecond
}

// secs writes d as a check's sentences do: "4.00 s".
func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// short writes a duration as an exercise's text does: "4 s", "0.5 s",
// "1.372 s": to the millisecond at most, never a float's binary remainder
// (1.3719999999999999).
func short(d time.Duration) string {
	v := strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', 3, 64)
	v = strings.TrimRight(v, "0")
	return strings.TrimSuffix(v, ".") + " s"
}

// list joins items as the learner's language does.
func (r *Run) list(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], r.say("list_sep")) + r.say("list_last") + items[len(items)-1]
}

// wait is a timer of a call of a function, as the rules see it.
type wait struct {
	call       string // "download(2)"
	args       string
	start, end time.Duration
	cancelled  bool
	blocking   bool // a time.sleep that held the loop
}

// waits returns the timers set by calls of fn, in the order they were set.
func (r *Run) waits(fn string) []wait {
	var ws []wait
	if r.Rec == nil {
		return nil
	}
	for _, t := range r.Rec.Timers {
		f, ok := t.In(fn)
		if !ok {
			continue
		}
		ws = append(ws, wait{call: f.Call(), args: f.Args, start: t.Set, end: t.End(), cancelled: t.Cancelled, blocking: t.Blocking})
	}
	return ws
}

// sameArgs reports whether the arguments of a call, got, start with want:
// numbers by value (2 is 2.0), the rest as written. (An exercise's
// solution may pass more, such as the semaphore to share.)
func sameArgs(got, want string) bool {
	if want == "" {
		return true
	}
	as, bs := strings.Split(got, ", "), strings.Split(want, ", ")
	if len(as) < len(bs) {
		return false
	}
	for i := range bs {
		if as[i] == bs[i] {
			continue
		}
		x, err1 := strconv.ParseFloat(as[i], 64)
		y, err2 := strconv.ParseFloat(bs[i], 64)
		if err1 != nil || err2 != nil || x != y {
			return false
		}
	}
	return true
}

func call(fn, args string) string { return fn + "(" + args + ")" }

// ── Waits ──

func (w Waits) Want(r *Run) string {
	if n := len(w.Calls); n > 3 && !slices.ContainsFunc(w.Calls, func(c Call) bool { return c.Wait != w.Calls[0].Wait }) {
		return r.say("want_waits_same", call(w.Fn, w.Calls[0].Args), call(w.Fn, w.Calls[n-1].Args), short(w.Calls[0].Wait))
	}
	var items []string
	for _, c := range w.Calls {
		items = append(items, r.say("want_waits_item", call(w.Fn, c.Args), short(c.Wait)))
	}
	return r.say("want_waits", r.list(items))
}

func (w Waits) Check(r *Run) string {
	ws := r.waits(w.Fn)
	var wrong []string
	for _, c := range w.Calls {
		var total time.Duration
		found, cancelled := false, false
		for _, x := range ws {
			if sameArgs(x.args, c.Args) {
				found = true
				total += x.end - x.start
				cancelled = cancelled || x.cancelled
			}
		}
		name := call(w.Fn, c.Args)
		switch {
		case !found:
			wrong = append(wrong, r.say("waits_never", name, short(c.Wait)))
		case cancelled && !r.near(total, c.Wait):
			wrong = append(wrong, r.say("waits_cancelled", name, secs(total), short(c.Wait)))
		case !r.near(total, c.Wait):
			wrong = append(wrong, r.say("waits_wrong", name, secs(total), short(c.Wait)))
		}
	}
	if len(wrong) == 0 {
		return ""
	}
	return r.list(wrong) + r.say("waits_why")
}

// ── Cancelled ──

func (c Cancelled) Want(r *Run) string {
	var items []string
	for _, x := range c.Calls {
		items = append(items, r.say("want_cancelled_item", call(c.Fn, x.Args), short(r.due(x.Wait))))
	}
	return r.say("want_cancelled", r.list(items))
}

func (c Cancelled) Check(r *Run) string {
	ws := r.waits(c.Fn)
	var wrong []string
	for _, x := range c.Calls {
		name := call(c.Fn, x.Args)
		var mine []wait
		for _, w := range ws {
			if sameArgs(w.args, x.Args) {
				mine = append(mine, w)
			}
		}
		if len(mine) == 0 {
			wrong = append(wrong, r.say("cancelled_never", name))
			continue
		}
		last := mine[len(mine)-1]
		switch {
		case !last.cancelled:
			wrong = append(wrong, r.say("cancelled_not", name, secs(last.end), short(r.due(x.Wait))))
		case !r.near(last.end, r.due(x.Wait)):
			wrong = append(wrong, r.say("cancelled_at", name, secs(last.end), short(r.due(x.Wait))))
		}
	}
	if len(wrong) == 0 {
		return ""
	}
	return r.list(wrong) + "."
}

// ── InFlight ──

func (f InFlight) Want(r *Run) string {
	switch {
	case f.Min > 0 && f.Max > 0 && f.Min == f.Max:
		return r.say("want_inflight_exactly", f.Max, f.Fn)
	case f.Max > 0:
		return r.say("want_inflight_max", f.Max, f.Fn)
	}
	return r.say("want_inflight_min", f.Min, f.Fn)
}

// peak returns the most waits of ws pending at once, the first moment
// there were that many, and the calls waiting then.
func peak(ws []wait) (most int, at time.Duration, calls []string) {
	for _, w := range ws {
		t := w.start
		var now []string
		for _, x := range ws {
			if x.start <= t && t < x.end {
				now = append(now, x.call)
			}
		}
		if len(now) > most {
			most, at, calls = len(now), t, now
		}
	}
	return most, at, calls
}

func (f InFlight) Check(r *Run) string {
	ws := r.waits(f.Fn)
	if len(ws) == 0 {
		return r.say("inflight_none", f.Fn)
	}
	most, at, calls := peak(ws)
	if f.Min > 0 && most < f.Min {
		if most <= 1 {
			var spans []string
			last := ws[len(ws)-1]
			for i, w := range ws {
				if i == 3 && len(ws) > 4 {
					spans = append(spans, r.say("and_more", len(ws)-3))
					break
				}
				spans = append(spans, r.say("inflight_span", w.call, fmt.Sprintf("%.2f", w.start.Seconds()), secs(w.end)))
			}
			key := "inflight_sequential"
			if slices.ContainsFunc(ws, func(w wait) bool { return w.blocking }) {
				key = "inflight_sequential_blocking"
			}
			msg := r.say(key, r.list(spans), secs(last.end-ws[0].start), last.call,
				secs(last.start-ws[0].start), lesson.Capitalized(lesson.CountOf(r.labels, f.Min)))
			if f.OneAtATime != "" {
				msg += " " + r.say(f.OneAtATime)
			}
			return msg
		}
		return r.say("inflight_too_few", most, f.Fn, secs(at), r.list(calls), f.Min)
	}
	if f.Max > 0 && most > f.Max {
		shown := calls
		if len(shown) > 4 {
			shown = append(slices.Clone(shown[:3]), r.say("and_more", len(calls)-3))
		}
		return r.say("inflight_too_many", secs(at), most, f.Fn, r.list(shown), f.Max)
	}
	return ""
}

// ── Elapsed ──

func (e Elapsed) Want(r *Run) string {
	return r.say("want_elapsed", short(r.due(e.Min)), short(r.due(e.Max)))
}

func (e Elapsed) Check(r *Run) string {
	lo, hi := r.due(e.Min), r.due(e.Max)
	switch {
	case r.Elapsed > hi:
		return r.say("elapsed_long", secs(r.Elapsed), short(lo), short(hi))
	case r.Elapsed < lo:
		return r.say("elapsed_short", secs(r.Elapsed), short(lo))
	}
	return ""
}

// ── NoBlocking ──

func (NoBlocking) Want(r *Run) string { return r.say("want_noblocking", Slow.Milliseconds()) }

func (NoBlocking) Check(r *Run) string {
	if r.Rec == nil {
		return ""
	}
	var texts []string
	for _, f := range r.findings() {
		if f.Kind == explain.FindingBlocking {
			texts = append(texts, f.Text)
		}
	}
	return strings.Join(texts, " ")
}

// findings are explain's findings of the run, in the learner's language.
func (r *Run) findings() []explain.Finding {
	return r.Rec.Findings(explainLabels(r.Lang))
}

// ── Ends ──

func (Ends) Want(r *Run) string { return r.say("want_ends") }

func (Ends) Check(r *Run) string {
	if r.Rec == nil {
		return ""
	}
	var texts []string
	swallowed, tail := r.swallowed()
	for _, f := range r.findings() {
		switch f.Kind {
		case explain.FindingSwallowed:
			if tail == "" { // not in the form swallowed reads
				texts = append(texts, f.Text)
			}
		case explain.FindingDestroyed, explain.FindingNeverAwaited, explain.FindingNeverRetrieved:
			texts = append(texts, f.Text)
		}
	}
	if tail != "" {
		texts = append(texts, swallowed...)
		texts = append(texts, tail)
	}
	var pending []string
	for _, t := range r.Rec.Tasks {
		if !t.Hidden && t.State == "" {
			pending = append(pending, r.Rec.Call(t))
		}
	}
	if len(pending) > 0 {
		texts = append(texts, r.say("ends_pending", r.list(pending)))
	}
	return strings.Join(texts, " ")
}

// swallowed says which tasks swallowed their CancelledError, tasks that did
// so alike in one sentence ("download('a'), download('b') and
// download('c'): each was cancelled, but…"), and tail what that means and
// how to fix it, said once; tail is "" if explain's findings do not read
// as expected (then they are said as they are).
func (r *Run) swallowed() (texts []string, tail string) {
	fix := explainLabels(r.Lang)["explain_swallowed_fix"]
	var rests []string
	names := map[string][]string{}
	for _, f := range r.findings() {
		if f.Kind != explain.FindingSwallowed {
			continue
		}
		i := strings.Index(f.Text, fix)
		if fix == "" || i <= 0 || !strings.HasPrefix(f.Text, f.Task) {
			return nil, ""
		}
		tail = f.Text[i:]
		rest := strings.TrimSpace(f.Text[len(f.Task):i])
		if _, ok := names[rest]; !ok {
			rests = append(rests, rest)
		}
		names[rest] = append(names[rest], f.Task)
	}
	for _, rest := range rests {
		if who := names[rest]; len(who) > 1 {
			texts = append(texts, r.say("swallowed_each", r.list(who), rest))
		} else {
			texts = append(texts, who[0]+" "+rest)
		}
	}
	return texts, tail
}

// ── Prints ──

func (p Prints) Want(r *Run) string {
	quoted := make([]string, len(p.Lines))
	for i, l := range p.Lines {
		quoted[i] = "“" + l + "”"
	}
	if len(p.At) == 0 && p.AnyOrder {
		return r.say("want_prints_any", r.list(quoted))
	}
	if len(p.At) == 0 && len(p.Lines) == 1 { // no order to speak of
		return r.say("want_prints_any", quoted[0])
	}
	if len(p.At) == 0 {
		return r.say("want_prints", r.list(quoted))
	}
	if p.AnyOrder {
		items := make([]string, len(p.Lines))
		for i := range p.Lines {
			items[i] = r.say("want_prints_at_item", quoted[i], short(r.due(p.At[i])))
		}
		return r.say("want_prints_any", r.list(items))
	}
	if len(p.Lines) == 1 {
		return r.say("want_prints_at_one", quoted[0], short(r.due(p.At[0])))
	}
	items := make([]string, len(p.Lines))
	for i := range p.Lines {
		items[i] = r.say("want_prints_at_item", quoted[i], short(r.due(p.At[i])))
	}
	return r.say("want_prints_at", r.list(items))
}

func (p Prints) Check(r *Run) string {
	var out []explain.Line
	for _, l := range r.Lines {
		if l.Stream == 1 {
			out = append(out, l)
		}
	}
	if p.AnyOrder {
		return p.checkAnyOrder(r, out)
	}
	i := 0 // the next line wanted
	for _, l := range out {
		if i < len(p.Lines) && strings.TrimRight(l.Text, " ") == p.Lines[i] {
			if len(p.At) > i && !r.near(l.T, r.due(p.At[i])) {
				return r.say("prints_late", l.Text, secs(l.T), short(r.due(p.At[i])))
			}
			i++
		}
	}
	if i == len(p.Lines) {
		return ""
	}
	missing := p.Lines[i]
	for _, l := range out {
		if strings.TrimRight(l.Text, " ") == missing {
			return r.say("prints_order", missing, r.printed(out, missing))
		}
	}
	return p.missing(r, missing, out)
}

// missing says that the program never printed want: what it printed in
// its place if a line of the same subject ("end 4: fetched" for "end 4:
// stopped") says so, and what that means; else what it printed.
func (p Prints) missing(r *Run, want string, out []explain.Line) string {
	for _, l := range out {
		text := strings.TrimRight(l.Text, " ")
		if !contradicts(text, want) {
			continue
		}
		msg := r.say("prints_instead", want, text, secs(l.T))
		if key, ok := p.Instead[text]; ok {
			msg += " " + r.say(key)
		}
		return msg
	}
	msg := r.say("prints_missing", want, r.printed(out, want))
	if key, ok := p.Missing[want]; ok {
		msg += " " + r.say(key)
	}
	return msg
}

// contradicts reports whether a printed line says otherwise of what a
// wanted line reports: the same subject before a colon, another end
// ("end 4: fetched" for "end 4: stopped").
func contradicts(line, want string) bool {
	subject, _, ok := strings.Cut(want, ":")
	if !ok || line == want {
		return false
	}
	s, _, ok := strings.Cut(line, ":")
	return ok && s == subject
}

// checkAnyOrder is Check for lines that may come in any order.
func (p Prints) checkAnyOrder(r *Run, out []explain.Line) string {
	used := make([]bool, len(out))
	for i, want := range p.Lines {
		j := slices.IndexFunc(out, func(l explain.Line) bool { return strings.TrimRight(l.Text, " ") == want })
		for j >= 0 && used[j] {
			k := slices.IndexFunc(out[j+1:], func(l explain.Line) bool { return strings.TrimRight(l.Text, " ") == want })
			if k < 0 {
				j = -1
				break
			}
			j += 1 + k
		}
		if j < 0 {
			return p.missing(r, want, out)
		}
		used[j] = true
		if len(p.At) > i && !r.near(out[j].T, r.due(p.At[i])) {
			return r.say("prints_late", out[j].Text, secs(out[j].T), short(r.due(p.At[i])))
		}
	}
	return ""
}

// printed says what the program printed, a few lines of it: first those
// of the same subject as want (which contradict it), then the first
// others, in the order printed.
func (r *Run) printed(out []explain.Line, want string) string {
	if len(out) == 0 {
		return r.say("printed_nothing")
	}
	const most = 6
	shown := make([]bool, len(out))
	n := 0
	for i, l := range out {
		if n < most && contradicts(strings.TrimRight(l.Text, " "), want) {
			shown[i] = true
			n++
		}
	}
	for i := range out {
		if n < most && !shown[i] {
			shown[i] = true
			n++
		}
	}
	var items []string
	for i, l := range out {
		if shown[i] {
			items = append(items, r.say("printed_item", l.Text, secs(l.T)))
		}
	}
	if n < len(out) {
		items = append(items, r.say("and_more", len(out)-n))
	}
	return r.say("printed", r.list(items))
}

// ── LoopThread ──

func (LoopThread) Want(r *Run) string { return r.say("want_loopthread") }

func (LoopThread) Check(r *Run) string {
	if r.Rec == nil {
		return ""
	}
	var mains int
	for _, l := range r.Rec.Loops {
		if l.Thread == "MainThread" {
			mains++
		}
	}
	if mains > 0 {
		return r.say("loopthread_main", mains)
	}
	return ""
}

// Drained says that each of Lists, Redis lists of the exercise's
// RedisJobs, is empty when the program ends: every job was taken, and
// none was left behind half done.
type Drained struct{ Lists []string }

// Held says that, while the jobs are worked on, List holds at least Min of
// them at once: a worker moves the job it takes into List (LMOVE) and
// removes it once done (LREM), so that a worker that dies midway leaves
// its job there to be found, not lost.
type Held struct {
	List string
	Min  int
}

// ServerLoad says what the exercise's SMSAPI saw: Requests answered, at
// least Min and at most Max of them in flight at once (0: no bound), all
// within Within of the first's arrival.
type ServerLoad struct {
	Requests, Min, Max int
	Within             time.Duration
	// TooMany, if not "", is a label that says what more than Max
	// requests at once most likely mean, in this exercise.
	TooMany string
}

// ── Drained ──

func (d Drained) Want(r *Run) string { return r.say("want_drained", r.list(quoted(d.Lists))) }

func (d Drained) Check(r *Run) string {
	var left []string
	for _, l := range d.Lists {
		if n := r.Served.Left[l]; n > 0 {
			left = append(left, r.say("drained_left", l, n))
		}
	}
	if len(left) == 0 {
		return ""
	}
	return r.say("drained_not", r.list(left))
}

// ── Held ──

func (h Held) Want(r *Run) string { return r.say("want_held", h.List, h.Min) }

func (h Held) Check(r *Run) string {
	if most := r.Served.Most[h.List]; most < h.Min {
		return r.say("held_not", h.List, most, h.Min)
	}
	return ""
}

// ── ServerLoad ──

func (s ServerLoad) Want(r *Run) string {
	return r.say("want_serverload", s.Requests, s.Max, s.Min, short(s.Within))
}

func (s ServerLoad) Check(r *Run) string {
	sv := r.Served
	var wrong []string
	if sv.Requests != s.Requests {
		wrong = append(wrong, r.say("serverload_requests", sv.Requests, s.Requests))
	}
	if s.Max > 0 && sv.Peak > s.Max {
		wrong = append(wrong, r.say("serverload_too_many", secs(sv.PeakAt), sv.Peak, s.Max))
		if s.TooMany != "" {
			wrong = append(wrong, r.say(s.TooMany))
		}
	}
	if s.Min > 0 && sv.Peak < s.Min {
		wrong = append(wrong, r.say("serverload_too_few", sv.Peak, s.Min))
	}
	if sv.Requests > 0 && s.Within > 0 && sv.Span > s.Within {
		wrong = append(wrong, r.say("serverload_slow", secs(sv.Span), short(s.Within)))
	}
	return strings.Join(wrong, " ")
}
