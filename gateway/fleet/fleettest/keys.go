package fleettest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// keyTests are the KeyBus part of the contract suite.
var keyTests = []contractTest{
	{desc: "keys: the bus carries keys", run: testIsKeyBus},
	{desc: "keys: put, list, replace and delete api keys", run: testAPIKeys},
	{desc: "keys: put, list, replace and delete usage plans", run: testUsagePlans},
	{desc: "keys: put, list and delete tenant limits", run: testTenantLimits},
	{desc: "keys: invalid input", run: testKeysInvalid},
	{desc: "keys: watch keys wakes on every change, not on stages", run: testWatchKeys},
	{desc: "keys: two buses see each other's keys", run: testKeysTwoBuses},
}

// HashKey returns the hex SHA-256 of an API key value, as the fleet stores it.
func HashKey(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// NewAPIKey returns a valid enabled key in plan, for tests.
func NewAPIKey(id, value, planID string) *gwconfig.APIKey {
	return &gwconfig.APIKey{ID: id, TenantID: "t-1", ValueHash: HashKey(value), Enabled: true,
		UsagePlanIDs: []string{planID}, Revision: 1}
}

// NewUsagePlan returns a plan on a1/prod with a throttle, a quota and a
// method throttle, for tests.
func NewUsagePlan(id string) *gwconfig.UsagePlan {
	return &gwconfig.UsagePlan{
		ID:       id,
		TenantID: "t-1",
		Throttle: &gwconfig.Throttle{RateLimit: 50, BurstLimit: 10},
		Quota:    &gwconfig.Quota{Limit: 200, Period: gwconfig.QuotaWeek, Offset: 2},
		APIStages: []gwconfig.PlanAPIStage{{
			APIID: "a1", Stage: "prod",
			Throttle:        &gwconfig.Throttle{RateLimit: 20, BurstLimit: 5},
			MethodThrottles: map[string]gwconfig.Throttle{"GET /pets/{id}": {RateLimit: 1.5, BurstLimit: 2}},
		}},
		Revision: 1,
	}
}

func keyBus(t *testing.T, newBus func(t *testing.T) fleet.Bus) fleet.KeyBus {
	t.Helper()
	kb := fleet.AsKeyBus(newBus(t))
	require.NotNil(t, kb)
	return kb
}

func testIsKeyBus(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	_, ok := newBus(t).(fleet.FleetBus)
	assert.True(t, ok)
}

func testAPIKeys(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	kb := keyBus(t, newBus)

	got, err := kb.APIKeys(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)

	k2 := NewAPIKey("k2", "value-2", "p1")
	k1 := NewAPIKey("k1", "value-1", "p1")
	require.NoError(t, kb.PutAPIKey(ctx, k2))
	require.NoError(t, kb.PutAPIKey(ctx, k1))
	got, err = kb.APIKeys(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, k1, got[0])
	assert.Equal(t, k2, got[1])

	disabled := *k1
	disabled.Enabled = false
	disabled.Revision = 2
	require.NoError(t, kb.PutAPIKey(ctx, &disabled))
	got, err = kb.APIKeys(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.False(t, got[0].Enabled)
	assert.Equal(t, int64(2), got[0].Revision)

	// Reads are copies.
	got[0].UsagePlanIDs[0] = "mutated"
	again, err := kb.APIKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"p1"}, again[0].UsagePlanIDs)

	require.NoError(t, kb.DeleteAPIKey(ctx, "k1"))
	require.NoError(t, kb.DeleteAPIKey(ctx, "no-such-key"))
	got, err = kb.APIKeys(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "k2", got[0].ID)
}

func testUsagePlans(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	kb := keyBus(t, newBus)

	p := NewUsagePlan("p1")
	require.NoError(t, kb.PutUsagePlan(ctx, p))
	require.NoError(t, kb.PutUsagePlan(ctx, NewUsagePlan("p0")))
	got, err := kb.UsagePlans(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "p0", got[0].ID)
	assert.Equal(t, p, got[1])

	p2 := NewUsagePlan("p1")
	p2.Quota = nil
	p2.Revision = 2
	require.NoError(t, kb.PutUsagePlan(ctx, p2))
	got, err = kb.UsagePlans(ctx)
	require.NoError(t, err)
	assert.Equal(t, p2, got[1])

	require.NoError(t, kb.DeleteUsagePlan(ctx, "p1"))
	require.NoError(t, kb.DeleteUsagePlan(ctx, "p1"))
	got, err = kb.UsagePlans(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "p0", got[0].ID)
}

