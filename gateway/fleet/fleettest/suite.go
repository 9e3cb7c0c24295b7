// Package fleettest is the contract suite every fleet.Bus implementation
// passes.
package fleettest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// eventWait bounds every wait for a watch event or an expiry.
const eventWait = 3 * time.Second

// contractTest is one case of the suite; the stage, key and tenant parts
// each list theirs.
type contractTest struct {
	desc string
	run  func(t *testing.T, newBus func(t *testing.T) fleet.Bus)
}

// Run runs the contract suite. newBus returns a bus on a backend that is
// empty for t; calling it again with the same t must return a second bus
// (for Redis, a second client) on the same backend, so the suite can check
// that buses see each other's changes. The factory closes what it opens
// with t.Cleanup.
func Run(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	tests := []contractTest{
		{desc: "put, get, list and delete", run: testPutGetListDelete},
		{desc: "replace bumps the revision", run: testReplaceBumpsRevision},
		{desc: "a higher caller revision is kept", run: testCallerRevision},
		{desc: "put leaves the caller's stage alone and reads are copies", run: testCopies},
		{desc: "not found", run: testNotFound},
		{desc: "invalid input", run: testInvalidInput},
		{desc: "watch receives after put and delete", run: testWatch},
		{desc: "watch channel closes when ctx ends", run: testWatchCancel},
		{desc: "two buses see each other's changes", run: testTwoBuses},
		{desc: "heartbeats are listed and expire", run: testHeartbeats},
		{desc: "heartbeat replaces the earlier one", run: testHeartbeatReplace},
		{desc: "leave removes a gateway at once", run: testLeave},
		{desc: "concurrent puts", run: testConcurrentPuts},
	}
	tests = append(tests, keyTests...)
	tests = append(tests, tenantTests...)
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			test.run(t, newBus)
		})
	}
}

// NewStage returns a valid stage with one route, for tests.
func NewStage(apiID, stageName, deploymentID string) *gwconfig.Stage {
	return &gwconfig.Stage{
		TenantID:       "t-1",
		APIID:          apiID,
		APIName:        "pets",
		ProtocolType:   gwconfig.ProtocolHTTP,
		StageName:      stageName,
		DeploymentID:   deploymentID,
		StageVariables: map[string]string{"backend": "pets.internal"},
		Routes: []gwconfig.Route{{
			RouteID:  "r-1",
			RouteKey: "GET /pets/{id}",
			Integration: gwconfig.Integration{
				Type:            gwconfig.IntegrationHTTPProxy,
				URI:             "http://${stageVariables.backend}/pets/{id}",
				TimeoutInMillis: 5000,
			},
		}},
		PublishedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC),
	}
}

func testPutGetListDelete(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	got, err := bus.Stages(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)

	a := NewStage("a1", "prod", "d-1")
	b := NewStage("b2", "dev", "d-2")
	b.Routes = append(b.Routes, gwconfig.Route{
		RouteID:  "r-2",
		RouteKey: "$default",
		Integration: gwconfig.Integration{
			Type:           gwconfig.IntegrationMock,
			MockStatusCode: 418,
			MockBody:       `{"tea":true}`,
			MockHeaders:    map[string]string{"Content-Type": "application/json"},
		},
	})
	require.NoError(t, bus.PutStage(ctx, a))
	require.NoError(t, bus.PutStage(ctx, b))

	gotA, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Positive(t, gotA.Revision)
	assert.Equal(t, withRevision(a, gotA.Revision), gotA)

	gotB, err := bus.GetStage(ctx, "b2", "dev")
	require.NoError(t, err)
	assert.Equal(t, withRevision(b, gotB.Revision), gotB)

	all, err := bus.Stages(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"a1/prod", "b2/dev"}, keys(all))

	require.NoError(t, bus.DeleteStage(ctx, "a1", "prod"))
	_, err = bus.GetStage(ctx, "a1", "prod")
	assert.ErrorIs(t, err, fleet.ErrNotFound)
	all, err = bus.Stages(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"b2/dev"}, keys(all))
}

