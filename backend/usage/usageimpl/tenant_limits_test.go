package usageimpl

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func (f *fixture) fleetLimits(t *testing.T, tenantID string) *gwconfig.TenantLimits {
	t.Helper()
	all, err := f.bus.TenantLimits(context.Background())
	require.NoError(t, err)
	for _, l := range all {
		if l.TenantID == tenantID {
			return l
		}
	}
	return nil
}

func TestIntegrationTenantLimits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()

		got, err := f.svc.GetTenantLimits(ctx, tenantA)
		require.NoError(t, err)
		assert.True(t, got.Default)
		assert.Equal(t, gwconfig.DefaultTenantThrottle, got.Throttle)

		invalid := []struct {
			desc string
			t    gwconfig.Throttle
		}{
			{desc: "zero rate", t: gwconfig.Throttle{RateLimit: 0, BurstLimit: 10}},
			{desc: "negative burst", t: gwconfig.Throttle{RateLimit: 10, BurstLimit: -1}},
			{desc: "rate too high", t: gwconfig.Throttle{RateLimit: 2e6, BurstLimit: 10}},
		}
		for _, tc := range invalid {
			t.Run(tc.desc, func(t *testing.T) {
				_, err := f.svc.PutTenantLimits(ctx, tenantA, tc.t)
				assert.ErrorIs(t, err, usage.ErrTenantLimitsInvalid)
			})
		}
		_, err = f.svc.PutTenantLimits(ctx, "tenant-nope", gwconfig.Throttle{RateLimit: 5, BurstLimit: 5})
		assert.ErrorIs(t, err, usage.ErrTenantNotFound)

		// A rolled back change is neither stored nor published.
		errRollback := errors.New("rolled back")
		err = d.RunInTx(ctx, func(ctx context.Context) error {
			_, err := f.svc.PutTenantLimits(ctx, tenantA, gwconfig.Throttle{RateLimit: 1, BurstLimit: 1})
			require.NoError(t, err)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		assert.Nil(t, f.fleetLimits(t, tenantA))

		set, err := f.svc.PutTenantLimits(ctx, tenantA, gwconfig.Throttle{RateLimit: 50, BurstLimit: 20})
		require.NoError(t, err)
		assert.False(t, set.Default)
		require.NotNil(t, f.fleetLimits(t, tenantA))
		assert.Equal(t, gwconfig.Throttle{RateLimit: 50, BurstLimit: 20}, f.fleetLimits(t, tenantA).Throttle)
		got, err = f.svc.GetTenantLimits(ctx, tenantA)
		require.NoError(t, err)
		assert.Equal(t, gwconfig.Throttle{RateLimit: 50, BurstLimit: 20}, got.Throttle)

		// Reconcile republishes the override, and the default for others.
		require.NoError(t, f.svc.Reconcile(ctx))
		assert.Equal(t, gwconfig.Throttle{RateLimit: 50, BurstLimit: 20}, f.fleetLimits(t, tenantA).Throttle)
		assert.Equal(t, gwconfig.DefaultTenantThrottle, f.fleetLimits(t, tenantB).Throttle)

		// Reset: a rolled back delete keeps the override on the fleet; a
		// committed one brings the default back there and in the database.
		assert.ErrorIs(t, f.svc.DeleteTenantLimits(ctx, "tenant-nope"), usage.ErrTenantNotFound)
		err = d.RunInTx(ctx, func(ctx context.Context) error {
			require.NoError(t, f.svc.DeleteTenantLimits(ctx, tenantA))
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		assert.Equal(t, gwconfig.Throttle{RateLimit: 50, BurstLimit: 20}, f.fleetLimits(t, tenantA).Throttle)
		require.NoError(t, f.svc.DeleteTenantLimits(ctx, tenantA))
		assert.Equal(t, gwconfig.DefaultTenantThrottle, f.fleetLimits(t, tenantA).Throttle)
		got, err = f.svc.GetTenantLimits(ctx, tenantA)
		require.NoError(t, err)
		assert.True(t, got.Default)
		assert.Equal(t, gwconfig.DefaultTenantThrottle, got.Throttle)
		require.NoError(t, f.svc.DeleteTenantLimits(ctx, tenantA), "resetting a default ceiling is a no-op")
	})
}
