package twin

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"

	"github.com/asyncdemo/asyncdemo/timing"
)

// Tolerance says how closely a Python run must follow the Go run it is
// compared with.
type Tolerance struct {
	// Ratio and Slack bound how far a run's total may be from the Go
	// run's: |python - go| <= Ratio*go + Slack. With Times, the same bound
	// applies to each event's time.
	Ratio float64
	Slack time.Duration
	// TotalSlack is added to Slack for the runs' totals only: for a run
	// stopped by Ctrl+C the total includes how long each side took to
	// notice it, which is the client's doing, not the lesson's.
	TotalSlack time.Duration
	// Tie is how close in time two events of one side must be to count as
	// happening at one instant, where Order may let them trade places. 0
	// means 10 ms.
	Tie time.Duration
	// Times checks each event's time, not only each run's total.
	Times bool
	// Tasks checks that each event names the same task on both sides.
	Tasks bool
	// Order says which events may trade places within an instant; nil
	// means that every event keeps its place.
	Order func(run string, e timing.Event) Order
}

// DefaultTolerance is what a fidelity test on a quiet machine can hold a
// twin to: totals and event times within 25% plus 50 ms (process start-up,
// thread wake-ups), tasks named alike.
func DefaultTolerance() Tolerance {
	return Tolerance{Ratio: 0.25, Slack: 50 * time.Millisecond, Times: true, Tasks: true}
}

// Order is what an event's place in its instant depends on. Events of one
// instant that have a Stream may be reordered, but only so: the events of
// each stream keep their order, except that consecutive Set events of one
// stream may come in any order. An event without a Stream keeps its place,
// and no event moves past it.
type Order struct {
	Stream string // who printed it, when that is one of several threads or processes
	Set    bool   // it comes from iterating over a set: its order among such events is not defined
}

// Canonical rewrites an event's text so that what differs only in
// Python's own spelling compares equal; both sides go through it:
//
//   - True and False become true and false;
//   - a method call spelt the Go way becomes Python's: task.Result() is
//     task.result();
//   - a repr loses what only CPython knows: coro=<...> and the file:line of
//     a callback ("... at /usr/lib/python3.11/asyncio/tasks.py:519");
//   - C asyncio's "Result is not set." is pure-Python asyncio's "Result is
//     not ready.";
//   - "Task was destroyed but it is pending!" keeps the task's state and
//     name only: what the task waits for and its callbacks depend on the
//     order the garbage collector destroys tasks in;
//   - error messages from the HTTP client and the Redis client are
//     elided: Go's and Python's clients word them differently; but not a
//     call that timed out, which both sides say in the same plain words
//     ("GET /5 timed out after 2 s"), and are held to;
//   - a queue consumer's default name, HOST-PID-RANDOM, unique to each
//     process, becomes HOST-PID-xxxx.
func Canonical(text string) string {
	text = stripCoro(text)
	text = reCallbackAt.ReplaceAllString(text, "")
	text = reBool.ReplaceAllStringFunc(text, strings.ToLower)
	text = reGoMethod.ReplaceAllStringFunc(text, func(s string) string {
		r, n := utf8.DecodeRuneInString(s[1:])
		return "." + strings.ToLower(string(r)) + s[1+n:]
	})
	text = strings.ReplaceAll(text, "Result is not set.", "Result is not ready.")
	if !reTimedOut.MatchString(text) {
		for _, e := range elisions {
			text = e.re.ReplaceAllString(text, e.repl)
		}
	}
	return reDefaultName.ReplaceAllString(text, "${1}HOST-PID-xxxx")
}

