package accesslog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestStdoutAndFileWriters(t *testing.T) {
	out := &syncBuffer{}
	dir := t.TempDir()
	s := NewSinks(SinkConfig{Stdout: out, Dir: dir, FlushInterval: time.Hour})
	stdout, err := s.Writer("stdout")
	require.NoError(t, err)
	file, err := s.Writer("file:logs/prod.log")
	require.NoError(t, err)
	again, err := s.Writer("file:logs/prod.log")
	require.NoError(t, err)
	assert.Same(t, file, again)

	stdout.Write(record(), []byte("one\n"))
	file.Write(record(), []byte("two\n"))
	file.Write(record(), []byte("three\n"))
	assert.Empty(t, out.String(), "buffered until a flush")
	require.NoError(t, s.Close())

	assert.Equal(t, "one\n", out.String())
	b, err := os.ReadFile(filepath.Join(dir, "logs", "prod.log"))
	require.NoError(t, err)
	assert.Equal(t, "two\nthree\n", string(b))
}

func TestWriterRefusals(t *testing.T) {
	s := NewSinks(SinkConfig{})
	t.Cleanup(func() { _ = s.Close() })
	tests := []struct{ desc, dest string }{
		{desc: "file without a directory", dest: "file:x.log"},
		{desc: "redis without a client", dest: "redis"},
		{desc: "unknown", dest: "s3://bucket"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			_, err := s.Writer(test.dest)
			assert.Error(t, err)
		})
	}
	withDir := NewSinks(SinkConfig{Dir: t.TempDir()})
	t.Cleanup(func() { _ = withDir.Close() })
	_, err := withDir.Writer("file:../escape.log")
	assert.Error(t, err)
}

func TestIntegrationRedisStream(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test; -short")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis is not reachable at 127.0.0.1:6379 (%v): start it with `redis-server --daemonize yes`", err)
	}
	key := fmt.Sprintf("test:accesslog:%d", time.Now().UnixNano())
	t.Cleanup(func() { c.Del(ctx, key) })

	s := NewSinks(SinkConfig{Redis: c, StreamKey: key, StreamMaxLen: 1000, FlushInterval: 10 * time.Millisecond})
	w, err := s.Writer("redis-stream")
	require.NoError(t, err)
	for i := range 300 {
		w.Write(record(), fmt.Appendf(nil, "line %d\n", i))
	}
	require.NoError(t, s.Close())

	n, err := c.XLen(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(300), n)
	msgs, err := c.XRangeN(ctx, key, "-", "+", 1).Result()
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, map[string]any{"tenant": "t1", "api": "abc", "stage": "prod", "line": "line 0"}, msgs[0].Values)
	assert.Zero(t, s.Dropped())
}
