package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
)

// TestCheatsheetParseSaysWhereItIsWrong: a line of cheatsheet.txt that is
// not a section nor a line of one is refused with its line number.
func TestCheatsheetParseSaysWhereItIsWrong(t *testing.T) {
	for text, want := range map[string]string{
		"run | asyncio.run(main()) | coroutine\n": "cheatsheet.txt:1: a line before the first section",
		"# c\n== s\nrun | asyncio.run(main())\n":  "cheatsheet.txt:3: 2 fields, want ID | CODE | LESSON or ID | OLD | CODE | LESSON",
	} {
		if _, err := parseCheatsheet(text); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
	got, err := parseCheatsheet("== s\nrun | a | coroutine\nold | b | c | task\n")
	if want := []cheatSection{{"s", []cheatLine{{ID: "run", Code: "a", Lesson: "coroutine"}, {ID: "old", Old: "b", Code: "c", Lesson: "task"}}}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parsed %+v, %v; want %+v", got, err, want)
	}
}

// TestCheatsheetNamesTheLessonsThatShowIt: every line of the cheat sheet
// names a lesson of the registry and has its words in every language, and
// the page has what a learner needs: the calls and the old API.
func TestCheatsheetNamesTheLessonsThatShowIt(t *testing.T) {
	lessons := map[string]bool{}
	for _, info := range allLessons(t) {
		lessons[info.Name] = true
	}
	cheatsheet, err := parseCheatsheet(cheatsheetText)
	if err != nil {
		t.Fatal(err)
	}
	var page strings.Builder
	old := 0
	for _, s := range cheatsheet {
		for _, lang := range lesson.Languages {
			if lesson.Labels(lang)[s.Title] == "" {
				t.Errorf("%s: no heading %q", lang, s.Title)
			}
		}
		for _, l := range s.Lines {
			if !lessons[l.Lesson] {
				t.Errorf("%s: %q is not a lesson of the registry", l.ID, l.Lesson)
			}
			if _, ok := lesson.Labels("en")["cheat_"+l.ID]; !ok || (l.Old == "" && lesson.Labels("en")["cheat_"+l.ID] == "") {
				t.Errorf("%s: no words (label cheat_%s)", l.ID, l.ID)
			}
			if l.Old != "" {
				old++
			}
			page.WriteString(l.Code + "\n")
		}
	}
	for _, want := range []string{"asyncio.create_task(", "asyncio.gather(", "asyncio.wait(", "asyncio.as_completed(",
		"asyncio.TaskGroup()", "asyncio.timeout(", "asyncio.to_thread(", "asyncio.run_coroutine_threadsafe(",
		"asyncio.Semaphore(", "asyncio.Queue(", ".cancel()", "asyncio.CancelledError", "asyncio.run("} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the cheat sheet has no %s", want)
		}
	}
	if old < 5 {
		t.Errorf("%d lines of the old API beside the new, want the tutorial's", old)
	}
}

// The cheat sheet as printed, in each language, fits 80 columns.
func TestCheatsheetGolden(t *testing.T) {
	for _, lang := range lesson.Languages {
		out, errOut, code := runCmd(t, "cheatsheet", "--lang", lang, "--no-color")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", lang, code, errOut)
		}
		for _, line := range strings.Split(out, "\n") {
			if w := lipgloss.Width(line); w > 80 {
				t.Errorf("%s: a line %d columns wide: %q", lang, w, line)
			}
		}
		name := "cheatsheet"
		if lang != "en" {
			name = lang + "_cheatsheet"
		}
		golden(t, name, out)
	}
}

// TestCheatsheetAtFiftyColumns: at 50 columns the three columns left its
// words 16 wide, cut inside a word (functools.partia / l); each line is
// stacked there: the code with its lesson, then what it does, whole words.
func TestCheatsheetAtFiftyColumns(t *testing.T) {
	for _, lang := range lesson.Languages {
		out, errOut, code := runInTerminal(t, 50, nil, "cheatsheet", "--lang", lang, "--no-color")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, line := range strings.Split(out, "\n") {
			if w := lipgloss.Width(line); w > 50 {
				t.Errorf("%s: a line of %d columns: %q", lang, w, line)
			}
		}
		for _, want := range []string{"functools.partial\n", "  asyncio.run(main())                    coroutine\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q:\n%s", lang, want, out)
			}
		}
	}
}

// TestCheatsheetAgreesWithREADME: a call of the cheat sheet that README.md's
// table of lessons names (in `code` in a row's "what it shows") is named in
// the row of the lesson the cheat sheet gives for it. The two disagreed:
// the cheat sheet gave TaskGroup to await, whose Python twin only uses it,
// the README to gather, whose words teach it.
func TestCheatsheetAgreesWithREADME(t *testing.T) {
	shows := readmeLessonTable(t)
	cheatsheet, err := parseCheatsheet(cheatsheetText)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, s := range cheatsheet {
		for _, l := range s.Lines {
			m := cheatCall.FindStringSubmatch(l.Code)
			if m == nil {
				continue
			}
			call := regexp.MustCompile(`\b` + m[1] + `\b`)
			var in []string // the lessons whose row names the call
			for name, spans := range shows {
				if slices.ContainsFunc(spans, call.MatchString) {
					in = append(in, name)
				}
			}
			if len(in) == 0 {
				continue
			}
			checked++
			if !slices.Contains(in, l.Lesson) {
				slices.Sort(in)
				t.Errorf("cheatsheet.txt gives %s (%s) to %s; README.md's table of lessons names it for %s", l.ID, m[1], l.Lesson, strings.Join(in, ", "))
			}
		}
	}
	if checked < 5 {
		t.Errorf("README.md's table of lessons names %d of the cheat sheet's calls; is it still where this test looks (## The lessons)?", checked)
	}
}

// cheatCall matches the call a cheat sheet line is about: asyncio.TaskGroup,
// task.add_done_callback, loop.call_soon_threadsafe.
var cheatCall = regexp.MustCompile(`\b(?:asyncio|task|loop)\.(\w+)`)

// readmeLessonTable reads README.md's table of lessons: for each lesson,
// the `code` spans of its row's last cell, what it shows.
func readmeLessonTable(t *testing.T) map[string][]string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n## The lessons\n")
	if !ok {
		t.Fatal("README.md has no section ## The lessons")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	shows := map[string][]string{}
	for _, line := range strings.Split(table, "\n") {
		cells := tableCell.Split(line, -1)
		if len(cells) < 4 {
			continue
		}
		name, ok := strings.CutPrefix(strings.Trim(strings.TrimSpace(cells[2]), "`"), "asyncdemo ")
		if !ok || strings.Contains(name, " ") { // the header; a tool with its flags
			continue
		}
		for _, span := range codeSpan.FindAllStringSubmatch(cells[3], -1) {
			shows[name] = append(shows[name], span[1])
		}
	}
	if len(shows) < 10 {
		t.Fatalf("README.md's table of lessons: %d lessons read", len(shows))
	}
	return shows
}

// codeSpan matches Markdown's `code`.
var codeSpan = regexp.MustCompile("`([^`]+)`")
