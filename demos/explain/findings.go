package explain

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// Kinds of finding.
const (
	FindingBlocking       = "blocking"           // a step held the loop at least Slow
	FindingGC             = "gc"                 // the garbage collector held the loop at least Slow, in all
	FindingNeverAwaited   = "never-awaited"      // a coroutine was made and never awaited
	FindingNeverRetrieved = "never-retrieved"    // a task failed and nobody asked for its error
	FindingDestroyed      = "destroyed-pending"  // a task was destroyed while pending
	FindingLogged         = "logged"             // something else a loop logged
	FindingSyncClient     = "sync-client"        // a blocking call through a synchronous client (requests, redis, ...)
	FindingMissed         = "missed-concurrency" // awaits one after another that could have run together
	FindingSwallowed      = "swallowed-cancel"   // a cancelled task caught CancelledError and did not stop
	FindingNestedRun      = "nested-run"         // asyncio.run called inside a running loop
	FindingForeignLoop    = "foreign-loop"       // a note: a loop the recorder cannot record ran
	FindingChildren       = "children"           // a note: it started other processes, not traced
	FindingNoAsyncio      = "no-asyncio"         // the program ran no event loop
	FindingClean          = "clean"              // nothing to explain
	FindingSummary        = "summary"            // wall time, busy and idle, tasks
)

// Finding is something the program did that its author should know, in
// one or two sentences of the learner's language.
type Finding struct {
	Kind  string
	T     time.Duration // when it happened (the first time, if several)
	Task  string        // the task it is about, as Task.Who names it; "" if none
	File  string        // the file and line it is about, if any
	Line  int
	Where string        // File:Line as output shows it
	Cost  time.Duration // how long it held the loop (blocking); 0 if it cost no time
	// CostText says what Cost is, in words, for the finding's heading:
	// "held the loop 0.500 s", "could save about 0.502 s"; "" when
	// Cost is not a finding's (the summary's) or is 0.
	CostText string
	Lesson   string // the asyncdemo lesson that teaches the fix: "await --blocking"
	Title    string // a few words: "Blocking call"
	Text     string // what happened and how to fix it
	// Note marks what is said about the recording rather than the
	// program (other processes, a loop the recorder cannot see): it does
	// not keep "nothing to explain" away.
	Note bool
}

// say formats one of the labels of the learner's language.
type say func(key string, args ...any) string

// Findings returns what there is to say about the program, most costly
// first, then the summary; or, for a program that did everything right,
// only that there is nothing to explain, and the summary; for a program
// that ran no event loop, only that. The words are labels's, the
// labels of the learner's language ([lesson.Labels]).
func (r *Recording) Findings(labels map[string]string) []Finding {
	say := func(key string, args ...any) string {
		if key == "explain_list" {
			items, _ := args[0].([]string)
			return lesson.ListOf(labels, items)
		}
		return fmt.Sprintf(labels[key], args...)
	}
	if !r.UsedAsyncio() {
		return []Finding{{Kind: FindingNoAsyncio, Title: say("explain_no_asyncio_title"),
			Text: say("explain_no_asyncio", r.Program.Name())}}
	}
	var fs []Finding
	fs = append(fs, r.blocking(say)...)
	fs = append(fs, r.missed(say)...)
	fs = append(fs, r.nestedRuns(say)...)
	fs = append(fs, r.neverAwaited(say)...)
	fs = append(fs, r.cancels(say)...)
	fs = append(fs, r.logged(say)...)
	if len(fs) == 0 && len(r.Foreign) == 0 {
		fs = append(fs, Finding{Kind: FindingClean, Title: say("explain_clean_title"),
			Text: say("explain_clean", ms(r.Slow))})
	}
	for _, kind := range r.Foreign {
		key := "explain_foreign"
		if strings.HasPrefix(kind, "uvloop") {
			key = "explain_foreign_uvloop"
		}
		fs = append(fs, Finding{Kind: FindingForeignLoop, Title: say("explain_foreign_title"), Note: true,
			Text: say(key, r.Program.Name(), kind)})
	}
	fs = append(fs, r.children(say)...)
	for i := range fs { // as output shows it: relative to the program's directory
		fs[i].File = r.Where(fs[i].File, 0)
	}
	return append(fs, r.summary(say))
}