func testReplaceBumpsRevision(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	require.NoError(t, bus.PutStage(ctx, NewStage("a1", "prod", "d-1")))
	first, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)

	require.NoError(t, bus.PutStage(ctx, NewStage("a1", "prod", "d-2")))
	second, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Equal(t, "d-2", second.DeploymentID)
	assert.Greater(t, second.Revision, first.Revision)

	// Republishing the same deployment (a rollback) is a new revision too.
	require.NoError(t, bus.PutStage(ctx, NewStage("a1", "prod", "d-2")))
	third, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Greater(t, third.Revision, second.Revision)

	// Revisions keep rising across a delete, so a gateway that held the
	// stage never mistakes a new publish for one it has.
	require.NoError(t, bus.DeleteStage(ctx, "a1", "prod"))
	require.NoError(t, bus.PutStage(ctx, NewStage("a1", "prod", "d-3")))
	fourth, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Greater(t, fourth.Revision, third.Revision)

	all, err := bus.Stages(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, fourth, all[0])
}

func testCallerRevision(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	// The backend stamps UnixNano revisions, beyond a double's precision.
	const stamped = int64(1795000000000000001)
	s := NewStage("a1", "prod", "d-1")
	s.Revision = stamped
	require.NoError(t, bus.PutStage(ctx, s))
	got, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Equal(t, stamped, got.Revision)

	// A lower or missing revision still gets a higher one.
	for _, rev := range []int64{0, 5, stamped} {
		s := NewStage("b2", "prod", "d-2")
		s.Revision = rev
		require.NoError(t, bus.PutStage(ctx, s))
		next, err := bus.GetStage(ctx, "b2", "prod")
		require.NoError(t, err)
		assert.Greater(t, next.Revision, got.Revision)
		got = next
	}
	assert.Equal(t, stamped+3, got.Revision)
}

func testCopies(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	s := NewStage("a1", "prod", "d-1")
	s.Revision = 0
	require.NoError(t, bus.PutStage(ctx, s))
	assert.Zero(t, s.Revision)
	s.StageVariables["backend"] = "changed"
	s.Routes[0].RouteKey = "GET /changed"

	got, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Equal(t, "pets.internal", got.StageVariables["backend"])
	assert.Equal(t, "GET /pets/{id}", got.Routes[0].RouteKey)

	got.StageVariables["backend"] = "mutated"
	got.Routes[0].RouteKey = "GET /mutated"
	again, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Equal(t, "pets.internal", again.StageVariables["backend"])
	assert.Equal(t, "GET /pets/{id}", again.Routes[0].RouteKey)
}

func testNotFound(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	_, err := bus.GetStage(ctx, "nope", "prod")
	assert.ErrorIs(t, err, fleet.ErrNotFound)
	assert.NoError(t, bus.DeleteStage(ctx, "nope", "prod"))
	assert.NoError(t, bus.Leave(ctx, "gw-nope"))
}

func testInvalidInput(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	assert.Error(t, bus.PutStage(ctx, nil))
	assert.Error(t, bus.PutStage(ctx, &gwconfig.Stage{APIID: "a1"}))
	assert.Error(t, bus.Heartbeat(ctx, fleet.Heartbeat{}, time.Second))
}

func testWatch(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	ch, err := bus.Watch(ctx)
	require.NoError(t, err)

	require.NoError(t, bus.PutStage(ctx, NewStage("a1", "prod", "d-1")))
	requireEvent(t, ch)
	// The change is readable once the event arrives.
	got, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Equal(t, "d-1", got.DeploymentID)
	drain(ch)

	require.NoError(t, bus.DeleteStage(ctx, "a1", "prod"))
	requireEvent(t, ch)
	_, err = bus.GetStage(ctx, "a1", "prod")
	assert.ErrorIs(t, err, fleet.ErrNotFound)

	// Many changes may coalesce, but at least one value arrives.
	drain(ch)
	for i := range 20 {
		require.NoError(t, bus.PutStage(ctx, NewStage("a1", "prod", fmt.Sprintf("d-%d", i))))
	}
	requireEvent(t, ch)
}

