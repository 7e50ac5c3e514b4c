package exercise

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos"
	"github.com/asyncdemo/asyncdemo/demos/explain"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/testenv"
	"github.com/asyncdemo/asyncdemo/demos/twin"
)

// foundPython is the interpreter the tests check with, found once.
var foundPython = sync.OnceValues(func() (string, error) { return twin.Runner{}.Interpreter(context.Background()) })

// python returns a Python 3.11 or newer, or skips the test (fails it under
// CI); go test -short skips it too.
func python(t testing.TB) string {
	t.Helper()
	testenv.SkipShort(t, "CPython")
	path, err := foundPython()
	if err != nil {
		testenv.Missing(t, "CPython 3.11 or newer", err.Error(), "install python3 (3.11+)")
	}
	return path
}

// foundModules are the interpreters with the modules of exercises, found
// once for each list of modules.
var foundModules sync.Map // strings.Join(modules, ",") -> func() (string, error)

// pythonWith returns a Python 3.11 or newer that has modules (an
// exercise's Modules), or skips the test (fails it under CI).
func pythonWith(t testing.TB, modules []string) string {
	t.Helper()
	if len(modules) == 0 {
		return python(t)
	}
	testenv.SkipShort(t, "CPython with "+strings.Join(modules, " and "))
	find, _ := foundModules.LoadOrStore(strings.Join(modules, ","), sync.OnceValues(func() (string, error) {
		return twin.Runner{Modules: modules}.Interpreter(context.Background())
	}))
	path, err := find.(func() (string, error))()
	if err != nil {
		how := "install python3 (3.11+)"
		if errors.Is(err, twin.ErrMissingModules) {
			how = "apt-get install python3-" + strings.Join(modules, " python3-")
		}
		testenv.Missing(t, "CPython 3.11 or newer with "+strings.Join(modules, " and "), err.Error(), how)
	}
	return path
}

// goTool skips a test that needs the go command where there is none (it
// fails it under CI), and under go test -short.
func goTool(t testing.TB) {
	t.Helper()
	testenv.SkipShort(t, "the go command")
	testenv.LookPath(t, "go", "install Go: https://go.dev/dl/")
}

// checkSource checks src as the learner's file of e, in a folder of its
// own.
func checkSource(t testing.TB, e *Exercise, src []byte, lang string) *Result {
	t.Helper()
	dir := t.TempDir()
	path := e.Path(dir)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	c := Config{Dir: dir, Lang: lang}
	if e.Lang == Go {
		goTool(t)
	} else {
		c.Python = pythonWith(t, e.Modules)
	}
	res, err := Check(context.Background(), e, c)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// verdict writes a result for a test's failure message.
func verdict(res *Result) string {
	var b strings.Builder
	for _, l := range res.Run.Lines {
		fmt.Fprintf(&b, "  %.3fs [%d] %s\n", l.T.Seconds(), l.Stream, l.Text)
	}
	if res.Problem != "" {
		fmt.Fprintf(&b, "problem: %s\n", res.Problem)
	}
	for _, o := range res.Outcomes {
		mark := "✓"
		if o.Failed != "" {
			mark = "✗"
		}
		fmt.Fprintf(&b, "%s %s\n", mark, o.Want)
		if o.Failed != "" {
			fmt.Fprintf(&b, "    %s\n", o.Failed)
		}
	}
	return b.String()
}

func TestEveryExerciseHasItsFilesAndTexts(t *testing.T) {
	seen := map[string]bool{}
	files := map[string]bool{}
	for _, e := range All() {
		if seen[e.Name] {
			t.Errorf("two exercises named %s", e.Name)
		}
		if files[e.File] {
			t.Errorf("two exercises in %s", e.File)
		}
		seen[e.Name], files[e.File] = true, true
		if len(e.Starter()) == 0 || len(e.Solution()) == 0 {
			t.Errorf("%s: an empty starter or solution", e.Name)
		}
		if bytes.Equal(e.Starter(), e.Solution()) {
			t.Errorf("%s: the starter is the solution", e.Name)
		}
		if len(e.Rules) == 0 {
			t.Errorf("%s: no rules", e.Name)
		}
		for _, lang := range lesson.Languages {
			if _, err := files_(e, lang+".md"); err != nil {
				t.Errorf("%s: no %s text: %v", e.Name, lang, err)
				continue
			}
			text := e.Text(lang)
			if text.Title == "" || text.Task == "" || len(text.Hints) < 2 || text.Explanation == "" {
				t.Errorf("%s: the %s text lacks a title, the task, two hints or the explanation: %+v", e.Name, lang, text)
			}
			if en := e.Text("en"); len(text.Hints) != len(en.Hints) {
				t.Errorf("%s: %d hints in %s, %d in English", e.Name, len(text.Hints), lang, len(en.Hints))
			}
		}
	}
	ds, err := dirs()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !seen[d] {
			t.Errorf("ex/%s is no exercise of All", d)
		}
	}
}

