package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/chroma/v2"

	"github.com/asyncdemo/asyncdemo/timing"
)

// Highlighting uses chroma's engine with its two lexers and its styles
// defined here: chroma's lexers and styles packages register hundreds of
// each when the program starts, which took 24 ms, five times all the rest
// of asyncdemo's start-up. Its stock styles would not do anyway: monokai's
// text is near-white on a white terminal, and its comments, like github's,
// are under 4.5:1 even on their own backgrounds.

// codeStyles are --code's colour schemes, one per theme: after monokai for
// a dark background and after github for a light one, with the theme's
// colours, whose contrast its tests check. Plain text has no colour: it
// is the terminal's own foreground.
var codeStyles = map[*timing.Theme]*chroma.Style{
	timing.DarkTheme:  codeStyle("asyncdemo-dark", timing.DarkTheme.Code),
	timing.LightTheme: codeStyle("asyncdemo-light", timing.LightTheme.Code),
}

func codeStyle(name string, c timing.CodeColors) *chroma.Style {
	entries := chroma.StyleEntries{
		chroma.Comment:             c.Comment + " italic",
		chroma.Keyword:             c.Keyword + " bold",
		chroma.KeywordType:         c.Type + " nobold",
		chroma.NameBuiltin:         c.Builtin,
		chroma.NameFunction:        c.Function,
		chroma.NameDecorator:       c.Function,
		chroma.LiteralString:       c.String,
		chroma.LiteralStringEscape: c.Number,
		chroma.LiteralNumber:       c.Number,
		chroma.Operator:            c.Operator,
	}
	if c.Text != "" {
		entries[chroma.Text] = c.Text
	}
	return chroma.MustNewStyle(name, entries)
}

// codeLexers tokenise the two languages --code shows.
var codeLexers = map[string]chroma.Lexer{
	"go": chroma.MustNewLexer(&chroma.Config{Name: "Go"}, func() chroma.Rules {
		return chroma.Rules{"root": {
			{Pattern: `//[^\n]*`, Type: chroma.CommentSingle},
			{Pattern: `/\*[\s\S]*?\*/`, Type: chroma.CommentMultiline},
			{Pattern: "`[^`]*`", Type: chroma.LiteralString},
			{Pattern: `"(\\\\|\\"|[^"\n])*"`, Type: chroma.LiteralString},
			{Pattern: `'(\\\\|\\'|[^'\n])*'`, Type: chroma.LiteralStringChar},
			{Pattern: `\b(break|case|chan|const|continue|default|defer|else|fallthrough|for|func|go|goto|if|import|interface|map|package|range|return|select|struct|switch|type|var)\b`, Type: chroma.Keyword},
			{Pattern: `\b(any|bool|byte|error|float64|int|int64|rune|string|uint32|uint64)\b`, Type: chroma.KeywordType},
			{Pattern: `\b(append|cap|clear|close|copy|delete|len|make|max|min|new|panic|print|println|recover|nil|true|false|iota)\b`, Type: chroma.NameBuiltin},
			{Pattern: `\b[A-Za-z_]\w*(?=\()`, Type: chroma.NameFunction},
			{Pattern: `\b\d+(\.\d+)?([eE][+-]?\d+)?\b`, Type: chroma.LiteralNumber},
			{Pattern: `[-+*/%&|^!=<>:]+`, Type: chroma.Operator},
			{Pattern: `[A-Za-z_]\w*`, Type: chroma.Name},
			{Pattern: `[\s\S]`, Type: chroma.Text},
		}}
	}),
	"python": chroma.MustNewLexer(&chroma.Config{Name: "Python"}, func() chroma.Rules {
		return chroma.Rules{"root": {
			{Pattern: `#[^\n]*`, Type: chroma.CommentSingle},
			{Pattern: `[rbfu]*"""[\s\S]*?"""|[rbfu]*'''[\s\S]*?'''`, Type: chroma.LiteralString},
			{Pattern: `[rbfu]*"(\\\\|\\"|[^"\n])*"|[rbfu]*'(\\\\|\\'|[^'\n])*'`, Type: chroma.LiteralString},
			{Pattern: `@[\w.]+`, Type: chroma.NameDecorator},
			{Pattern: `\b(and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield)\b`, Type: chroma.Keyword},
			{Pattern: `\b(True|False|None|print|len|range|int|str|float|list|dict|set|isinstance|super|self)\b`, Type: chroma.NameBuiltin},
			{Pattern: `\b[A-Za-z_]\w*(?=\()`, Type: chroma.NameFunction},
			{Pattern: `\b\d+(\.\d+)?([eE][+-]?\d+)?\b`, Type: chroma.LiteralNumber},
			{Pattern: `[-+*/%&|^!=<>:]+`, Type: chroma.Operator},
			{Pattern: `[A-Za-z_]\w*`, Type: chroma.Name},
			{Pattern: `[\s\S]`, Type: chroma.Text},
		}}
	}),
}

// highlight writes src, coloured as lang in the look's theme when colour
// is on.
func highlight(out io.Writer, src, lang string, lk look) error {
	lexer, ok := codeLexers[lang]
	if lk.noColor || !ok {
		_, err := fmt.Fprintln(out, src)
		return err
	}
	tokens, err := lexer.Tokenise(nil, src+"\n")
	if err != nil {
		return fmt.Errorf("highlighting the code: %w", err)
	}
	style := codeStyles[lk.theme]
	if style == nil {
		style = codeStyles[timing.DarkTheme]
	}
	var b strings.Builder
	for t := tokens(); t != chroma.EOF; t = tokens() {
		e := style.Get(t.Type)
		hex := ""
		if e.Colour.IsSet() {
			hex = e.Colour.String()
		}
		// Line by line, so that no escape spans a line break.
		for i, line := range strings.Split(t.Value, "\n") {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(timing.Paint(lk.profile, hex, e.Bold == chroma.Yes, e.Italic == chroma.Yes, line))
		}
	}
	_, err = io.WriteString(out, b.String())
	return err
}
