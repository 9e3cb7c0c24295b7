package limit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// allowScript is the whole decision in one round trip: every GCRA throttle
// (the same computation as gcra in gcra.go), then the quota; if all pass it
// stores the new arrival times, counts the quota and the day's usage.
//
// The arguments come packed in one space-separated string (one allocation
// instead of one per argument) and are unpacked into the local ARGV.
//
// Time: ARGV[1] is now in microseconds, or "-" to use Redis's TIME, which
// is what the fleet does (one clock for every gateway, so clock skew
// between gateways cannot bend a rate). Tests pass their clock.
//
// KEYS: the n throttle keys, then the quota key (if ARGV[3] = "1"), then
// the usage key (if ARGV[6] = "1").
// ARGV[2] n; ARGV[4] quota limit; ARGV[5] quota expiry (unix s);
// ARGV[7] usage ttl (s); ARGV[8] how long (ms) a throttle's state outlives
// the moment it is whole again (1 with TIME; a minute with a caller's
// clock, which real time overtakes); then rate and burst of each throttle.
//
// Returns one string, "status index remaining retry reset": status 0
// admitted, 1 throttled, 2 quota; the index of the binding policy (n =
// quota, -1 none); what remains; retry and reset in µs. One bulk string
// is one allocation to read, where an array of five is several (and Lua
// numbers in an array would be truncated to integers).
var allowScript = redis.NewScript(`
local packed = ARGV[1]
local ARGV = {}
for v in string.gmatch(packed, '%S+') do ARGV[#ARGV + 1] = v end
local now
if ARGV[1] == '-' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
end
local n = tonumber(ARGV[2])
local tats = {}
local bind, bindRem, bindReset = -1, -1, 0
for i = 1, n do
  local rate = tonumber(ARGV[7 + 2 * i])
  local burst = tonumber(ARGV[8 + 2 * i])
  if rate <= 0 or burst <= 0 then
    return '1 ' .. (i - 1) .. ' 0 1000000 1000000'
  end
  local interval = 1000000 / rate
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  if tat > now + interval * burst then
    -- Set under a stricter configuration: drained under this one.
    tat = now + interval * burst
    redis.call('SET', KEYS[i], string.format('%.3f', tat), 'PX', math.ceil((tat - now) / 1000) + tonumber(ARGV[8]))
  end
  local newTat = tat + interval
  local diff = now - (newTat - interval * burst)
  if diff < 0 then
    return '1 ' .. (i - 1) .. ' 0 ' .. string.format('%.3f', -diff) .. ' ' .. string.format('%.3f', -diff)
  end
  tats[i] = newTat
  local rem = math.floor(diff / interval)
  if bindRem < 0 or rem < bindRem then
    bind, bindRem, bindReset = i - 1, rem, newTat - now
  end
end
local k = n + 1
if ARGV[3] == '1' then
  local used = tonumber(redis.call('GET', KEYS[k]) or '0')
  local limit = tonumber(ARGV[4])
  if used >= limit then
    return '2 ' .. n .. ' 0 0 0'
  end
  local rem = limit - used - 1
  if bindRem < 0 or rem < bindRem then
    bind, bindRem = n, rem
  end
  redis.call('INCR', KEYS[k])
  redis.call('EXPIREAT', KEYS[k], ARGV[5])
  k = k + 1
end
for i = 1, n do
  redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', math.ceil((tats[i] - now) / 1000) + tonumber(ARGV[8]))
end
if ARGV[6] == '1' then
  redis.call('INCR', KEYS[k])
  redis.call('EXPIRE', KEYS[k], ARGV[7])
end
if bindRem < 0 then bindRem = 0 end
return '0 ' .. bind .. ' ' .. string.format('%d', bindRem) .. ' 0 ' .. string.format('%.3f', bindReset)
`)

// RedisOption configures a Redis limiter.
type RedisOption func(*Redis)

// WithRedisClock makes the limiter pass now from clock to Redis instead of
// using Redis's TIME (tests: a controllable clock).
func WithRedisClock(now func() time.Time) RedisOption {
	return func(r *Redis) { r.clock = now }
}

