package lesson

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
)

// FuncSource returns the source of the named top-level functions in the Go
// files of src (a package's source, such as the lessons' embedded one), each
// with its doc comment, in the order given, separated by a blank line. So
// --code shows the very functions that run, cut out by name; never a copy
// that can drift.
func FuncSource(src fs.FS, names ...string) (string, error) {
	fset := token.NewFileSet()
	found := map[string]string{}
	files, err := fs.Glob(src, "*.go")
	if err != nil {
		return "", err
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		text, err := fs.ReadFile(src, name)
		if err != nil {
			return "", err
		}
		f, err := parser.ParseFile(fset, name, text, parser.ParseComments)
		if err != nil {
			return "", fmt.Errorf("parsing %s: %w", name, err)
		}
		cut := func(start, end token.Pos) string {
			return string(text[fset.Position(start).Offset:fset.Position(end).Offset])
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					continue
				}
				start := d.Pos()
				if d.Doc != nil {
					start = d.Doc.Pos()
				}
				found[d.Name.Name] = cut(start, d.End())
			case *ast.GenDecl: // a constant or variable declared on its own: const n = 3
				if d.Tok == token.IMPORT || d.Tok == token.TYPE || len(d.Specs) != 1 {
					continue
				}
				start := d.Pos()
				if d.Doc != nil {
					start = d.Doc.Pos()
				}
				for _, name := range d.Specs[0].(*ast.ValueSpec).Names {
					found[name.Name] = cut(start, d.End())
				}
			}
		}
	}
	var parts []string
	for _, n := range names {
		code, ok := found[n]
		if !ok {
			return "", fmt.Errorf("no function, constant or variable %s in the source", n)
		}
		parts = append(parts, code)
	}
	return strings.Join(parts, "\n\n"), nil
}
