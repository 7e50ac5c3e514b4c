package demos

import "testing"

// TestEveryLessonSpeaksEveryLanguage fails when a lesson lacks a text in a
// language, or a catalogue has a lesson that does not exist.
func TestEveryLessonSpeaksEveryLanguage(t *testing.T) {
	names := map[string]bool{}
	for _, l := range All() {
		names[l.Info().Name] = true
	}
	for _, lang := range Languages {
		texts, err := Catalogue(lang)
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

func TestLangFromEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "en"},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, "zh"},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"},
		{map[string]string{"LC_MESSAGES": "zh_TW"}, "zh"},
		{map[string]string{"LANG": "en_GB.UTF-8"}, "en"},
	}
	for _, c := range cases {
		if got := LangFromEnv(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %s, want %s", c.env, got, c.want)
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

// TestEveryLanguageHasEveryLabel fails when a language lacks a label the
// English catalogue has.
func TestEveryLanguageHasEveryLabel(t *testing.T) {
	en, err := readCatalogue("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		c, err := readCatalogue(lang)
		if err != nil {
			t.Fatal(err)
		}
		for k := range en.Labels {
			if c.Labels[k] == "" {
				t.Errorf("%s: no label %q", lang, k)
			}
		}
	}
}
