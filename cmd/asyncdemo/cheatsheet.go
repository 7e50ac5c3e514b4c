package main

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// cheatLine is a line of the cheat sheet: the code, what it does (the
// label "cheat_"+ID, in each language), and the lesson that shows it. A line
// of the old API has Old, what the 2017 tutorial wrote, and Code, what
// replaced it.
type cheatLine struct {
	ID, Old, Code, Lesson string
}

// cheatSection is a heading (a label) and its lines.
type cheatSection struct {
	Title string
	Lines []cheatLine
}

// cheatsheet is the one page, in the order a learner meets things.
var cheatsheet = []cheatSection{
	{"cheat_s_run", []cheatLine{
		{ID: "run", Code: "asyncio.run(main())", Lesson: "coroutine"},
		{ID: "coro", Code: "async def f(): …   f()", Lesson: "coroutine"},
		{ID: "create_task", Code: "asyncio.create_task(coro)", Lesson: "task"},
		{ID: "await", Code: "await task", Lesson: "future"},
		{ID: "callback", Code: "task.add_done_callback(fn)", Lesson: "callback"},
		{ID: "sleep", Code: "await asyncio.sleep(x)", Lesson: "await"},
	}},
	{"cheat_s_many", []cheatLine{
		{ID: "gather", Code: "await asyncio.gather(*aws)", Lesson: "gather"},
		{ID: "wait", Code: "done, pending = await asyncio.wait(tasks)", Lesson: "nest"},
		{ID: "as_completed", Code: "for c in asyncio.as_completed(aws):", Lesson: "nest"},
		{ID: "taskgroup", Code: "async with asyncio.TaskGroup() as tg:", Lesson: "await"},
		{ID: "timeout", Code: "async with asyncio.timeout(s):", Lesson: "sms"},
	}},
	{"cheat_s_threads", []cheatLine{
		{ID: "to_thread", Code: "await asyncio.to_thread(f, *args)", Lesson: "workers"},
		{ID: "threadsafe", Code: "asyncio.run_coroutine_threadsafe(coro, loop)", Lesson: "thread"},
		{ID: "call_soon", Code: "loop.call_soon_threadsafe(f, *args)", Lesson: "thread"},
	}},
	{"cheat_s_limits", []cheatLine{
		{ID: "semaphore", Code: "async with asyncio.Semaphore(n):", Lesson: "sms"},
		{ID: "queue", Code: "q = asyncio.Queue(); await q.get()", Lesson: "workers"},
	}},
	{"cheat_s_cancel", []cheatLine{
		{ID: "cancel", Code: "task.cancel()", Lesson: "cancel"},
		{ID: "cancelled_error", Code: "except asyncio.CancelledError: …; raise", Lesson: "cancel"},
		{ID: "ctrl_c", Code: "asyncio.run(main())  # Ctrl+C", Lesson: "cancel"},
		{ID: "destroyed", Code: "Task was destroyed but it is pending!", Lesson: "cancel"},
	}},
	{"cheat_s_old", []cheatLine{
		{ID: "old_loop", Old: "loop.run_until_complete(main())", Code: "asyncio.run(main())", Lesson: "coroutine"},
		{ID: "old_ensure", Old: "asyncio.ensure_future(c)", Code: "asyncio.create_task(c)", Lesson: "task"},
		{ID: "old_wait", Old: "asyncio.wait([coroutines])", Code: "asyncio.wait(tasks)", Lesson: "gather"},
		{ID: "old_all_tasks", Old: "asyncio.Task.all_tasks()", Code: "asyncio.all_tasks()", Lesson: "cancel"},
		{ID: "old_ctrl_c", Old: "except KeyboardInterrupt: t.cancel()", Code: "asyncio.run(main())", Lesson: "cancel"},
		{ID: "old_daemon", Old: "t.setDaemon(True)", Code: "Thread(…, daemon=True)", Lesson: "thread"},
		{ID: "old_lost", Old: "run_coroutine_threadsafe(c, loop)", Code: "run_coroutine_threadsafe(c, loop).result()", Lesson: "thread"},
		{ID: "old_session", Old: "async with aiohttp.ClientSession()", Code: "aiohttp.ClientSession(timeout=…)", Lesson: "sms"},
		{ID: "old_sync_redis", Old: "rcon.brpop(\"queue\")  # redis", Code: "await rcon.brpop(\"queue\")  # redis.asyncio", Lesson: "workers"},
		{ID: "old_rpop", Old: `rcon.rpop("queue")`, Code: "LMOVE queue processing … LREM", Lesson: "queue"},
	}},
}

func newCheatsheetCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "cheatsheet",
		Short:   "asyncio on one page: each call beside the lesson that shows it, and the tutorial's old API beside today's",
		GroupID: "Tools",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			return cheatsheetRun(opts)
		},
	}
}

// cheatsheetRun prints the cheat sheet in the language of --lang, as wide
// as the terminal (80 columns when it is not one): a line for each call,
// what it does beside it and the lesson that shows it on the right.
func cheatsheetRun(opts *Options) error {
	ios := opts.IO
	words := lesson.Labels(opts.Lang)
	lk := opts.look()
	width := ios.Width
	if width <= 0 {
		width = 80
	}
	p := lk.printer(ios.Out)
	p.Width = width
	p.Heading(words["cheat_title"])
	p.Note(words["cheat_intro"])
	bold := func(s string) string { // the terminal's own colour, bold
		if lk.noColor {
			return s
		}
		return timing.Paint(lk.profile, "", true, false, s)
	}
	codeW, lessonW := 0, 0
	for _, s := range cheatsheet {
		for _, l := range s.Lines {
			codeW = max(codeW, lipgloss.Width(l.Code), lipgloss.Width(l.Old))
			lessonW = max(lessonW, lipgloss.Width(l.Lesson))
		}
	}
	codeW = min(codeW, width*2/5)
	textW := max(width-2-codeW-2-2-lessonW, 16)
	for _, s := range cheatsheet {
		fmt.Fprintln(ios.Out, bold(words[s.Title]))
		for _, l := range s.Lines {
			code, says := l.Code, words["cheat_"+l.ID]
			if l.Old != "" {
				code, says = l.Old, "→\u00a0"+l.Code // the arrow stays with what it points to
				if why := words["cheat_"+l.ID]; why != "" {
					says += words["cheat_because"] + why
				}
			}
			var b strings.Builder
			b.WriteString("  " + bold(code))
			if pad := codeW - lipgloss.Width(code); pad >= 0 {
				b.WriteString(strings.Repeat(" ", pad+2))
			} else { // too wide: what it does goes under it
				b.WriteString("\n" + strings.Repeat(" ", 2+codeW+2))
			}
			for i, line := range cheatWrap(says, textW) {
				if i > 0 {
					b.WriteString("\n" + strings.Repeat(" ", 2+codeW+2))
				}
				b.WriteString(line)
				if i == 0 {
					b.WriteString(strings.Repeat(" ", max(textW-lipgloss.Width(line), 0)+2) + l.Lesson)
				}
			}
			fmt.Fprintln(ios.Out, strings.TrimRight(b.String(), " "))
		}
		fmt.Fprintln(ios.Out)
	}
	return nil
}

// cheatWrap breaks s into lines at most width wide: at spaces, and between
// two characters of a language written without them (Chinese); a word
// wider than a line is broken where the line ends.
func cheatWrap(s string, width int) []string {
	var lines []string
	line, col := "", 0
	for _, word := range cheatWords(s) {
		if col > 0 && col+lipgloss.Width(word) > width {
			lines = append(lines, line)
			word, line, col = strings.TrimLeft(word, " "), "", 0
		}
		for lipgloss.Width(word) > width-col { // too wide for any line
			for _, r := range word {
				if col+lipgloss.Width(string(r)) > width {
					break
				}
				line += string(r)
				col += lipgloss.Width(string(r))
				word = word[len(string(r)):]
			}
			lines = append(lines, line)
			line, col = "", 0
		}
		line += word
		col += lipgloss.Width(word)
	}
	return append(lines, line)
}

// cheatWords splits s where a line may break: before a space (kept with
// the word after it) and around each wide character, with the punctuation
// that must not start a line kept before it.
func cheatWords(s string) []string {
	var words []string
	cur := ""
	for _, r := range s {
		switch {
		case r == ' ':
			if cur != "" {
				words = append(words, cur)
			}
			cur = " "
		case lipgloss.Width(string(r)) == 2 && !strings.ContainsRune("，。：；、）」", r):
			if strings.TrimSpace(cur) != "" {
				words = append(words, cur)
				cur = ""
			}
			cur += string(r)
			words = append(words, cur)
			cur = ""
		case strings.ContainsRune("，。：；、）」", r) && len(words) > 0 && cur == "":
			words[len(words)-1] += string(r)
		default:
			cur += string(r)
		}
	}
	if cur != "" {
		words = append(words, cur)
	}
	return words
}
