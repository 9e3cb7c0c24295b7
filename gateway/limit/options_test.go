package limit_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/redistest"
)

func TestClientOptions(t *testing.T) {
	tests := []struct {
		name     string
		fleet    redis.Options
		wantPool int
	}{
		{"defaults", redis.Options{Addr: "127.0.0.1:6379"}, 64},
		{"a bigger pool is kept", redis.Options{Addr: "127.0.0.1:6379", PoolSize: 200, ReadTimeout: time.Minute, MaxRetries: 5}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := limit.ClientOptions(tt.fleet)
			assert.Equal(t, tt.fleet.Addr, o.Addr)
			assert.Equal(t, 250*time.Millisecond, o.DialTimeout)
			assert.Equal(t, 250*time.Millisecond, o.ReadTimeout)
			assert.Equal(t, 250*time.Millisecond, o.WriteTimeout)
			assert.Equal(t, -1, o.MaxRetries)
			assert.Equal(t, tt.wantPool, o.PoolSize)
			assert.Equal(t, 2, o.Protocol)
			assert.True(t, o.DisableIdentity)
		})
	}
}

// TestIntegrationRedisRESP2 decides over a client made with ClientOptions
// (RESP2), as the gateway's limiter does.
func TestIntegrationRedisRESP2(t *testing.T) {
	prefix := redistest.Prefix(t)
	base := redisClient(t, prefix)
	c := redis.NewClient(limit.ClientOptions(*base.Options()))
	t.Cleanup(func() { _ = c.Close() })
	l := limit.NewRedis(c, prefix)
	req := &limit.Request{Throttles: []limit.Throttle{{Key: "resp2", Policy: "key", Rate: 1, Burst: 2}}}
	var admitted int
	for range 3 {
		d, err := l.Allow(t.Context(), req)
		require.NoError(t, err)
		if d.Allowed() {
			admitted++
		}
	}
	assert.Equal(t, 2, admitted, "the burst, then throttled")
}
