// Package smsapi is the tutorial's slow "SMS" HTTP API, and its client.
//
// GET /<x> waits x seconds and answers "<x> It works"; GET /error waits 3
// seconds and answers "error!", the alarm the tutorial calls when sending
// failed. x must be a whole number of seconds from 0; it is capped at the
// server's maximum delay, so that nobody can hold a connection for ever.
package smsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrorDelay is how long GET /error takes, as in the tutorial.
const ErrorDelay = 3 * time.Second

// A Clock scales the API's delays (*timing.Clock is one).
type Clock interface {
	Real(d time.Duration) time.Duration
}

// Handler returns the API. Delays are scaled by clock; asking for more
// than maxDelay is a bad request (400), so that a call never answers "x It
// works" without having taken x; a request whose client goes away stops
// waiting.
func Handler(clock Clock, maxDelay time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /error", func(w http.ResponseWriter, r *http.Request) {
		if wait(r.Context(), clock.Real(ErrorDelay)) {
			io.WriteString(w, "error!")
		}
	})
	mux.HandleFunc("GET /{x}", func(w http.ResponseWriter, r *http.Request) {
		x, err := strconv.Atoi(r.PathValue("x"))
		if err != nil || x < 0 {
			http.Error(w, fmt.Sprintf("x must be a whole number of seconds from 0, not %q", r.PathValue("x")), http.StatusBadRequest)
			return
		}
		if d := time.Duration(x) * time.Second; x > int(maxDelay/time.Second) || d > maxDelay {
			http.Error(w, fmt.Sprintf("x must be at most %v seconds here (the server's --max-delay), not %d", maxDelay.Seconds(), x), http.StatusBadRequest)
			return
		}
		if wait(r.Context(), clock.Real(time.Duration(x)*time.Second)) {
			fmt.Fprintf(w, "%d It works", x)
		}
	})
	return mux
}

// wait waits for d, or until the client has gone; it reports whether the
// whole wait passed.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Serve serves h on l until ctx is done, then shuts down gracefully: it
// stops accepting, lets the requests in progress finish for up to grace,
// and returns.
func Serve(ctx context.Context, l net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving the SMS API: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		srv.Close()
		err = nil // the slow requests were cut off: that is what grace is for
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// ParseURL parses the API's base URL, as --url gives it: http:// or
// https://, with a host. Its path, if it has one, is where the API lives
// (GET /5 is then GET <path>/5), and its query, if it has one, goes with
// every call (a key, say). An error names the URL Redacted.
func ParseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%q is not a URL (want http://HOST:PORT)", Redacted(s))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q is not an http:// or https:// URL (want http://HOST:PORT)", Redacted(s))
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host (want http://HOST:PORT)", Redacted(s))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q has port %s, not one from 1 to 65535", Redacted(s), p)
		}
	}
	return u, nil
}

// URLFlag returns the value of a --url flag, stored in p: a URL that
// ParseURL takes.
func URLFlag(p *string) interface {
	String() string
	Set(string) error
	Type() string
} {
	return urlValue{p}
}

type urlValue struct{ p *string }

func (v urlValue) String() string { return Redacted(*v.p) }
func (v urlValue) Type() string   { return "URL" }
func (v urlValue) Set(s string) error {
	if _, err := ParseURL(s); err != nil {
		return err
	}
	*v.p = s
	return nil
}

