package limit

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/redistest"
)

// gate is a go-redis hook that holds single commands until opened and
// records the size of every pipeline.
type gate struct {
	open      chan struct{}
	mu        sync.Mutex
	pipelines []int
	singles   int
}

func (g *gate) DialHook(next redis.DialHook) redis.DialHook { return next }

func (g *gate) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "evalsha" {
			<-g.open
			g.mu.Lock()
			g.singles++
			g.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}

func (g *gate) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		n := 0
		for _, c := range cmds {
			if c.Name() == "evalsha" {
				n++
			}
		}
		if n > 0 { // Not go-redis's own connection setup.
			g.mu.Lock()
			g.pipelines = append(g.pipelines, n)
			g.mu.Unlock()
		}
		return next(ctx, cmds)
	}
}

func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped under -short")
	}
	prefix := redistest.Prefix(t)
	return redistest.Connect(t, prefix), prefix
}

// TestIntegrationRedisBatching holds both in-flight slots, queues calls
// behind them, and checks that the queue goes out as one pipeline, that a
// call whose context ends while queued leaves it uncounted, and that every
// other call is decided and counted once.
func TestIntegrationRedisBatching(t *testing.T) {
	c, prefix := testRedis(t)
	g := &gate{open: make(chan struct{})}
	c.AddHook(g)
	l := NewRedis(c, prefix, WithRedisPipelines(2))
	req := func() *Request {
		return &Request{Throttles: []Throttle{{Key: "b", Policy: "tenant", Rate: 1e6, Burst: 1e6}}, PlanID: "p", KeyID: "k"}
	}

	state := func() (inflight, queue int) {
		l.batch.mu.Lock()
		defer l.batch.mu.Unlock()
		return l.batch.inflight, len(l.batch.queue)
	}
	const queued = 10
	var wg sync.WaitGroup
	results := make(chan error, 2+queued)
	call := func(ctx context.Context) {
		defer wg.Done()
		d, err := l.Allow(ctx, req())
		if err == nil && !d.Allowed() {
			err = assert.AnError
		}
		results <- err
	}
	wg.Add(2)
	go call(t.Context())
	go call(t.Context())
	waitFor(t, func() bool { n, _ := state(); return n == 2 })

	gone, cancel := context.WithCancel(t.Context())
	wg.Add(queued)
	go call(gone)
	waitFor(t, func() bool { _, n := state(); return n == 1 })
	for range queued - 1 {
		go call(t.Context())
	}
	waitFor(t, func() bool { _, n := state(); return n == queued })
	cancel()
	waitFor(t, func() bool { _, n := state(); return n == queued-1 })
	close(g.open)
	wg.Wait()
	close(results)

	var failed []error
	for err := range results {
		if err != nil {
			failed = append(failed, err)
		}
	}
	require.Len(t, failed, 1)
	assert.ErrorIs(t, failed[0], context.Canceled)
	assert.Equal(t, 2, g.singles, "the first two calls go out at once")
	assert.Equal(t, []int{queued - 1}, g.pipelines, "the queue goes out as one pipeline")

	used, err := c.Get(t.Context(), l.keys.usage("p", "k", time.Now()).(string)).Int()
	require.NoError(t, err)
	assert.Equal(t, 2+queued-1, used)
}

// TestIntegrationRedisScriptReload: a Redis that lost its script cache
// (a restart, SCRIPT FLUSH) gets the script again, alone or in a batch.
func TestIntegrationRedisScriptReload(t *testing.T) {
	c, prefix := testRedis(t)
	l := NewRedis(c, prefix)
	req := &Request{Throttles: []Throttle{{Key: "s", Policy: "tenant", Rate: 1e6, Burst: 1e6}}}
	for _, batch := range []int{1, 8} {
		require.NoError(t, c.ScriptFlush(t.Context()).Err())
		var wg sync.WaitGroup
		for range batch {
			wg.Go(func() {
				d, err := l.Allow(t.Context(), req)
				assert.NoError(t, err)
				assert.True(t, d.Allowed())
			})
		}
		wg.Wait()
	}
}

// TestIntegrationRedisBatchUnavailable: a batch that cannot reach Redis
// fails every call in it with ErrUnavailable.
func TestIntegrationRedisBatchUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	l := NewRedis(c, "x:")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := l.Allow(t.Context(), &Request{Throttles: []Throttle{{Key: "a", Rate: 1, Burst: 1}}})
			assert.ErrorIs(t, err, ErrUnavailable)
		})
	}
	wg.Wait()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition not met within 5s")
}
