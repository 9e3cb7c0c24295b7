package limit_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/limit/limittest"
	"github.com/turnpike/turnpike/gateway/redistest"
)

// redisClient connects to the test Redis and deletes prefix's keys at the
// end; see redistest.Connect.
func redisClient(t testing.TB, prefix string) *redis.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped under -short")
	}
	return redistest.Connect(t, prefix)
}

func TestIntegrationRedisLimiter(t *testing.T) {
	limittest.Run(t, func(t *testing.T, now func() time.Time) limit.LimiterStore {
		prefix := redistest.Prefix(t)
		return limit.NewRedis(redisClient(t, prefix), prefix, limit.WithRedisClock(now))
	})
}

// TestIntegrationRedisLimiterLayout checks the keys the script writes and
// their expiries, with Redis's own clock (the fleet's mode).
func TestIntegrationRedisLimiterLayout(t *testing.T) {
	ctx := t.Context()
	prefix := redistest.Prefix(t)
	c := redisClient(t, prefix)
	l := limit.NewRedis(c, prefix)

	q := &gwconfig.Quota{Limit: 10, Period: gwconfig.QuotaDay}
	d, err := l.Allow(ctx, &limit.Request{
		Throttles: []limit.Throttle{{Key: "t:t-1", Policy: "tenant", Rate: 10, Burst: 5}},
		PlanID:    "p1", KeyID: "k1", Quota: q,
	})
	require.NoError(t, err)
	require.True(t, d.Allowed())
	assert.Equal(t, int64(4), d.Remaining)

	now := time.Now().UTC()
	start, end := limit.QuotaWindow(*q, now)
	ttl, err := c.PTTL(ctx, prefix+"rl:t:t-1").Result()
	require.NoError(t, err)
	assert.Positive(t, ttl)
	assert.LessOrEqual(t, ttl, 102*time.Millisecond)

	qk := prefix + "quota:p1:k1:" + itoa(start.Unix())
	used, err := c.Get(ctx, qk).Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(1), used)
	exp, err := c.ExpireTime(ctx, qk).Result()
	require.NoError(t, err)
	assert.Equal(t, end.Unix(), int64(exp/time.Second))

	uk := prefix + "usage:p1:k1:" + now.Format(time.DateOnly)
	n, err := c.Get(ctx, uk).Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	uttl, err := c.TTL(ctx, uk).Result()
	require.NoError(t, err)
	assert.InDelta(t, limit.UsageTTL, uttl, float64(5*time.Second))
}

// TestIntegrationRedisLimiterUnavailable: an unreachable Redis is
// ErrUnavailable, answered at once during the backoff, and the limiter
// tries again after it.
func TestIntegrationRedisLimiterUnavailable(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	l := limit.NewRedis(c, "x:", limit.WithRedisBackoff(time.Hour))
	req := &limit.Request{Throttles: []limit.Throttle{{Key: "a", Rate: 1, Burst: 1}}}
	_, err := l.Allow(t.Context(), req)
	require.ErrorIs(t, err, limit.ErrUnavailable)
	_, err = l.Allow(t.Context(), req)
	require.ErrorIs(t, err, limit.ErrUnavailable)
	assert.Contains(t, err.Error(), "backing off")
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
