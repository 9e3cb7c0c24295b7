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
	"github.com/turnpike/turnpike/backend/restapi"
	"github.com/turnpike/turnpike/backend/restapi/restapiimpl"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// methodThrottles maps the snapshot's route keys to their stage method
// setting throttles.
func methodThrottles(snap *gwconfig.Stage) map[string]*gwconfig.Throttle {
	out := map[string]*gwconfig.Throttle{}
	for _, r := range snap.Routes {
		out[r.RouteKey] = r.MethodThrottle
	}
	return out
}

// A method setting's throttle is stored with the stage, compiled into the
// snapshot as the route's MethodThrottle (the route's own throttle kept
// apart) and reaches the fleet on a stage update without a redeploy.
func TestIntegrationMethodSettingThrottleHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		own := &gwconfig.Throttle{RateLimit: 1, BurstLimit: 1}
		withOwn := mockRoute("GET /pets/{petId}")
		withOwn.Throttle = own
		_, err := f.svc.CreateRoute(ctx, tenantA, a.ID, withOwn)
		require.NoError(t, err)
		_, err = f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /pets"))
		require.NoError(t, err)

		var create apis.CreateStageCommand
		require.NoError(t, json.Unmarshal([]byte(`{"stageName":"prod","throttle":{"rateLimit":10,"burstLimit":20},
			"methodSettings":{"GET /pets/{petId}":{"throttlingRateLimit":2.5,"throttlingBurstLimit":4}}}`), &create))
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, create)
		require.NoError(t, err)
		got, err := f.svc.GetStage(ctx, tenantA, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, &gwconfig.Throttle{RateLimit: 2.5, BurstLimit: 4}, got.MethodSettings["GET /pets/{petId}"].Throttle())

		f.deployed(t, tenantA, a.ID, "prod")
		snap, err := f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, map[string]*gwconfig.Throttle{"GET /pets/{petId}": {RateLimit: 2.5, BurstLimit: 4}, "GET /pets": nil}, methodThrottles(snap))
		for _, r := range snap.Routes {
			if r.RouteKey == "GET /pets/{petId}" {
				assert.Equal(t, own, r.Throttle)
			}
		}

		var upd apis.UpdateStageCommand
		require.NoError(t, json.Unmarshal([]byte(`{"methodSettings":{"GET /pets":{"throttlingRateLimit":7,"throttlingBurstLimit":0}}}`), &upd))
		_, err = f.svc.UpdateStage(ctx, tenantA, a.ID, "prod", upd)
		require.NoError(t, err)
		snap, err = f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, map[string]*gwconfig.Throttle{"GET /pets/{petId}": nil, "GET /pets": {RateLimit: 7}}, methodThrottles(snap))
		for _, r := range snap.Routes {
			if r.RouteKey == "GET /pets/{petId}" {
				assert.Equal(t, own, r.EffectiveThrottle(), "the route's own throttle is back")
			}
		}
	})
}

// A REST API's method gets its stage method throttle by route key.
func TestIntegrationMethodSettingThrottleREST(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a, err := f.svc.CreateAPI(ctx, tenantA, apis.CreateAPICommand{Name: "pets", ProtocolType: "REST"})
		require.NoError(t, err)
		// GET /pets and GET /pets/{petId}, both MOCK.
		rs := restapiimpl.ProvideService(d)
		root, err := rs.ListResources(ctx, tenantA, a.ID)
		require.NoError(t, err)
		parent := root[0].ID
		for _, part := range []string{"pets", "{petId}"} {
			res, err := rs.CreateResource(ctx, tenantA, a.ID, restapi.CreateResourceCommand{ParentID: parent, PathPart: part})
			require.NoError(t, err)
			_, err = rs.PutMethod(ctx, tenantA, a.ID, res.ID, "GET", restapi.PutMethodCommand{})
			require.NoError(t, err)
			_, err = rs.PutIntegration(ctx, tenantA, a.ID, res.ID, "GET", restapi.Integration{Type: "MOCK"})
			require.NoError(t, err)
			parent = res.ID
		}
		var create apis.CreateStageCommand
		require.NoError(t, json.Unmarshal([]byte(`{"stageName":"prod",
			"methodSettings":{"GET /pets/{petId}":{"throttlingRateLimit":1,"throttlingBurstLimit":2}}}`), &create))
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, create)
		require.NoError(t, err)

		f.deployed(t, tenantA, a.ID, "prod")
		snap, err := f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, map[string]*gwconfig.Throttle{"GET /pets/{petId}": {RateLimit: 1, BurstLimit: 2}, "GET /pets": nil}, methodThrottles(snap))
	})
}
