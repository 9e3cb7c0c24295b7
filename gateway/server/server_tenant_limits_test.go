package server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// TestGatewayTenantCeilingLive changes a tenant's ceiling on the bus, as
// PUT /v1/tenants/{tenantId}/limits does: the gateway enforces the lower
// ceiling, then the raised one, without a redeploy.
func TestGatewayTenantCeilingLive(t *testing.T) {
	ctx := context.Background()
	bus := fleet.NewMemory()
	kb := fleet.AsKeyBus(bus)
	require.NotNil(t, kb)
	mock := gwconfig.Route{RouteID: "m", RouteKey: "GET /pets", Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock, MockBody: `{}`}}
	g := start(t, bus, stage("d1", mock))
	call := func() *http.Response { return g.do("GET", host, "/prod/pets", "").Result() }

	for range 5 {
		require.Equal(t, 200, call().StatusCode, "the default ceiling admits a few requests")
	}

	require.NoError(t, kb.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "t1",
		Throttle: gwconfig.Throttle{RateLimit: 0.001, BurstLimit: 3}, Revision: 1}))
	var refused *http.Response
	require.Eventually(t, func() bool {
		if r := call(); r.StatusCode == http.StatusTooManyRequests {
			refused = r
			return true
		}
		return false
	}, 2*time.Second, 5*time.Millisecond)
	assert.NotEmpty(t, refused.Header.Get("Retry-After"))
	for range 3 {
		assert.Equal(t, http.StatusTooManyRequests, call().StatusCode, "the burst of the new ceiling is spent")
	}

	require.NoError(t, kb.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "t1",
		Throttle: gwconfig.Throttle{RateLimit: 10000, BurstLimit: 5000}, Revision: 2}))
	require.Eventually(t, func() bool { return call().StatusCode == 200 }, 2*time.Second, 5*time.Millisecond)
}
