package fleet

import (
	"context"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Keys of the TenantBus, relative to the prefix.
const (
	redisGrantsKey       = "executeapigrants" // hash: tenant id → ExecuteAPIGrants JSON
	redisTargetGroupsKey = "targetgroups"     // hash: group id → TargetGroup JSON
	redisTenantEventsKey = "tenantevents"     // pub/sub channel, one message per change
)

func (r *redisBus) PutExecuteAPIGrants(ctx context.Context, g *gwconfig.ExecuteAPIGrants) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return r.putOn(ctx, redisTenantEventsKey, "execute-api grants", redisGrantsKey, g.TenantID, g)
}

func (r *redisBus) DeleteExecuteAPIGrants(ctx context.Context, tenantID string) error {
	return r.deleteOn(ctx, redisTenantEventsKey, "execute-api grants", redisGrantsKey, tenantID)
}

func (r *redisBus) ExecuteAPIGrants(ctx context.Context) ([]*gwconfig.ExecuteAPIGrants, error) {
	raw, err := r.listKeyed(ctx, "execute-api grants", redisGrantsKey)
	if err != nil {
		return nil, err
	}
	return decodeAll("execute-api grants", raw, grantsID)
}

func (r *redisBus) PutTargetGroup(ctx context.Context, g *gwconfig.TargetGroup) error {
	if err := checkTargetGroup(g); err != nil {
		return err
	}
	return r.putOn(ctx, redisTenantEventsKey, "target group", redisTargetGroupsKey, g.ID, g)
}

func (r *redisBus) DeleteTargetGroup(ctx context.Context, id string) error {
	return r.deleteOn(ctx, redisTenantEventsKey, "target group", redisTargetGroupsKey, id)
}

func (r *redisBus) TargetGroups(ctx context.Context) ([]*gwconfig.TargetGroup, error) {
	raw, err := r.listKeyed(ctx, "target groups", redisTargetGroupsKey)
	if err != nil {
		return nil, err
	}
	return decodeAll("target group", raw, targetGroupID)
}

// WatchTenants subscribes to <prefix>tenantevents; see Watch for
// reconnects.
func (r *redisBus) WatchTenants(ctx context.Context) (<-chan struct{}, error) {
	return r.watch(ctx, r.prefix+redisTenantEventsKey)
}
