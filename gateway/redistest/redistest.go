// Package redistest connects tests to the real Redis the integration tests
// need. It lives in the gateway so that both the gateway's and the backend's
// tests can use it (the gateway never imports the backend).
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// StartCommand is how to start the Redis the tests expect.
const StartCommand = `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`

// Options returns the options for the test Redis at REDIS_URL or
// 127.0.0.1:6379, failing (not skipping) with how to start it when it is
// unreachable.
func Options(t testing.TB) *redis.Options {
	t.Helper()
	opts := &redis.Options{Addr: "127.0.0.1:6379"}
	if u := os.Getenv("REDIS_URL"); u != "" {
		var err error
		opts, err = redis.ParseURL(u)
		require.NoError(t, err, "parsing REDIS_URL")
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s is unreachable (%v); start it with:\n\t%s\nor point REDIS_URL at one", opts.Addr, err, StartCommand)
	}
	return opts
}

// Client opens a client with opts and deletes prefix's keys when t ends.
func Client(t testing.TB, opts *redis.Options, prefix string) *redis.Client {
	t.Helper()
	c := redis.NewClient(opts)
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, _ := c.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			_ = c.Del(ctx, keys...).Err()
		}
		_ = c.Close()
	})
	return c
}

// Connect is Client on Options: the test Redis, cleaned of prefix's keys
// at the end.
func Connect(t testing.TB, prefix string) *redis.Client {
	t.Helper()
	return Client(t, Options(t), prefix)
}

// Prefix is a fresh key prefix, so tests never see each other's keys.
func Prefix(t testing.TB) string {
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "turnpike-test:" + hex.EncodeToString(b) + ":"
}
