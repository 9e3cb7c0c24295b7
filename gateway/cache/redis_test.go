package cache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/cache/cachetest"
)

func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test; -short")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis is not reachable at 127.0.0.1:6379 (%v): start it with `redis-server --daemonize yes` or `make tools`", err)
	}
	return c
}

func prefix(t *testing.T) string {
	p := fmt.Sprintf("test:cache:%d:", time.Now().UnixNano())
	t.Cleanup(func() {
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, p+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return p
}

func TestIntegrationRedisContract(t *testing.T) {
	c := redisClient(t)
	cachetest.Run(t, func(t *testing.T) cache.Store { return cache.NewRedis(c, prefix(t)) })
}

func TestIntegrationRedisEntryHasTTL(t *testing.T) {
	c := redisClient(t)
	p := prefix(t)
	s := cache.NewRedis(c, p)
	ctx := context.Background()
	require.NoError(t, s.Set(ctx, "t/a/prod", "k", []byte("v"), 30*time.Second, 0))
	ttl, err := c.PTTL(ctx, p+"cache:{t/a/prod}:0:k").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, 25*time.Second)
	assert.LessOrEqual(t, ttl, 30*time.Second)
}
