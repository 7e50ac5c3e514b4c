package demos

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/asyncdemo/asyncdemo/demos/consumer"
	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/demos/twin"
	"github.com/asyncdemo/asyncdemo/timing"
)

// TestEveryLessonSpeaksEveryLanguage fails when a lesson lacks a text in a
// language, or a catalogue has a lesson that does not exist.
func TestEveryLessonSpeaksEveryLanguage(t *testing.T) {
	names := map[string]bool{}
	for _, l := range All() {
		names[l.Info().Name] = true
	}
	for _, lang := range lesson.Languages {
		texts, err := lesson.Catalogue(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range All() {
			info := l.Info()
			text, ok := texts[info.Name]
			switch {
			case !ok || text.Title == "":
				t.Errorf("%s: no %s title", info.Name, lang)
			case !info.Tool && (text.Before == "" || text.After == "" || text.AfterGo == "" || text.Question == ""):
				t.Errorf("%s: %s texts missing: %+v", info.Name, lang, text)
			}
		}
		for name := range texts {
			if !names[name] {
				t.Errorf("%s catalogue has %q, which is no lesson", lang, name)
			}
		}
	}
}

// TestEveryLessonAsksAQuestion fails when a lesson has no prediction
// question, or lacks its text in a language.
func TestEveryLessonAsksAQuestion(t *testing.T) {
	for _, l := range All() {
		info := l.Info()
		if info.Tool {
			continue
		}
		if info.Question == nil || len(info.Question.Choices) < 2 {
			t.Errorf("%s: no question with choices", info.Name)
		}
	}
}

// TestTextsFollowTheFlags: a lesson's texts name the values its flags
// set, not only the defaults.
func TestTextsFollowTheFlags(t *testing.T) {
	g := &gatherLesson{Durations: []float64{4, 1, 2.5}}
	if got := lesson.Describe(g, "en").Title; got != "three tasks of 4, 1 and 2.5 s take about 4 s, not 7.5" {
		t.Errorf("gather 4,1,2.5: %q", got)
	}
	if got := lesson.Describe(g, "zh").Title; got != "分别耗时 4、1、2.5 s 的三个任务总共约 4 s，而不是 7.5 s" {
		t.Errorf("gather 4,1,2.5 in zh: %q", got)
	}
	many := &gatherLesson{Durations: []float64{1, 2}, Tasks: 1000}
	if got := lesson.Describe(many, "en").Before; !strings.HasPrefix(got, "1000 tasks sleep for 1 and 2 seconds") {
		t.Errorf("gather --tasks 1000: %q", got)
	}
	for _, l := range All() {
		for _, lang := range lesson.Languages {
			info := lesson.Describe(l, lang)
			after, afterGo := info.After, info.AfterGo
			if rt, ok := l.(lesson.RunTexter); ok { // the run's figures, filled after it: here, a run that made none
				values := rt.RunValues(&lesson.Env{Labels: lesson.Labels(lang), Clock: timing.NewClock(1)})
				after, afterGo = lesson.Fill(after, values), lesson.Fill(afterGo, values)
			}
			for _, text := range []string{info.Title, info.Before, after, afterGo} {
				if strings.Contains(text, "{") {
					t.Errorf("%s (%s): a placeholder is left: %q", info.Name, lang, text)
				}
			}
		}
	}
	q := &queueLesson{redis: consumer.Flags{Messages: []string{"4", "2", "5"}}}
	if got := lesson.Describe(q, "en").Before; !strings.HasSuffix(got, "A producer pushes 4, 2 and 5, one a second.") {
		t.Errorf("queue --messages 4,2,5: %q", got)
	}
	q.redis.URL = "redis://127.0.0.1:6379/3"
	if got := lesson.Describe(q, "en").Before; !strings.Contains(got, "asyncdemo push --redis") {
		t.Errorf("queue --redis: %q", got)
	}
}

// TestCodeShownIsTheCodeThatRuns checks that what --code shows for every
// lesson and style is, byte for byte, the functions in the source files.
func TestCodeShownIsTheCodeThatRuns(t *testing.T) {
	onDisk := map[string]string{}
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
				start := fn.Pos()
				if fn.Doc != nil {
					start = fn.Doc.Pos()
				}
				onDisk[fn.Name.Name] = string(src[fset.Position(start).Offset:fset.Position(fn.End()).Offset])
			}
			if g, ok := d.(*ast.GenDecl); ok && (g.Tok == token.CONST || g.Tok == token.VAR) && len(g.Specs) == 1 {
				start := g.Pos()
				if g.Doc != nil {
					start = g.Doc.Pos()
				}
				for _, n := range g.Specs[0].(*ast.ValueSpec).Names {
					onDisk[n.Name] = string(src[fset.Position(start).Offset:fset.Position(g.End()).Offset])
				}
			}
		}
	}
	for _, l := range All() {
		info := l.Info()
		if info.Tool {
			continue
		}
		for _, style := range []lesson.Style{lesson.StyleAio, lesson.StyleGo} {
			names := info.Code[style]
			if len(names) == 0 {
				t.Errorf("%s: no code to show for the %s style", info.Name, style)
				continue
			}
			got, err := lesson.FuncSource(Source, names...)
			if err != nil {
				t.Errorf("%s %s: %v", info.Name, style, err)
				continue
			}
			var want []string
			for _, n := range names {
				if !strings.HasPrefix(onDisk[n], "// "+n+" ") {
					t.Errorf("%s: %s has no doc comment starting with its name", info.Name, n)
				}
				want = append(want, onDisk[n])
			}
			if got != strings.Join(want, "\n\n") {
				t.Errorf("%s %s: the code shown differs from the source files", info.Name, style)
			}
		}
	}
}

