package exercise

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
)

// Text is what an exercise says, in one language: ex/NAME/LANG.md.
type Text struct {
	Title       string   // a few words: "Three downloads at once"
	Task        string   // what to do
	Hints       []string // given one at a time, the gentlest first
	Explanation string   // why the model solution works, shown with it
}

// Text returns e's text in lang, falling back to English for what the
// language lacks.
func (e *Exercise) Text(lang string) Text {
	en := parseText(e.read("en.md"))
	if lang == "en" {
		return en
	}
	b, err := files.ReadFile(path.Join(e.dir(), lang+".md"))
	if err != nil {
		return en
	}
	t := parseText(b)
	if t.Title == "" {
		t.Title = en.Title
	}
	if t.Task == "" {
		t.Task = en.Task
	}
	if len(t.Hints) == 0 {
		t.Hints = en.Hints
	}
	if t.Explanation == "" {
		t.Explanation = en.Explanation
	}
	return t
}

// parseText reads an exercise's text: "# Title", the task, then sections
// "## Hint" (each one hint) and "## Explanation". A paragraph's lines are
// joined into one; paragraphs stay apart.
func parseText(b []byte) Text {
	var t Text
	section, buf := "task", []string{}
	flush := func() {
		text := paragraphs(buf)
		switch section {
		case "task":
			t.Task = text
		case "hint":
			if text != "" {
				t.Hints = append(t.Hints, text)
			}
		case "explanation":
			t.Explanation = text
		}
		buf = buf[:0]
	}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "# ") && t.Title == "":
			t.Title = strings.TrimSpace(line[2:])
		case strings.HasPrefix(line, "## "):
			flush()
			section = strings.ToLower(strings.TrimSpace(line[3:]))
		default:
			buf = append(buf, line)
		}
	}
	flush()
	return t
}

// paragraphs joins lines into paragraphs, blank lines between them; a line
// that starts with four spaces is code and stays as it is.
func paragraphs(lines []string) string {
	var paras []string
	var cur []string
	code := false
	end := func() {
		if len(cur) > 0 {
			if code {
				paras = append(paras, strings.Join(cur, "\n"))
			} else {
				paras = append(paras, joinProse(cur))
			}
		}
		cur, code = nil, false
	}
	for _, l := range lines {
		isCode := strings.HasPrefix(l, "    ")
		switch {
		case strings.TrimSpace(l) == "":
			end()
		case isCode != code && len(cur) > 0:
			end()
			code = isCode
			cur = append(cur, strings.TrimRight(l, " "))
		default:
			code = isCode
			if isCode {
				cur = append(cur, strings.TrimRight(l, " "))
			} else {
				cur = append(cur, strings.TrimSpace(l))
			}
		}
	}
	end()
	return strings.Join(paras, "\n\n")
}

// joinProse joins a paragraph's lines with a space, or none between two
// lines of Chinese.
func joinProse(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			last, _ := utf8.DecodeLastRuneInString(b.String())
			first, _ := utf8.DecodeRuneInString(l)
			if !wide(last) && !wide(first) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

// wide reports whether r is Chinese, or Chinese punctuation.
func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// labels are the words of the checks' output, one map per language:
// text/LANG.json, over the lessons' labels (lists, numbers).
//
//go:embed text/*.json
var labelFiles embed.FS

var parsedLabels = sync.OnceValue(func() map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, lang := range lesson.Languages {
		b, err := labelFiles.ReadFile("text/" + lang + ".json")
		if err != nil {
			continue
		}
		var l map[string]string
		if err := json.Unmarshal(b, &l); err != nil {
			panic(fmt.Sprintf("exercise: text/%s.json: %v", lang, err)) // a test reads them
		}
		m[lang] = l
	}
	return m
})

// Labels returns the words of the exercises' output in lang, falling back
// to English for any it lacks, over the lessons' labels.
func Labels(lang string) map[string]string {
	out := map[string]string{}
	for k, v := range lesson.Labels(lang) {
		out[k] = v
	}
	all := parsedLabels()
	for k, v := range all["en"] {
		out[k] = v
	}
	for k, v := range all[lang] {
		out[k] = v
	}
	return out
}

// explainLabels are the lessons' labels, which explain's findings use.
func explainLabels(lang string) map[string]string { return lesson.Labels(lang) }
