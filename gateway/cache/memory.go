package cache

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Memory is the in-process Store: one LRU per stage, bounded by the
// stage's budget in bytes (key and value lengths), with entries expiring by
// their TTL on the next read. It is safe for concurrent use.
type Memory struct {
	now func() time.Time

	mu     sync.Mutex
	stages map[string]*lru
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-process store. now is the clock (time.Now
// when nil); tests pass their own to expire entries.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, stages: make(map[string]*lru)}
}

type lru struct {
	items map[string]*list.Element
	order list.List // front is the most recently used
	bytes int64
}

type memEntry struct {
	key     string
	val     []byte
	expires time.Time
}

func entrySize(key string, val []byte) int64 { return int64(len(key) + len(val)) }

// Get implements Store.
func (m *Memory) Get(_ context.Context, stage, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.stages[stage]
	if l == nil {
		return nil, false, nil
	}
	el := l.items[key]
	if el == nil {
		return nil, false, nil
	}
	e := el.Value.(*memEntry)
	if !m.now().Before(e.expires) {
		l.remove(el)
		return nil, false, nil
	}
	l.order.MoveToFront(el)
	return e.val, true, nil
}

// Set implements Store. Older entries of the stage are evicted, least
// recently used first, to make room; an entry larger than the whole budget
// is not stored.
func (m *Memory) Set(_ context.Context, stage, key string, val []byte, ttl time.Duration, budget int64) error {
	size := entrySize(key, val)
	if ttl <= 0 || (budget > 0 && size > budget) {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.stages[stage]
	if l == nil {
		l = &lru{items: make(map[string]*list.Element)}
		m.stages[stage] = l
	}
	if el := l.items[key]; el != nil {
		l.remove(el)
	}
	for budget > 0 && l.bytes+size > budget {
		l.remove(l.order.Back())
	}
	e := &memEntry{key: key, val: val, expires: m.now().Add(ttl)}
	l.items[key] = l.order.PushFront(e)
	l.bytes += size
	return nil
}

func (l *lru) remove(el *list.Element) {
	e := el.Value.(*memEntry)
	l.order.Remove(el)
	delete(l.items, e.key)
	l.bytes -= entrySize(e.key, e.val)
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, stage, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.stages[stage]; l != nil {
		if el := l.items[key]; el != nil {
			l.remove(el)
		}
	}
	return nil
}

// Flush implements Store: the stage's LRU is dropped as a whole.
func (m *Memory) Flush(_ context.Context, stage string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.stages, stage)
	return nil
}

// Bytes is how many bytes the stage's entries take (for tests and
// metrics).
func (m *Memory) Bytes(stage string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.stages[stage]; l != nil {
		return l.bytes
	}
	return 0
}
