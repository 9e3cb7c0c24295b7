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

// A stage's cache, method and access log settings are stored, compiled into
// the snapshot (Stage.Cache, Route.Cache by route key, Stage.AccessLog), and
// a change on a deployed stage reaches the fleet without a redeploy.
func TestIntegrationStageCacheAndAccessLogSettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		_, err := f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /pets"))
		require.NoError(t, err)
		_, err = f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("POST /pets"))
		require.NoError(t, err)

		var create apis.CreateStageCommand
		require.NoError(t, json.Unmarshal([]byte(`{"stageName":"prod","cacheClusterEnabled":true,"cacheClusterSize":"1.6",
			"methodSettings":{"GET /pets":{"cacheTtlInSeconds":30,"cacheKeyParameters":["method.request.header.Accept"]}},
			"accessLogSettings":{"format":"CLF","destinationArn":"redis-stream"}}`), &create))
		st, err := f.svc.CreateStage(ctx, tenantA, a.ID, create)
		require.NoError(t, err)
		assert.Equal(t, &gwconfig.StageCache{Enabled: true, SizeMB: 1.6}, st.Cache)

		got, err := f.svc.GetStage(ctx, tenantA, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, st.Cache, got.Cache)
		assert.Equal(t, &apis.AccessLogSettings{Format: "CLF", DestinationArn: "redis-stream"}, got.AccessLog)
		require.Contains(t, got.MethodSettings, "GET /pets")
		assert.Equal(t, 30, *got.MethodSettings["GET /pets"].CacheTTLInSeconds)

		f.deployed(t, tenantA, a.ID, "prod")
		snap, err := f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, &gwconfig.StageCache{Enabled: true, SizeMB: 1.6, DefaultTTLSeconds: gwconfig.DefaultCacheTTLSeconds,
			UnauthorizedCacheControlHeaderStrategy: gwconfig.CacheControlSucceedWithResponseHeader}, snap.Cache)
		assert.Equal(t, &gwconfig.AccessLog{Format: "CLF", Destination: "redis-stream"}, snap.AccessLog)
		caches := map[string]*gwconfig.RouteCache{}
		for _, r := range snap.Routes {
			caches[r.RouteKey] = r.Cache
		}
		ttl := 30
		assert.Equal(t, &gwconfig.RouteCache{TTLSeconds: &ttl, KeyParameters: []string{"method.request.header.Accept"}}, caches["GET /pets"])
		assert.Nil(t, caches["POST /pets"])

		var upd apis.UpdateStageCommand
		require.NoError(t, json.Unmarshal([]byte(`{"cacheTtlInSeconds":90,"accessLogSettings":null,
			"methodSettings":{"POST /pets":{"cachingEnabled":true}}}`), &upd))
		_, err = f.svc.UpdateStage(ctx, tenantA, a.ID, "prod", upd)
		require.NoError(t, err)
		snap, err = f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		require.NotNil(t, snap.Cache)
		assert.Equal(t, 90, snap.Cache.DefaultTTLSeconds)
		assert.True(t, snap.Cache.Enabled)
		assert.Nil(t, snap.AccessLog)
		for _, r := range snap.Routes {
			if r.RouteKey == "POST /pets" {
				require.NotNil(t, r.Cache)
				assert.True(t, *r.Cache.Enabled)
			} else {
				assert.Nil(t, r.Cache, r.RouteKey)
			}
		}

		bad := apis.UpdateStageCommand{}
		require.NoError(t, json.Unmarshal([]byte(`{"cacheTtlInSeconds":4000}`), &bad))
		_, err = f.svc.UpdateStage(ctx, tenantA, a.ID, "prod", bad)
		assert.ErrorIs(t, err, apis.ErrStageInvalid)
	})
}