var (
	reCallbackAt = regexp.MustCompile(` at [^\s\]>]+:\d+`)
	reBool       = regexp.MustCompile(`\b(True|False)\b`)
	reGoMethod   = regexp.MustCompile(`\.[A-Z][A-Za-z0-9_]*\(`)
	elisions     = []struct {
		re   *regexp.Regexp
		repl string
	}{
		{regexp.MustCompile(`^(Task was destroyed but it is pending! task: <Task \w+ name='[^']*').*>$`), "$1 …>"},
		{regexp.MustCompile(`^sending failed: .*$`), "sending failed: …"},
		{regexp.MustCompile(`^the alarm failed too: .*$`), "the alarm failed too: …"},
		{regexp.MustCompile(`^(message "(?:[^"\\]|\\.)*"): .*(; moved to [^ ]*)$`), "$1: …$2"},
		{regexp.MustCompile(`^Redis is unavailable \(.*\); retrying$`), "Redis is unavailable (…); retrying"},
		{regexp.MustCompile(`^(could not put back what \S+ holds) \(.*\)(: another consumer will, .*)$`), "$1 (…)$2"},
		{regexp.MustCompile(`^looking for the messages of crashed consumers failed: .*$`), "looking for the messages of crashed consumers failed: …"},
	}
	// reTimedOut is an SMS call that timed out, as both sides word it,
	// where an error would be elided: "sending failed: GET /5 timed out
	// after 2 s", and the message's line after its last attempt.
	reTimedOut = regexp.MustCompile(`^(sending failed|the alarm failed too|message "(?:[^"\\]|\\.)*": not sent after \d+ attempts): GET \S+ timed out after [0-9.]+ s(; moved to \S+)?$`)
	// reDefaultName is a consumer's default name (consumer.UniqueName, the
	// twins' unique_name) where the lessons print one: after consumer " or
	// in a key of the queue.
	reDefaultName = regexp.MustCompile(`(consumer "|queue:(?:processing|heartbeat):)[^"\s]+-\d+-[a-z2-7]{4}\b`)
)