// ms writes d for a learner: "0.4 ms", "50 ms", "1.25 s".
func ms(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// secs writes a moment of the run: "1.002 s".
func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// who names task id, or "" if there is none.
func (r *Recording) who(id int) string {
	if t := r.tasks.get(id); t != nil {
		return t.Who()
	}
	return ""
}

// blocking groups the blocking steps by the line that held the loop (or
// the task, or callback, when the watchdog did not see a line) and says
// what each cost.
func (r *Recording) blocking(say say) []Finding {
	type group struct {
		key      string
		place    Place
		blocks   []Block
		total    time.Duration
		longest  time.Duration
		ready    []string // tasks that waited
		moreWait int      // and callbacks beyond those
	}
	var groups []*group
	var gcPauses int
	var gcTotal, gcLongest time.Duration
	for _, b := range r.Blocks {
		if b.GC > 0 {
			gcPauses++
			gcTotal += b.GC
			gcLongest = max(gcLongest, b.GC)
		}
		if b.End-b.Start-b.GC < r.Slow { // the collector's doing, not the step's
			continue
		}
		b.End -= b.GC
		key, place := "", Place{}
		switch {
		case len(b.At) > 0 && b.At[0].File != "":
			place = b.At[0]
			key = fmt.Sprintf("%s:%d", place.File, place.Line)
		case b.Task != 0:
			key = "task " + r.who(b.Task)
		default:
			key = "callback " + b.Callback
		}
		i := slices.IndexFunc(groups, func(g *group) bool { return g.key == key })
		if i < 0 {
			groups = append(groups, &group{key: key, place: place})
			i = len(groups) - 1
		}
		g := groups[i]
		g.blocks = append(g.blocks, b)
		d := b.End - b.Start
		g.total += d
		g.longest = max(g.longest, d)
		for _, id := range b.Ready {
			if w := r.who(id); w != "" && id != b.Task && !slices.Contains(g.ready, w) {
				g.ready = append(g.ready, w)
			}
		}
		if len(b.Ready) >= readyListed { // the recorder listed only some: the rest are counted
			g.moreWait = max(g.moreWait, b.NReady-len(b.Ready))
		}
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return cmp.Compare(b.total, a.total) })
	var fs []Finding
	for _, g := range groups {
		first := g.blocks[0]
		f := Finding{Kind: FindingBlocking, T: first.Start, Task: r.who(first.Task), Cost: g.total,
			CostText: say("explain_cost_held", secs(g.total)), Lesson: "await --blocking", Title: say("explain_blocking_title")}
		// What held the loop: the line, else the task's coroutine, else the callback.
		what, in := "", ""
		switch {
		case g.place.File != "":
			f.File, f.Line = g.place.File, g.place.Line
			what = say("explain_line", g.place.Line, g.place.Code)
			if g.place.Code == "" {
				what = say("explain_line_only", g.place.Line)
			}
			in = g.place.Fn
			if first.Task != 0 {
				in = f.Task
			}
		case first.Task != 0:
			t := r.tasks.get(first.Task)
			f.File, f.Line = t.File, t.Line
			what = say("explain_step_of", f.Task)
			in = f.Task
		default:
			what = say("explain_callback", first.Callback)
			in = first.Callback
		}
		f.Where = r.Where(f.File, f.Line)
		var b strings.Builder
		if len(g.blocks) == 1 {
			b.WriteString(say("explain_blocking", what, ms(g.total), in, secs(first.Start)))
		} else {
			b.WriteString(say("explain_blocking_times", what, len(g.blocks), ms(g.total), in, secs(first.Start), ms(g.longest)))
		}
		space(&b)
		switch waited := g.ready; {
		case len(waited) == 0:
			b.WriteString(say("explain_ready_none"))
		default:
			names := waited
			if len(names) > 3 {
				names = names[:3]
			}
			list := say("explain_list", names)
			if more := len(waited) - len(names) + g.moreWait; more > 0 {
				list = say("explain_and_more", strings.Join(names, say("explain_sep")), timing.Thousands(more))
			}
			b.WriteString(say("explain_ready", list))
		}
		space(&b)
		if c, ok := syncClientOf(g.place); ok { // the call went through a synchronous client
			f.Kind, f.Title, f.Lesson = FindingSyncClient, say("explain_sync_title"), "workers --sync-client"
			what := say("explain_sync_socket")
			if c.kind != "socket" {
				what = say("explain_sync_client", c.name)
			}
			b.WriteString(say("explain_sync", what))
			space(&b)
			b.WriteString(say("explain_sync_fix_" + c.kind))
		} else {
			b.WriteString(say(fixFor(g.place)))
		}
		space(&b)
		b.WriteString(say("explain_see", f.Lesson))
		f.Text = b.String()
		fs = append(fs, f)
	}
	if gcTotal >= r.Slow {
		peak, _ := r.peak()
		fs = append(fs, Finding{Kind: FindingGC, Cost: gcTotal, CostText: say("explain_cost_gc", secs(gcTotal)),
			Lesson: "workers", Title: say("explain_gc_title"),
			Text: sentences(say("explain_gc", gcPauses, ms(gcTotal), ms(gcLongest), peak), say("explain_see", "workers"))})
	}
	return fs
}

