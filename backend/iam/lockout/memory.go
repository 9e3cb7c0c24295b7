package lockout

import (
	"context"
	"sync"
	"time"
)

// maxEntries bounds memory; stale entries are pruned beyond it.
const maxEntries = 10000

// Memory is the in-process Limiter: each process keeps its own counts.
type Memory struct {
	mu      sync.Mutex
	p       Policy
	now     func() time.Time
	entries map[string]*entry
}

type entry struct {
	count       int
	first       time.Time
	lockedUntil time.Time
	refused     int
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns an in-process limiter; now nil is time.Now.
func NewMemory(p Policy, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{p: p, now: now, entries: map[string]*entry{}}
}

// Attempt implements Limiter.
func (m *Memory) Attempt(_ context.Context, key string) (Decision, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entries[key]
	if e != nil && now.Before(e.lockedUntil) {
		e.refused++
		return Decision{RetryAfter: e.lockedUntil.Sub(now), Refused: e.refused}, nil
	}
	if e == nil || now.Sub(e.first) > m.p.Window || !e.lockedUntil.IsZero() {
		// New, stale, or its lockout is over: count afresh.
		if len(m.entries) >= maxEntries {
			m.prune(now)
		}
		e = &entry{first: now}
		m.entries[key] = e
	}
	e.count++
	if e.count >= m.p.Max {
		e.lockedUntil = now.Add(m.p.Lockout)
	}
	return Decision{Allowed: true}, nil
}

// Reset implements Limiter.
func (m *Memory) Reset(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, key)
	return nil
}

func (m *Memory) prune(now time.Time) {
	for k, e := range m.entries {
		if now.After(e.lockedUntil) && now.Sub(e.first) > m.p.Window {
			delete(m.entries, k)
		}
	}
}