// stripCoro removes each " coro=<...>" from a repr, brackets balanced.
func stripCoro(s string) string {
	for {
		i := strings.Index(s, " coro=<")
		if i < 0 {
			return s
		}
		depth, j := 0, i+len(" coro=")
		for ; j < len(s); j++ {
			if s[j] == '<' {
				depth++
			} else if s[j] == '>' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		if j == len(s) {
			return s
		}
		s = s[:i] + s[j+1:]
	}
}

// Report is a Python run lined up against the Go run: row by row for a
// side-by-side display, and the differences that matter.
type Report struct {
	Rows        []Row
	Differences []Difference

	// How WriteTo lays the report out: Width is the columns it fits in (0
	// means 110), GoLabel heads the Go column ("" means "go (aio)").
	Width   int
	GoLabel string
	ASCII   bool // cut text with "...", not "…" (for --ascii, which would widen it later)
	// Words are WriteTo's own words in another language, by the keys of
	// englishWords; missing ones are English.
	Words map[string]string

	tol Tolerance // what Compare held the runs to
}

// englishWords are WriteTo's words (the keys of asyncdemo's label
// catalogues).
var englishWords = map[string]string{
	"report_differs":     "differs",
	"report_only_go":     "only Go",
	"report_only_python": "only Python",
	"report_moved":       "same events, printed in another order where it is left open",
	"report_same_order":  "the same events in the same order",
	"report_same_open":   "the same events, in the same order except where it is left open (~)",
	"report_tasks_aside": " (tasks aside)",
	"report_no_diff":     "No differences: %s, each time within %s of Go's.",
	"report_no_diff_sum": "No differences: %s, totals within %s of Go's.",
	"report_differences": "%d difference(s):",
	"total":              "total",
}

// word returns the report's word for key, in its language.
func (r Report) word(key string) string {
	if w := r.Words[key]; w != "" {
		return w
	}
	return englishWords[key]
}

// EnglishWords returns the keys and English texts of the words a Report
// writes, for translations.
func EnglishWords() map[string]string { return maps.Clone(englishWords) }

// OK reports whether the runs match within the tolerance.
func (r Report) OK() bool { return len(r.Differences) == 0 }

// Row is one line of a side-by-side display: an event of the Go run and the
// event of the Python run it matches, or one of them alone. Summary rows
// end each run, and a compare row ends the report if either side compared.
type Row struct {
	Run        string
	Go, Python *timing.Event // nil where that side has nothing here
	Diff       string        // "" when the two agree within the tolerance
	// Moved: the two sides printed this row's events in another order,
	// where the order is left open (a set, two threads, events of one
	// instant); each column shows its side's events in the order printed.
	Moved bool
}

// Difference is one way the Python run differs from the Go run.
type Difference struct {
	Run  string
	Kind string // "missing", "extra", "order", "task", "time", "total", "run" or "compare"
	// Go and Python are what each side had, "" for nothing.
	Go, Python string
}

func (d Difference) String() string {
	switch d.Kind {
	case "missing":
		return fmt.Sprintf("%s: python lacks %s", d.Run, d.Go)
	case "extra":
		return fmt.Sprintf("%s: python adds %s", d.Run, d.Python)
	case "order":
		return fmt.Sprintf("%s: order differs: %s comes elsewhere in python's order (at %s)", d.Run, d.Go, d.Python)
	}
	return fmt.Sprintf("%s: %s differs: go %s, python %s", d.Run, d.Kind, orNothing(d.Go), orNothing(d.Python))
}

func orNothing(s string) string {
	if s == "" {
		return "(nothing)"
	}
	return s
}

// Compare lines up pyEvents, a twin's run, against goEvents, the Go
// lesson's aio-style run with the same flags, run by run. Within a run the
// events of kind event and state must come in the same order, after
// [Canonical], except where tol.Order lets events of one instant trade
// places; each run's total must be within tol of the Go run's; and the
// Python side must compare runs if and only if the Go side does.
func Compare(goEvents, pyEvents []timing.Event, tol Tolerance) Report {
	if tol.Tie <= 0 {
		tol.Tie = 10 * time.Millisecond
	}
	if tol.Order == nil {
		tol.Order = func(string, timing.Event) Order { return Order{} }
	}
	goRuns, pyRuns := splitRuns(goEvents), splitRuns(pyEvents)
	rep := Report{tol: tol}
	for _, g := range goRuns {
		i := slices.IndexFunc(pyRuns, func(p run) bool { return p.name == g.name })
		if i < 0 {
			rep.add(Row{Run: g.name, Go: g.summary}, Difference{Run: g.name, Kind: "run", Go: "a run", Python: ""})
			continue
		}
		p := pyRuns[i]
		pyRuns = slices.Delete(pyRuns, i, i+1)
		rep.compareRun(g, p, tol)
	}
	for _, p := range pyRuns {
		rep.add(Row{Run: p.name, Python: p.summary}, Difference{Run: p.name, Kind: "run", Go: "", Python: "a run"})
	}
	gc, pc := findCompare(goEvents), findCompare(pyEvents)
	if gc != nil || pc != nil {
		row := Row{Go: gc, Python: pc}
		if (gc == nil) != (pc == nil) {
			d := Difference{Kind: "compare"}
			if gc != nil {
				d.Go = "a comparison"
			} else {
				d.Python = "a comparison"
			}
			rep.add(row, d)
		} else {
			rep.Rows = append(rep.Rows, row)
		}
	}
	return rep
}

// add appends row, and d as its difference unless d is zero.
func (r *Report) add(row Row, d Difference) {
	if d != (Difference{}) {
		row.Diff = d.String()
		r.Differences = append(r.Differences, d)
	}
	r.Rows = append(r.Rows, row)
}

// run is one run's events and summary.
type run struct {
	name    string
	events  []*timing.Event // kinds event and state
	summary *timing.Event
}

func splitRuns(evs []timing.Event) []run {
	var runs []run
	for i := range evs {
		e := &evs[i]
		if e.Kind == timing.KindCompare || e.Kind == KindSpan || e.Kind == KindMark {
			continue // compared apart, or drawn only
		}
		j := slices.IndexFunc(runs, func(r run) bool { return r.name == e.Run })
		if j < 0 {
			runs = append(runs, run{name: e.Run})
			j = len(runs) - 1
		}
		if e.Kind == timing.KindSummary {
			runs[j].summary = e
		} else {
			runs[j].events = append(runs[j].events, e)
		}
	}
	return runs
}

func findCompare(evs []timing.Event) *timing.Event {
	for i := range evs {
		if evs[i].Kind == timing.KindCompare {
			return &evs[i]
		}
	}
	return nil
}

// key is what must be equal for two events to match.
func key(e *timing.Event) string {
	if e.Kind == timing.KindState {
		return "state " + e.Task + ": " + e.State
	}
	return e.Kind + " " + Canonical(e.Text)
}

// describe names an event for a Difference.
func describe(e *timing.Event) string {
	if e == nil {
		return ""
	}
	what := fmt.Sprintf("%q", e.Text)
	if e.Kind == timing.KindState {
		what = fmt.Sprintf("state %s: %s", timing.Printable(e.Task), timing.Printable(e.State))
	}
	return fmt.Sprintf("%s at %.3fs", what, e.T.Seconds())
}

func (r *Report) compareRun(g, p run, tol Tolerance) {
	ge := canonicalOrder(g.name, g.events, tol)
	pe := canonicalOrder(p.name, p.events, tol)
	ms := rejoin(align(ge, pe), g.name, g.events, p.events, tol)
	rows := make([]Row, len(ms))
	diffs := make([]Difference, len(ms))
	for i, m := range ms {
		rows[i] = Row{Run: g.name, Go: m.g, Python: m.p} // asPrinted marks Moved
		switch {
		case m.p == nil:
			diffs[i] = Difference{Run: g.name, Kind: "missing", Go: describe(m.g)}
		case m.g == nil:
			diffs[i] = Difference{Run: g.name, Kind: "extra", Python: describe(m.p)}
		case m.order:
			diffs[i] = Difference{Run: g.name, Kind: "order", Go: describe(m.g), Python: fmt.Sprintf("%.3fs", m.p.T.Seconds())}
		case tol.Tasks && m.g.Task != m.p.Task:
			diffs[i] = Difference{Run: g.name, Kind: "task", Go: fmt.Sprintf("%q for %s", m.g.Task, describe(m.g)), Python: fmt.Sprintf("%q", m.p.Task)}
		case tol.Times && !within(m.p.T, m.g.T, tol):
			diffs[i] = Difference{Run: g.name, Kind: "time", Go: describe(m.g), Python: fmt.Sprintf("%.3fs", m.p.T.Seconds())}
		}
	}
	for _, i := range asPrinted(rows, indexes(g.events), indexes(p.events)) {
		r.add(rows[i], diffs[i])
	}
	r.compareTotals(g, p, tol)
}

// compareTotals adds the row of the two runs' totals.
func (r *Report) compareTotals(g, p run, tol Tolerance) {
	if g.summary == nil && p.summary == nil {
		return // neither run ended (both stopped): no totals to show
	}
	row := Row{Run: g.name, Go: g.summary, Python: p.summary}
	var d Difference
	switch {
	case g.summary == nil || p.summary == nil:
		if g.summary != p.summary {
			d = Difference{Run: g.name, Kind: "total", Go: total(g.summary), Python: total(p.summary)}
		}
	case !within(p.summary.Elapsed, g.summary.Elapsed, Tolerance{Ratio: tol.Ratio, Slack: tol.Slack + tol.TotalSlack}):
		d = Difference{Run: g.name, Kind: "total", Go: total(g.summary), Python: total(p.summary)}
	}
	r.add(row, d)
}

func total(e *timing.Event) string {
	if e == nil {
		return ""
	}
	return fmt.Sprintf("%.3fs", e.Elapsed.Seconds())
}

// within reports whether got is within tol of want.
func within(got, want time.Duration, tol Tolerance) bool {
	diff := got - want
	if diff < 0 {
		diff = -diff
	}
	return float64(diff) <= tol.Ratio*float64(want)+float64(tol.Slack)
}

// canonicalOrder returns evs with each instant's reorderable events in a
// canonical order (see Order), so that the two sides can be compared
// position by position.
func canonicalOrder(runName string, evs []*timing.Event, tol Tolerance) []*timing.Event {
	out := slices.Clone(evs)
	orders := make([]Order, len(out))
	for i, e := range out {
		orders[i] = tol.Order(runName, *e)
	}
	for i := 0; i < len(out); {
		if orders[i].Stream == "" {
			i++
			continue
		}
		j := i + 1
		for j < len(out) && orders[j].Stream != "" && out[j].T-out[i].T <= tol.Tie {
			j++
		}
		sortBlock(out[i:j], orders[i:j])
		i = j
	}
	return out
}

// streams returns, for each Order.Stream of a run's events, the keys of
// its events in the order printed, except that each stretch of one
// instant's Set events is sorted (a set has no order).
func streams(runName string, evs []*timing.Event, tol Tolerance) map[string][]string {
	seq := map[string][]string{}
	setStart := map[string]int{}        // where the stream's current stretch of Set events starts in seq
	setAt := map[string]time.Duration{} // and the time of its first event
	for _, e := range evs {
		o := tol.Order(runName, *e)
		if o.Stream == "" {
			continue
		}
		k := key(e)
		start, inSet := setStart[o.Stream]
		switch {
		case o.Set && inSet && e.T-setAt[o.Stream] <= tol.Tie:
			seq[o.Stream] = append(seq[o.Stream], k)
			slices.Sort(seq[o.Stream][start:])
		case o.Set:
			setStart[o.Stream], setAt[o.Stream] = len(seq[o.Stream]), e.T
			seq[o.Stream] = append(seq[o.Stream], k)
		default:
			delete(setStart, o.Stream)
			seq[o.Stream] = append(seq[o.Stream], k)
		}
	}
	return seq
}

// fixedBefore maps each event to how many events with a fixed place (no
// Order.Stream) were printed before it.
func fixedBefore(runName string, evs []*timing.Event, tol Tolerance) map[*timing.Event]int {
	m := make(map[*timing.Event]int, len(evs))
	n := 0
	for _, e := range evs {
		m[e] = n
		if tol.Order(runName, *e).Stream == "" {
			n++
		}
	}
	return m
}

// indexes maps each event to its place in the order printed.
func indexes(evs []*timing.Event) map[*timing.Event]int {
	m := make(map[*timing.Event]int, len(evs))
	for i, e := range evs {
		m[e] = i
	}
	return m
}

// asPrinted returns the order to show the rows in: the Go column as Go
// printed it, each Python event beside the Go event it matched, and an
// event only Python printed after the Python event it followed. A row
// whose Python event is thereby out of the order Python printed it is
// marked Moved: the two sides printed the same events in another order
// (where Compare accepted that, the order is left open; elsewhere the row
// has its order difference).
func asPrinted(rows []Row, gAt, pAt map[*timing.Event]int) []int {
	// Where each row goes: at its Go event's place; a Python-only row just
	// after the row holding the Python event printed before it.
	place := make([]float64, len(rows))
	for i, row := range rows {
		if row.Go != nil {
			place[i] = float64(gAt[row.Go])
			continue
		}
		place[i] = -0.5
		best := -1
		for _, other := range rows {
			if other.Go != nil && other.Python != nil && pAt[other.Python] < pAt[row.Python] && pAt[other.Python] > best {
				best, place[i] = pAt[other.Python], float64(gAt[other.Go])+0.5
			}
		}
	}
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(place[a], place[b]); c != 0 {
			return c
		}
		pa, pb := -1, -1
		if rows[a].Python != nil {
			pa = pAt[rows[a].Python]
		}
		if rows[b].Python != nil {
			pb = pAt[rows[b].Python]
		}
		return cmp.Compare(pa, pb)
	})
	latest := -1
	for _, i := range order {
		if rows[i].Python == nil {
			continue
		}
		at := pAt[rows[i].Python]
		rows[i].Moved = at < latest
		latest = max(latest, at)
	}
	return order
}

