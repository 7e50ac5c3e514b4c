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

// Client calls the API, sharing one http.Client (and its connections)
// between all calls.
type Client struct {
	http *http.Client
	base string
}

// NewClient returns a client of the API at base (http://host:port), whose
// calls give up after timeout. At most maxConns connections are open at
// once: an unbounded fan-out can exhaust the file descriptors.
func NewClient(base string, timeout time.Duration, maxConns int) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = maxConns
	tr.MaxIdleConnsPerHost = maxConns
	return &Client{http: &http.Client{Timeout: timeout, Transport: tr}, base: strings.TrimSuffix(base, "/")}
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

// Get calls GET <base><path>. An answer other than 2xx is an error too, a
// *StatusError, after the response, which is still returned.
func (c *Client) Get(ctx context.Context, path string) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return Response{}, fmt.Errorf("GET %s: %w", path, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("GET %s: %w", path, err)
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

// CloseIdleConnections closes the client's idle connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
