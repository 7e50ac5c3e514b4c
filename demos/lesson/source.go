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
	cut, err := CutSource(src, names...)
	return cut.Text, err
}

// Cut is what CutSource cut: the text --code shows, and where each of its
// lines comes from.
type Cut struct {
	Text string
	// Lines maps a line of the source, "file.go:12", to the line of Text
	// it is, counting from 0.
	Lines map[string]int
}

// CutSource is FuncSource that also says where each line of the text comes
// from, so that a line the program runs (a frame's file and line) can be
// found in what --code shows.
func CutSource(src fs.FS, names ...string) (Cut, error) {
	type piece struct {
		file      string
		firstLine int
		text      string
	}
	fset := token.NewFileSet()
	found := map[string]piece{}
	files, err := fs.Glob(src, "*.go")
	if err != nil {
		return Cut{}, err
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		text, err := fs.ReadFile(src, name)
		if err != nil {
			return Cut{}, err
		}
		f, err := parser.ParseFile(fset, name, text, parser.ParseComments)
		if err != nil {
			return Cut{}, fmt.Errorf("parsing %s: %w", name, err)
		}
		cut := func(start, end token.Pos) piece {
			return piece{name, fset.Position(start).Line, string(text[fset.Position(start).Offset:fset.Position(end).Offset])}
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
	c := Cut{Lines: map[string]int{}}
	var parts []string
	at := 0
	for _, n := range names {
		p, ok := found[n]
		if !ok {
			return Cut{}, fmt.Errorf("no function, constant or variable %s in the source", n)
		}
		parts = append(parts, p.text)
		lines := strings.Count(p.text, "\n") + 1
		for i := range lines {
			c.Lines[fmt.Sprintf("%s:%d", p.file, p.firstLine+i)] = at + i
		}
		at += lines + 1 // the blank line between two pieces
	}
	c.Text = strings.Join(parts, "\n\n")
	return c, nil
}
