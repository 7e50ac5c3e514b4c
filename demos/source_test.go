package demos

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
		}
	}
	for _, lesson := range All() {
		info := lesson.Info()
		if info.Tool {
			continue
		}
		for _, style := range []Style{StyleAio, StyleGo} {
			names := info.Code[style]
			if len(names) == 0 {
				t.Errorf("%s: no code to show for the %s style", info.Name, style)
				continue
			}
			got, err := FuncSource(names...)
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
