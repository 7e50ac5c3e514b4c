package demos

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/lesson"
	"github.com/asyncdemo/asyncdemo/timing"
)

// smsRun is a run of the sms lesson for its closing words: each message a
// span (start, end, state), and the lines the run printed, by task.
func smsRun(spans []timing.Span, lines ...[2]string) timing.Run {
	run := timing.Run{Name: "sms", Spans: spans}
	for i, l := range lines {
		run.Events = append(run.Events, timing.Event{Kind: timing.KindEvent, T: time.Duration(i) * time.Millisecond, Task: l[0], Text: l[1]})
	}
	return run
}

// TestSMSClosingWordsFollowTheRun: what sms says after its run is what the
// run did, counted from it: sent, not sent (with what the alarm answered),
// poison, or nothing at all; never "three requests in flight" after a run
// in which every call failed.
func TestSMSClosingWordsFollowTheRun(t *testing.T) {
	s := time.Second
	five, one := "do_some_work(5)", "do_some_work(1)"
	for _, c := range []struct {
		name        string
		run         timing.Run
		has, hasNot []string
	}{
		{"the tutorial's run", smsRun(
			[]timing.Span{{Task: five, Start: 0, End: 5 * s, State: "done"}, {Task: one, Start: s / 5, End: 6 * s / 5, State: "done"}, {Task: one, Start: 2 * s / 5, End: 7 * s / 5, State: "done"}},
			[2]string{one, "Done 1"}, [2]string{one, "Done 1"}, [2]string{five, "Done 5"}),
			[]string{"The HTTP calls overlapped: do_some_work(1), sent at 0.20\u00a0s, was answered at 1.20\u00a0s, while do_some_work(5), sent at 0.000\u00a0s, was still waiting; 3 messages were in flight at once.",
				"--timeout smaller than a message shows the failure path"},
			[]string{"could not be sent", "{", "was sent at 1.20"}},
		{"every call failed, the alarm too (nothing answered)", smsRun(
			[]timing.Span{{Task: one, Start: 0, End: 3 * s, State: "error"}, {Task: one, Start: s / 5, End: 3 * s, State: "error"}},
			[2]string{one, "calling /error, the alarm"}, [2]string{one, "the alarm failed too: GET /error: refused"},
			[2]string{one, "calling /error, the alarm"}, [2]string{one, "the alarm failed too: GET /error: refused"}),
			[]string{"No message was sent in this run. 2 messages could not be sent: each raised the alarm, GET /error (it failed too), and went to queue:dead with the reason."},
			[]string{"overlapped", "in flight at once", "--timeout smaller"}},
		{"one sent, one timed out and the alarm answered", smsRun(
			[]timing.Span{{Task: five, Start: 0, End: 9 * s, State: "error"}, {Task: one, Start: s / 5, End: 6 * s / 5, State: "done"}},
			[2]string{one, "Done 1"}, [2]string{five, "calling /error, the alarm"}, [2]string{five, "error!"}),
			[]string{"do_some_work(1), sent at 0.20\u00a0s, was answered at 1.20\u00a0s", "1 message could not be sent: it raised the alarm, GET /error (it answered)"},
			[]string{"failed too", "--timeout smaller"}},
		{"alarms answered and failed", smsRun(nil,
			[2]string{five, "calling /error, the alarm"}, [2]string{five, "error!"},
			[2]string{one, "calling /error, the alarm"}, [2]string{one, "the alarm failed too: x"}),
			[]string{"(it answered 1 of the 2 calls and failed the others)"}, nil},
		{"a poison message, one sent alone", smsRun(
			[]timing.Span{{Task: one, Start: s, End: 2 * s, State: "done"}},
			[2]string{"", `poison message "x": not a positive whole number; moved to queue:dead`}, [2]string{one, "Done 1"}),
			[]string{"1 message sent, with no other in flight", "1 poison message, not a whole number"},
			[]string{"overlapped:", "No message was worked on"}},
		{"nothing came", smsRun(nil),
			[]string{"No message was worked on in this run"}, []string{"sent", "overlapped"}},
	} {
		for _, style := range []lesson.Style{lesson.StyleAio, lesson.StyleGo} {
			t.Run(c.name+" "+string(style), func(t *testing.T) {
				l := &smsLesson{}
				e := &lesson.Env{Style: style, Labels: lesson.Labels("en"), Runs: []timing.Run{c.run}}
				text := lesson.AfterText(l, lesson.Describe(l, "en"), e)
				for _, want := range c.has {
					if style == lesson.StyleGo && strings.HasPrefix(want, "--timeout") {
						continue // the go style's words do not teach the failure path
					}
					if !strings.Contains(text, want) {
						t.Errorf("want %q in:\n%s", want, text)
					}
				}
				for _, not := range append(c.hasNot, "three requests in flight", "(s)") {
					if strings.Contains(text, not) {
						t.Errorf("%q in:\n%s", not, text)
					}
				}
				// The same, in Chinese: every placeholder filled.
				e.Labels = lesson.Labels("zh")
				if zh := lesson.AfterText(l, lesson.Describe(l, "zh"), e); strings.ContainsAny(zh, "{}") {
					t.Errorf("a placeholder left in:\n%s", zh)
				}
			})
		}
	}
}

// The alarm's deadline is its own: twice what /error takes, or --timeout
// if that is longer; none with none.
func TestSMSAlarmHasADeadlineOfItsOwn(t *testing.T) {
	for timeout, want := range map[float64]float64{0: 0, 0.5: 6, 2: 6, 6: 6, 10: 10} {
		if got := smsAlarmTimeout(timeout); got != want {
			t.Errorf("--timeout %v: the alarm's deadline is %v s, want %v", timeout, got, want)
		}
	}
}

// timeout is a network error that timed out, as net/http's client gives
// one: its words are the client's, not a learner's.
type timeout struct{}

func (timeout) Error() string {
	return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
}
func (timeout) Timeout() bool   { return true }
func (timeout) Temporary() bool { return true }

// TestSMSCallErrorSaysATimeoutInPlainWords: a call that got no answer
// within --timeout is said as what happened, in the lesson's seconds
// ("GET /5 timed out after 2 s"), not in net/http's words, and not with
// the real, scaled, time; it still wraps the client's error. Other errors
// keep their words: they name what the client met.
func TestSMSCallErrorSaysATimeoutInPlainWords(t *testing.T) {
	client := &url.Error{Op: "Get", URL: "http://127.0.0.1:1/5", Err: timeout{}}
	err := smsCallError(client, "/5", 2)
	if got := err.Error(); got != "GET /5 timed out after 2 s" {
		t.Errorf("a timeout says %q", got)
	}
	if !errors.Is(err, client) {
		t.Errorf("the client's error is lost: %v", errors.Unwrap(err))
	}
	if got := smsCallError(client, "/error", smsAlarmTimeout(0.5)).Error(); got != "GET /error timed out after 6 s" {
		t.Errorf("the alarm's timeout says %q", got)
	}
	refused := errors.New(`GET /5: Get "http://127.0.0.1:1/5": dial tcp 127.0.0.1:1: connect: connection refused`)
	if err := smsCallError(refused, "/5", 2); err != refused {
		t.Errorf("a refused call became %v", err)
	}
	if err := smsCallError(nil, "/5", 2); err != nil {
		t.Errorf("no error became %v", err)
	}
}