// WithRedisPipelines sets how many batches of limiter calls may be on the
// wire at once (default 1: on a loaded gateway the calls queue behind the
// batch in flight and go out together, which measured the same decisions
// per CPU-second as 2 with half the p99 in make bench).
func WithRedisPipelines(n int) RedisOption {
	return func(r *Redis) { r.batch.maxInflight = max(n, 1) }
}

// WithRedisBackoff sets how long the limiter answers ErrUnavailable at
// once, without trying Redis, after a failed call (default 1s). The first
// call after it tries Redis again, so the limiter recovers by itself.
func WithRedisBackoff(d time.Duration) RedisOption {
	return func(r *Redis) { r.backoff = d }
}

// Redis is the fleet's Limiter and UsageStore: every gateway shares its
// counters, one round trip per request. Keys start with the prefix:
// <prefix>rl:<throttle key> (GCRA arrival time, expiring when the throttle
// is whole again), <prefix>quota:{planId}:{keyId}:{period start, unix s}
// (expiring at the period end) and <prefix>usage:{planId}:{keyId}:{date}
// (expiring after UsageTTL). Under Redis Cluster the prefix must be a hash
// tag ("{turnpike}:") so one script's keys share a slot.
type Redis struct {
	client  redis.UniversalClient
	prefix  string
	clock   func() time.Time // nil: Redis TIME for throttles
	backoff time.Duration
	// downUntil is when, after a failure, the limiter tries Redis again
	// (unix ns).
	downUntil atomic.Int64
	keys      keyCache
	batch     batcher
}

// allowSHA is the script's EVALSHA argument.
var allowSHA any = allowScript.Hash()

var argBufs = sync.Pool{New: func() any { b := make([]byte, 0, 128); return &b }}

// keyCache remembers prefixed Redis keys, so a request builds none: the
// throttle keys by name, quota and usage keys by key, plan and period.
// They are kept as script arguments (strings in interfaces), so passing
// one allocates nothing either. It is dropped when it grows past
// maxCachedKeys.
type keyCache struct {
	prefix string
	mu     sync.RWMutex
	names  map[string]any
	quotas map[periodRef]any
	usages map[periodRef]any
}

type periodRef struct {
	planID, keyID string
	at            int64 // period start (quota) or day (usage), unix s
}

const maxCachedKeys = 1 << 16

