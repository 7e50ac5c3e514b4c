package demos

import (
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
)

// The lessons' own source, compiled into the binary, so that --code shows
// the very functions that run, cut out by name; never a copy that can drift.
//
//go:embed *.go
var lessonSource embed.FS

// FuncSource returns the source of the named top-level functions of this
// package, each with its doc comment, in the order given, separated by a
// blank line.
func FuncSource(names ...string) (string, error) {
	fset := token.NewFileSet()
	found := map[string]string{}
	files, err := fs.Glob(lessonSource, "*.go")
	if err != nil {
		return "", err
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := lessonSource.ReadFile(name)
		if err != nil {
			return "", err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return "", fmt.Errorf("parsing %s: %w", name, err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil {
				continue
			}
			start := fn.Pos()
			if fn.Doc != nil {
				start = fn.Doc.Pos()
			}
			found[fn.Name.Name] = string(src[fset.Position(start).Offset:fset.Position(fn.End()).Offset])
		}
	}
	var parts []string
	for _, n := range names {
		code, ok := found[n]
		if !ok {
			return "", fmt.Errorf("no function %s in the lessons' source", n)
		}
		parts = append(parts, code)
	}
	return strings.Join(parts, "\n\n"), nil
}
