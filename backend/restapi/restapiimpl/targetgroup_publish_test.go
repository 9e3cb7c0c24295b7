package restapiimpl

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/restapi"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// TestIntegrationTargetGroupsPublished checks that target group edits
// reach the fleet after commit, without a deployment, and that a start-up
// reconcile makes the fleet's copy exact.
func TestIntegrationTargetGroupsPublished(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		bus := fleet.AsTenantBus(fleet.NewMemory())
		svc := ProvideService(d, WithTargetGroupBus(bus, nil))
		ctx := context.Background()
		published := func() map[string]*gwconfig.TargetGroup {
			gs, err := bus.TargetGroups(ctx)
			require.NoError(t, err)
			out := map[string]*gwconfig.TargetGroup{}
			for _, g := range gs {
				out[g.ID] = g
			}
			return out
		}

		g, err := svc.CreateTargetGroup(ctx, tenantA, restapi.TargetGroupCommand{Name: "a", Targets: []restapi.Target{{Address: "10.0.0.1:80"}}})
		require.NoError(t, err)
		require.Contains(t, published(), g.ID)
		assert.Equal(t, tenantA, published()[g.ID].TenantID)

		_, err = svc.UpdateTargetGroup(ctx, tenantA, g.ID, restapi.TargetGroupCommand{Name: "a",
			Targets: []restapi.Target{{Address: "10.0.0.2:80"}}, LoadBalancing: gwconfig.LBLeastRequests})
		require.NoError(t, err)
		assert.Equal(t, []gwconfig.Target{{Address: "10.0.0.2:80"}}, published()[g.ID].Targets)
		assert.Equal(t, gwconfig.LBLeastRequests, published()[g.ID].LoadBalancing)

		// A change rolled back is not published.
		errRollback := errors.New("rolled back")
		err = d.RunInTx(ctx, func(ctx context.Context) error {
			_, err := svc.UpdateTargetGroup(ctx, tenantA, g.ID, restapi.TargetGroupCommand{Name: "a", Targets: []restapi.Target{{Address: "10.0.0.9:80"}}})
			require.NoError(t, err)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		assert.Equal(t, []gwconfig.Target{{Address: "10.0.0.2:80"}}, published()[g.ID].Targets)

		require.NoError(t, svc.DeleteTargetGroup(ctx, tenantA, g.ID))
		assert.NotContains(t, published(), g.ID)

		// Reconcile: groups created without the bus appear, stale ones go.
		other, err := f.svc.CreateTargetGroup(ctx, tenantB, restapi.TargetGroupCommand{Name: "b", Targets: []restapi.Target{{Address: "10.0.0.3:80"}}})
		require.NoError(t, err)
		require.NoError(t, bus.PutTargetGroup(ctx, &gwconfig.TargetGroup{ID: "tg-stale", TenantID: tenantA, Targets: []gwconfig.Target{{Address: "10.0.0.4:80"}}}))
		require.NoError(t, svc.ReconcileTargetGroups(ctx))
		got := published()
		assert.Contains(t, got, other.ID)
		assert.NotContains(t, got, "tg-stale")
	})
}