func cached[K comparable](c *keyCache, m *map[K]any, k K, build func() string) any {
	c.mu.RLock()
	v, ok := (*m)[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = build()
	c.mu.Lock()
	if *m == nil || len(*m) >= maxCachedKeys {
		*m = map[K]any{}
	}
	(*m)[k] = v
	c.mu.Unlock()
	return v
}

func (c *keyCache) prefixed(name string) any {
	return cached(c, &c.names, name, func() string { return c.prefix + "rl:" + name })
}

func (c *keyCache) quota(planID, keyID string, start time.Time) any {
	return cached(c, &c.quotas, periodRef{planID, keyID, start.Unix()}, func() string {
		return c.prefix + quotaKey(planID, keyID, start)
	})
}

func (c *keyCache) usage(planID, keyID string, now time.Time) any {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return cached(c, &c.usages, periodRef{planID, keyID, day.Unix()}, func() string {
		return c.prefix + usageKey(planID, keyID, day.Format(time.DateOnly))
	})
}

var _ LimiterStore = (*Redis)(nil)

// ClientOptions are the options of the limiter's own Redis client, made
// from the fleet's: short timeouts and no retries, so that when Redis is
// unreachable a request fails over to the stage's limitsFailMode within
// ~250ms (then the limiter backs off); at least 64 connections; RESP2,
// whose replies go-redis reads without first looking for RESP3 push
// notifications (the limiter subscribes to none, and its script replies
// are the same bulk strings in both); no CLIENT SETINFO on connect.
func ClientOptions(fleet redis.Options) *redis.Options {
	o := fleet
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = 250*time.Millisecond, 250*time.Millisecond, 250*time.Millisecond
	o.MaxRetries = -1
	o.PoolSize = max(o.PoolSize, 64)
	o.Protocol = 2
	o.DisableIdentity = true
	return &o
}

// NewRedis returns a limiter over client; prefix is the fleet's Redis
// prefix (see fleet.NewRedis; "" for its default). The caller owns client;
// give it short timeouts and no retries, so an unreachable Redis fails a
// request fast and the stage's fail mode applies.
func NewRedis(client redis.UniversalClient, prefix string, opts ...RedisOption) *Redis {
	if prefix == "" {
		prefix = fleet.DefaultRedisPrefix
	}
	r := &Redis{client: client, prefix: prefix, backoff: time.Second, keys: keyCache{prefix: prefix},
		batch: batcher{client: client, maxBatch: 64, maxInflight: 1}}
	for _, o := range opts {
		o(r)
	}
	return r
}

func (r *Redis) now() time.Time {
	if r.clock != nil {
		return r.clock()
	}
	return time.Now()
}

// fail records a failure and wraps err in ErrUnavailable.
func (r *Redis) fail(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	r.downUntil.Store(time.Now().Add(r.backoff).UnixNano())
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// Allow implements Limiter. The call joins the limiter's pipeline (see
// batcher): one round trip, shared with the calls made at the same time.
func (r *Redis) Allow(ctx context.Context, req *Request) (Decision, error) {
	if until := r.downUntil.Load(); until != 0 {
		if time.Now().UnixNano() < until {
			return Decision{}, fmt.Errorf("%w: backing off after a failure", ErrUnavailable)
		}
	}
	now := r.now()
	n := len(req.Throttles)
	q := req.Quota
	withQuota := q != nil && req.KeyID != ""
	nkeys := n
	if withQuota {
		nkeys++
	}
	if req.KeyID != "" {
		nkeys++
	}
	c := newScriptCall()
	defer c.release()
	c.args = append(c.args, "evalsha", allowSHA, nkeys)
	bp := argBufs.Get().(*[]byte)
	a := (*bp)[:0]
	if r.clock != nil {
		a = strconv.AppendInt(a, now.UnixMicro(), 10)
	} else {
		a = append(a, '-')
	}
	a = append(a, ' ')
	a = strconv.AppendInt(a, int64(n), 10)
	for _, t := range req.Throttles {
		c.args = append(c.args, r.keys.prefixed(t.Key))
	}
	var qStart, qEnd time.Time
	if withQuota {
		qStart, qEnd = QuotaWindow(*q, now)
		c.args = append(c.args, r.keys.quota(req.PlanID, req.KeyID, qStart))
		a = append(a, " 1 "...)
		a = strconv.AppendInt(a, q.Limit, 10)
		a = append(a, ' ')
		a = strconv.AppendInt(a, qEnd.Unix(), 10)
	} else {
		a = append(a, " 0 0 0"...)
	}
	if req.KeyID != "" {
		c.args = append(c.args, r.keys.usage(req.PlanID, req.KeyID, now))
		a = append(a, " 1 "...)
		a = strconv.AppendInt(a, int64(UsageTTL/time.Second), 10)
	} else {
		a = append(a, " 0 0"...)
	}
	if r.clock != nil {
		a = append(a, " 60000"...)
	} else {
		a = append(a, " 1"...)
	}
	for _, t := range req.Throttles {
		a = append(a, ' ')
		a = strconv.AppendFloat(a, t.Rate, 'g', -1, 64)
		a = append(a, ' ')
		a = strconv.AppendInt(a, int64(t.Burst), 10)
	}
	c.args = append(c.args, string(a))
	*bp = a
	argBufs.Put(bp)

	if err := r.batch.do(ctx, c); err != nil {
		return Decision{}, err
	}
	reply, err := c.cmd.Text()
	if err != nil {
		return Decision{}, r.fail(err)
	}
	status, idx, rem, retry, reset, ok := parseReply(reply)
	if !ok {
		return Decision{}, fmt.Errorf("limit: unexpected script reply %q", reply)
	}
	d := Decision{Remaining: rem, Reset: micros(reset), RetryAfter: micros(retry)}
	switch {
	case idx >= 0 && idx < n:
		t := req.Throttles[idx]
		d.Policy, d.Limit, d.Window = t.Policy, throttleLimit(t.Rate), time.Second
	case idx == n && q != nil:
		d.Policy, d.Limit, d.Window, d.Reset = QuotaPolicy, q.Limit, qEnd.Sub(qStart), qEnd.Sub(now)
	}
	switch status {
	case 1:
		d.Reason = Throttled
	case 2:
		d.Reason = QuotaExceeded
		d.RetryAfter = d.Reset
	}
	return d, nil
}

// parseReply reads the script's "status index remaining retry reset".
func parseReply(s string) (status, idx int, rem int64, retry, reset float64, ok bool) {
	var f [5]string
	for i := range f {
		var found bool
		f[i], s, found = strings.Cut(s, " ")
		if !found && i < len(f)-1 {
			return 0, 0, 0, 0, 0, false
		}
	}
	var errs [5]error
	status, errs[0] = strconv.Atoi(f[0])
	idx, errs[1] = strconv.Atoi(f[1])
	remF, err := strconv.ParseFloat(f[2], 64)
	errs[2] = err
	retry, errs[3] = strconv.ParseFloat(f[3], 64)
	reset, errs[4] = strconv.ParseFloat(f[4], 64)
	for _, err := range errs {
		if err != nil {
			return 0, 0, 0, 0, 0, false
		}
	}
	return status, idx, int64(remF), retry, reset, true
}

// Usage implements UsageStore.
func (r *Redis) Usage(ctx context.Context, tenantID, planID, keyID string, from, to time.Time) (map[string]int64, error) {
	dates := usageDates(from, to)
	out := make(map[string]int64, len(dates))
	if len(dates) == 0 {
		return out, nil
	}
	keys := make([]string, len(dates))
	for i, d := range dates {
		keys[i] = r.prefix + usageKey(planID, keyID, d)
	}
	vals, err := r.client.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("limit: reading usage of key %s: %w", keyID, err)
	}
	for i, v := range vals {
		var n int64
		if s, ok := v.(string); ok {
			n, _ = strconv.ParseInt(s, 10, 64)
		}
		out[dates[i]] = n
	}
	return out, nil
}

// RemainingQuota implements UsageStore.
func (r *Redis) RemainingQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota) (int64, error) {
	start, _ := QuotaWindow(q, r.now())
	used, err := r.client.Get(ctx, r.prefix+quotaKey(planID, keyID, start)).Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("limit: reading quota of key %s: %w", keyID, err)
	}
	return q.Limit - used, nil
}

