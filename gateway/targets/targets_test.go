package targets

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// upstream is a real server whose health endpoint can be turned off.
type upstream struct {
	srv  *httptest.Server
	down atomic.Bool
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) addr() string { return strings.TrimPrefix(u.srv.URL, "http://") }

func testManager(t *testing.T) *Manager {
	m := NewManager(nil, nil)
	m.unit = 10 * time.Millisecond
	t.Cleanup(m.Close)
	return m
}

func group(lb string, ups ...*upstream) gwconfig.TargetGroup {
	g := gwconfig.TargetGroup{ID: "tg1", TenantID: "t1", LoadBalancing: lb,
		HealthCheck: gwconfig.HealthCheck{Path: "/health", IntervalSeconds: 1, TimeoutSeconds: 1,
			HealthyThreshold: 1, UnhealthyThreshold: 1}}
	for _, u := range ups {
		g.Targets = append(g.Targets, gwconfig.Target{Address: u.addr()})
	}
	return g
}

func picks(t *testing.T, m *Manager, n int) map[string]int {
	out := map[string]int{}
	for range n {
		a, release, err := m.Pick("tg1")
		require.NoError(t, err)
		release()
		out[a]++
	}
	return out
}

func TestRoundRobinSpreadsEvenly(t *testing.T) {
	a, b := newUpstream(t), newUpstream(t)
	m := testManager(t)
	m.Sync(map[string]gwconfig.TargetGroup{"tg1": group(gwconfig.LBRoundRobin, a, b)})
	got := picks(t, m, 10)
	assert.Equal(t, map[string]int{a.addr(): 5, b.addr(): 5}, got)
}

func TestLeastRequestsPrefersIdleTarget(t *testing.T) {
	a, b := newUpstream(t), newUpstream(t)
	m := testManager(t)
	m.Sync(map[string]gwconfig.TargetGroup{"tg1": group(gwconfig.LBLeastRequests, a, b)})
	busy, _, err := m.Pick("tg1") // held: one request in flight on busy
	require.NoError(t, err)
	for range 5 {
		addr, release, err := m.Pick("tg1")
		require.NoError(t, err)
		assert.NotEqual(t, busy, addr)
		release()
	}
}

func TestTrafficMovesOffADownTargetAndBack(t *testing.T) {
	a, b := newUpstream(t), newUpstream(t)
	m := testManager(t)
	m.Sync(map[string]gwconfig.TargetGroup{"tg1": group(gwconfig.LBRoundRobin, a, b)})

	a.down.Store(true)
	require.Eventually(t, func() bool { return len(m.Pool("tg1").Healthy()) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, map[string]int{b.addr(): 6}, picks(t, m, 6))

	b.down.Store(true)
	require.Eventually(t, func() bool { return len(m.Pool("tg1").Healthy()) == 0 }, 5*time.Second, 5*time.Millisecond)
	_, _, err := m.Pick("tg1")
	assert.ErrorIs(t, err, ErrNoHealthyTarget)

	a.down.Store(false)
	require.Eventually(t, func() bool { return len(m.Pool("tg1").Healthy()) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, map[string]int{a.addr(): 3}, picks(t, m, 3))
}

func TestSyncKeepsUnchangedPoolsAndStopsRemovedOnes(t *testing.T) {
	a := newUpstream(t)
	m := testManager(t)
	g := group("", a)
	m.Sync(map[string]gwconfig.TargetGroup{"tg1": g})
	p := m.Pool("tg1")
	m.Sync(map[string]gwconfig.TargetGroup{"tg1": g})
	assert.Same(t, p, m.Pool("tg1"))

	m.Sync(nil)
	assert.Nil(t, m.Pool("tg1"))
	select {
	case <-p.done:
	default:
		t.Fatal("checker of a removed group still runs")
	}
	_, _, err := m.Pick("tg1")
	assert.ErrorIs(t, err, ErrNoHealthyTarget)
}
