package demos

import (
	"strings"
	"testing"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// TestWorkersClosingWordsSpeakAsyncio: the words after workers, for the
// Python learner (the aio style), named a Go API (Queue.AckTake in
// asyncdemo's redisqueue package) for sending the ack with the next take;
// they say it in Redis's and redis.asyncio's terms, in English and
// Chinese.
func TestWorkersClosingWordsSpeakAsyncio(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		l := &workersLesson{}
		e := &lesson.Env{Style: lesson.StyleAio, Labels: lesson.Labels(lang), Runs: []timing.Run{{Name: "workers"}}}
		text := lesson.AfterText(l, lesson.Describe(l, lang), e)
		for _, not := range []string{"AckTake", "redisqueue", "{"} {
			if strings.Contains(text, not) {
				t.Errorf("%s: %q in:\n%s", lang, not, text)
			}
		}
		for _, want := range []string{"redis.asyncio", "pipeline", "LREM", "LMOVE", "Lua", "EVALSHA"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: no %q in:\n%s", lang, want, text)
			}
		}
	}
}