// space ends a sentence in b: with a space after one that ends as English
// does, with nothing after one that ends with Chinese punctuation ("。").
func space(b *strings.Builder) {
	s := b.String()
	if r, _ := utf8.DecodeLastRuneInString(s); r < utf8.RuneSelf {
		b.WriteByte(' ')
	}
}

// sentences joins sentences as space does.
func sentences(a, b string) string {
	var s strings.Builder
	s.WriteString(a)
	space(&s)
	s.WriteString(b)
	return s.String()
}

// readyListed is how many of the tasks ready meanwhile the recorder lists
// in a block (_ready_tasks' most).
const readyListed = 100

// ioCall matches the names of blocking calls that wait for the network or
// a file, in the learner's line or the innermost function.
var ioCall = regexp.MustCompile(`requests\.|urlopen|urllib|http\.client|socket|\.recv|\.send|\.connect|redis\.|\.read\(|open\(|subprocess|input\(|select|ssl`)

// fixFor returns the label of the fix for a blocking call seen at p.
func fixFor(p Place) string {
	code, inner := p.Code, p.Inner
	switch {
	case strings.Contains(code, "time.sleep") || strings.Contains(code, "sleep(") && !strings.Contains(code, "await"):
		return "explain_fix_sleep"
	case inputCall.MatchString(code):
		return "explain_fix_input" // the keyboard, not the network
	case p.Lib == "asyncio" || strings.HasPrefix(p.Lib, "asyncio."):
		return "explain_fix_asyncio" // asyncio's own work, such as starting 10⁵ tasks at once
	case ioCall.MatchString(code) || ioCall.MatchString(inner):
		return "explain_fix_io"
	}
	return "explain_fix_cpu"
}

// inputCall is a line that reads the keyboard with input().
var inputCall = regexp.MustCompile(`(^|[^\w.])input\(`)

// syncClient is a synchronous client a blocking call went through: its
// name as the finding says it, and the kind of fix ("http", "redis",
// "socket", or "other").
type syncClient struct{ name, kind string }

// syncClients are the synchronous clients told apart, by the module the
// program's line called into, longest prefix first.
var syncClients = []struct {
	module string
	client syncClient
}{
	{"redis.asyncio", syncClient{}}, // async: not a sync client
	{"requests", syncClient{"requests", "http"}},
	{"urllib3", syncClient{"urllib3", "http"}},
	{"urllib", syncClient{"urllib", "http"}},
	{"http.client", syncClient{"http.client", "http"}},
	{"httpx", syncClient{"httpx.Client", "http"}},
	{"redis", syncClient{"redis (redis.Redis)", "redis"}},
	{"socket", syncClient{"socket", "socket"}},
	{"ssl", syncClient{"ssl", "socket"}},
	{"smtplib", syncClient{"smtplib", "other"}},
	{"ftplib", syncClient{"ftplib", "other"}},
	{"psycopg2", syncClient{"psycopg2", "other"}},
	{"pymysql", syncClient{"pymysql", "other"}},
	{"pymongo", syncClient{"pymongo", "other"}},
}

// socketCall matches a line that calls a socket's blocking methods itself
// (they are builtins: no library frame shows them).
var socketCall = regexp.MustCompile(`\.(recv|recv_into|recvfrom|sendall|accept|connect)\(|socket\.(create_connection|socket)\(`)

// syncClientOf tells whether a blocking step seen at p was a call through
// a synchronous client.
func syncClientOf(p Place) (syncClient, bool) {
	for _, c := range syncClients {
		if p.Lib == c.module || strings.HasPrefix(p.Lib, c.module+".") {
			return c.client, c.client.kind != ""
		}
	}
	if p.Lib == "" && socketCall.MatchString(p.Code) {
		return syncClient{"socket", "socket"}, true
	}
	return syncClient{}, false
}

