package server

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/stage/iamauth"
)

// tenantState is what the gateway holds of the TenantBus: the target
// groups published on their own (newer than the stage snapshots' copies)
// merged with those of the served stages.
type tenantState struct {
	mu          sync.Mutex
	stageGroups map[string]gwconfig.TargetGroup
	busGroups   map[string]gwconfig.TargetGroup
	// grantRevisions are the compiled grants' revisions by tenant; owned
	// by watchTenants.
	grantRevisions map[string]int64
}

// watchTenants keeps the execute-api grants and the published target
// groups current, on every TenantBus event and every ResyncInterval, until
// ctx ends. Without a TenantBus the grants are empty (and loaded).
func (g *Gateway) watchTenants(ctx context.Context) {
	tb := fleet.AsTenantBus(g.bus)
	if tb == nil {
		g.cfg.Grants.Swap(iamauth.Compile(nil))
		return
	}
	subscribe := func() <-chan struct{} {
		ch, err := tb.WatchTenants(ctx)
		if err != nil {
			g.logger.Warn("watching tenant grants and target groups; relying on resync", "error", err)
			return nil
		}
		return ch
	}
	events := subscribe()
	resync := time.NewTicker(g.cfg.ResyncInterval)
	defer resync.Stop()
	backoff := 100 * time.Millisecond
	for {
		if err := g.reloadTenants(ctx, tb); err != nil && ctx.Err() == nil {
			g.logger.Error("loading tenant grants and target groups from the fleet bus", "error", err)
			if !g.cfg.Grants.Loaded() {
				// Not ready yet: retry soon rather than at the next resync.
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, g.cfg.ResyncInterval)
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				events = nil
			}
		case <-resync.C:
			if events == nil {
				events = subscribe()
			}
		}
	}
}

func (g *Gateway) reloadTenants(ctx context.Context, tb fleet.TenantBus) error {
	grants, err := tb.ExecuteAPIGrants(ctx)
	if err != nil {
		return err
	}
	groups, err := tb.TargetGroups(ctx)
	if err != nil {
		return err
	}
	// Recompile only when a tenant's grants changed (each publish stamps a
	// new revision); a resync usually finds none.
	revs := make(map[string]int64, len(grants))
	for _, gr := range grants {
		revs[gr.TenantID] = gr.Revision
	}
	if !g.cfg.Grants.Loaded() || !maps.Equal(revs, g.tenants.grantRevisions) {
		g.cfg.Grants.Swap(iamauth.Compile(grants))
		g.tenants.grantRevisions = revs
	}
	bus := make(map[string]gwconfig.TargetGroup, len(groups))
	for _, tg := range groups {
		bus[tg.ID] = *tg
	}
	g.tenants.mu.Lock()
	changed := !maps.EqualFunc(g.tenants.busGroups, bus, groupsEqual)
	g.tenants.busGroups = bus
	g.tenants.mu.Unlock()
	if changed {
		g.syncTargets(nil)
	}
	return nil
}

// syncTargets gives the target manager the served stages' groups
// (stageGroups, or the last ones when nil), each replaced by its published
// version when the fleet has one of the same tenant: editing a group takes
// effect without a redeploy. Groups no served stage uses are not pooled.
func (g *Gateway) syncTargets(stageGroups map[string]gwconfig.TargetGroup) {
	g.tenants.mu.Lock()
	defer g.tenants.mu.Unlock()
	if stageGroups != nil {
		g.tenants.stageGroups = stageGroups
	}
	out := make(map[string]gwconfig.TargetGroup, len(g.tenants.stageGroups))
	for id, sg := range g.tenants.stageGroups {
		if bg, ok := g.tenants.busGroups[id]; ok && bg.TenantID == sg.TenantID {
			sg = bg
		}
		out[id] = sg
	}
	g.targets.Sync(out)
}

func groupsEqual(a, b gwconfig.TargetGroup) bool {
	return a.ID == b.ID && a.TenantID == b.TenantID && a.Name == b.Name && a.LoadBalancing == b.LoadBalancing &&
		a.HealthCheck == b.HealthCheck && slices.Equal(a.Targets, b.Targets)
}
