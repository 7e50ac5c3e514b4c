package demos

import (
	"strings"
	"testing"
)

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

// TestTextsFollowTheFlags: a lesson's texts name the values its flags
// set, not only the defaults.
func TestTextsFollowTheFlags(t *testing.T) {
	g := &gatherLesson{Durations: []float64{4, 1, 2.5}}
	if got := Describe(g, "en").Title; got != "three tasks of 4, 1 and 2.5 s take about 4 s, not 7.5" {
		t.Errorf("gather 4,1,2.5: %q", got)
	}
	if got := Describe(g, "zh").Title; got != "分别耗时 4、1、2.5 s 的三个任务总共约 4 s，而不是 7.5 s" {
		t.Errorf("gather 4,1,2.5 in zh: %q", got)
	}
	many := &gatherLesson{Durations: []float64{1, 2}, Tasks: 1000}
	if got := Describe(many, "en").Before; !strings.HasPrefix(got, "1000 tasks sleep for 1 and 2 seconds") {
		t.Errorf("gather --tasks 1000: %q", got)
	}
	for _, l := range All() {
		for _, lang := range Languages {
			info := Describe(l, lang)
			for _, text := range []string{info.Title, info.Before, info.After, info.AfterGo} {
				if strings.Contains(text, "{") {
					t.Errorf("%s (%s): a placeholder is left: %q", info.Name, lang, text)
				}
			}
		}
	}
	q := &queueLesson{redis: redisFlags{Messages: []string{"4", "2", "5"}}}
	if got := Describe(q, "en").Before; !strings.HasSuffix(got, "A producer pushes 4, 2 and 5, one a second.") {
		t.Errorf("queue --messages 4,2,5: %q", got)
	}
	q.redis.URL = "redis://127.0.0.1:6379/3"
	if got := Describe(q, "en").Before; !strings.Contains(got, "asyncdemo push --redis") {
		t.Errorf("queue --redis: %q", got)
	}
}