func testWatchCancel(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	bus := newBus(t)

	ctx, cancel := context.WithCancel(t.Context())
	ch, err := bus.Watch(ctx)
	require.NoError(t, err)
	other, err := bus.Watch(t.Context())
	require.NoError(t, err)

	cancel()
	deadline := time.After(eventWait)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				// The other watch is unaffected.
				require.NoError(t, bus.PutStage(t.Context(), NewStage("a1", "prod", "d-1")))
				requireEvent(t, other)
				return
			}
		case <-deadline:
			t.Fatal("watch channel not closed after ctx ended")
		}
	}
}

func testTwoBuses(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	one := newBus(t)
	two := newBus(t)

	ch, err := two.Watch(ctx)
	require.NoError(t, err)

	require.NoError(t, one.PutStage(ctx, NewStage("a1", "prod", "d-1")))
	requireEvent(t, ch)
	got, err := two.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Equal(t, "d-1", got.DeploymentID)

	require.NoError(t, two.Heartbeat(ctx, fleet.Heartbeat{GatewayID: "gw-1"}, 10*time.Second))
	gws, err := one.Gateways(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"gw-1"}, gatewayIDs(gws))

	drain(ch)
	require.NoError(t, one.DeleteStage(ctx, "a1", "prod"))
	requireEvent(t, ch)
	_, err = two.GetStage(ctx, "a1", "prod")
	assert.ErrorIs(t, err, fleet.ErrNotFound)
}

func testHeartbeats(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	gws, err := bus.Gateways(ctx)
	require.NoError(t, err)
	assert.Empty(t, gws)

	started := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	short := fleet.Heartbeat{
		GatewayID: "gw-short",
		Addr:      "10.0.0.1:8080",
		StartedAt: started,
		SeenAt:    time.Now().UTC().Truncate(time.Millisecond),
		Stages:    map[string]string{"a1/prod": "d-1"},
	}
	long := fleet.Heartbeat{GatewayID: "gw-long", StartedAt: started, Stages: map[string]string{"a1/prod": "d-2"}}
	const ttl = 300 * time.Millisecond
	sent := time.Now()
	require.NoError(t, bus.Heartbeat(ctx, short, ttl))
	require.NoError(t, bus.Heartbeat(ctx, long, 30*time.Second))

	gws, err = bus.Gateways(ctx)
	require.NoError(t, err)
	if time.Since(sent) >= ttl {
		// Too slow a machine to see gw-short alive; the expiry still counts.
		t.Logf("listing took longer than the %s ttl", ttl)
		require.Equal(t, []string{"gw-long"}, gatewayIDs(gws))
		return
	}
	require.Equal(t, []string{"gw-long", "gw-short"}, gatewayIDs(gws))
	assert.Equal(t, short.Addr, gws[1].Addr)
	assert.True(t, short.StartedAt.Equal(gws[1].StartedAt))
	assert.True(t, short.SeenAt.Equal(gws[1].SeenAt))
	assert.True(t, gws[1].Serves("a1", "prod", "d-1"))
	assert.False(t, gws[0].SeenAt.IsZero(), "a zero SeenAt is filled in")
	assert.True(t, gws[0].Serves("a1", "prod", "d-2"))

	require.Eventually(t, func() bool {
		gws, err := bus.Gateways(ctx)
		return err == nil && len(gws) == 1 && gws[0].GatewayID == "gw-long"
	}, eventWait, 25*time.Millisecond)
}

