package fleet_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/fleet/fleettest"
)

func TestMemoryBus(t *testing.T) {
	var mu sync.Mutex
	buses := map[*testing.T]fleet.Bus{}
	fleettest.Run(t, func(t *testing.T) fleet.Bus {
		mu.Lock()
		defer mu.Unlock()
		// Buses sharing a backend are the same instance in memory.
		if bus, ok := buses[t]; ok {
			return bus
		}
		bus := fleet.NewMemory()
		buses[t] = bus
		t.Cleanup(func() { _ = bus.Close() })
		return bus
	})
}

func TestMemoryBusClock(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
	ctx := t.Context()
	bus := fleet.NewMemory(fleet.WithClock(clock))

	require.NoError(t, bus.Heartbeat(ctx, fleet.Heartbeat{GatewayID: "gw-1"}, time.Minute))
	require.NoError(t, bus.Heartbeat(ctx, fleet.Heartbeat{GatewayID: "gw-2"}, 10*time.Second))
	gws, err := bus.Gateways(ctx)
	require.NoError(t, err)
	require.Len(t, gws, 2)
	assert.Equal(t, now, gws[0].SeenAt)

	advance(10 * time.Second)
	gws, err = bus.Gateways(ctx)
	require.NoError(t, err)
	require.Len(t, gws, 1)
	assert.Equal(t, "gw-1", gws[0].GatewayID)

	advance(time.Minute)
	gws, err = bus.Gateways(ctx)
	require.NoError(t, err)
	assert.Empty(t, gws)
}

func TestMemoryBusClose(t *testing.T) {
	ctx := t.Context()
	bus := fleet.NewMemory()
	ch, err := bus.Watch(ctx)
	require.NoError(t, err)

	require.NoError(t, bus.Close())
	_, ok := <-ch
	assert.False(t, ok)
	assert.Error(t, bus.PutStage(ctx, fleettest.NewStage("a1", "prod", "d-1")))
	_, err = bus.Watch(ctx)
	assert.Error(t, err)
	assert.NoError(t, bus.Close())
}
