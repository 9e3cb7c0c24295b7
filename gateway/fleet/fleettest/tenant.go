package fleettest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// tenantTests are the TenantBus part of the contract suite.
var tenantTests = []contractTest{
	{desc: "tenant: put, list, replace and delete execute-api grants", run: testGrants},
	{desc: "tenant: put, list, replace and delete target groups", run: testTargetGroups},
	{desc: "tenant: invalid input", run: testTenantInvalid},
	{desc: "tenant: watch wakes on every change, not on keys", run: testWatchTenants},
	{desc: "tenant: two buses see each other's grants", run: testTenantTwoBuses},
}

// NewGrants returns grants of t-1 with one key allowed to invoke a1, for
// tests.
func NewGrants(tenantID, token string) *gwconfig.ExecuteAPIGrants {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	return &gwconfig.ExecuteAPIGrants{
		TenantID: tenantID,
		Keys: []gwconfig.ExecuteAPIKey{{
			AccessKeyID: "TPAK0001", PrincipalID: "usr_1", TokenHash: HashKey(token), ExpiresAt: &exp,
			Statements: []gwconfig.ExecuteAPIStatement{{
				Effect: gwconfig.EffectAllow, Actions: []string{gwconfig.ActionInvoke},
				Resources: []string{"trn:turnpike:" + tenantID + ":execute-api:a1/*"}, SourceCIDRs: []string{"10.0.0.0/8"},
			}},
		}},
		Revision: 1,
	}
}

// NewTargetGroup returns a target group of t-1 with one target, for tests.
func NewTargetGroup(id, addr string) *gwconfig.TargetGroup {
	return &gwconfig.TargetGroup{ID: id, TenantID: "t-1", Name: "pets", Targets: []gwconfig.Target{{Address: addr}},
		HealthCheck: gwconfig.HealthCheck{Path: "/health", IntervalSeconds: 5}, LoadBalancing: gwconfig.LBRoundRobin}
}

func tenantBus(t *testing.T, newBus func(t *testing.T) fleet.Bus) fleet.TenantBus {
	t.Helper()
	tb := fleet.AsTenantBus(newBus(t))
	require.NotNil(t, tb)
	return tb
}

func testGrants(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	tb := tenantBus(t, newBus)

	got, err := tb.ExecuteAPIGrants(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)

	g2 := NewGrants("t-2", "tok-2")
	g1 := NewGrants("t-1", "tok-1")
	require.NoError(t, tb.PutExecuteAPIGrants(ctx, g2))
	require.NoError(t, tb.PutExecuteAPIGrants(ctx, g1))
	got, err = tb.ExecuteAPIGrants(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, g1, got[0])
	assert.Equal(t, g2, got[1])

	replaced := NewGrants("t-1", "tok-1")
	replaced.Keys = nil
	replaced.Revision = 2
	require.NoError(t, tb.PutExecuteAPIGrants(ctx, replaced))
	got, err = tb.ExecuteAPIGrants(ctx)
	require.NoError(t, err)
	assert.Empty(t, got[0].Keys)
	assert.Equal(t, int64(2), got[0].Revision)

	require.NoError(t, tb.DeleteExecuteAPIGrants(ctx, "t-1"))
	require.NoError(t, tb.DeleteExecuteAPIGrants(ctx, "no-such-tenant"))
	got, err = tb.ExecuteAPIGrants(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "t-2", got[0].TenantID)
}

func testTargetGroups(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	tb := tenantBus(t, newBus)

	require.NoError(t, tb.PutTargetGroup(ctx, NewTargetGroup("tg-2", "10.0.0.2:80")))
	require.NoError(t, tb.PutTargetGroup(ctx, NewTargetGroup("tg-1", "10.0.0.1:80")))
	got, err := tb.TargetGroups(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, NewTargetGroup("tg-1", "10.0.0.1:80"), got[0])

	edited := NewTargetGroup("tg-1", "10.0.0.9:80")
	edited.LoadBalancing = gwconfig.LBLeastRequests
	require.NoError(t, tb.PutTargetGroup(ctx, edited))
	got, err = tb.TargetGroups(ctx)
	require.NoError(t, err)
	assert.Equal(t, edited, got[0])

	require.NoError(t, tb.DeleteTargetGroup(ctx, "tg-1"))
	require.NoError(t, tb.DeleteTargetGroup(ctx, "tg-1"))
	got, err = tb.TargetGroups(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "tg-2", got[0].ID)
}