// userInfo matches what comes before the host in a URL: the user name and
// password of http://user:password@host, up to the last @ before the
// path, as url.Parse reads it.
var userInfo = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@`)

// Redacted returns the URL s as it may be printed: its user name and
// password replaced by xxxxx, its query and fragment by …, since secrets
// travel there (http://xxxxx@host:5000/send?…). It works on the text, so
// that even a URL that does not parse can be named.
func Redacted(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i+1] + "…"
	}
	return userInfo.ReplaceAllString(s, "${1}xxxxx@")
}

// Client calls the API, sharing one http.Client (and its connections)
// between all calls.
type Client struct {
	http      *http.Client
	base      *url.URL
	onTimeout func(path string)
}

// NewClient returns a client of the API at base (see ParseURL), whose calls
// give up after timeout (0: they wait for ever). At most maxConns
// connections are open at once: an unbounded fan-out can exhaust the file
// descriptors.
func NewClient(base *url.URL, timeout time.Duration, maxConns int) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = maxConns
	tr.MaxIdleConnsPerHost = maxConns
	return &Client{http: &http.Client{Timeout: timeout, Transport: tr}, base: base}
}

// WithTimeout returns a client of the same API, sharing c's connections
// and its OnTimeout function, whose calls give up after timeout (0: they
// wait for ever): a call known to take longer than the others, such as the
// alarm, gets a deadline of its own.
func (c *Client) WithTimeout(timeout time.Duration) *Client {
	hc := *c.http
	hc.Timeout = timeout
	return &Client{http: &hc, base: c.base, onTimeout: c.onTimeout}
}

// CheckPath is what Reachable calls: GET /0, which the API answers at
// once, "0 It works".
const CheckPath = "/0"

// Reachable calls GET CheckPath and returns an error naming the API's URL,
// Redacted, if no answer came within wait: the API is not running there,
// or cannot be reached. Any answer will do, even an error's: something
// answers at that URL, and the calls themselves will say what. It does not
// call OnTimeout's function.
func (c *Client) Reachable(ctx context.Context, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.JoinPath(CheckPath).String(), nil)
	if err == nil {
		hc := *c.http
		hc.Timeout = 0 // ctx's deadline is the one
		var resp *http.Response
		if resp, err = hc.Do(req); err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			return nil
		}
	}
	if uerr, ok := errors.AsType[*url.Error](err); ok {
		err = uerr.Err // the URL is named once, below
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer to GET %s within %v", CheckPath, wait)
	}
	return fmt.Errorf("cannot reach the SMS API at %s: %w", Redacted(c.base.String()), err)
}

// Response is what a call answered.
type Response struct {
	Status int
	Text   string
}

// StatusError is Get's error for an answer other than 2xx. It holds the
// answer, so that a caller that gets only the error (through
// aio.Task.ToThread, say) can still see it.
type StatusError struct {
	Path     string
	Line     string // the status line, e.g. "400 Bad Request"
	Response Response
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: %s: %s", e.Path, e.Line, e.Response.Text)
}

// BadRequest reports whether err is the API's answer that the request
// itself is wrong (4xx): trying it again would fail the same way.
func BadRequest(err error) bool {
	bad, ok := errors.AsType[*StatusError](err)
	return ok && bad.Response.Status/100 == 4
}

// Get calls GET <base><path>: path joined to the base URL's path, its
// query kept. An answer other than 2xx is an error too, a *StatusError,
// after the response, which is still returned. An error names the URL
// Redacted.
func (c *Client) Get(ctx context.Context, path string) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.JoinPath(path).String(), nil)
	if err != nil {
		return Response{}, fmt.Errorf("GET %s: %w", path, redactURL(err))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() && c.onTimeout != nil {
			c.onTimeout(path)
		}
		return Response{}, fmt.Errorf("GET %s: %w", path, redactURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return Response{Status: resp.StatusCode}, fmt.Errorf("GET %s: reading the answer: %w", path, err)
	}
	r := Response{Status: resp.StatusCode, Text: strings.TrimSpace(string(body))}
	if resp.StatusCode/100 != 2 {
		return r, &StatusError{Path: path, Line: resp.Status, Response: r}
	}
	return r, nil
}

// TimeoutError is a call that got no answer within its timeout, in plain
// words for a learner: "GET /5 timed out after 2 s". The HTTP client's
// own words ("context deadline exceeded (Client.Timeout exceeded while
// awaiting headers)") are in Err.
type TimeoutError struct {
	Path  string
	After string // the timeout as the caller counts it, such as "2 s" (a lesson's seconds, not the scaled real time)
	Err   error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("GET %s timed out after %s", e.Path, e.After)
}
func (e *TimeoutError) Unwrap() error { return e.Err }

// TimedOut reports whether err is a call that got no answer within its
// client's timeout.
func TimedOut(err error) bool {
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// OnTimeout sets f to be called with the path of every call that times
// out, before Get returns; f may be called from several goroutines at once.
// It must be set before the first call.
func (c *Client) OnTimeout(f func(path string)) { c.onTimeout = f }

// redactURL returns err with the URL it names, if it is a *url.Error (as
// net/http's are: Get "http://…": …), Redacted.
func redactURL(err error) error {
	if uerr, ok := errors.AsType[*url.Error](err); ok {
		uerr.URL = Redacted(uerr.URL)
	}
	return err
}

// CloseIdleConnections closes the client's idle connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
