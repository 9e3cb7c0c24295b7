package server

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
)

// TestGatewayLimits runs the limits stage inside a gateway: the key index
// follows the bus, errors are written by the entry point with their
// headers, and the metrics are on /metrics.
func TestGatewayLimits(t *testing.T) {
	ctx := context.Background()
	bus := fleet.NewMemory()
	kb := fleet.AsKeyBus(bus)
	require.NotNil(t, kb)
	upstream := echo(t)
	keyed := proxyRoute("GET /pets", upstream.URL+"/pets")
	keyed.APIKeyRequired = true
	require.NoError(t, kb.PutUsagePlan(ctx, &gwconfig.UsagePlan{ID: "p1", TenantID: "t1",
		Throttle: &gwconfig.Throttle{RateLimit: 0.001, BurstLimit: 2}, APIStages: []gwconfig.PlanAPIStage{{APIID: "abc", Stage: "prod"}}}))
	require.NoError(t, kb.PutAPIKey(ctx, &gwconfig.APIKey{ID: "k1", TenantID: "t1", ValueHash: limit.HashKey("secret-key"),
		Enabled: true, UsagePlanIDs: []string{"p1"}}))
	g := start(t, bus, stage("d1", keyed))

	call := func(key string) (int, string, string, string) {
		req := httptest.NewRequest("GET", "/prod/pets", nil)
		req.Host = host
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		rec := httptest.NewRecorder()
		g.Handler().ServeHTTP(rec, req)
		return rec.Code, rec.Body.String(), rec.Header().Get("Retry-After"), rec.Header().Get("RateLimit")
	}

	status, body, _, _ := call("")
	assert.Equal(t, 403, status)
	assert.JSONEq(t, `{"message":"Forbidden"}`, body)
	status, _, _, _ = call("wrong")
	assert.Equal(t, 403, status)
	for i := range 2 {
		status, body, _, rl := call("secret-key")
		require.Equal(t, 200, status, "request %d: %s", i, body)
		assert.True(t, strings.HasPrefix(rl, `"key";r=`+[]string{"1", "0"}[i]+`;t=`), rl)
	}
	status, body, retry, rl := call("secret-key")
	assert.Equal(t, 429, status)
	assert.JSONEq(t, `{"message":"Too Many Requests"}`, body)
	assert.NotEmpty(t, retry)
	assert.Equal(t, `"key";r=0;t=`+retry, rl)

	// Disabling the key reaches the gateway through WatchKeys.
	require.NoError(t, kb.PutAPIKey(ctx, &gwconfig.APIKey{ID: "k1", TenantID: "t1", ValueHash: limit.HashKey("secret-key"),
		Enabled: false, UsagePlanIDs: []string{"p1"}}))
	require.Eventually(t, func() bool { s, _, _, _ := call("secret-key"); return s == 403 }, 2*time.Second, 5*time.Millisecond)

	metrics := g.do("GET", "localhost", "/metrics", "").Body.String()
	assert.Contains(t, metrics, `turnpike_gateway_throttled_total{api="abc",policy="key",route="GET /pets",stage="prod",tenant="t1"} `)
	assert.Contains(t, metrics, `turnpike_gateway_requests_total{api="abc",route="GET /pets",stage="prod",status="4xx",tenant="t1"}`)
}
