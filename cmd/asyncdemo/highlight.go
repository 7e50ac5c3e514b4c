package main

import (
	"fmt"
	"io"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters"
)

// Highlighting uses chroma's engine with its two lexers and its style
// defined here: chroma's lexers and styles packages register hundreds of
// each when the program starts, which took 24 ms, five times all the rest
// of asyncdemo's start-up.

// codeStyle is the colour scheme for --code, after chroma's monokai.
var codeStyle = chroma.MustNewStyle("asyncdemo", chroma.StyleEntries{
	chroma.Comment:             "#75715e italic",
	chroma.Keyword:             "#66d9ef bold",
	chroma.KeywordType:         "#66d9ef",
	chroma.NameBuiltin:         "#a6e22e",
	chroma.NameFunction:        "#a6e22e",
	chroma.NameDecorator:       "#a6e22e",
	chroma.LiteralString:       "#e6db74",
	chroma.LiteralNumber:       "#ae81ff",
	chroma.Operator:            "#f92672",
	chroma.NameAttribute:       "#f8f8f2",
	chroma.Text:                "#f8f8f2",
	chroma.Name:                "#f8f8f2",
	chroma.Punctuation:         "#f8f8f2",
	chroma.LiteralStringEscape: "#ae81ff",
})

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

// highlight writes src, coloured as lang when colour is on.
func highlight(out io.Writer, src, lang string, noColor bool) error {
	lexer, ok := codeLexers[lang]
	if noColor || !ok {
		_, err := fmt.Fprintln(out, src)
		return err
	}
	tokens, err := lexer.Tokenise(nil, src+"\n")
	if err != nil {
		return fmt.Errorf("highlighting the code: %w", err)
	}
	if err := formatters.TTY256.Format(out, codeStyle, tokens); err != nil {
		return fmt.Errorf("highlighting the code: %w", err)
	}
	return nil
}
