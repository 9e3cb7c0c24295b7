// Package lockout counts failures per key (a login's email and address, a
// source address sending bad credentials) and locks a key out once it has
// too many. Two implementations share one contract: in-process for the
// embedded default, Redis for a fleet of backends, so that a lockout on one
// replica holds on all of them.
package lockout

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Policy says when a key is locked out: Max attempts within Window lock it
// for Lockout; after that it counts afresh.
type Policy struct {
	Max     int
	Window  time.Duration
	Lockout time.Duration
}

// Decision is the answer to one attempt.
type Decision struct {
	// Allowed is false while the key is locked out.
	Allowed bool
	// RetryAfter is the time left in the lockout when not allowed.
	RetryAfter time.Duration
	// Refused counts the attempts refused in the current lockout, this one
	// included: 1 for the first, so a caller can report a flood once.
	Refused int
}

// Limiter counts attempts per key. Attempts are counted when they start, so
// parallel guesses cannot overshoot the limit while they are being checked.
type Limiter interface {
	// Attempt records an attempt of key and says whether it may proceed.
	// The attempt that reaches Max is still allowed; the next ones are not.
	Attempt(ctx context.Context, key string) (Decision, error)
	// Reset forgets key's attempts (a successful sign-in).
	Reset(ctx context.Context, key string) error
}

// New returns a Redis limiter named name when client is set, otherwise an
// in-process one; now is the clock (nil: time.Now in process, Redis's own
// clock in Redis; tests pass one to move time).
func New(client redis.Cmdable, prefix, name string, p Policy, now func() time.Time) Limiter {
	if client == nil {
		return NewMemory(p, now)
	}
	return NewRedis(client, prefix+"lockout:"+name+":", p, now)
}