func files_(e *Exercise, name string) ([]byte, error) {
	return files.ReadFile(e.dir() + "/" + name)
}

// TestEveryExerciseFollowsALesson checks that each exercise's lesson, and
// the command it points to, are lessons of the registry.
func TestEveryExerciseFollowsALesson(t *testing.T) {
	lessons := map[string]bool{}
	for _, l := range demos.All() {
		if info := l.Info(); !info.Tool {
			lessons[info.Name] = true
		}
	}
	for _, e := range All() {
		if !lessons[e.Lesson] {
			t.Errorf("%s follows %q, which is no lesson of demos.All", e.Name, e.Lesson)
		}
		if see := strings.Fields(e.SeeCommand()); len(see) == 0 || !lessons[see[0]] {
			t.Errorf("%s points to asyncdemo %q, which is no lesson", e.Name, e.SeeCommand())
		}
	}
}

// TestLabelsSpeakEveryLanguage checks that every label of English is in
// every language, with the same verbs.
func TestLabelsSpeakEveryLanguage(t *testing.T) {
	all := parsedLabels()
	for _, lang := range lesson.Languages {
		l, ok := all[lang]
		if !ok {
			t.Fatalf("no text/%s.json", lang)
		}
		for k, v := range all["en"] {
			if l[k] == "" {
				t.Errorf("%s: no label %q", lang, k)
			} else if verbs(l[k]) != verbs(v) {
				t.Errorf("%s: label %q has verbs %s, English %s", lang, k, verbs(l[k]), verbs(v))
			}
		}
	}
}

// verbs lists a format's verbs by the argument each formats: "1s 2d",
// whether they are written in order ("%s %d") or indexed ("%[2]d %[1]s").
func verbs(f string) string {
	var got []string
	arg := 0
	for i := 0; i < len(f)-1; i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if f[i] == '%' {
			continue
		}
		if f[i] == '[' {
			end := strings.IndexByte(f[i:], ']')
			n, _ := strconv.Atoi(f[i+1 : i+end])
			arg = n - 1
			i += end + 1
		}
		if i < len(f) {
			got = append(got, fmt.Sprintf("%d%c", arg+1, f[i]))
		}
		arg++
	}
	slices.Sort(got)
	return strings.Join(got, " ")
}

// TestStartersFailAndSolutionsPass is the exercises' own check: every
// starter fails, every model solution passes, on every clock quickly.
func TestStartersFailAndSolutionsPass(t *testing.T) {
	python(t)
	for _, e := range All() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			res := checkSource(t, e, e.Starter(), "en")
			if res.Passed() {
				t.Errorf("the starter passes:\n%s", verdict(res))
			}
			res = checkSource(t, e, e.Solution(), "en")
			if !res.Passed() {
				t.Errorf("the solution fails:\n%s", verdict(res))
			}
			if e.Lang != Go {
				ownTasksOnly(t, e, res.Run.Rec)
			}
			t.Logf("solution checked in %v", res.Took.Round(time.Millisecond))
		})
	}
}