// neverAwaited says where each coroutine never awaited was dropped (but
// not the one an asyncio.run refused to run: that is its own finding).
func (r *Recording) neverAwaited(say say) []Finding {
	var fs []Finding
	seen := map[string]bool{}
	refused := map[string]int{} // coroutines a refused asyncio.run was given, by function
	for _, n := range r.Nested {
		if n.Fn != "" {
			refused[n.Fn]++
		}
	}
	for _, w := range r.Warnings {
		if refused[w.Fn] > 0 {
			refused[w.Fn]--
			continue
		}
		fn := w.Fn
		if i := strings.LastIndex(fn, "."); i >= 0 {
			fn = fn[i+1:]
		}
		file, line := w.File, w.Line
		if file == "" || file == "sys" || strings.HasPrefix(file, "<") { // dropped outside any frame
			file, line = w.DefFile, w.DefLine
		}
		key := fmt.Sprintf("%s:%d:%s", file, line, fn)
		if seen[key] {
			continue
		}
		seen[key] = true
		f := Finding{Kind: FindingNeverAwaited, T: w.T, File: file, Line: line, Where: r.Where(file, line),
			Lesson: "coroutine", Title: say("explain_never_awaited_title")}
		f.Text = sentences(say("explain_never_awaited", fn, w.Msg), say("explain_see", f.Lesson))
		fs = append(fs, f)
	}
	return fs
}

// logged explains what the loops logged: tasks whose exception nobody
// retrieved, tasks destroyed while pending, and the rest in asyncio's
// words.
func (r *Recording) logged(say say) []Finding {
	var fs []Finding
	nested := map[string]bool{}
	for _, n := range r.Nested {
		nested[fmt.Sprintf("%s:%d", n.File, n.Line)] = true
	}
	for _, l := range r.Logged {
		if nested[fmt.Sprintf("%s:%d", l.File, l.Line)] && strings.Contains(l.Exc, "running event loop") {
			continue // the refused asyncio.run's error: said as its own finding
		}
		who := r.who(l.Task)
		f := Finding{T: l.T, Task: who}
		switch {
		case strings.HasPrefix(l.Msg, "Task exception was never retrieved") && who != "":
			f.Kind, f.Lesson, f.Title = FindingNeverRetrieved, "task", say("explain_never_retrieved_title")
			f.File, f.Line = l.File, l.Line
			at := r.Where(l.File, l.Line)
			if l.Code != "" {
				at = say("explain_at_code", at, l.Code)
			}
			if at == "" {
				at = r.Where(r.tasks.get(l.Task).File, r.tasks.get(l.Task).Line)
			}
			f.Text = say("explain_never_retrieved", who, l.Exc, at)
		case strings.HasPrefix(l.Msg, "Task was destroyed but it is pending") && who != "":
			f.Kind, f.Lesson, f.Title = FindingDestroyed, "cancel --no-drain", say("explain_destroyed_title")
			f.File, f.Line = l.AtFile, l.AtLine
			code := l.AtCode
			if w, ok := r.waiting[l.Task]; ok && f.File == "" {
				f.File, f.Line, code = w.File, w.Line, w.Code
			}
			if f.File == "" {
				f.File, f.Line = r.tasks.get(l.Task).File, r.tasks.get(l.Task).Line
			}
			at := r.Where(f.File, f.Line)
			if code != "" {
				at = say("explain_at_code", at, code)
			}
			why := say("explain_destroyed_unreferenced")
			if l.Closed {
				why = say("explain_destroyed_closed")
			}
			f.Text = say("explain_destroyed", who, at, why)
		default:
			f.Kind, f.Title = FindingLogged, say("explain_logged_title")
			f.File, f.Line = l.File, l.Line
			msg := l.Msg
			if l.Exc != "" {
				msg += " (" + l.Exc + ")"
			}
			f.Text = say("explain_logged", msg)
		}
		f.Where = r.Where(f.File, f.Line)
		if f.Lesson != "" {
			f.Text = sentences(f.Text, say("explain_see", f.Lesson))
		}
		fs = append(fs, f)
	}
	return fs
}

