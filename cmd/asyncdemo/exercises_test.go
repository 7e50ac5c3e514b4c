package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/asyncdemo/asyncdemo/demos/exercise"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// exerciseFolder writes the exercises into a folder of the test's, with a
// config directory of its own (no progress), and returns the folder.
func exerciseFolder(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "ex")
	if out, errOut, code := runCmdNow(context.Background(), "exercises", "init", dir); code != 0 {
		t.Fatalf("exercises init: exit %d: %s %s", code, out, errOut)
	}
	return dir
}

// writeExercise replaces the learner's file of the exercise name.
func writeExercise(t *testing.T, dir, name string, src []byte) {
	t.Helper()
	if err := os.WriteFile(exercise.Find(name).Path(dir), src, 0o644); err != nil {
		t.Fatal(err)
	}
}

// realTime masks how long a check took in real time, which differs from
// run to run, in a golden file.
var realTime = regexp.MustCompile(`(in |用了 )[0-9]+\.[0-9]{2} s( of real time| 的真实时间)`)

func maskCheck(out string) string {
	return pythonVersion.ReplaceAllString(realTime.ReplaceAllString(out, "${1}X s$2"), "$1 3.x")
}

func TestExercisesInitKeepsTheLearnersFiles(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "ex")
	first := exercise.All()[0]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := []byte("# my own work\n")
	if err := os.WriteFile(first.Path(dir), mine, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCmdNow(context.Background(), "exercises", "init", dir)
	n := len(exercise.All())
	if code != 0 || !strings.Contains(out, "Wrote "+itoa(n-1)+" exercises") || !strings.Contains(out, "Kept 1 files of yours") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if b, _ := os.ReadFile(first.Path(dir)); string(b) != string(mine) {
		t.Errorf("init overwrote %s: %q", first.File, b)
	}
	for _, e := range exercise.All()[1:] {
		if b, err := os.ReadFile(e.Path(dir)); err != nil || string(b) != string(e.Starter()) {
			t.Errorf("%s: not the starter (%v)", e.File, err)
		}
	}
	out, _, code = runCmdNow(context.Background(), "exercises", "init", dir)
	if code != 0 || !strings.Contains(out, "Wrote 0 exercises") || !strings.Contains(out, "Kept "+itoa(n+3)+" files") { // and README.md, go.mod, go.sum
		t.Errorf("a second init: exit %d: %s", code, out)
	}
	// The folder is remembered: the list shows it, from anywhere.
	out, _, _ = runCmdNow(context.Background(), "exercises")
	if abs, _ := filepath.Abs(dir); !strings.Contains(out, "Your files: "+abs) || !strings.Contains(out, "not started") {
		t.Errorf("exercises:\n%s", out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestCheckGolden checks the first exercise's starter (a fail) and its
// model solution (a pass), in English and Chinese, and compares the whole
// output: the program's lines, the rules, the timeline of the pass.
func TestCheckGolden(t *testing.T) {
	explainPython(t)
	dir := exerciseFolder(t)
	e := exercise.Find("overlap")
	for _, lang := range []string{"en", "zh"} {
		writeExercise(t, dir, e.Name, e.Starter())
		out, errOut, code := runCmdNow(context.Background(), "check", e.Name, "--dir", dir, "--lang", lang)
		if code != 1 || errOut != "" {
			t.Fatalf("%s starter: exit %d, stderr %q", lang, code, errOut)
		}
		prefix := ""
		if lang != "en" {
			prefix = lang + "_"
		}
		golden(t, prefix+"check_overlap_fail", maskCheck(out))
		writeExercise(t, dir, e.Name, e.Solution())
		out, errOut, code = runCmdNow(context.Background(), "check", e.Name, "--dir", dir, "--lang", lang)
		if code != 0 || errOut != "" {
			t.Fatalf("%s solution: exit %d, stderr %q\n%s", lang, code, errOut, out)
		}
		golden(t, prefix+"check_overlap_pass", maskCheck(out))
	}
}

// TestCheckLeavesLibraryTasksOut checks the model solution of sms-fanout,
// whose aiohttp makes tasks for itself (TCPConnector._resolve_host,
// ClientRequest.write_bytes), in each language: the timeline of the pass
// shows the learner's tasks alone, and says in one line how many of the
// libraries' it left out.
func TestCheckLeavesLibraryTasksOut(t *testing.T) {
	explainPython(t)
	e := exercise.Find("sms-fanout")
	if _, err := (twin.Runner{Modules: e.Modules}).Interpreter(context.Background()); err != nil {
		testenv.Missing(t, "CPython 3.11 or newer with aiohttp", err.Error(), "apt-get install python3-aiohttp")
	}
	dir := exerciseFolder(t)
	writeExercise(t, dir, e.Name, e.Solution())
	for _, lang := range []string{"en", "zh"} {
		out, errOut, code := runCmdNow(context.Background(), "check", e.Name, "--dir", dir, "--lang", lang)
		if code != 0 || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q\n%s", lang, code, errOut, out)
		}
		timeline, _, _ := strings.Cut(out, "✓ sms-fanout")
		for _, row := range strings.Split(timeline, "\n") {
			if !strings.Contains(row, "│") { // not a task's row
				continue
			}
			for _, lib := range []string{"TCPConnector", "_resolve_host", "ClientRequest", "(aiohttp)", "connector.py"} {
				if strings.Contains(row, lib) {
					t.Errorf("%s: the timeline shows a task of aiohttp's (%q):\n%s", lang, lib, timeline)
				}
			}
		}
		if !strings.Contains(timeline, "send 20_sms_fanout.py:") {
			t.Errorf("%s: the timeline lacks the learner's tasks:\n%s", lang, timeline)
		}
		said := regexp.MustCompile(strings.NewReplacer("%\\[1\\]d", "[0-9]+", "%\\[2\\]s", "aiohttp").Replace(
			regexp.QuoteMeta(exercise.Labels(lang)["check_lib_tasks"])))
		if !said.MatchString(timeline) {
			t.Errorf("%s: the timeline does not say that tasks of libraries were left out (%s):\n%s", lang, said, timeline)
		}
	}
}

// TestCheckRemembersAndGoesOn checks that check with no name takes the
// first exercise not passed, that a pass is remembered (exercises and
// list show ✓), and that the solution shows only after a pass.
func TestCheckRemembersAndGoesOn(t *testing.T) {
	explainPython(t)
	dir := exerciseFolder(t)
	first, second := exercise.All()[0], exercise.All()[1]
	out, errOut, code := runCmdNow(context.Background(), "solution", first.Name)
	if code != 1 || !strings.Contains(errOut, "shows once your check passes") || out != "" {
		t.Errorf("solution before a pass: exit %d, %q %q", code, out, errOut)
	}
	writeExercise(t, dir, first.Name, first.Solution())
	out, _, code = runCmdNow(context.Background(), "check", "--dir", dir)
	if code != 0 || !strings.Contains(out, "asyncdemo check "+first.Name) || !strings.Contains(out, "Next: asyncdemo check "+second.Name) {
		t.Fatalf("check: exit %d:\n%s", code, out)
	}
	out, _, code = runCmdNow(context.Background(), "check", "--dir", dir)
	if code != 1 || !strings.Contains(out, "asyncdemo check "+second.Name) {
		t.Errorf("the next check is not %s's: exit %d:\n%s", second.Name, code, out)
	}
	out, _, _ = runCmdNow(context.Background(), "exercises")
	if !regexp.MustCompile(`✓ 1\s+`+first.Name+`\s+passed`).MatchString(out) ||
		!regexp.MustCompile(`✗ 2\s+`+second.Name+`\s+not yet`).MatchString(out) {
		t.Errorf("exercises:\n%s", out)
	}
	out, _, _ = runCmdNow(context.Background(), "list")
	if !regexp.MustCompile(`✓  1\s+` + first.Name).MatchString(out) {
		t.Errorf("list does not show the pass:\n%s", out)
	}
	out, errOut, code = runCmdNow(context.Background(), "solution", first.Name, "--no-color")
	if code != 0 || !strings.Contains(out, "asyncio.gather(download(1), download(2), download(4))") ||
		!strings.Contains(out, "    async with asyncio.TaskGroup() as tg:") {
		t.Errorf("solution after a pass: exit %d, %s\n%s", code, errOut, out)
	}
}

func TestHintsComeOneAtATime(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	e := exercise.All()[0]
	hints := e.Text("en").Hints
	for i := range len(hints) + 1 {
		out, errOut, code := runCmdNow(context.Background(), "hint", e.Name, "--no-color")
		n := min(i+1, len(hints))
		if code != 0 || !strings.Contains(out, "Hint "+itoa(n)+" of "+itoa(len(hints))) {
			t.Fatalf("hint %d: exit %d, %s\n%s", i+1, code, errOut, out)
		}
		if n < len(hints) && !strings.Contains(out, "asyncdemo hint "+e.Name+" again") {
			t.Errorf("hint %d does not say how to get the next:\n%s", i+1, out)
		}
		if n == len(hints) && !strings.Contains(out, "That was the last hint") {
			t.Errorf("the last hint does not say so:\n%s", out)
		}
	}
	out, _, _ := runCmdNow(context.Background(), "hint", e.Name, "--lang", "zh")
	if !strings.Contains(out, "的提示") {
		t.Errorf("hint --lang zh:\n%s", out)
	}
}

// TestCheckShowsPythonsSyntaxError checks that a file Python cannot read
// gets Python's own message, with the line, and no traceback of asyncdemo's.
func TestCheckShowsPythonsSyntaxError(t *testing.T) {
	explainPython(t)
	dir := exerciseFolder(t)
	writeExercise(t, dir, "overlap", []byte("import asyncio\n\nasync def main(:\n    pass\n"))
	out, errOut, code := runCmdNow(context.Background(), "check", "overlap", "--dir", dir, "--no-color")
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{`01_overlap.py", line 3`, "async def main(:", "SyntaxError", "Python could not read 01_overlap.py"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"_asyncrec", "Traceback", "exec("} {
		if strings.Contains(out, bad) {
			t.Errorf("the output has %q, asyncdemo's own:\n%s", bad, out)
		}
	}
}

func TestExerciseCommandsRefuseWhatTheyCannotDo(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"check", "nosuch"}, `no exercise "nosuch"`},
		{[]string{"check", "overlap", "--dir", "/no/such/dir"}, `--dir "/no/such/dir" is no folder`},
		{[]string{"check", "overlap", "--json"}, "--json does not apply to check"},
		{[]string{"solution"}, "solution takes the exercise's name"},
		{[]string{"hint", "a", "b"}, "hint takes one exercise"},
	} {
		_, errOut, code := runCmdNow(context.Background(), c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.err) {
			t.Errorf("%q: exit %d, %q; want 2 and %q", c.args, code, errOut, c.err)
		}
	}
}

