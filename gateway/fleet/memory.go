package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// MemoryOption configures the in-process bus.
type MemoryOption func(*memory)

// WithClock makes the in-process bus read the time from now instead of
// time.Now, so tests can expire heartbeats without sleeping.
func WithClock(now func() time.Time) MemoryOption {
	return func(m *memory) { m.now = now }
}

// NewMemory returns an in-process, goroutine-safe Bus for the embedded
// default, where the backend and an in-process gateway share one instance.
// Stages are stored as JSON, as the Redis bus stores them, so readers never
// share memory with the publisher or with each other.
func NewMemory(opts ...MemoryOption) Bus {
	m := &memory{
		now:      time.Now,
		stages:   map[string][]byte{},
		gateways: map[string]memberHeartbeat{},
		watchers: map[chan struct{}]struct{}{},
		done:     make(chan struct{}),
		keys:     newMemoryKeys(),
	}
	for _, opt := range opts {
		opt(m)
	}
	return m
}

type memberHeartbeat struct {
	hb        Heartbeat
	expiresAt time.Time
}

type memory struct {
	now func() time.Time

	mu       sync.Mutex
	revision int64
	stages   map[string][]byte
	gateways map[string]memberHeartbeat
	watchers map[chan struct{}]struct{}
	closed   bool
	// done is closed by Close, ending the watchers' goroutines.
	done chan struct{}
	// keys holds API keys, usage plans and tenant limits (memory_keys.go),
	// guarded by mu.
	keys memoryKeys
}

var _ Bus = (*memory)(nil)

func (m *memory) PutStage(ctx context.Context, s *gwconfig.Stage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkStage(s); err != nil {
		return err
	}
	// Copy before setting the revision: the caller's value stays untouched.
	c := *s
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	// As in Redis: the caller's revision if higher, else the next one.
	c.Revision = max(c.Revision, m.revision+1)
	b, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("fleet: encoding stage %s: %w", s.Key(), err)
	}
	m.revision = c.Revision
	m.stages[c.Key()] = b
	m.notifyLocked()
	return nil
}

func (m *memory) DeleteStage(ctx context.Context, apiID, stageName string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	key := gwconfig.StageKey(apiID, stageName)
	if _, ok := m.stages[key]; !ok {
		return nil
	}
	delete(m.stages, key)
	m.notifyLocked()
	return nil
}

func (m *memory) GetStage(ctx context.Context, apiID, stageName string) (*gwconfig.Stage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	b, ok := m.stages[gwconfig.StageKey(apiID, stageName)]
	m.mu.Unlock()
	if !ok {
		return nil, ErrNotFound
	}
	return decodeStage(b)
}

func (m *memory) Stages(ctx context.Context) ([]*gwconfig.Stage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	raw := make([][]byte, 0, len(m.stages))
	for _, b := range m.stages {
		raw = append(raw, b)
	}
	m.mu.Unlock()
	out := make([]*gwconfig.Stage, 0, len(raw))
	for _, b := range raw {
		s, err := decodeStage(b)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sortStages(out)
	return out, nil
}

func (m *memory) Watch(ctx context.Context) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return m.watch(ctx, m.watchers)
}

// watch adds a watcher to set (m.watchers or m.keys.watchers).
func (m *memory) watch(ctx context.Context, set map[chan struct{}]struct{}) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errClosed
	}
	set[ch] = struct{}{}
	m.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
			m.removeWatcher(set, ch)
		case <-m.done:
			// Close has closed ch.
		}
	}()
	return ch, nil
}

// removeWatcher closes ch under the lock, so no send can race the close.
func (m *memory) removeWatcher(set map[chan struct{}]struct{}, ch chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := set[ch]; ok {
		delete(set, ch)
		close(ch)
	}
}

// notifyLocked wakes every stage watcher; a watcher that has not drained
// its last value keeps just that one, which is the documented coalescing.
func (m *memory) notifyLocked() { notifyAll(m.watchers) }

func notifyAll(set map[chan struct{}]struct{}) {
	for ch := range set {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (m *memory) Heartbeat(ctx context.Context, hb Heartbeat, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkHeartbeat(hb); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("fleet: heartbeat ttl must be positive")
	}
	now := m.now()
	if hb.SeenAt.IsZero() {
		hb.SeenAt = now
	}
	hb.Stages = maps.Clone(hb.Stages)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	m.gateways[hb.GatewayID] = memberHeartbeat{hb: hb, expiresAt: now.Add(ttl)}
	return nil
}

func (m *memory) Leave(ctx context.Context, gatewayID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	delete(m.gateways, gatewayID)
	m.mu.Unlock()
	return nil
}

func (m *memory) Gateways(ctx context.Context) ([]Heartbeat, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := m.now()
	m.mu.Lock()
	out := make([]Heartbeat, 0, len(m.gateways))
	for id, g := range m.gateways {
		if !now.Before(g.expiresAt) {
			delete(m.gateways, id)
			continue
		}
		hb := g.hb
		hb.Stages = maps.Clone(hb.Stages)
		out = append(out, hb)
	}
	m.mu.Unlock()
	sortHeartbeats(out)
	return out, nil
}

// Close closes every watch channel; later calls fail.
func (m *memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	close(m.done)
	for _, set := range []map[chan struct{}]struct{}{m.watchers, m.keys.watchers, m.keys.tenantWatchers} {
		for ch := range set {
			delete(set, ch)
			close(ch)
		}
	}
	return nil
}
