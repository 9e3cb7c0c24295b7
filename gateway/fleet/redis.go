package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// DefaultRedisPrefix is the key prefix NewRedis uses when given none.
const DefaultRedisPrefix = "turnpike:"

// Keys, relative to the prefix.
const (
	redisStagesKey   = "stages"   // hash: "{apiId}/{stageName}" → stage JSON
	redisRevisionKey = "revision" // counter behind every stage's Revision
	redisEventsKey   = "events"   // pub/sub channel, one message per change
	redisGatewaysKey = "gateways" // sorted set: gateway id by last-seen (unix ms)
	redisGatewayKey  = "gw:"      // + gateway id: heartbeat JSON with an expiry
)

// revisionPlaceholder is how a stage's revision reads in its JSON before
// the put script replaces it with the next value of the revision counter.
var revisionPlaceholder = []byte(`"revision":0`)

// putStageScript assigns the revision, stores the stage and notifies the
// watchers atomically, so a watcher that wakes up always reads the change
// that woke it. The revision is the caller's if that is higher than every
// revision the bus has handed out (the backend stamps UnixNano), else the
// next one; either way it rises with every publish, even across a Redis
// flush. Revisions stay strings here: Lua numbers are doubles, too narrow
// for UnixNano.
//
// KEYS[1] stages hash, KEYS[2] revision counter.
// ARGV[1] stage key, ARGV[2] stage JSON with revision 0, ARGV[3] channel,
// ARGV[4] the caller's revision (decimal, no sign, no leading zeros).
var putStageScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[2]) or '0'
local want = ARGV[4]
local rev
if #want > #cur or (#want == #cur and want > cur) then
  redis.call('SET', KEYS[2], want)
  rev = want
else
  redis.call('INCR', KEYS[2])
  rev = redis.call('GET', KEYS[2])
end
local i, j = string.find(ARGV[2], '"revision":0', 1, true)
if not i then
  return redis.error_reply('turnpike: stage json has no revision')
