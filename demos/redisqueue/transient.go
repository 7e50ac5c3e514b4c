package redisqueue

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Transient reports whether err, from a call to Redis, is an outage: Redis
// could not be reached or could not serve the call for now, and the same
// call, sent again unchanged, may well succeed later. A consumer retries
// such an error. Any other error is Redis's answer to this call, which
// retrying does not change until someone changes the data or the
// configuration: a consumer reports it once and leaves the message where it
// is (in its processing list, for the next run).
//
// Transient:
//   - the network: any net.Error (connection refused or reset, a timeout,
//     a name that did not resolve), and io.EOF or io.ErrUnexpectedEOF
//     (the server closed the connection);
//   - go-redis's pool: ErrPoolTimeout and ErrPoolExhausted (every
//     connection busy);
//   - the server's state, which passes: LOADING (it is reading its data
//     after a restart), BUSY (a script runs too long), READONLY (a
//     replica, as during a failover; go-redis redials), MASTERDOWN,
//     TRYAGAIN, CLUSTERDOWN, NOREPLICAS, "ERR max number of clients
//     reached"; and OOM (maxmemory reached) and MISCONF (writes refused
//     after a failed snapshot), which stop every write until memory or
//     disk is freed, as an outage does, whatever the message.
//
// Not transient, and so not retried:
//   - errors about the data: WRONGTYPE (such as a dead-letter key that
//     holds a string), BUSYKEY;
//   - errors about rights and configuration: NOPERM, NOAUTH, WRONGPASS;
//     NOSCRIPT (go-redis already sends EVAL when a script is not cached:
//     a NOSCRIPT that comes back is not one that a retry fixes);
//   - errors about the call: ERR (unknown command, wrong number of
//     arguments, a script's runtime error), EXECABORT, and any other
//     error reply;
//   - redis.ErrClosed: this program closed the client;
//   - a context that ended (context.Canceled, context.DeadlineExceeded, not
//     as a network timeout): the caller stopping, which a retry must not
//     undo;
//   - redis.Nil and ErrEmpty, which are answers, not failures; and nil.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var reply redis.Error
	if errors.As(err, &reply) {
		msg := reply.Error()
		code, _, _ := strings.Cut(msg, " ")
		switch code {
		case "LOADING", "BUSY", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "OOM", "MISCONF":
			return true
		}
		return strings.HasPrefix(msg, "ERR max number of clients reached")
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	// A dial that timed out is also a context.DeadlineExceeded, and a
	// context's deadline is also a net.Error (it has Timeout and
	// Temporary): a net.OpError is an operation on the network that failed.
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, redis.ErrPoolTimeout) || errors.Is(err, redis.ErrPoolExhausted)
}