// summary says how the program spent its time: wall time, the loops busy
// and idle, the longest step, how many tasks and how many at once.
func (r *Recording) summary(say say) Finding {
	var ran, busy, idle, longest time.Duration
	longestTask := 0
	for _, l := range r.Loops {
		ran += l.Ran
		busy += l.Busy
		idle += l.Idle
		if l.Longest > longest {
			longest, longestTask = l.Longest, l.LongestTask
		}
	}
	pct := func(d time.Duration) string {
		if ran <= 0 {
			return "0%"
		}
		return fmt.Sprintf("%.0f%%", min(100, max(0, 100*d.Seconds()/ran.Seconds())))
	}
	peak, tasks := r.peak()
	of := ""
	if w := r.who(longestTask); w != "" {
		of = say("explain_of", w)
	}
	if len(r.Loops) == 0 { // only loops the recorder cannot see
		return Finding{Kind: FindingSummary, Cost: r.Elapsed, Title: say("explain_summary_title"),
			Text: say("explain_summary_none", ms(r.Elapsed))}
	}
	key := "explain_summary"
	if len(r.Loops) > 1 {
		key = "explain_summary_loops"
	}
	return Finding{Kind: FindingSummary, Cost: r.Elapsed, Title: say("explain_summary_title"),
		Text: say(key, ms(r.Elapsed), len(r.Loops), pct(busy), pct(idle), ms(longest), of, timing.Thousands(tasks),
			timing.Thousands(peak), pct(ran-busy-idle))}
}

// peak returns how many of the program's tasks were alive at once at most,
// and how many it made (worked out once: a program of 10⁵ tasks has 2·10⁵
// moments to sort).
func (r *Recording) peak() (peak, tasks int) {
	if r.peakOf == nil {
		p, n := r.countPeak()
		r.peakOf = &[2]int{p, n}
	}
	return r.peakOf[0], r.peakOf[1]
}

func (r *Recording) countPeak() (peak, tasks int) {
	type edge struct {
		t     time.Duration
		delta int
	}
	edges := make([]edge, 0, 2*len(r.Tasks))
	for _, t := range r.Tasks {
		if t.Hidden {
			continue
		}
		tasks++
		end := t.Ended
		if t.State == "" || t.State == "destroyed" {
			end = r.Elapsed
		}
		edges = append(edges, edge{t.Created, 1}, edge{end, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return cmp.Compare(a.delta, b.delta) // an end before a start of the same moment
	})
	now := 0
	for _, e := range edges {
		now += e.delta
		peak = max(peak, now)
	}
	return peak, tasks
}

// missed says where a coroutine awaited things one after another that it
// could have started together, grouped by the coroutine's function and
// the lines of the awaits.
func (r *Recording) missed(say say) []Finding {
	type group struct {
		m                     Missed
		n                     int // runs
		took, estimate, saved time.Duration
	}
	var groups []*group
	for _, m := range r.Missed {
		i := slices.IndexFunc(groups, func(g *group) bool {
			return g.m.Code == m.Code && slices.Equal(distinct(g.m.Lines), distinct(m.Lines))
		})
		if i < 0 {
			groups = append(groups, &group{m: m})
			i = len(groups) - 1
		}
		g := groups[i]
		g.n++
		g.took += m.Took
		g.estimate += m.Estimate
		g.saved += m.Took - m.Estimate
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return cmp.Compare(b.saved, a.saved) })
	var fs []Finding
	for _, g := range groups {
		m := g.m
		fn := m.Fn
		if i := strings.LastIndex(fn, "."); i >= 0 {
			fn = fn[i+1:]
		}
		where := fn
		if who := r.who(m.Task); who != "" && !strings.HasSuffix(who, " "+fn) && who != fn {
			where = say("explain_missed_in_task", fn, who)
		}
		lines := distinct(m.Lines)
		var these string
		if len(lines) == 1 {
			these = say("explain_missed_line", len(m.Lines), lines[0], where)
		} else {
			texts := make([]string, len(lines))
			for i, l := range lines {
				texts[i] = fmt.Sprint(l)
			}
			these = say("explain_missed_lines", len(m.Lines), say("explain_list", texts), where)
		}
		f := Finding{Kind: FindingMissed, T: m.Start, Task: r.who(m.Task), File: m.File, Line: m.Lines[0],
			Where: r.Where(m.File, m.Lines[0]), Cost: g.saved, CostText: say("explain_cost_saved", secs(g.saved)),
			Lesson: "gather", Title: say("explain_missed_title")}
		var text string
		if g.n == 1 {
			text = say("explain_missed", these, ms(m.Took), ms(m.Estimate))
		} else {
			text = say("explain_missed_runs", these, ms(g.took), ms(g.estimate), g.n)
		}
		f.Text = sentences(sentences(text, say("explain_missed_estimate")), say("explain_see", f.Lesson))
		fs = append(fs, f)
	}
	return fs
}