func testHeartbeatReplace(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	hb := fleet.Heartbeat{GatewayID: "gw-1", Stages: map[string]string{"a1/prod": "d-1"}}
	require.NoError(t, bus.Heartbeat(ctx, hb, 30*time.Second))
	hb.Stages = map[string]string{"a1/prod": "d-2"}
	require.NoError(t, bus.Heartbeat(ctx, hb, 30*time.Second))

	gws, err := bus.Gateways(ctx)
	require.NoError(t, err)
	require.Len(t, gws, 1)
	assert.True(t, gws[0].Serves("a1", "prod", "d-2"))

	// A heartbeat with a short TTL after a long one shortens its life.
	require.NoError(t, bus.Heartbeat(ctx, hb, 200*time.Millisecond))
	require.Eventually(t, func() bool {
		gws, err := bus.Gateways(ctx)
		return err == nil && len(gws) == 0
	}, eventWait, 25*time.Millisecond)
}

func testLeave(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)

	require.NoError(t, bus.Heartbeat(ctx, fleet.Heartbeat{GatewayID: "gw-1"}, 30*time.Second))
	require.NoError(t, bus.Heartbeat(ctx, fleet.Heartbeat{GatewayID: "gw-2"}, 30*time.Second))
	require.NoError(t, bus.Leave(ctx, "gw-1"))

	gws, err := bus.Gateways(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"gw-2"}, gatewayIDs(gws))
}

func testConcurrentPuts(t *testing.T, newBus func(t *testing.T) fleet.Bus) {
	ctx := t.Context()
	bus := newBus(t)
	other := newBus(t)

	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := other.Watch(watchCtx)
	require.NoError(t, err)
	var events sync.WaitGroup
	events.Go(func() {
		for range ch {
		}
	})

	const writers, puts = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*puts*3+puts)
	for w := range writers {
		wg.Go(func() {
			for i := range puts {
				// Half the writers share one stage, half have their own.
				api := "shared"
				if w%2 == 1 {
					api = fmt.Sprintf("api-%d", w)
				}
				errs <- bus.PutStage(ctx, NewStage(api, "prod", fmt.Sprintf("d-%d-%d", w, i)))
				_, err := other.Stages(ctx)
				errs <- err
				errs <- bus.Heartbeat(ctx, fleet.Heartbeat{GatewayID: fmt.Sprintf("gw-%d", w), Stages: map[string]string{"shared/prod": "x"}}, 30*time.Second)
			}
		})
	}
	wg.Go(func() {
		for range puts {
			_, err := other.Gateways(ctx)
			errs <- err
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	cancel()
	events.Wait()

	all, err := other.Stages(ctx)
	require.NoError(t, err)
	want := []string{"api-1/prod", "api-3/prod", "api-5/prod", "api-7/prod", "shared/prod"}
	assert.Equal(t, want, keys(all))
	// Every publish got its own revision.
	revs := map[int64]bool{}
	for _, s := range all {
		assert.Positive(t, s.Revision)
		revs[s.Revision] = true
	}
	assert.Len(t, revs, len(all))
	gws, err := other.Gateways(ctx)
	require.NoError(t, err)
	assert.Len(t, gws, writers)
}

func withRevision(s *gwconfig.Stage, rev int64) *gwconfig.Stage {
	c := *s
	c.Revision = rev
	return &c
}

func keys(stages []*gwconfig.Stage) []string {
	out := make([]string, len(stages))
	for i, s := range stages {
		out[i] = s.Key()
	}
	return out
}

func gatewayIDs(gws []fleet.Heartbeat) []string {
	out := make([]string, len(gws))
	for i, g := range gws {
		out[i] = g.GatewayID
	}
	return out
}

func requireEvent(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case _, ok := <-ch:
		require.True(t, ok, "watch channel closed")
	case <-time.After(eventWait):
		t.Fatal("no watch event")
	}
}

// drain empties a coalesced watch channel, so the next wait sees only
// later changes.
func drain(ch <-chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}