func testTenantInvalid(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	tb := tenantBus(t, newBus)

	requireAllFail(t, []change{
		{desc: "nil grants", put: func() error { return tb.PutExecuteAPIGrants(ctx, nil) }},
		{desc: "grants without tenant", put: func() error { return tb.PutExecuteAPIGrants(ctx, NewGrants("", "x")) }},
		{desc: "grants with a clear token", put: func() error {
			g := NewGrants("t-1", "x")
			g.Keys[0].TokenHash = "tpk_clear"
			return tb.PutExecuteAPIGrants(ctx, g)
		}},
		{desc: "nil target group", put: func() error { return tb.PutTargetGroup(ctx, nil) }},
		{desc: "target group without tenant", put: func() error {
			g := NewTargetGroup("tg-1", "10.0.0.1:80")
			g.TenantID = ""
			return tb.PutTargetGroup(ctx, g)
		}},
	})
	grants, err := tb.ExecuteAPIGrants(ctx)
	require.NoError(t, err)
	assert.Empty(t, grants)
	groups, err := tb.TargetGroups(ctx)
	require.NoError(t, err)
	assert.Empty(t, groups)
}

func testWatchTenants(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)
	tb := fleet.AsTenantBus(bus)
	require.NotNil(t, tb)

	ch, err := tb.WatchTenants(ctx)
	require.NoError(t, err)
	requireEachWakes(t, ch, []change{
		{desc: "put grants", put: func() error { return tb.PutExecuteAPIGrants(ctx, NewGrants("t-1", "x")) }},
		{desc: "delete grants", put: func() error { return tb.DeleteExecuteAPIGrants(ctx, "t-1") }},
		{desc: "put group", put: func() error { return tb.PutTargetGroup(ctx, NewTargetGroup("tg-1", "10.0.0.1:80")) }},
		{desc: "delete group", put: func() error { return tb.DeleteTargetGroup(ctx, "tg-1") }},
	})

	// A key change does not wake the tenant watcher.
	drain(ch)
	kb := fleet.AsKeyBus(bus)
	require.NotNil(t, kb)
	keys, err := kb.WatchKeys(ctx)
	require.NoError(t, err)
	require.NoError(t, kb.PutAPIKey(ctx, NewAPIKey("k1", "v", "p1")))
	requireEvent(t, keys)
	select {
	case <-ch:
		t.Fatal("a key change woke the tenant watcher")
	case <-time.After(100 * time.Millisecond):
	}
}

func testTenantTwoBuses(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	a := tenantBus(t, newBus)
	b := tenantBus(t, newBus)

	ch, err := b.WatchTenants(ctx)
	require.NoError(t, err)
	require.NoError(t, a.PutExecuteAPIGrants(ctx, NewGrants("t-1", "tok")))
	requireEvent(t, ch)
	got, err := b.ExecuteAPIGrants(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, HashKey("tok"), got[0].Keys[0].TokenHash)
}

// change is one write of a table of writes.
type change struct {
	desc string
	put  func() error
}

// requireAllFail checks that every change is refused.
func requireAllFail(t *testing.T, changes []change) {
	t.Helper()
	for _, c := range changes {
		t.Run(c.desc, func(t *testing.T) {
			assert.Error(t, c.put())
		})
	}
}

// requireEachWakes makes each change in turn and waits for the watch event
// it causes.
func requireEachWakes(t *testing.T, ch <-chan struct{}, changes []change) {
	t.Helper()
	for _, c := range changes {
		drain(ch)
		require.NoError(t, c.put(), c.desc)
		requireEvent(t, ch)
	}
}