// ResetQuota implements UsageStore.
func (r *Redis) ResetQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota) error {
	start, _ := QuotaWindow(q, r.now())
	if err := r.client.Del(ctx, r.prefix+quotaKey(planID, keyID, start)).Err(); err != nil {
		return fmt.Errorf("limit: resetting quota of key %s: %w", keyID, err)
	}
	return nil
}

// ExtendQuota implements UsageStore.
func (r *Redis) ExtendQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota, extra int64) error {
	start, end := QuotaWindow(q, r.now())
	k := r.prefix + quotaKey(planID, keyID, start)
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.DecrBy(ctx, k, extra)
		p.ExpireAt(ctx, k, end)
		return nil
	})
	if err != nil {
		return fmt.Errorf("limit: extending quota of key %s: %w", keyID, err)
	}
	return nil
}

// New returns the limiter of a platform process: over Redis when client is
// not nil (a fleet; prefix is the fleet bus's, "" for the default), else an
// in-process Local (the embedded default). The backend gives the same value
// to its gateway (server.Config.Limiter) and to the usage plan service (as
// its UsageStore), so both see the same counters.
func New(client *redis.Client, prefix string) LimiterStore {
	if client == nil {
		return NewLocal()
	}
	return NewRedis(client, prefix)
}
