// Package lockouttest is the contract every lockout.Limiter meets; the
// in-process and Redis implementations run it alike.
package lockouttest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/iam/lockout"
)

// Clock is a clock tests move by hand.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at a fixed instant.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Factory returns a fresh, empty limiter with policy p and clock now.
type Factory func(t *testing.T, p lockout.Policy, now func() time.Time) lockout.Limiter

// Run checks the contract on limiters made by newLimiter.
func Run(t *testing.T, newLimiter Factory) {
	p := lockout.Policy{Max: 3, Window: 15 * time.Minute, Lockout: time.Minute}
	ctx := context.Background()
	attempt := func(t *testing.T, l lockout.Limiter, key string) lockout.Decision {
		t.Helper()
		d, err := l.Attempt(ctx, key)
		require.NoError(t, err)
		return d
	}

	t.Run("locks out after max attempts for the lockout", func(t *testing.T) {
		clock := NewClock()
		l := newLimiter(t, p, clock.Now)
		for range 3 {
			assert.True(t, attempt(t, l, "k").Allowed)
		}
		d := attempt(t, l, "k")
		assert.False(t, d.Allowed)
		assert.Equal(t, time.Minute, d.RetryAfter)
		assert.Equal(t, 1, d.Refused)
		assert.True(t, attempt(t, l, "other").Allowed)

		clock.Advance(59 * time.Second)
		d = attempt(t, l, "k")
		assert.False(t, d.Allowed)
		assert.Equal(t, time.Second, d.RetryAfter)
		assert.Equal(t, 2, d.Refused)

		clock.Advance(2 * time.Second)
		assert.True(t, attempt(t, l, "k").Allowed, "the lockout is over: counting afresh")
		assert.True(t, attempt(t, l, "k").Allowed)
		assert.True(t, attempt(t, l, "k").Allowed)
		d = attempt(t, l, "k")
		assert.False(t, d.Allowed)
		assert.Equal(t, 1, d.Refused, "a new lockout counts its refusals afresh")
	})

	t.Run("reset forgets attempts", func(t *testing.T) {
		l := newLimiter(t, p, NewClock().Now)
		for range 3 {
			attempt(t, l, "k")
		}
		require.NoError(t, l.Reset(ctx, "k"))
		for range 3 {
			assert.True(t, attempt(t, l, "k").Allowed)
		}
		assert.False(t, attempt(t, l, "k").Allowed)
		require.NoError(t, l.Reset(ctx, "never-seen"))
	})

	t.Run("attempts older than the window are forgotten", func(t *testing.T) {
		clock := NewClock()
		l := newLimiter(t, p, clock.Now)
		attempt(t, l, "k")
		attempt(t, l, "k")
		clock.Advance(16 * time.Minute)
		attempt(t, l, "k")
		attempt(t, l, "k")
		assert.True(t, attempt(t, l, "k").Allowed)
		assert.False(t, attempt(t, l, "k").Allowed)
	})

	t.Run("parallel attempts do not overshoot", func(t *testing.T) {
		l := newLimiter(t, p, NewClock().Now)
		var mu sync.Mutex
		allowed := 0
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				d, err := l.Attempt(ctx, "k")
				assert.NoError(t, err)
				if d.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 3, allowed)
	})
}
