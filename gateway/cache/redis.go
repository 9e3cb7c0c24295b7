package cache

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/fleet"
)

// Redis is the fleet's Store: entries live in Redis with their TTL, so
// every gateway of the fleet answers from the same cache. Each call is one
// round trip (a Lua script reads the stage's generation and the entry
// together).
//
// Keys, with the stage in a hash tag so one stage's keys share a slot:
//
//	{prefix}cache:{stage}:gen             the stage's generation (INCR flushes)
//	{prefix}cache:{stage}:{gen}:{key}     one entry, with its TTL
//	{prefix}cache:{stage}:{gen}:size      bytes stored in this generation
//
// Size accounting is approximate: the size counter adds each stored entry
// and lives as long as the longest TTL stored, so it over-counts entries
// that expired or were overwritten; a stage may store less than its budget,
// never more.
type Redis struct {
	client Client
	prefix string
}

var _ Store = (*Redis)(nil)

// Client is what Redis needs of a go-redis client (*redis.Client and
// *redis.ClusterClient have it).
type Client interface {
	redis.Scripter
	Incr(ctx context.Context, key string) *redis.IntCmd
}

// NewRedis returns a Store on client; prefix starts every key (default
// "turnpike:", the fleet's).
func NewRedis(client Client, prefix string) *Redis {
	if prefix == "" {
		prefix = fleet.DefaultRedisPrefix
	}
	return &Redis{client: client, prefix: prefix}
}

func (r *Redis) keys(stage string) (gen, base string) {
	base = r.prefix + "cache:{" + stage + "}:"
	return base + "gen", base
}

var getScript = redis.NewScript(`
local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])
`)

var setScript = redis.NewScript(`
local g = redis.call('GET', KEYS[1]) or '0'
local sk = ARGV[1] .. g .. ':size'
local size = string.len(ARGV[2]) + string.len(ARGV[3])
local budget = tonumber(ARGV[5])
local ttl = tonumber(ARGV[4])
if budget > 0 then
  local used = tonumber(redis.call('GET', sk) or '0')
  if used + size > budget then return 0 end
end
redis.call('SET', ARGV[1] .. g .. ':' .. ARGV[2], ARGV[3], 'PX', ttl)
redis.call('INCRBY', sk, size)
if redis.call('PTTL', sk) < ttl then redis.call('PEXPIRE', sk, ttl) end
return 1
`)

var delScript = redis.NewScript(`
local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('DEL', ARGV[1] .. g .. ':' .. ARGV[2])
`)

// Get implements Store.
func (r *Redis) Get(ctx context.Context, stage, key string) ([]byte, bool, error) {
	gen, base := r.keys(stage)
	v, err := getScript.Run(ctx, r.client, []string{gen}, base, key).Text()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return []byte(v), true, nil
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, stage, key string, val []byte, ttl time.Duration, budget int64) error {
	ms := ttl.Milliseconds()
	if ms <= 0 {
		return nil
	}
	gen, base := r.keys(stage)
	return setScript.Run(ctx, r.client, []string{gen}, base, key, val,
		strconv.FormatInt(ms, 10), strconv.FormatInt(budget, 10)).Err()
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, stage, key string) error {
	gen, base := r.keys(stage)
	return delScript.Run(ctx, r.client, []string{gen}, base, key).Err()
}

// Flush implements Store: one INCR of the stage's generation. Gateways
// read the generation in the same round trip as every entry, so no
// notification is needed; the old generation's entries expire by their
// TTL.
func (r *Redis) Flush(ctx context.Context, stage string) error {
	gen, _ := r.keys(stage)
	return r.client.Incr(ctx, gen).Err()
}

// isNilClient catches a nil *redis.Client passed as a Client.
func isNilClient(c Client) bool {
	rc, ok := c.(*redis.Client)
	return ok && rc == nil
}
