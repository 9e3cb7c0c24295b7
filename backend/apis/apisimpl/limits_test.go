package apisimpl

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// A route's API key requirement and method throttle and a stage's default
// throttle are stored, compiled into the snapshot, and a stage throttle
// change reaches a deployed stage without a redeploy.
func TestIntegrationRouteAndStageLimits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		cmd := mockRoute("GET /pets")
		cmd.APIKeyRequired = true
		cmd.Throttle = &gwconfig.Throttle{RateLimit: 5, BurstLimit: 10}
		r, err := f.svc.CreateRoute(ctx, tenantA, a.ID, cmd)
		require.NoError(t, err)
		got, err := f.svc.GetRoute(ctx, tenantA, a.ID, r.ID)
		require.NoError(t, err)
		assert.True(t, got.APIKeyRequired)
		assert.Equal(t, cmd.Throttle, got.Throttle)

		var upd apis.UpdateRouteCommand
		require.NoError(t, json.Unmarshal([]byte(`{"throttle":null}`), &upd))
		r2, err := f.svc.UpdateRoute(ctx, tenantA, a.ID, r.ID, upd)
		require.NoError(t, err)
		assert.Nil(t, r2.Throttle)
		assert.True(t, r2.APIKeyRequired)

		_, err = f.svc.CreateRoute(ctx, tenantA, a.ID, apis.CreateRouteCommand{RouteKey: "GET /x",
			Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}, Throttle: &gwconfig.Throttle{RateLimit: 0, BurstLimit: 1}})
		assert.ErrorIs(t, err, apis.ErrRouteInvalid)

		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod",
			Throttle: &gwconfig.Throttle{RateLimit: 100, BurstLimit: 50}})
		require.NoError(t, err)
		f.deployed(t, tenantA, a.ID, "prod")
		snap, err := f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, &gwconfig.Throttle{RateLimit: 100, BurstLimit: 50}, snap.Throttle)
		require.Len(t, snap.Routes, 1)
		assert.True(t, snap.Routes[0].APIKeyRequired)

		var su apis.UpdateStageCommand
		require.NoError(t, json.Unmarshal([]byte(`{"throttle":{"rateLimit":7,"burstLimit":7}}`), &su))
		st, err := f.svc.UpdateStage(ctx, tenantA, a.ID, "prod", su)
		require.NoError(t, err)
		assert.Equal(t, 7.0, st.Throttle.RateLimit)
		snap, err = f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, &gwconfig.Throttle{RateLimit: 7, BurstLimit: 7}, snap.Throttle)
	})
}