// ownTasksOnly checks the timeline a pass shows (Recording.OwnRun): every
// row is a task of the learner's file, none a task a library made for
// itself (redis.asyncio's Connection.disconnect, aiohttp's
// TCPConnector._resolve_host); and an exercise that uses a library (redis,
// aiohttp) does leave such tasks out, so that this is not checked of
// nothing.
func ownTasksOnly(t *testing.T, e *Exercise, rec *explain.Recording) {
	t.Helper()
	run, left := rec.OwnRun()
	mine := filepath.Base(e.File) + ":"
	for _, s := range run.Spans {
		if !strings.Contains(s.Task, mine) {
			t.Errorf("the timeline shows %q, not a task of %s", s.Task, e.File)
		}
	}
	for _, task := range left {
		if task.Lib == "" || strings.HasSuffix(task.File, filepath.Base(e.File)) {
			t.Errorf("the timeline leaves out %s (%s, library %q), a task of the learner's", task.Who(), task.File, task.Lib)
		}
	}
	if len(e.Modules) > 0 && len(left) == 0 {
		t.Errorf("no task of %s left out of the timeline: the libraries made none, or they are shown as the learner's",
			strings.Join(e.Modules, ", "))
	}
}

// A wrong solution (testdata/wrong/NAME/*.py) or a cheating program
// (testdata/cheat/*.py) says, in comments, what its check must say:
//
//	# exercise: overlap          (for a cheat: which exercise it tries)
//	# fails: InFlight            (a rule it breaks, by its type; or "problem")
//	# says: one after another    (words the check's verdict must have)
type expectation struct {
	exercise string
	fails    []string
	says     []string
}

func readExpectation(t *testing.T, path string) expectation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var x expectation
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "// "); ok { // a Go file's
			line = "# " + rest
		}
		if v, ok := strings.CutPrefix(line, "# exercise: "); ok {
			x.exercise = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "# fails: "); ok {
			x.fails = append(x.fails, strings.TrimSpace(v))
		}
		if v, ok := strings.CutPrefix(line, "# says: "); ok {
			x.says = append(x.says, strings.TrimSpace(v))
		}
	}
	if len(x.fails) == 0 {
		t.Fatalf("%s says nothing of what it must fail (# fails: RULE)", path)
	}
	return x
}

// failedRules names the rules a result broke by their types ("InFlight"),
// or "problem".
func failedRules(res *Result) []string {
	if res.Problem != "" {
		return []string{"problem"}
	}
	var names []string
	for i, o := range res.Outcomes {
		if o.Failed != "" {
			names = append(names, reflect.TypeOf(res.Exercise.Rules[i]).Name())
		}
	}
	return names
}

func checkExpectation(t *testing.T, res *Result, x expectation) {
	t.Helper()
	noRawFloats(t, res)
	if res.Passed() {
		t.Fatalf("it passes:\n%s", verdict(res))
	}
	failed := failedRules(res)
	for _, f := range x.fails {
		if !slices.Contains(failed, f) {
			t.Errorf("it does not fail %s (it fails %q):\n%s", f, failed, verdict(res))
		}
	}
	all := verdict(res)
	for _, s := range x.says {
		if !strings.Contains(all, s) {
			t.Errorf("the verdict does not say %q:\n%s", s, all)
		}
	}
}

// TestWrongSolutionsFailWithTheirMessage checks every plausible wrong
// solution of testdata/wrong: each fails the rules it says, with the words
// it says.
func TestWrongSolutionsFailWithTheirMessage(t *testing.T) {
	python(t)
	for _, e := range All() {
		paths, _ := filepath.Glob(filepath.Join("testdata", "wrong", e.Name, "*"))
		if len(paths) == 0 {
			t.Errorf("%s: no wrong solution in testdata/wrong/%s", e.Name, e.Name)
		}
		for _, path := range paths {
			t.Run(e.Name+"/"+filepath.Base(path), func(t *testing.T) {
				t.Parallel()
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				checkExpectation(t, checkSource(t, e, src, "en"), readExpectation(t, path))
			})
		}
	}
}

// TestCheatsFail checks the programs of testdata/cheat, each written to
// pass a check without doing what it asks: printing the expected lines,
// faking the clock, replacing asyncio.sleep, running its own loop.
func TestCheatsFail(t *testing.T) {
	python(t)
	paths, _ := filepath.Glob(filepath.Join("testdata", "cheat", "*"))
	if len(paths) == 0 {
		t.Fatal("no cheats in testdata/cheat")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			x := readExpectation(t, path)
			e := Find(x.exercise)
			if e == nil {
				t.Fatalf("# exercise: %q is no exercise", x.exercise)
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkExpectation(t, checkSource(t, e, src, "en"), x)
		})
	}
}