end
local v = string.sub(ARGV[2], 1, i - 1) .. '"revision":' .. rev .. string.sub(ARGV[2], j + 1)
redis.call('HSET', KEYS[1], ARGV[1], v)
redis.call('PUBLISH', ARGV[3], 'put ' .. ARGV[1])
return rev
`)

// deleteStageScript removes a stage and notifies the watchers if it was
// there.
//
// KEYS[1] stages hash. ARGV[1] stage key, ARGV[2] channel.
var deleteStageScript = redis.NewScript(`
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('PUBLISH', ARGV[2], 'delete ' .. ARGV[1])
end
return 0
`)

// gatewaysScript returns the heartbeats of the live gateways in one round
// trip and prunes the members whose heartbeat key has expired.
//
// KEYS[1] gateways sorted set. ARGV[1] heartbeat key prefix.
var gatewaysScript = redis.NewScript(`
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[1] .. id)
  if v then
    out[#out + 1] = v
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`)

// NewRedis returns a Bus over Redis for a real fleet. Every key starts with
// prefix ("turnpike:" when empty): stage configs live as JSON in the hash
// <prefix>stages, each change is published on <prefix>events, and each
// gateway's heartbeat is the key <prefix>gw:<id> with an expiry, listed in
// the sorted set <prefix>gateways by last-seen time.
//
// The caller owns client: Close ends the bus's subscriptions but does not
// close the client. Under Redis Cluster, put the prefix in a hash tag
// ("{turnpike}:") so the scripts' keys share a slot.
func NewRedis(client *redis.Client, prefix string) Bus {
	if prefix == "" {
		prefix = DefaultRedisPrefix
	}
	return &redisBus{
		client:   client,
		prefix:   prefix,
		stages:   prefix + redisStagesKey,
		revision: prefix + redisRevisionKey,
		events:   prefix + redisEventsKey,
		gateways: prefix + redisGatewaysKey,
		gateway:  prefix + redisGatewayKey,
		subs:     map[*redis.PubSub]struct{}{},
	}
}

type redisBus struct {
	client   *redis.Client
	prefix   string
	stages   string
	revision string
	events   string
	gateways string
	gateway  string

	mu     sync.Mutex
	subs   map[*redis.PubSub]struct{}
	closed bool
}

var _ Bus = (*redisBus)(nil)

func (r *redisBus) PutStage(ctx context.Context, s *gwconfig.Stage) error {
	if err := checkStage(s); err != nil {
		return err
	}
	// The script sets the revision; the caller's value stays untouched.
	c := *s
	c.Revision = 0
	b, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("fleet: encoding stage %s: %w", s.Key(), err)
	}
	if !bytes.Contains(b, revisionPlaceholder) {
		return fmt.Errorf("fleet: encoding stage %s: no revision field in %.60s", s.Key(), b)
	}
	want := max(s.Revision, 0)
	err = putStageScript.Run(ctx, r.client, []string{r.stages, r.revision},
		s.Key(), b, r.events, strconv.FormatInt(want, 10)).Err()
	if err != nil {
		return fmt.Errorf("fleet: publishing stage %s: %w", s.Key(), err)
	}
	return nil
}

func (r *redisBus) DeleteStage(ctx context.Context, apiID, stageName string) error {
	key := gwconfig.StageKey(apiID, stageName)
	err := deleteStageScript.Run(ctx, r.client, []string{r.stages}, key, r.events).Err()
	if err != nil {
		return fmt.Errorf("fleet: deleting stage %s: %w", key, err)
	}
	return nil
}

func (r *redisBus) GetStage(ctx context.Context, apiID, stageName string) (*gwconfig.Stage, error) {
	key := gwconfig.StageKey(apiID, stageName)
	b, err := r.client.HGet(ctx, r.stages, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("fleet: reading stage %s: %w", key, err)
	}
	return decodeStage(b)
}

func (r *redisBus) Stages(ctx context.Context) ([]*gwconfig.Stage, error) {
	all, err := r.client.HGetAll(ctx, r.stages).Result()
	if err != nil {
		return nil, fmt.Errorf("fleet: reading stages: %w", err)
	}
	out := make([]*gwconfig.Stage, 0, len(all))
	for _, v := range all {
		s, err := decodeStage([]byte(v))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sortStages(out)
	return out, nil
}

// Watch subscribes to the events channel and returns once Redis has
// confirmed the subscription, so no change after Watch returns is missed
// while the connection holds. go-redis reconnects and resubscribes by
// itself (with a ping health check); each resubscription is passed on as a
// change, because messages published while disconnected are lost.
func (r *redisBus) Watch(ctx context.Context) (<-chan struct{}, error) {
	return r.watch(ctx, r.events)
}

// watch subscribes to channel; see Watch.
func (r *redisBus) watch(ctx context.Context, channel string) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ps := r.client.Subscribe(ctx, channel)
	msg, err := ps.Receive(ctx)
	if err == nil {
		if _, ok := msg.(*redis.Subscription); !ok {
			err = fmt.Errorf("unexpected reply %T", msg)
		}
	}
	if err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("fleet: subscribing to %s: %w", channel, err)
	}
	if !r.track(ps) {
		_ = ps.Close()
		return nil, errClosed
	}

	in := ps.ChannelWithSubscriptions(redis.WithChannelSize(16))
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		defer r.untrack(ps)
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-in:
				if !ok {
					// Bus closed.
					return
				}
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out, nil
}

func (r *redisBus) track(ps *redis.PubSub) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.subs[ps] = struct{}{}
	return true
}

func (r *redisBus) untrack(ps *redis.PubSub) {
	r.mu.Lock()
	delete(r.subs, ps)
	r.mu.Unlock()
	_ = ps.Close()
}

func (r *redisBus) Heartbeat(ctx context.Context, hb Heartbeat, ttl time.Duration) error {
	if err := checkHeartbeat(hb); err != nil {
		return err
	}
	if ttl < time.Millisecond {
		return fmt.Errorf("fleet: heartbeat ttl %s is below 1ms", ttl)
	}
	if hb.SeenAt.IsZero() {
		hb.SeenAt = time.Now()
	}
	b, err := json.Marshal(hb)
	if err != nil {
		return fmt.Errorf("fleet: encoding heartbeat: %w", err)
	}
	_, err = r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, r.gateway+hb.GatewayID, b, ttl)
		p.ZAdd(ctx, r.gateways, redis.Z{Score: float64(hb.SeenAt.UnixMilli()), Member: hb.GatewayID})
		return nil
	})
	if err != nil {
		return fmt.Errorf("fleet: recording heartbeat of %s: %w", hb.GatewayID, err)
	}
	return nil
}

func (r *redisBus) Leave(ctx context.Context, gatewayID string) error {
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, r.gateway+gatewayID)
		p.ZRem(ctx, r.gateways, gatewayID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("fleet: removing gateway %s: %w", gatewayID, err)
	}
	return nil
}

func (r *redisBus) Gateways(ctx context.Context) ([]Heartbeat, error) {
	vals, err := gatewaysScript.Run(ctx, r.client, []string{r.gateways}, r.gateway).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("fleet: listing gateways: %w", err)
	}
	out := make([]Heartbeat, 0, len(vals))
	for _, v := range vals {
		var hb Heartbeat
		if err := json.Unmarshal([]byte(v), &hb); err != nil {
			return nil, fmt.Errorf("fleet: decoding heartbeat: %w", err)
		}
		out = append(out, hb)
	}
	sortHeartbeats(out)
	return out, nil
}

// Close ends every watch; their channels close. The client stays open.
func (r *redisBus) Close() error {
	r.mu.Lock()
	r.closed = true
	subs := make([]*redis.PubSub, 0, len(r.subs))
	for ps := range r.subs {
		subs = append(subs, ps)
	}
	r.mu.Unlock()
	for _, ps := range subs {
		_ = ps.Close()
	}
	return nil
}
