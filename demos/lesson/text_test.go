package lesson

import "testing"

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
