package fleet

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Keys of the KeyBus, relative to the prefix.
const (
	redisAPIKeysKey      = "apikeys"      // hash: key id → APIKey JSON
	redisUsagePlansKey   = "usageplans"   // hash: plan id → UsagePlan JSON
	redisTenantLimitsKey = "tenantlimits" // hash: tenant id → TenantLimits JSON
	redisKeyEventsKey    = "keyevents"    // pub/sub channel, one message per change
)

// putKeyed stores v in hash under id and notifies key watchers in one
// transaction, so a watcher that wakes up reads the change.
func (r *redisBus) putKeyed(ctx context.Context, what, hash, id string, v any) error {
	return r.putOn(ctx, redisKeyEventsKey, what, hash, id, v)
}

// putOn is putKeyed announcing the change on channel (relative to the
// prefix).
func (r *redisBus) putOn(ctx context.Context, channel, what, hash, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("fleet: encoding %s %s: %w", what, id, err)
	}
	_, err = r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, r.prefix+hash, id, b)
		p.Publish(ctx, r.prefix+channel, "put "+hash+" "+id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("fleet: publishing %s %s: %w", what, id, err)
	}
	return nil
}

func (r *redisBus) deleteKeyed(ctx context.Context, what, hash, id string) error {
	return r.deleteOn(ctx, redisKeyEventsKey, what, hash, id)
}

func (r *redisBus) deleteOn(ctx context.Context, channel, what, hash, id string) error {
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, r.prefix+hash, id)
		p.Publish(ctx, r.prefix+channel, "delete "+hash+" "+id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("fleet: deleting %s %s: %w", what, id, err)
	}
	return nil
}

func (r *redisBus) listKeyed(ctx context.Context, what, hash string) ([]string, error) {
	vals, err := r.client.HVals(ctx, r.prefix+hash).Result()
	if err != nil {
		return nil, fmt.Errorf("fleet: reading %s: %w", what, err)
	}
	return vals, nil
}

func (r *redisBus) PutAPIKey(ctx context.Context, k *gwconfig.APIKey) error {
	if err := checkAPIKey(k); err != nil {
		return err
	}
	return r.putKeyed(ctx, "api key", redisAPIKeysKey, k.ID, k)
}

func (r *redisBus) DeleteAPIKey(ctx context.Context, keyID string) error {
	return r.deleteKeyed(ctx, "api key", redisAPIKeysKey, keyID)
}

func (r *redisBus) APIKeys(ctx context.Context) ([]*gwconfig.APIKey, error) {
	raw, err := r.listKeyed(ctx, "api keys", redisAPIKeysKey)
	if err != nil {
		return nil, err
	}
	return decodeAll("api key", raw, apiKeyID)
}

func (r *redisBus) PutUsagePlan(ctx context.Context, p *gwconfig.UsagePlan) error {
	if err := checkUsagePlan(p); err != nil {
		return err
	}
	return r.putKeyed(ctx, "usage plan", redisUsagePlansKey, p.ID, p)
}

func (r *redisBus) DeleteUsagePlan(ctx context.Context, planID string) error {
	return r.deleteKeyed(ctx, "usage plan", redisUsagePlansKey, planID)
}

func (r *redisBus) UsagePlans(ctx context.Context) ([]*gwconfig.UsagePlan, error) {
	raw, err := r.listKeyed(ctx, "usage plans", redisUsagePlansKey)
	if err != nil {
		return nil, err
	}
	return decodeAll("usage plan", raw, usagePlanID)
}

func (r *redisBus) PutTenantLimits(ctx context.Context, l *gwconfig.TenantLimits) error {
	if err := checkTenantLimits(l); err != nil {
		return err
	}
	return r.putKeyed(ctx, "tenant limits", redisTenantLimitsKey, l.TenantID, l)
}

func (r *redisBus) DeleteTenantLimits(ctx context.Context, tenantID string) error {
	return r.deleteKeyed(ctx, "tenant limits", redisTenantLimitsKey, tenantID)
}

func (r *redisBus) TenantLimits(ctx context.Context) ([]*gwconfig.TenantLimits, error) {
	raw, err := r.listKeyed(ctx, "tenant limits", redisTenantLimitsKey)
	if err != nil {
		return nil, err
	}
	return decodeAll("tenant limits", raw, tenantLimitsID)
}

// WatchKeys subscribes to <prefix>keyevents; see Watch for reconnects.
func (r *redisBus) WatchKeys(ctx context.Context) (<-chan struct{}, error) {
	return r.watch(ctx, r.prefix+redisKeyEventsKey)
}
