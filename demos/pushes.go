package demos

import "fmt"

// What the texts of lessons 10 to 12 say is pushed onto the queue.

// pushes says who pushes what: the tutorial's script, in the lesson's own
// words (the label named by tutorial); the --messages given, one a second;
// or nobody, when the queue is a Redis of the user's.
func (f *redisFlags) pushes(labels map[string]string, tutorial string, script []push) string {
	if f.URL != "" || hasRedisURL() {
		return labels["pushes_none"]
	}
	if f.Messages == nil || sameValues(f.Messages, script) {
		return labels[tutorial]
	}
	return fmt.Sprintf(labels["pushes_each_second"], listOf(labels, f.Messages))
}

// TextValues implements Texter.
func (q *queueLesson) TextValues(labels map[string]string) map[string]string {
	return map[string]string{"pushes": q.redis.pushes(labels, "pushes_queue", queueScript)}
}

// TextValues implements Texter.
func (s *smsLesson) TextValues(labels map[string]string) map[string]string {
	return map[string]string{"pushes": s.redis.pushes(labels, "pushes_sms", smsScript)}
}

// TextValues implements Texter.
func (w *workersLesson) TextValues(labels map[string]string) map[string]string {
	return map[string]string{"pushes": w.redis.pushes(labels, "pushes_queue", queueScript)}
}
