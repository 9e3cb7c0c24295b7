package limit_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/redistest"
)

func plan(id string) *gwconfig.UsagePlan {
	return &gwconfig.UsagePlan{ID: id, TenantID: "t-1",
		Throttle: &gwconfig.Throttle{RateLimit: 10, BurstLimit: 5},
		Quota:    &gwconfig.Quota{Limit: 100, Period: gwconfig.QuotaDay},
		APIStages: []gwconfig.PlanAPIStage{
			{APIID: "a1", Stage: "prod", MethodThrottles: map[string]gwconfig.Throttle{"GET /pets": {RateLimit: 1, BurstLimit: 1}}},
			{APIID: "a1", Stage: "test", Throttle: &gwconfig.Throttle{RateLimit: 2, BurstLimit: 2}},
		}}
}

func key(id, value string, plans ...string) *gwconfig.APIKey {
	return &gwconfig.APIKey{ID: id, TenantID: "t-1", ValueHash: limit.HashKey(value), Enabled: true, UsagePlanIDs: plans}
}

func TestKeySet(t *testing.T) {
	foreign := plan("p-foreign")
	foreign.TenantID = "t-2"
	bad := key("k-bad", "bad", "p1")
	bad.ValueHash = "not-hex"
	set := limit.NewKeySet(
		[]*gwconfig.APIKey{key("k1", "v1", "p1"), key("k2", "v2", "p-foreign", "p-missing"), bad},
		[]*gwconfig.UsagePlan{plan("p1"), foreign},
		[]*gwconfig.TenantLimits{{TenantID: "t-1", Suspended: true}},
	)

	tests := []struct {
		desc     string
		value    string
		keyID    string
		api      string
		stage    string
		route    string
		planID   string
		throttle gwconfig.Throttle
		thKey    string
	}{
		{desc: "unknown value", value: "nope"},
		{desc: "empty value", value: ""},
		{desc: "invalid hash is skipped", value: "bad"},
		{desc: "plan throttle", value: "v1", keyID: "k1", api: "a1", stage: "prod", route: "GET /other", planID: "p1",
			throttle: gwconfig.Throttle{RateLimit: 10, BurstLimit: 5}, thKey: "k:p1:k1"},
		{desc: "method throttle", value: "v1", keyID: "k1", api: "a1", stage: "prod", route: "GET /pets", planID: "p1",
			throttle: gwconfig.Throttle{RateLimit: 1, BurstLimit: 1}, thKey: "k:p1:k1:a1/prod:GET /pets"},
		{desc: "stage throttle", value: "v1", keyID: "k1", api: "a1", stage: "test", route: "GET /pets", planID: "p1",
			throttle: gwconfig.Throttle{RateLimit: 2, BurstLimit: 2}, thKey: "k:p1:k1:a1/test"},
		{desc: "stage not in the plan", value: "v1", keyID: "k1", api: "a2", stage: "prod"},
		{desc: "plan of another tenant or missing", value: "v2", keyID: "k2", api: "a1", stage: "prod"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			k := set.Lookup(test.value)
			if test.keyID == "" {
				assert.Nil(t, k)
				return
			}
			require.NotNil(t, k)
			assert.Equal(t, test.keyID, k.ID)
			ps := k.Stage(test.api, test.stage)
			if test.planID == "" {
				assert.Nil(t, ps)
				return
			}
			require.NotNil(t, ps)
			assert.Equal(t, test.planID, ps.Plan.ID)
			assert.Equal(t, int64(100), ps.Quota.Limit)
			th, thKey, ok := ps.MethodThrottle(test.route)
			require.True(t, ok)
			assert.Equal(t, test.throttle, th)
			assert.Equal(t, test.thKey, thKey)
		})
	}
	assert.True(t, set.Tenant("t-1").Suspended)
	assert.Nil(t, set.Tenant("t-2"))
	var none *limit.KeySet
	assert.Nil(t, none.Lookup("v1"))
}

// TestKeysFollowTheBus: a gateway's index picks up a disabled key from a
// WatchKeys event, without a resync.
func TestKeysFollowTheBus(t *testing.T) {
	testKeysFollow(t, fleet.NewMemory())
}

func TestIntegrationKeysFollowRedis(t *testing.T) {
	prefix := redistest.Prefix(t)
	testKeysFollow(t, fleet.NewRedis(redisClient(t, prefix), prefix))
}

func testKeysFollow(t *testing.T, bus fleet.Bus) {
	defer bus.Close()
	kb := fleet.AsKeyBus(bus)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	require.NoError(t, kb.PutUsagePlan(ctx, plan("p1")))
	require.NoError(t, kb.PutAPIKey(ctx, key("k1", "v1", "p1")))

	keys := limit.NewKeys(bus, nil)
	assert.False(t, keys.Loaded())
	done := make(chan struct{})
	go func() {
		defer close(done)
		keys.Run(ctx, time.Hour)
	}()
	require.Eventually(t, keys.Loaded, 5*time.Second, 10*time.Millisecond)
	require.True(t, keys.Set().Lookup("v1").Enabled)

	off := key("k1", "v1", "p1")
	off.Enabled = false
	start := time.Now()
	require.NoError(t, kb.PutAPIKey(ctx, off))
	require.Eventually(t, func() bool { return !keys.Set().Lookup("v1").Enabled }, 3*time.Second, 5*time.Millisecond)
	t.Logf("revocation reached the index in %s", time.Since(start))

	require.NoError(t, kb.DeleteAPIKey(ctx, "k1"))
	require.Eventually(t, func() bool { return keys.Set().Lookup("v1") == nil }, 3*time.Second, 5*time.Millisecond)
	assert.Equal(t, 1, keys.FleetSize())
	cancel()
	<-done
}
