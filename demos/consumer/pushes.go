package consumer

import (
	"fmt"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
)

// What the texts of lessons 10 to 12 say is pushed onto the queue.

// Pushes says who pushes what: the tutorial's script, in the lesson's own
// words (the label named by tutorial); the --messages given, one a second;
// or nobody, when the queue is a Redis of the user's.
func (f *Flags) Pushes(labels map[string]string, tutorial string, script []Push) string {
	if f.External() {
		return labels["pushes_none"]
	}
	if f.Messages == nil || sameValues(f.Messages, script) {
		return labels[tutorial]
	}
	return fmt.Sprintf(labels["pushes_each_second"], lesson.ListOf(labels, f.Messages))
}
