//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCache proves the stage cache across the fleet: two gateways share
// the Redis cache (a response cached through one is a hit through the
// other, and the upstream sees one call), and flushing the stage over the
// management API makes the next request a miss on every gateway.
// The cache is set up over REST (PATCH of the stage) before the deploy.
func TestCache(t *testing.T) {
	p := startPlatform(t)
	admin := newClient(p.apiURL, p.token)
	hc := &http.Client{Timeout: 10 * time.Second}

	var calls atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		_, _ = fmt.Fprintf(w, "item %s, call %d", r.URL.Path, n)
	}))
	t.Cleanup(up.Close)

	var api apiObj
	admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "cached", "protocolType": "HTTP"}, &api)
	admin.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/routes", map[string]any{"routeKey": "GET /items/{id}",
		"integration": map[string]any{"type": "HTTP_PROXY", "uri": up.URL + "/items/{id}"}}, nil)
	admin.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/stages", map[string]any{"stageName": "prod"}, nil)
	var stage map[string]any
	admin.mustDo(t, 200, "PATCH", "/v1/apis/"+api.APIID+"/stages/prod", map[string]any{"cacheClusterEnabled": true,
		"cacheClusterSize": "0.5", "cacheTtlInSeconds": 300, "xCacheHeader": true,
		"methodSettings": map[string]any{"GET /items/{id}": map[string]any{"cachingEnabled": true}}}, &stage)
	require.Equal(t, true, stage["cacheClusterEnabled"], stage)
	require.Equal(t, "0.5", stage["cacheClusterSize"], stage)
	var d deploymentObj
	admin.mustDo(t, 200, "POST", "/v1/apis/"+api.APIID+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &d)
	require.Equal(t, "DEPLOYED", d.Status, d.StatusReason)

	get := func(g, path string) (string, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, "http://"+g+path, nil)
		require.NoError(t, err)
		req.Host = api.APIID + ".execute-api.localhost"
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, 200, resp.StatusCode, string(b))
		return resp.Header.Get("X-Cache"), string(b)
	}
	// Both gateways load the cached revision.
	for i, g := range p.gateways {
		eventually(t, 10*time.Second, func() error {
			if x, _ := get(g, fmt.Sprintf("/prod/items/warm-%d", i)); x == "" {
				return fmt.Errorf("gateway %s serves the stage without its cache yet", g)
			}
			return nil
		})
	}

	before := calls.Load()
	x1, body1 := get(p.gateways[0], "/prod/items/42")
	x2, body2 := get(p.gateways[0], "/prod/items/42")
	x3, body3 := get(p.gateways[1], "/prod/items/42")
	assert.Equal(t, []string{"Miss", "Hit", "Hit"}, []string{x1, x2, x3})
	assert.Equal(t, body1, body2)
	assert.Equal(t, body1, body3, "the second gateway answers from the shared cache")
	assert.Equal(t, before+1, calls.Load(), "the upstream saw one call")

	// An unknown API has no stage to flush.
	require.Equal(t, http.StatusNotFound, admin.do(t, "DELETE", "/v1/apis/nope/stages/prod/cache/data", nil, nil))
	admin.mustDo(t, http.StatusAccepted, "DELETE", "/v1/apis/"+api.APIID+"/stages/prod/cache/data", nil, nil)

	x4, body4 := get(p.gateways[1], "/prod/items/42")
	x5, _ := get(p.gateways[0], "/prod/items/42")
	assert.Equal(t, []string{"Miss", "Hit"}, []string{x4, x5})
	assert.NotEqual(t, body1, body4)
	assert.Equal(t, before+2, calls.Load())
}
