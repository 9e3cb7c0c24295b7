package iamimpl

import (
	"sync"
	"time"
)

// loginLimiter counts failed logins per email and source address, in
// memory: after max failures the pair is locked out for lockout. Attempts
// are counted when they start, so parallel guesses cannot overshoot the
// limit while the password hashes are being compared.
//
// With several backend replicas each keeps its own count; a shared store
// (Redis) can replace it behind the same methods.
type loginLimiter struct {
	mu      sync.Mutex
	max     int
	lockout time.Duration
	// window forgets failures older than this.
	window  time.Duration
	entries map[string]*loginAttempts
}

type loginAttempts struct {
	count       int
	first       time.Time
	lockedUntil time.Time
}

// maxLimiterEntries bounds memory; stale entries are pruned beyond it.
const maxLimiterEntries = 10000

func newLoginLimiter(maxFailures int, lockout time.Duration) *loginLimiter {
	return &loginLimiter{max: maxFailures, lockout: lockout, window: 15 * time.Minute, entries: map[string]*loginAttempts{}}
}

// begin records an attempt for key and reports whether it may proceed.
func (l *loginLimiter) begin(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.entries[key]
	if a != nil && now.Before(a.lockedUntil) {
		return false
	}
	if a == nil || now.Sub(a.first) > l.window || !a.lockedUntil.IsZero() {
		// New, stale, or its lockout is over: start counting afresh.
		if len(l.entries) >= maxLimiterEntries {
			l.prune(now)
		}
		a = &loginAttempts{first: now}
		l.entries[key] = a
	}
	a.count++
	if a.count >= l.max {
		a.lockedUntil = now.Add(l.lockout)
	}
	return true
}

// succeeded forgets key's failures.
func (l *loginLimiter) succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

func (l *loginLimiter) prune(now time.Time) {
	for k, a := range l.entries {
		if now.After(a.lockedUntil) && now.Sub(a.first) > l.window {
			delete(l.entries, k)
		}
	}
}