// TestWatchInARealTerminal runs watch in tmux: the first check fails;
// saving the model solution checks again and passes; h gives a hint, l the
// list, n the next exercise, q quits with the terminal as it was; Ctrl+C
// quits too, with 130.
func TestWatchInARealTerminal(t *testing.T) {
	explainPython(t)
	bin := binary(t)
	config := t.TempDir()
	dir := filepath.Join(t.TempDir(), "ex")
	first := exercise.All()[0]
	s := newTmux(t, "XDG_CONFIG_HOME="+config, "LANG=C.UTF-8", "PS1=$ ")
	s.keys(bin+" exercises init "+dir+" && cd "+dir+" && clear && "+bin+" watch", "Enter")
	s.waitFor("overlap does not pass yet", 1)
	s.waitFor("Watching "+first.File, 1)
	if err := os.WriteFile(first.Path(dir), first.Solution(), 0o644); err != nil {
		t.Fatal(err)
	}
	s.waitFor("✓ overlap passes", 1)
	s.waitFor("Passed! n goes on to the next exercise.", 1)
	s.keys("h")
	s.waitFor("Hint 1 of 3 for overlap", 1)
	s.waitFor("Press h again for the next one.", 1)
	s.keys("l")
	listed := regexp.MustCompile(`✓ 1\s+overlap\s+passed`)
	for deadline := time.Now().Add(30 * time.Second); !listed.MatchString(s.screen()); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("l did not list overlap as passed:\n%s", s.screen())
		}
	}
	s.keys("n")
	s.waitFor("asyncdemo check blocking", 1)
	s.waitFor("Watching 02_blocking.py", 1)
	s.keys("q")
	s.waitFor("Stopped watching.", 1)
	s.keys("echo exit=$?", "Enter")
	s.waitFor("exit=0\n", 1)
	s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\\n' ' '; echo", "Enter")
	s.waitFor("isig icanon echo \n", 1)

	s.keys("clear; "+bin+" watch", "Enter")
	s.waitFor("Watching 02_blocking.py", 1)
	s.keys("C-c")
	s.keys("echo exit=$?", "Enter")
	s.waitFor("exit=130\n", 1)
	s.keys("clear; stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\\n' ' '; echo", "Enter")
	s.waitFor("isig icanon echo \n", 1)
}