func testTenantLimits(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	kb := keyBus(t, newBus)

	l := &gwconfig.TenantLimits{TenantID: "t-1", Throttle: gwconfig.Throttle{RateLimit: 100, BurstLimit: 50}, Revision: 3}
	require.NoError(t, kb.PutTenantLimits(ctx, l))
	require.NoError(t, kb.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "t-0", Suspended: true}))
	got, err := kb.TenantLimits(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.True(t, got[0].Suspended)
	assert.Equal(t, l, got[1])

	require.NoError(t, kb.DeleteTenantLimits(ctx, "t-0"))
	got, err = kb.TenantLimits(ctx)
	require.NoError(t, err)
	assert.Equal(t, []*gwconfig.TenantLimits{l}, got)
}

func testKeysInvalid(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	kb := keyBus(t, newBus)

	requireAllFail(t, []change{
		{desc: "nil key", put: func() error { return kb.PutAPIKey(ctx, nil) }},
		{desc: "key without id", put: func() error { return kb.PutAPIKey(ctx, NewAPIKey("", "v", "p1")) }},
		{desc: "key with a clear value", put: func() error {
			k := NewAPIKey("k1", "v", "p1")
			k.ValueHash = "v"
			return kb.PutAPIKey(ctx, k)
		}},
		{desc: "plan without tenant", put: func() error {
			p := NewUsagePlan("p1")
			p.TenantID = ""
			return kb.PutUsagePlan(ctx, p)
		}},
		{desc: "nil plan", put: func() error { return kb.PutUsagePlan(ctx, nil) }},
		{desc: "limits without tenant", put: func() error { return kb.PutTenantLimits(ctx, &gwconfig.TenantLimits{}) }},
	})
	keys, err := kb.APIKeys(ctx)
	require.NoError(t, err)
	assert.Empty(t, keys)
}

func testWatchKeys(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)
	kb := fleet.AsKeyBus(bus)
	require.NotNil(t, kb)

	ch, err := kb.WatchKeys(ctx)
	require.NoError(t, err)

	requireEachWakes(t, ch, []change{
		{desc: "put key", put: func() error { return kb.PutAPIKey(ctx, NewAPIKey("k1", "v", "p1")) }},
		{desc: "delete key", put: func() error { return kb.DeleteAPIKey(ctx, "k1") }},
		{desc: "put plan", put: func() error { return kb.PutUsagePlan(ctx, NewUsagePlan("p1")) }},
		{desc: "delete plan", put: func() error { return kb.DeleteUsagePlan(ctx, "p1") }},
		{desc: "put limits", put: func() error {
			return kb.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "t-1", Throttle: gwconfig.DefaultTenantThrottle})
		}},
		{desc: "delete limits", put: func() error { return kb.DeleteTenantLimits(ctx, "t-1") }},
	})

	// A stage change does not wake the key watcher (the stage watcher's
	// event proves the change has gone out).
	drain(ch)
	stages, err := bus.Watch(ctx)
	require.NoError(t, err)
	require.NoError(t, bus.PutStage(ctx, NewStage("a1", "prod", "d-1")))
	requireEvent(t, stages)
	select {
	case <-ch:
		t.Fatal("a stage change woke the key watcher")
	case <-time.After(100 * time.Millisecond):
	}
}

func testKeysTwoBuses(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	a := keyBus(t, newBus)
	b := keyBus(t, newBus)

	ch, err := b.WatchKeys(ctx)
	require.NoError(t, err)
	require.NoError(t, a.PutAPIKey(ctx, NewAPIKey("k1", "v", "p1")))
	requireEvent(t, ch)
	keys, err := b.APIKeys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, HashKey("v"), keys[0].ValueHash)
}
