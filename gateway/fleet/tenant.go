package fleet

import (
	"context"
	"errors"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// TenantBus carries the rest of what changes without a deploy: each
// tenant's execute-api grants (what its IAM access keys may invoke, for
// AWS_IAM methods) and its target groups (so that editing one takes effect
// without redeploying the APIs that use it). Gateways hold both in memory
// and re-read them after each WatchTenants event and on their resync
// timer.
//
// Both buses implement it; use AsTenantBus to get at it. As with KeyBus,
// the bus keeps the caller's Revision.
type TenantBus interface {
	// PutExecuteAPIGrants publishes a tenant's grants, replacing earlier
	// ones.
	PutExecuteAPIGrants(ctx context.Context, g *gwconfig.ExecuteAPIGrants) error
	// DeleteExecuteAPIGrants withdraws a tenant's grants; unknown tenants
	// are no error.
	DeleteExecuteAPIGrants(ctx context.Context, tenantID string) error
	// ExecuteAPIGrants returns every tenant's grants, sorted by tenant ID.
	ExecuteAPIGrants(ctx context.Context) ([]*gwconfig.ExecuteAPIGrants, error)

	// PutTargetGroup publishes a target group, replacing the one with the
	// same ID.
	PutTargetGroup(ctx context.Context, g *gwconfig.TargetGroup) error
	// DeleteTargetGroup withdraws a target group; unknown ids are no
	// error.
	DeleteTargetGroup(ctx context.Context, id string) error
	// TargetGroups returns every published target group, sorted by ID.
	TargetGroups(ctx context.Context) ([]*gwconfig.TargetGroup, error)

	// WatchTenants is Watch for grants and target groups: a channel that
	// receives a (coalesced) value after every change to them, closed when
	// ctx ends. Stage and key changes do not wake it.
	WatchTenants(ctx context.Context) (<-chan struct{}, error)
}

// AsTenantBus returns b's TenantBus, or nil if b carries none.
func AsTenantBus(b Bus) TenantBus {
	tb, _ := b.(TenantBus)
	return tb
}

var (
	_ TenantBus = (*memory)(nil)
	_ TenantBus = (*redisBus)(nil)
)

func checkTargetGroup(g *gwconfig.TargetGroup) error {
	if g == nil || g.ID == "" || g.TenantID == "" {
		return errors.New("fleet: target group needs an id and a tenant id")
	}
	return nil
}

func grantsID(g *gwconfig.ExecuteAPIGrants) string { return g.TenantID }
func targetGroupID(g *gwconfig.TargetGroup) string { return g.ID }