// sortBlock orders one instant's events: by stream, keeping each stream's
// order, with each stretch of a stream's Set events sorted by key.
func sortBlock(evs []*timing.Event, orders []Order) {
	type item struct {
		e *timing.Event
		o Order
	}
	items := make([]item, len(evs))
	for i := range evs {
		items[i] = item{evs[i], orders[i]}
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.o.Stream, b.o.Stream) })
	for i := 0; i < len(items); {
		j := i + 1
		if items[i].o.Set {
			for j < len(items) && items[j].o.Set && items[j].o.Stream == items[i].o.Stream {
				j++
			}
			slices.SortStableFunc(items[i:j], func(a, b item) int { return cmp.Compare(key(a.e), key(b.e)) })
		}
		i = j
	}
	for i := range items {
		evs[i], orders[i] = items[i].e, items[i].o
	}
}

// match is one row of an alignment: both events, or one of them. A
// rejoined match (see rejoin) where the order is fixed is an order
// difference.
type match struct {
	g, p  *timing.Event
	order bool
}

// rejoin pairs what align left unmatched on both sides: an event only Go
// has and the same event only Python has, at about the same time, are one
// event printed at another place in the order. Where that order is left
// open (the event has an Order.Stream, and each side printed its stream's
// events in the same order: only its place among other streams' events
// differs, across the edge of an instant) that is no difference;
// otherwise it is an order difference. Python's unmatched
// row is dropped; the match takes Go's place.
func rejoin(ms []match, runName string, goEvs, pyEvs []*timing.Event, tol Tolerance) []match {
	gSeq, pSeq := streams(runName, goEvs, tol), streams(runName, pyEvs, tol)
	gFixed, pFixed := fixedBefore(runName, goEvs, tol), fixedBefore(runName, pyEvs, tol)
	for i := range ms {
		if ms[i].p != nil || ms[i].g == nil {
			continue
		}
		g := ms[i].g
		for j := range ms {
			p := ms[j].p
			if ms[j].g != nil || p == nil || key(p) != key(g) || (tol.Times && !within(p.T, g.T, tol)) {
				continue
			}
			stream := tol.Order(runName, *g).Stream
			// Open: its stream's order is the same on both sides, and it
			// did not cross an event whose place is fixed.
			open := stream != "" && slices.Equal(gSeq[stream], pSeq[stream]) && gFixed[g] == pFixed[p]
			ms[i] = match{g: g, p: p, order: !open}
			ms[j] = match{}
			break
		}
	}
	return slices.DeleteFunc(ms, func(m match) bool { return m.g == nil && m.p == nil })
}

