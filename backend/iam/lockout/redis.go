package lockout

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// attemptScript is Memory.Attempt in one round trip over a hash
// {n, start, until, refused} (milliseconds), so that every backend replica
// sees the same counts. The clock is Redis's own (ARGV[1] = 0), so
// replicas with skewed clocks agree, or the caller's, so tests can move it
// (as in gateway/limit).
var attemptScript = redis.NewScript(`
local now, max, window, lockout = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local h = redis.call('HMGET', KEYS[1], 'n', 'start', 'until', 'refused')
local n, start, untl, refused = tonumber(h[1]) or 0, tonumber(h[2]) or 0, tonumber(h[3]) or 0, tonumber(h[4]) or 0
if now < untl then
  refused = refused + 1
  redis.call('HSET', KEYS[1], 'refused', refused)
  return {0, untl - now, refused}
end
if n == 0 or now - start > window or untl > 0 then
  n, start, untl = 0, now, 0
end
n = n + 1
if n >= max then untl = now + lockout end
redis.call('HSET', KEYS[1], 'n', n, 'start', start, 'until', untl, 'refused', 0)
redis.call('PEXPIRE', KEYS[1], math.max(window, lockout) + 60000)
return {1, 0, 0}
`)

// Redis is the Limiter shared by every replica that uses the same Redis
// and prefix.
type Redis struct {
	c      redis.Cmdable
	prefix string
	p      Policy
	now    func() time.Time
}

var _ Limiter = (*Redis)(nil)

// NewRedis returns a limiter whose keys start with prefix; now nil uses
// Redis's clock.
func NewRedis(c redis.Cmdable, prefix string, p Policy, now func() time.Time) *Redis {
	return &Redis{c: c, prefix: prefix, p: p, now: now}
}

// Attempt implements Limiter.
func (r *Redis) Attempt(ctx context.Context, key string) (Decision, error) {
	var nowMS int64
	if r.now != nil {
		nowMS = r.now().UnixMilli()
	}
	res, err := attemptScript.Run(ctx, r.c, []string{r.prefix + key}, nowMS, r.p.Max,
		r.p.Window.Milliseconds(), r.p.Lockout.Milliseconds()).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("counting attempt in redis: %w", err)
	}
	if len(res) != 3 {
		return Decision{}, fmt.Errorf("counting attempt in redis: unexpected answer %v", res)
	}
	return Decision{Allowed: res[0] == 1, RetryAfter: time.Duration(res[1]) * time.Millisecond, Refused: int(res[2])}, nil
}

// Reset implements Limiter.
func (r *Redis) Reset(ctx context.Context, key string) error {
	if err := r.c.Del(ctx, r.prefix+key).Err(); err != nil {
		return fmt.Errorf("resetting attempts in redis: %w", err)
	}
	return nil
}