// TestExerciseListWrapsTitlesUnderTheirColumn: at 50 columns a title is
// wrapped at a space under its column (at least 16 columns of it, as list
// does), never mid-word ("Three do" / "wnloads at once").
func TestExerciseListWrapsTitlesUnderTheirColumn(t *testing.T) {
	var b strings.Builder
	printExerciseList(&b, exerciseProgress{}, "en", 50)
	if !strings.Contains(b.String(), "\n"+strings.Repeat(" ", 20)) {
		t.Errorf("no title is wrapped under its column:\n%s", b.String())
	}
	for _, e := range exercise.All() {
		for _, w := range strings.Fields(e.Text("en").Title) {
			if !strings.Contains(b.String(), w) {
				t.Errorf("the word %q of %s's title is cut:\n%s", w, e.Name, b.String())
			}
		}
	}
}

// TestSolutionCodeIsNotWrapped: at 50 columns, in English and Chinese,
// solution writes each line of the model solution, and of the code in its
// explanation, whole on a line of its own: code is never word-wrapped as
// prose is (a line wider than the terminal is the terminal's to wrap, as
// for --code), while the prose around it fits the 50 columns.
func TestSolutionCodeIsNotWrapped(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	wide := 0
	for _, e := range exercise.All() {
		for _, lang := range lesson.Languages {
			out, errOut, exit := runInTerminal(t, 50, nil, "solution", e.Name, "--show", "--lang", lang)
			if exit != 0 {
				t.Fatalf("%s %s: exit %d: %s", e.Name, lang, exit, errOut)
			}
			printed := map[string]bool{}
			for _, line := range strings.Split(ansi.Strip(out), "\n") {
				printed[line] = true
			}
			code := strings.Split(strings.TrimRight(string(e.Solution()), "\n"), "\n")
			for _, para := range strings.Split(e.Text(lang).Explanation, "\n\n") {
				if strings.HasPrefix(para, "    ") {
					code = append(code, strings.Split(para, "\n")...)
				}
			}
			for _, line := range code {
				if ansi.StringWidth(line) > 50 {
					wide++
				}
				if !printed[line] {
					t.Errorf("%s --lang %s: the line of code %q is not printed whole", e.Name, lang, line)
				}
			}
			text, _, _ := strings.Cut(e.Text(lang).Explanation, "\n\n")
			if para := wrapTo(text, 50); !strings.Contains(ansi.Strip(out), para) {
				t.Errorf("%s --lang %s: the explanation is not wrapped at 50 columns:\n%s", e.Name, lang, out)
			}
		}
	}
	if wide == 0 {
		t.Error("no line of code is wider than 50 columns: the test shows nothing")
	}
}

// TestHintHighlightsTheExercisesLanguage: a Go exercise's hint in code is
// highlighted as Go (it was highlighted as Python, whatever the exercise),
// in the dark theme's colours, as --code highlights Go.
func TestHintHighlightsTheExercisesLanguage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	e := exercise.Find("go-cancel")
	hints := e.Text("en").Hints
	code := hints[len(hints)-1]
	if !strings.HasPrefix(code, "    ") {
		t.Fatalf("go-cancel's last hint is not code: %q", code)
	}
	var out string
	for range hints {
		var errOut string
		var exit int
		out, errOut, exit = runInTerminal(t, 80, nil, "hint", e.Name, "--theme", "dark")
		if exit != 0 {
			t.Fatalf("exit %d: %s", exit, errOut)
		}
	}
	for lang, want := range map[string]bool{"go": true, "python": false} {
		var b strings.Builder
		if err := highlight(&b, code, lang, look{theme: timing.DarkTheme, profile: termenv.TrueColor}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, b.String()) != want {
			t.Errorf("the hint highlighted as %s: %v, want %v:\n%q", lang, !want, want, out)
		}
	}
}
