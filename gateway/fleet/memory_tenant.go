package fleet

import (
	"context"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func pickGrants(k *memoryKeys) map[string]string { return k.grants }
func pickGroups(k *memoryKeys) map[string]string { return k.groups }

func (m *memory) PutExecuteAPIGrants(ctx context.Context, g *gwconfig.ExecuteAPIGrants) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return m.putIn(ctx, "execute-api grants", pickGrants, m.keys.tenantWatchers, g.TenantID, g)
}

func (m *memory) DeleteExecuteAPIGrants(ctx context.Context, tenantID string) error {
	return m.deleteIn(ctx, pickGrants, m.keys.tenantWatchers, tenantID)
}

func (m *memory) ExecuteAPIGrants(ctx context.Context) ([]*gwconfig.ExecuteAPIGrants, error) {
	raw, err := m.listKeyed(ctx, pickGrants)
	if err != nil {
		return nil, err
	}
	return decodeAll("execute-api grants", raw, grantsID)
}

func (m *memory) PutTargetGroup(ctx context.Context, g *gwconfig.TargetGroup) error {
	if err := checkTargetGroup(g); err != nil {
		return err
	}
	return m.putIn(ctx, "target group", pickGroups, m.keys.tenantWatchers, g.ID, g)
}

func (m *memory) DeleteTargetGroup(ctx context.Context, id string) error {
	return m.deleteIn(ctx, pickGroups, m.keys.tenantWatchers, id)
}

func (m *memory) TargetGroups(ctx context.Context) ([]*gwconfig.TargetGroup, error) {
	raw, err := m.listKeyed(ctx, pickGroups)
	if err != nil {
		return nil, err
	}
	return decodeAll("target group", raw, targetGroupID)
}

func (m *memory) WatchTenants(ctx context.Context) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return m.watch(ctx, m.keys.tenantWatchers)
}
