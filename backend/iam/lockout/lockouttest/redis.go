package lockouttest

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

const startRedis = `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`

// Redis connects to REDIS_URL or 127.0.0.1:6379, failing with how to
// start Redis when it is unreachable, and deletes prefix's keys at the end.
func Redis(t *testing.T, prefix string) *redis.Client {
	t.Helper()
	opts := &redis.Options{Addr: "127.0.0.1:6379"}
	if u := os.Getenv("REDIS_URL"); u != "" {
		var err error
		opts, err = redis.ParseURL(u)
		require.NoError(t, err, "parsing REDIS_URL")
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		t.Fatalf("Redis at %s is unreachable (%v); start it with:\n\t%s\nor point REDIS_URL at one", opts.Addr, err, startRedis)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := c.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			_ = c.Del(ctx, keys...).Err()
		}
		_ = c.Close()
	})
	return c
}

// Prefix is a fresh key prefix, so tests never see each other's keys.
func Prefix(t *testing.T) string {
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "turnpike-test:" + hex.EncodeToString(b) + ":"
}
