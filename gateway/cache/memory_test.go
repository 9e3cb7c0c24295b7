package cache_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/cache/cachetest"
)

func TestMemoryContract(t *testing.T) {
	cachetest.Run(t, func(*testing.T) cache.Store { return cache.NewMemory(nil) })
}

// clock is a controllable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemoryTTL(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Unix(1_700_000_000, 0)}
	m := cache.NewMemory(c.Now)
	require.NoError(t, m.Set(ctx, "s", "k", []byte("v"), 10*time.Second, 0))

	tests := []struct {
		desc    string
		advance time.Duration
		want    bool
	}{
		{desc: "fresh", advance: 0, want: true},
		{desc: "just before expiry", advance: 9 * time.Second, want: true},
		{desc: "at expiry", advance: time.Second, want: false},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			c.Add(test.advance)
			_, ok, err := m.Get(ctx, "s", "k")
			require.NoError(t, err)
			assert.Equal(t, test.want, ok)
		})
	}
	assert.Zero(t, m.Bytes("s"))
}

func TestMemoryEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	m := cache.NewMemory(nil)
	val := make([]byte, 99) // 100 bytes with a one-byte key
	require.NoError(t, m.Set(ctx, "s", "a", val, time.Minute, 300))
	require.NoError(t, m.Set(ctx, "s", "b", val, time.Minute, 300))
	require.NoError(t, m.Set(ctx, "s", "c", val, time.Minute, 300))
	_, _, _ = m.Get(ctx, "s", "a") // a is now the most recently used
	require.NoError(t, m.Set(ctx, "s", "d", val, time.Minute, 300))

	for key, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		_, ok, err := m.Get(ctx, "s", key)
		require.NoError(t, err)
		assert.Equal(t, want, ok, key)
	}
	assert.Equal(t, int64(300), m.Bytes("s"))
}

func TestDecodeRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, {0xff}, {200, 1, 5}} {
		_, err := cache.Decode(b)
		assert.Error(t, err)
	}
}
