package explain

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"asyncdemo/demos/lesson"
)

// Kinds of finding.
const (
	FindingBlocking       = "blocking"          // a step held the loop at least Slow
	FindingGC             = "gc"                // the garbage collector held the loop at least Slow, in all
	FindingNeverAwaited   = "never-awaited"     // a coroutine was made and never awaited
	FindingNeverRetrieved = "never-retrieved"   // a task failed and nobody asked for its error
	FindingDestroyed      = "destroyed-pending" // a task was destroyed while pending
	FindingLogged         = "logged"            // something else a loop logged
	FindingForeignLoop    = "foreign-loop"      // a loop the recorder cannot record ran
	FindingNoAsyncio      = "no-asyncio"        // the program ran no event loop
	FindingClean          = "clean"             // nothing to explain
	FindingSummary        = "summary"           // wall time, busy and idle, tasks
)

// Finding is something the program did that its author should know, in
// one or two sentences of the learner's language.
type Finding struct {
	Kind   string
	T      time.Duration // when it happened (the first time, if several)
	Task   string        // the task it is about, as Task.Who names it; "" if none
	File   string        // the file and line it is about, if any
	Line   int
	Where  string        // File:Line as output shows it
	Cost   time.Duration // how long it held the loop (blocking); 0 if it cost no time
	Lesson string        // the asyncdemo lesson that teaches the fix: "await --blocking"
	Title  string        // a few words: "Blocking call"
	Text   string        // what happened and how to fix it
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
	fs = append(fs, r.neverAwaited(say)...)
	fs = append(fs, r.logged(say)...)
	for _, kind := range r.Foreign {
		fs = append(fs, Finding{Kind: FindingForeignLoop, Title: say("explain_foreign_title"),
			Text: say("explain_foreign", r.Program.Name(), kind)})
	}
	for i := range fs { // as output shows it: relative to the program's directory
		fs[i].File = r.Where(fs[i].File, 0)
	}
	if len(fs) == 0 {
		fs = append(fs, Finding{Kind: FindingClean, Title: say("explain_clean_title"),
			Text: say("explain_clean", ms(r.Slow))})
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
	if t := r.tasks[id]; t != nil {
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
			Lesson: "await --blocking", Title: say("explain_blocking_title")}
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
			t := r.tasks[first.Task]
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
				list = say("explain_and_more", strings.Join(names, say("explain_sep")), more)
			}
			b.WriteString(say("explain_ready", list))
		}
		space(&b)
		b.WriteString(say(fixFor(g.place)))
		space(&b)
		b.WriteString(say("explain_see", f.Lesson))
		f.Text = b.String()
		fs = append(fs, f)
	}
	if gcTotal >= r.Slow {
		peak, _ := r.peak()
		fs = append(fs, Finding{Kind: FindingGC, Cost: gcTotal, Lesson: "workers", Title: say("explain_gc_title"),
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
	case ioCall.MatchString(code) || ioCall.MatchString(inner):
		return "explain_fix_io"
	}
	return "explain_fix_cpu"
}

// neverAwaited says where each coroutine never awaited was dropped.
func (r *Recording) neverAwaited(say say) []Finding {
	var fs []Finding
	seen := map[string]bool{}
	for _, w := range r.Warnings {
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
	for _, l := range r.Logged {
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
				at = r.Where(r.tasks[l.Task].File, r.tasks[l.Task].Line)
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
				f.File, f.Line = r.tasks[l.Task].File, r.tasks[l.Task].Line
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
	key := "explain_summary"
	if len(r.Loops) > 1 {
		key = "explain_summary_loops"
	}
	return Finding{Kind: FindingSummary, Cost: r.Elapsed, Title: say("explain_summary_title"),
		Text: say(key, ms(r.Elapsed), len(r.Loops), pct(busy), pct(idle), ms(longest), of, tasks, peak, pct(ran-busy-idle))}
}

// peak returns how many of the program's tasks were alive at once at most,
// and how many it made.
func (r *Recording) peak() (peak, tasks int) {
	type edge struct {
		t     time.Duration
		delta int
	}
	var edges []edge
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
