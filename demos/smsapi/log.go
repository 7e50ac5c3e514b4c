package smsapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Logged returns h, calling log once each request to it is over: the
// request, how long it took, and the status it was answered with (0 when
// the client went away before an answer). A second terminal running the
// API then shows each call as it is answered.
func Logged(h http.Handler, log func(r *http.Request, took time.Duration, status int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() { log(r, time.Since(start), sw.answered()) }()
		h.ServeHTTP(sw, r)
	})
}

// LogLine is how a request is logged: "GET /5 → 200 after 5.00 s", or
// "GET /5 → the client went away after 2.00 s".
func LogLine(r *http.Request, took time.Duration, status int) string {
	answer := strconv.Itoa(status)
	if status == 0 {
		answer = "the client went away"
	}
	// The escaped path: what a client sends cannot act on the terminal. A
	// no-break space keeps the figure and its unit on one line.
	return fmt.Sprintf("%s %s → %s after %.2f\u00a0s", r.Method, r.URL.EscapedPath(), answer, took.Seconds())
}

// statusWriter notes the status a handler answers with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// answered is the status answered, 0 if none was.
func (w *statusWriter) answered() int { return w.status }
