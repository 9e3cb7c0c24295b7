package limits_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/limit/limittest"
	"github.com/turnpike/turnpike/gateway/stage/limits"
)

// redisProc is a redis-server child process on its own port.
type redisProc struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (p *redisProc) start() {
	t := p.t
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not on PATH (%v); install it (apt-get install redis-server)", err)
	}
	p.cmd = exec.Command(bin, "--port", strconv.Itoa(p.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
	require.NoError(t, p.cmd.Start())
	c := redis.NewClient(&redis.Options{Addr: p.addr()})
	defer c.Close()
	require.Eventually(t, func() bool { return c.Ping(context.Background()).Err() == nil }, 10*time.Second, 20*time.Millisecond)
}

func (p *redisProc) stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd = nil
}

func (p *redisProc) addr() string { return "127.0.0.1:" + strconv.Itoa(p.port) }

// TestIntegrationRedisDownAndBack stops the shared limiter's Redis under
// two stages: the CLOSED one answers 503, the OPEN one limits locally;
// when Redis returns on the same port both use it again by themselves.
func TestIntegrationRedisDownAndBack(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped under -short")
	}
	p := &redisProc{t: t, port: freePort(t)}
	p.start()
	defer p.stop()

	client := redis.NewClient(&redis.Options{Addr: p.addr(), DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer client.Close()
	lim := limit.NewRedis(client, "rt:", limit.WithRedisBackoff(200*time.Millisecond))
	shared := func(*limittest.Clock) limit.Limiter { return lim }
	closed := newEnv(t, func(s *gwconfig.Stage) { s.LimitsFailMode = gwconfig.LimitsFailClosed }, shared)
	open := newEnv(t, nil, shared)

	usage := func() int64 {
		n, err := client.Get(context.Background(), "rt:usage:p1:k-good:"+time.Now().UTC().Format(time.DateOnly)).Int64()
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 200, closed.do("/pets", "good", nil).status)
	require.Equal(t, 200, open.do("/open", "", nil).status)
	require.Equal(t, int64(1), usage())

	p.stop()
	res := closed.do("/pets", "good", nil)
	assert.Equal(t, 503, res.status)
	assert.Equal(t, limits.CodeUnavailable, res.errCode)
	// OPEN: the local limiter applies the stage default (burst 3).
	for range 3 {
		assert.Equal(t, 200, open.do("/stage", "", nil).status)
	}
	assert.Equal(t, 429, open.do("/stage", "", nil).status)
	assert.Positive(t, closed.metric("turnpike_gateway_limiter_unavailable_total"))
	assert.Positive(t, open.metric("turnpike_gateway_limiter_unavailable_total"))

	p.start()
	start := time.Now()
	require.Eventually(t, func() bool { return closed.do("/pets", "good", nil).status == 200 }, 15*time.Second, 50*time.Millisecond)
	t.Logf("recovered %s after Redis came back", time.Since(start).Round(time.Millisecond))
	// Counted in the new Redis: the limiter is back on it.
	assert.Equal(t, int64(1), usage())
	before := open.metric("turnpike_gateway_limiter_unavailable_total")
	assert.Equal(t, 200, open.do("/open", "", nil).status)
	assert.Equal(t, before, open.metric("turnpike_gateway_limiter_unavailable_total"))
}