// align matches the two sequences by their keys with a longest common
// subsequence; what is left over on either side is unmatched.
func align(ge, pe []*timing.Event) []match {
	n, m := len(ge), len(pe)
	if n*m > 4_000_000 { // too long to align: position by position
		var out []match
		for i := range max(n, m) {
			var x match
			if i < n {
				x.g = ge[i]
			}
			if i < m {
				x.p = pe[i]
			}
			if x.g != nil && x.p != nil && key(x.g) != key(x.p) {
				out = append(out, match{g: x.g}, match{p: x.p})
				continue
			}
			out = append(out, x)
		}
		return out
	}
	gk := make([]string, n)
	for i, e := range ge {
		gk[i] = key(e)
	}
	pk := make([]string, m)
	for i, e := range pe {
		pk[i] = key(e)
	}
	// lcs[i][j] is the length of the longest common subsequence of gk[i:]
	// and pk[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if gk[i] == pk[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []match
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && gk[i] == pk[j]:
			out = append(out, match{g: ge[i], p: pe[j]})
			i, j = i+1, j+1
		case j == m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, match{g: ge[i]})
			i++
		default:
			out = append(out, match{p: pe[j]})
			j++
		}
	}
	return out
}

// WriteTo writes the report as two columns, Go on the left and Python on
// the right, run by run, in the human output's form, each row marked: a
// space when the two agree, ≠ when they differ, < or > when only Go or only
// Python has the row, ~ where the two printed the same events in another
// order that is left open. A legend of the marks used and the
// differences follow.
//
// Nothing is cut that can be kept: a text too long for its column wraps
// under itself, the time gutter keeping its place, except a repr
// (<Task pending name=… cb=[…]>), whose middle gives way to "…". A
// terminal too narrow for two readable columns (Width under 72) gets the
// two sides one under the other, "go" and "py", each as wide as the line.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	total := r.Width
	if total <= 0 {
		total = 110
	}
	width := max((total-4)/2, 12) // each side's, after a mark and between them
	stacked := width < minColumn
	// Stacked, the gutter is only as wide as the latest time needs: the
	// columns a narrow terminal has go to the text.
	var latest time.Duration
	for _, row := range r.Rows {
		for _, e := range []*timing.Event{row.Go, row.Python} {
			if e != nil {
				latest = max(latest, e.T)
			}
		}
	}
	compact := fmt.Sprintf("%%%d.3fs ", len(fmt.Sprintf("%.3f", latest.Seconds())))
	goLabel := r.GoLabel
	if goLabel == "" {
		goLabel = "go (aio)"
	}
	var b strings.Builder
	marks := map[string]bool{}
	current := "\x00"
	for _, row := range r.Rows {
		label := row.Run
		if (row.Go != nil && row.Go.Kind == timing.KindCompare) || (row.Python != nil && row.Python.Kind == timing.KindCompare) {
			label = "compare"
		}
		if label != current {
			current = label
			fmt.Fprintf(&b, "── %s ──\n", current)
			if !stacked { // stacked, each row says go or py
				fmt.Fprintf(&b, "  %s  %s\n", r.fit(goLabel, width), "python")
			}
		}
		mark := " "
		switch {
		case row.Python == nil:
			mark = "<"
		case row.Go == nil:
			mark = ">"
		case row.Diff != "":
			mark = "≠"
		case row.Moved:
			mark = "~"
		}
		marks[mark] = true
		if stacked {
			for _, side := range []struct {
				name string
				e    *timing.Event
			}{{"go", row.Go}, {"py", row.Python}} {
				if side.e == nil {
					continue
				}
				for i, line := range r.cellLines(side.e, total-5, compact) {
					prefix := "     "
					if i == 0 {
						prefix = mark + " " + side.name + " "
						mark = " "
					}
					b.WriteString(strings.TrimRight(prefix+line, " ") + "\n")
				}
			}
			continue
		}
		left, right := r.cellLines(row.Go, width, humanGutter), r.cellLines(row.Python, width, humanGutter)
		for i := range max(len(left), len(right)) {
			var l, rt string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				rt = right[i]
			}
			if i > 0 {
				mark = " "
			}
			b.WriteString(strings.TrimRight(fmt.Sprintf("%s %s  %s", mark, r.fit(l, width), rt), " ") + "\n")
		}
	}
	var legend []string
	for _, m := range []struct{ mark, means string }{
		{"≠", r.word("report_differs")}, {"<", r.word("report_only_go")}, {">", r.word("report_only_python")}, {"~", r.word("report_moved")},
	} {
		if marks[m.mark] {
			legend = append(legend, m.mark+" "+m.means)
		}
	}
	if legend != nil {
		b.WriteString(wrapLine("  ("+strings.Join(legend, "; ")+")", total, "   ") + "\n")
	}
	if len(r.Differences) == 0 && len(r.Rows) > 0 {
		what := r.word("report_same_order")
		if marks["~"] {
			what = r.word("report_same_open")
		}
		if !r.tol.Tasks {
			what += r.word("report_tasks_aside")
		}
		within := fmt.Sprintf("%.0f%% + %v", r.tol.Ratio*100, r.tol.Slack)
		summary := r.word("report_no_diff_sum")
		if r.tol.Times {
			summary = r.word("report_no_diff")
		}
		b.WriteString("\n" + wrapLine(fmt.Sprintf(summary, what, within), total, "") + "\n")
	}
	if len(r.Differences) > 0 {
		fmt.Fprintf(&b, "\n"+r.word("report_differences")+"\n", len(r.Differences))
		for _, d := range r.Differences {
			fmt.Fprintf(&b, "  %s\n", wrapLine(d.String(), total-2, "    "))
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// humanGutter is the time gutter of the human output, "  1.002s  ".
const humanGutter = "%7.3fs  "

// minColumn is the narrowest a side of the two columns is: a gutter and
// "KeyboardInterrupt", "do_some_work(1): cancelled" on one line.
const minColumn = 34

// String returns what WriteTo writes.
func (r Report) String() string {
	var b strings.Builder
	r.WriteTo(&b)
	return b.String()
}

// cellLines is an event as the human output shows it, in lines of at most
// width columns: the time gutter (printed with gutterFormat, one width for
// all rows), then the text, wrapped under itself, or, for a repr, cut in
// the middle.
func (r Report) cellLines(e *timing.Event, width int, gutterFormat string) []string {
	if e == nil {
		return []string{""}
	}
	var text string
	switch e.Kind {
	case timing.KindSummary:
		return strings.Split(timing.Wrap(fmt.Sprintf("%s %.3fs", r.word("total"), e.Elapsed.Seconds()), width), "\n")
	case timing.KindCompare:
		return strings.Split(timing.Wrap(fmt.Sprintf("compare %.3fs vs %.3fs: %.2f×", e.Concurrent.Seconds(), e.Sequential.Seconds(), e.Speedup), width), "\n")
	case timing.KindState:
		text = timing.Printable(e.Task + ": " + e.State)
	default:
		text = timing.Printable(strings.ReplaceAll(e.Text, "\n", "⏎"))
	}
	gutter := fmt.Sprintf(gutterFormat, e.T.Seconds())
	indent := strings.Repeat(" ", runewidth.StringWidth(gutter))
	room := max(width-len(indent), 8)
	if runewidth.StringWidth(text) <= room {
		return []string{gutter + text}
	}
	if isRepr(text) {
		return []string{gutter + r.cutMiddle(text, room)}
	}
	lines := strings.Split(timing.Wrap(text, room), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = gutter + lines[i]
		} else {
			lines[i] = indent + lines[i]
		}
	}
	return lines
}

// isRepr reports whether text is an object's repr, <Task pending …>, or
// ends with one ("… task: <Task pending …>"): its middle is what differs
// least and says least.
func isRepr(text string) bool {
	return strings.HasSuffix(text, ">") && strings.Contains(text, "<")
}

// cutMiddle shortens a repr to width columns with an ellipsis in its
// middle: its start, which says what it is, its state and its name
// (<Task pending name='do_some_work(1)' wait_for=…), as far as it fits,
// then its closing brackets, not the callbacks and file names before them,
// which differ between Go and Python and say little.
func (r Report) cutMiddle(s string, width int) string {
	el := r.ellipsis()
	closing := s[len(strings.TrimRight(s, ">]")):]
	closing = closing[max(0, len(closing)-2):]
	room := width - runewidth.StringWidth(el) - len(closing)
	return runewidth.Truncate(s, room, "") + el + closing
}

// tail returns the end of s that fits in width columns.
func tail(s string, width int) string {
	rs := []rune(s)
	w := 0
	i := len(rs)
	for i > 0 && w+runewidth.RuneWidth(rs[i-1]) <= width {
		i--
		w += runewidth.RuneWidth(rs[i])
	}
	return string(rs[i:])
}

// wrapLine breaks line at spaces to fit width columns, starting each
// further line with indent.
func wrapLine(line string, width int, indent string) string {
	var out strings.Builder
	col := 0
	for i, word := range strings.Split(line, " ") {
		w := runewidth.StringWidth(word)
		if i > 0 {
			if col+1+w > width && col > len(indent) {
				out.WriteString("\n" + indent)
				col = len(indent)
			} else {
				out.WriteByte(' ')
				col++
			}
		}
		out.WriteString(word)
		col += w
	}
	return out.String()
}

// fit pads or cuts s to width columns.
func (r Report) fit(s string, width int) string {
	n := runewidth.StringWidth(s) // a Chinese character takes two columns
	if n <= width {
		return s + strings.Repeat(" ", width-n)
	}
	return runewidth.FillRight(runewidth.Truncate(s, width, r.ellipsis()), width)
}

// ellipsis is what stands for text cut off: "…", or "..." with ASCII.
func (r Report) ellipsis() string {
	if r.ASCII {
		return "..."
	}
	return "…"
}
