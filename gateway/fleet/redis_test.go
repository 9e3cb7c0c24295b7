package fleet_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/fleet/fleettest"
	"github.com/turnpike/turnpike/gateway/redistest"
)

// redisOptions returns the test Redis's options; see redistest.Options.
func redisOptions(t *testing.T) *redis.Options {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped under -short")
	}
	return redistest.Options(t)
}

func TestIntegrationRedisBus(t *testing.T) {
	opts := redisOptions(t)
	var mu sync.Mutex
	prefixes := map[*testing.T]string{}
	fleettest.Run(t, func(t *testing.T) fleet.Bus {
		mu.Lock()
		prefix, ok := prefixes[t]
		if !ok {
			prefix = redistest.Prefix(t)
			prefixes[t] = prefix
		}
		mu.Unlock()
		// Each bus gets its own client: buses on one prefix share only Redis.
		bus := fleet.NewRedis(redistest.Client(t, opts, prefix), prefix)
		t.Cleanup(func() { _ = bus.Close() })
		return bus
	})
}

func TestIntegrationRedisBusLayout(t *testing.T) {
	opts := redisOptions(t)
	ctx := t.Context()
	prefix := redistest.Prefix(t)
	c := redistest.Client(t, opts, prefix)
	bus := fleet.NewRedis(c, prefix)
	defer bus.Close()

	require.NoError(t, bus.PutStage(ctx, fleettest.NewStage("a1", "prod", "d-1")))
	raw, err := c.HGet(ctx, prefix+"stages", "a1/prod").Result()
	require.NoError(t, err)
	assert.Contains(t, raw, `"deploymentId":"d-1","revision":1,`)

	require.NoError(t, bus.Heartbeat(ctx, fleet.Heartbeat{GatewayID: "gw-1"}, 30*time.Second))
	ttl, err := c.PTTL(ctx, prefix+"gw:gw-1").Result()
	require.NoError(t, err)
	assert.InDelta(t, 30*time.Second, ttl, float64(2*time.Second))
	members, err := c.ZRange(ctx, prefix+"gateways", 0, -1).Result()
	require.NoError(t, err)
	assert.Equal(t, []string{"gw-1"}, members)

	// An expired heartbeat's member is pruned when the fleet is listed.
	require.NoError(t, bus.Heartbeat(ctx, fleet.Heartbeat{GatewayID: "gw-2"}, 50*time.Millisecond))
	time.Sleep(100 * time.Millisecond)
	gws, err := bus.Gateways(ctx)
	require.NoError(t, err)
	require.Len(t, gws, 1)
	members, err = c.ZRange(ctx, prefix+"gateways", 0, -1).Result()
	require.NoError(t, err)
	assert.Equal(t, []string{"gw-1"}, members)

	require.NoError(t, bus.Leave(ctx, "gw-1"))
	n, err := c.Exists(ctx, prefix+"gw:gw-1", prefix+"gateways").Result()
	require.NoError(t, err)
	assert.Zero(t, n)

	// The default prefix.
	def := fleet.NewRedis(c, "")
	defer def.Close()
	_, err = def.GetStage(ctx, "no-such-api-"+strings.TrimSuffix(prefix, ":"), "prod")
	assert.ErrorIs(t, err, fleet.ErrNotFound)
}

// TestIntegrationRedisWatchReconnect kills the subscription's connection:
// go-redis resubscribes by itself and the watcher gets an event, so it
// re-reads what it may have missed.
func TestIntegrationRedisWatchReconnect(t *testing.T) {
	opts := redisOptions(t)
	ctx := t.Context()
	prefix := redistest.Prefix(t)
	name := "turnpike-test-" + strings.Trim(strings.TrimPrefix(prefix, "turnpike-test:"), ":")
	watchOpts := *opts
	watchOpts.ClientName = name
	bus := fleet.NewRedis(redistest.Client(t, &watchOpts, prefix), prefix)
	defer bus.Close()
	admin := redistest.Client(t, opts, prefix)
	other := fleet.NewRedis(admin, prefix)

	ch, err := bus.Watch(ctx)
	require.NoError(t, err)

	killed := killSubscribers(t, admin, name)
	require.Positive(t, killed)
	select {
	case _, ok := <-ch:
		require.True(t, ok)
	case <-time.After(10 * time.Second):
		t.Fatal("no event after the subscription reconnected")
	}

	// Still subscribed after the reconnect.
	require.Eventually(t, func() bool {
		n, err := admin.PubSubNumSub(ctx, prefix+"events").Result()
		return err == nil && n[prefix+"events"] == 1
	}, 10*time.Second, 50*time.Millisecond)
	require.NoError(t, other.PutStage(ctx, fleettest.NewStage("a1", "prod", "d-1")))
	select {
	case _, ok := <-ch:
		require.True(t, ok)
	case <-time.After(5 * time.Second):
		t.Fatal("no event after a put following the reconnect")
	}
}

// killSubscribers kills the pub/sub connections of the clients named name.
func killSubscribers(t *testing.T, c *redis.Client, name string) int {
	ctx := t.Context()
	list, err := c.ClientList(ctx).Result()
	require.NoError(t, err)
	var killed int
	for _, line := range strings.Split(list, "\n") {
		f := fields(line)
		if f["name"] != name || f["sub"] == "0" {
			continue
		}
		require.NoError(t, c.Do(ctx, "CLIENT", "KILL", "ID", f["id"]).Err())
		killed++
	}
	return killed
}

func fields(line string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Fields(line) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}
