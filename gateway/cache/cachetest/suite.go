// Package cachetest is the contract every cache.Store implementation
// passes.
package cachetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/cache"
)

// Run runs the contract against stores made by newStore; each call must
// return a store that shares nothing with earlier ones (a fresh key
// prefix).
func Run(t *testing.T, newStore func(t *testing.T) cache.Store) {
	ctx := context.Background()
	const ttl = time.Minute

	t.Run("miss then hit", func(t *testing.T) {
		s := newStore(t)
		_, ok, err := s.Get(ctx, "t/a/prod", "k")
		require.NoError(t, err)
		assert.False(t, ok)
		require.NoError(t, s.Set(ctx, "t/a/prod", "k", []byte("v1"), ttl, 0))
		v, ok, err := s.Get(ctx, "t/a/prod", "k")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, []byte("v1"), v)
	})

	t.Run("stages are apart", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Set(ctx, "t/a/prod", "k", []byte("prod"), ttl, 0))
		_, ok, err := s.Get(ctx, "t/a/dev", "k")
		require.NoError(t, err)
		assert.False(t, ok)
	})

	t.Run("delete removes one entry", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Set(ctx, "t/a/prod", "k1", []byte("1"), ttl, 0))
		require.NoError(t, s.Set(ctx, "t/a/prod", "k2", []byte("2"), ttl, 0))
		require.NoError(t, s.Delete(ctx, "t/a/prod", "k1"))
		_, ok1, err := s.Get(ctx, "t/a/prod", "k1")
		require.NoError(t, err)
		_, ok2, err := s.Get(ctx, "t/a/prod", "k2")
		require.NoError(t, err)
		assert.False(t, ok1)
		assert.True(t, ok2)
	})

	t.Run("flush drops the stage only, and new entries work after", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Set(ctx, "t/a/prod", "k", []byte("1"), ttl, 0))
		require.NoError(t, s.Set(ctx, "t/a/dev", "k", []byte("1"), ttl, 0))
		require.NoError(t, s.Flush(ctx, "t/a/prod"))
		_, okProd, err := s.Get(ctx, "t/a/prod", "k")
		require.NoError(t, err)
		_, okDev, err := s.Get(ctx, "t/a/dev", "k")
		require.NoError(t, err)
		assert.False(t, okProd)
		assert.True(t, okDev)
		require.NoError(t, s.Set(ctx, "t/a/prod", "k", []byte("2"), ttl, 0))
		v, ok, err := s.Get(ctx, "t/a/prod", "k")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, []byte("2"), v)
	})

	t.Run("budget bounds what a stage stores", func(t *testing.T) {
		s := newStore(t)
		val := make([]byte, 100)
		for i := range 20 {
			require.NoError(t, s.Set(ctx, "t/a/prod", fmt.Sprintf("k%02d", i), val, ttl, 500))
		}
		n := 0
		for i := range 20 {
			_, ok, err := s.Get(ctx, "t/a/prod", fmt.Sprintf("k%02d", i))
			require.NoError(t, err)
			if ok {
				n++
			}
		}
		assert.LessOrEqual(t, n, 4)
		assert.Positive(t, n)
	})

	t.Run("an entry larger than the budget is not stored", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Set(ctx, "t/a/prod", "big", make([]byte, 1000), ttl, 100))
		_, ok, err := s.Get(ctx, "t/a/prod", "big")
		require.NoError(t, err)
		assert.False(t, ok)
	})

	t.Run("binary values round trip", func(t *testing.T) {
		s := newStore(t)
		e := &cache.Entry{Status: 201, Header: map[string][]string{"Content-Type": {"application/octet-stream"}}, Body: []byte{0, 1, 2, 255}}
		require.NoError(t, s.Set(ctx, "t/a/prod", "bin", e.Encode(nil), ttl, 0))
		v, ok, err := s.Get(ctx, "t/a/prod", "bin")
		require.NoError(t, err)
		require.True(t, ok)
		got, err := cache.Decode(v)
		require.NoError(t, err)
		assert.Equal(t, e, got)
	})
}