// TestCodeShownCallsNothingUnshown fails when a function that --code shows
// calls a function of this package that it does not show: a learner must be
// able to read everything that runs.
func TestCodeShownCallsNothingUnshown(t *testing.T) {
	fset := token.NewFileSet()
	decls := map[string]*ast.FuncDecl{}
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
				decls[fn.Name.Name] = fn
			}
		}
	}
	for _, l := range All() {
		info := l.Info()
		for style, names := range info.Code {
			for _, n := range names {
				fn := decls[n]
				if fn == nil {
					continue // TestCodeShownIsTheCodeThatRuns reports it
				}
				ast.Inspect(fn.Body, func(node ast.Node) bool {
					call, ok := node.(*ast.CallExpr)
					if !ok {
						return true
					}
					id, ok := call.Fun.(*ast.Ident)
					local := ok && id.Obj != nil && id.Obj.Kind != ast.Fun // a closure of the same name
					if ok && !local && decls[id.Name] != nil && !slices.Contains(names, id.Name) {
						t.Errorf("%s --code --style %s shows %s, which calls %s, which it does not show", info.Name, style, n, id.Name)
					}
					return true
				})
			}
		}
	}
}

// TestEveryLessonHasATwin fails when a lesson has no Python twin, a tool
// has one, or a twin belongs to no lesson.
func TestEveryLessonHasATwin(t *testing.T) {
	names := map[string]bool{}
	for _, l := range All() {
		info := l.Info()
		names[info.Name] = true
		src, ok := twin.Source(info.Name)
		if ok && info.Twin != nil && (len(info.Twin.Modules) > 0) != strings.Contains(src, "need_modules(") {
			t.Errorf("%s: Info.Twin.Modules is %v, but its twin disagrees about needing modules", info.Name, info.Twin.Modules)
		}
		switch {
		case info.Tool && (ok || info.Twin != nil):
			t.Errorf("%s is a tool, and has a twin", info.Name)
		case !info.Tool && (!ok || info.Twin == nil):
			t.Errorf("%s: no Python twin (demos/twin/py/%s.py, and Info.Twin)", info.Name, info.Name)
		}
	}
	twins, err := filepath.Glob(filepath.Join("twin", "py", "*.py"))
	if err != nil || len(twins) == 0 {
		t.Fatalf("no twins found: %v", err)
	}
	for _, path := range twins {
		name := strings.TrimSuffix(filepath.Base(path), ".py")
		if !strings.HasPrefix(name, "_") && !names[name] {
			t.Errorf("%s is the twin of no lesson", path)
		}
	}
}

// TestLessonsAreUnique fails when two commands share a name, or a lesson
// lacks what the command line and the tour need of it.
func TestLessonsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range All() {
		info := l.Info()
		if info.Name == "" || seen[info.Name] {
			t.Errorf("lesson name %q is empty or taken twice", info.Name)
		}
		seen[info.Name] = true
		if info.Group == "" {
			t.Errorf("%s: no help group", info.Name)
		}
	}
}

// layers are the module's packages from the bottom up: a package may import
// only packages of lower layers (its tests may import more).
var layers = [][]string{
	{"github.com/asyncdemo/asyncdemo/timing", "github.com/asyncdemo/asyncdemo/demos/aio", "github.com/asyncdemo/asyncdemo/demos/testenv", "github.com/asyncdemo/asyncdemo/cmd/asyncdemo/internal/noquery"},
	{"github.com/asyncdemo/asyncdemo/demos/redisqueue", "github.com/asyncdemo/asyncdemo/demos/redisqueue/redistest", "github.com/asyncdemo/asyncdemo/demos/smsapi"},
	{"github.com/asyncdemo/asyncdemo/demos/twin"},
	{"github.com/asyncdemo/asyncdemo/demos/twin/pybench", "github.com/asyncdemo/asyncdemo/demos/lesson"},
	{"github.com/asyncdemo/asyncdemo/demos/consumer", "github.com/asyncdemo/asyncdemo/demos/explain"},
	{"github.com/asyncdemo/asyncdemo/demos", "github.com/asyncdemo/asyncdemo/demos/exercise"},
	{"github.com/asyncdemo/asyncdemo/cmd/asyncdemo"},
}

// TestPackagesImportOnlyLowerLayers fails when a package imports one of its
// own layer or above (the lesson framework importing a lesson, say), or
// when a package is in no layer.
func TestPackagesImportOnlyLowerLayers(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "github.com/asyncdemo/asyncdemo/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	layer := map[string]int{}
	for i, pkgs := range layers {
		for _, p := range pkgs {
			layer[p] = i
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		mine, ok := layer[pkg]
		if !ok {
			t.Errorf("%s is in no layer: add it to layers in demos/registry_test.go", pkg)
			continue
		}
		for _, imp := range imports {
			if theirs, ok := layer[imp]; ok && theirs >= mine {
				t.Errorf("%s (layer %d) imports %s (layer %d): a package may import only lower layers", pkg, mine, imp, theirs)
			}
		}
	}
}