// TestOtherRightSolutionsPass checks the other ways to solve each exercise
// (testdata/right/NAME/*.py): a TaskGroup, to_thread, batches. A check
// judges what a program does, not how it is written.
func TestOtherRightSolutionsPass(t *testing.T) {
	python(t)
	paths, _ := filepath.Glob(filepath.Join("testdata", "right", "*", "*"))
	for _, path := range paths {
		name := filepath.Base(filepath.Dir(path))
		t.Run(name+"/"+filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			e := Find(name)
			if e == nil {
				t.Fatalf("testdata/right/%s is no exercise", name)
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res := checkSource(t, e, src, "en")
			noRawFloats(t, res)
			if !res.Passed() {
				t.Errorf("it fails:\n%s", verdict(res))
			}
		})
	}
}

// TestGoModulesAreAsyncdemos checks that the modules a Go exercise may
// import are at the versions asyncdemo is built with (its go.mod and
// go.sum): those a Go that built asyncdemo has in its module cache.
func TestGoModulesAreAsyncdemos(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join("..", "..", "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	req := strings.TrimSpace(strings.TrimPrefix(goRequire, "require "))
	if !strings.Contains(string(mod), "\t"+req+"\n") {
		t.Errorf("asyncdemo's go.mod does not require %s", req)
	}
	for _, line := range strings.Split(strings.TrimSpace(goSums), "\n") {
		if !strings.Contains(string(sum), line+"\n") {
			t.Errorf("asyncdemo's go.sum has no %q", line)
		}
	}
}

// TestNothingRunsBeforeTheRecorder checks that a check runs no code of
// site's start-up, which would run before the recorder: a .pth file in the
// user's site-packages and a usercustomize module there leave no mark, and
// the model solution still passes.
func TestNothingRunsBeforeTheRecorder(t *testing.T) {
	py := python(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	out, err := exec.Command(py, "-c", "import site; print(site.getusersitepackages())").Output()
	if err != nil {
		t.Fatal(err)
	}
	usersite := strings.TrimSpace(string(out))
	if err := os.MkdirAll(usersite, 0o755); err != nil {
		t.Fatal(err)
	}
	marks := filepath.Join(home, "ran")
	for name, code := range map[string]string{
		"zz_cheat.pth":     "import os; open(" + strconv.Quote(marks+".pth") + ", 'w').close()\n",
		"usercustomize.py": "open(" + strconv.Quote(marks+".usercustomize") + ", 'w').close()\n",
	} {
		if err := os.WriteFile(filepath.Join(usersite, name), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := Find("overlap")
	if res := checkSource(t, e, e.Solution(), "en"); !res.Passed() {
		t.Errorf("the solution fails:\n%s", verdict(res))
	}
	for _, kind := range []string{"pth", "usercustomize"} {
		if _, err := os.Stat(marks + "." + kind); err == nil {
			t.Errorf("the %s file ran in the check", kind)
		}
	}
}

// TestRenameMainKeepsLinesAndColumns checks that a Go program's main is
// renamed in place, to a name of its length the program does not use, and
// left alone where the check cannot call it.
func TestRenameMainKeepsLinesAndColumns(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		ok              bool
	}{
		{"plain", "package main\n\nfunc main() { println(1) }\n", "package main\n\nfunc mAin() { println(1) }\n", true},
		{"name taken", "package main\n\nvar mAin = 1\n\nfunc main() {}\n", "package main\n\nvar mAin = 1\n\nfunc maIn() {}\n", true},
		{"a method main", "package main\n\ntype T struct{}\n\nfunc (T) main() {}\n\nfunc main() {}\n",
			"package main\n\ntype T struct{}\n\nfunc (T) main() {}\n\nfunc mAin() {}\n", true},
		{"main with arguments", "package main\n\nfunc main(x int) {}\n", "", false},
		{"no main", "package main\n\nfunc run() {}\n", "", false},
		{"does not parse", "package main\n\nfunc main() {\n", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, name, ok := renameMain([]byte(tc.src))
			if ok != tc.ok || string(got) != tc.want {
				t.Fatalf("renameMain = %q, %q, %v; want %q, %v", got, name, ok, tc.want, tc.ok)
			}
			if ok && (len(got) != len(tc.src) || !strings.Contains(string(got), "func "+name+"()")) {
				t.Errorf("renamed to %q: %q", name, got)
			}
		})
	}
}
