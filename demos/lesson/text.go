package lesson

import (
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The lessons' words, one catalogue per language: text/en.json,
// text/zh.json. Each maps a lesson's name to its title and explanations.
//
//go:embed text/*.json
var catalogues embed.FS

// Text is what a lesson says, in one language.
type Text struct {
	Title    string `json:"title"`
	Before   string `json:"before,omitempty"`   // what to watch, before the run
	After    string `json:"after,omitempty"`    // what happened and why, after an aio run
	AfterGo  string `json:"after_go,omitempty"` // what the go style showed
	Question string `json:"question,omitempty"` // the tour's prediction question
}

// Languages are the languages of the catalogues, the default first.
var Languages = []string{"en", "zh"}

// catalogue is one language's file: the labels of the program's own
// output (headings, totals, the tour's words) and each lesson's text.
type catalogue struct {
	Labels  map[string]string `json:"labels"`
	Lessons map[string]Text   `json:"lessons"`
}

// parsedCatalogues holds each language's catalogue, parsed from the
// embedded files the first time one is needed: building the command tree
// asks for texts a dozen times, and start-up must stay fast.
var parsedCatalogues = sync.OnceValue(func() map[string]catalogue {
	m := map[string]catalogue{}
	for _, lang := range Languages {
		if c, err := parseCatalogue(lang); err == nil {
			m[lang] = c
		}
	}
	return m
})

func readCatalogue(lang string) (catalogue, error) {
	if c, ok := parsedCatalogues()[lang]; ok {
		return c, nil
	}
	return parseCatalogue(lang) // reports what is wrong
}

func parseCatalogue(lang string) (catalogue, error) {
	data, err := catalogues.ReadFile("text/" + lang + ".json")
	if err != nil {
		return catalogue{}, fmt.Errorf("no texts in language %q (have %s)", lang, strings.Join(Languages, ", "))
	}
	var c catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return catalogue{}, fmt.Errorf("reading the %s texts: %w", lang, err)
	}
	return c, nil
}

// Catalogue returns every lesson's text in lang.
func Catalogue(lang string) (map[string]Text, error) {
	c, err := readCatalogue(lang)
	return c.Lessons, err
}

// Labels returns the labels of the program's own output in lang, falling
// back to English for any it lacks.
func Labels(lang string) map[string]string {
	en, _ := readCatalogue("en")
	labels := map[string]string{}
	for k, v := range en.Labels {
		labels[k] = v
	}
	if c, err := readCatalogue(lang); err == nil {
		for k, v := range c.Labels {
			labels[k] = v
		}
	}
	return labels
}

// Describe returns the lesson's Info with its texts in lang, falling back
// to English for a text the language lacks.
func Describe(l Lesson, lang string) Info {
	info := l.Info()
	en, _ := Catalogue("en")
	t := en[info.Name]
	if lang != "en" {
		if texts, err := Catalogue(lang); err == nil {
			local := texts[info.Name]
			t.Title = or(local.Title, t.Title)
			t.Before = or(local.Before, t.Before)
			t.After = or(local.After, t.After)
			t.AfterGo = or(local.AfterGo, t.AfterGo)
			t.Question = or(local.Question, t.Question)
		}
	}
	if texter, ok := l.(Texter); ok {
		fill := strings.NewReplacer(placeholders(texter.TextValues(Labels(lang)))...).Replace
		t.Title, t.Before, t.After, t.AfterGo = fill(t.Title), fill(t.Before), fill(t.After), fill(t.AfterGo)
	}
	info.Title, info.Before, info.After, info.AfterGo = t.Title, t.Before, t.After, t.AfterGo
	info.QuestionText = t.Question
	return info
}

// A Texter is a lesson whose texts name values that its flags change, such
// as gather's durations: its catalogue texts hold placeholders such as
// {durations}, and TextValues returns each one's value for the flags as
// they are, in the language of labels.
type Texter interface {
	TextValues(labels map[string]string) map[string]string
}

// placeholders turns values into strings.NewReplacer's pairs: "{name}",
// value.
func placeholders(values map[string]string) []string {
	var pairs []string
	for k, v := range values {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return pairs
}

// ListOf joins items as the language lists them: "1, 2 and 4", "1、2、4".
func ListOf(labels map[string]string, items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], labels["list_sep"]) + labels["list_last"] + items[len(items)-1]
}

// CountOf writes n as the language does in prose: "three", "三"; digits
// past ten.
func CountOf(labels map[string]string, n int) string {
	if words := strings.Split(labels["number_words"], ","); n >= 0 && n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}

// Capitalized returns s with its first letter upper-case, for a sentence
// that starts with a placeholder.
func Capitalized(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

func or(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

// LangFromEnv picks the language from LC_ALL, then LC_MESSAGES, then LANG,
// as programs do: Chinese for zh_*, English otherwise.
func LangFromEnv(getenv func(string) string) string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if val := getenv(v); val != "" {
			if strings.HasPrefix(val, "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}
