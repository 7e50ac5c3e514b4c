package main

import (
	"reflect"
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