// distinct returns lines without repeats, in the order they first come.
func distinct(lines []int) []int {
	var out []int
	for _, l := range lines {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// nestedRuns explains each asyncio.run (or loop run) Python refused
// because a loop ran already in its thread.
func (r *Recording) nestedRuns(say say) []Finding {
	var fs []Finding
	seen := map[string]bool{}
	for _, n := range r.Nested {
		key := fmt.Sprintf("%s:%d", n.File, n.Line)
		if seen[key] {
			continue
		}
		seen[key] = true
		f := Finding{Kind: FindingNestedRun, T: n.T, Task: r.who(n.Task), File: n.File, Line: n.Line,
			Where: r.Where(n.File, n.Line), Lesson: "await", Title: say("explain_nested_title")}
		what := say("explain_line", n.Line, n.Code)
		switch {
		case n.File == "":
			what = say("explain_nested_somewhere")
		case n.Code == "":
			what = say("explain_line_only", n.Line)
		}
		in := ""
		if f.Task != "" {
			in = say("explain_in_task", f.Task)
		}
		key = "explain_nested"
		if !strings.HasPrefix(n.How, "asyncio.") {
			key = "explain_nested_loop"
		}
		fn := n.Fn // what it was given to run, for the fix's words
		if i := strings.LastIndex(fn, "."); i >= 0 {
			fn = fn[i+1:]
		}
		if fn == "" || strings.HasPrefix(fn, "<") {
			fn = "work"
		}
		f.Text = sentences(say(key, what, n.How, in, n.Msg, fn), say("explain_see", f.Lesson))
		fs = append(fs, f)
	}
	return fs
}

// cancels explains each task that was cancelled and did not stop.
func (r *Recording) cancels(say say) []Finding {
	var fs []Finding
	seen := map[int]bool{}
	for _, c := range r.Cancels {
		if seen[c.Task] || r.who(c.Task) == "" {
			continue
		}
		seen[c.Task] = true
		who := r.who(c.Task)
		f := Finding{Kind: FindingSwallowed, T: c.T, Task: who, Lesson: "cancel", Title: say("explain_swallowed_title")}
		caught := ""
		if c.HandlerLine > 0 {
			at := r.Where(c.Handler, c.HandlerLine)
			if c.HandlerCode != "" {
				at = say("explain_at_code", at, c.HandlerCode)
			}
			caught = say("explain_swallowed_at", at)
			f.File, f.Line = c.Handler, c.HandlerLine
		}
		var text string
		if c.How == "went" {
			at := r.Where(c.File, c.Line)
			if c.Code != "" {
				at = say("explain_at_code", at, c.Code)
			}
			if f.File == "" {
				f.File, f.Line = c.File, c.Line
			}
			text = say("explain_swallowed_went", who, secs(c.T), caught, at)
		} else {
			text = say("explain_swallowed_returned", who, secs(c.T), caught)
		}
		if f.File == "" {
			if t := r.tasks.get(c.Task); t != nil {
				f.File, f.Line = t.File, t.Line
			}
		}
		f.Where = r.Where(f.File, f.Line)
		f.Text = sentences(sentences(text, say("explain_swallowed_fix")), say("explain_see", f.Lesson))
		fs = append(fs, f)
	}
	return fs
}

// children notes, once, that the program started other processes, which
// the recorder does not trace.
func (r *Recording) children(say say) []Finding {
	if len(r.Children) == 0 {
		return nil
	}
	first := r.Children[0]
	how := first.How
	for _, c := range r.Children {
		if c.How == "os.exec" { // the program became another: said above all
			first, how = c, c.How
			break
		}
	}
	what := first.What
	if what == "" {
		what = how
	} else {
		what = how + ": " + truncate(what, 60)
	}
	f := Finding{Kind: FindingChildren, T: first.T, Note: true, Title: say("explain_children_title")}
	if how == "os.exec" {
		f.Text = say("explain_exec", r.Program.Name(), secs(first.T), what)
	} else {
		f.Text = say("explain_children", r.Program.Name(), len(r.Children), secs(first.T), what)
	}
	return []Finding{f}
}
