package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// TestGatewayRESTFeatures runs the REST stages in the gateway's own
// pipeline: validation answers, the PRIVATE endpoint check and a VPC_LINK
// target group whose pool the gateway keeps from the snapshot.
func TestGatewayRESTFeatures(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"path":"` + r.URL.Path + `"}`))
	}))
	t.Cleanup(up.Close)
	addr := strings.TrimPrefix(up.URL, "http://")

	validated := gwconfig.Route{RouteID: "v", RouteKey: "POST /pets",
		Integration:       gwconfig.Integration{Type: gwconfig.IntegrationMock, MockBody: `{}`},
		RequestValidator:  &gwconfig.RequestValidator{Body: true, Parameters: true},
		RequestParameters: map[string]bool{"method.request.querystring.owner": true},
		RequestSchema:     json.RawMessage(`{"type":"object","required":["name"]}`)}
	private := proxyRoute("GET /inner", "http://pets.internal/inner")
	private.Integration.ConnectionType = gwconfig.ConnectionVPCLink
	private.Integration.TargetGroupID = "tg1"
	st := stage("d1", validated, private)
	st.ProtocolType = gwconfig.ProtocolREST
	st.TargetGroups = map[string]gwconfig.TargetGroup{"tg1": {ID: "tg1", TenantID: "t1", Targets: []gwconfig.Target{{Address: addr}}}}
	locked := stage("d1", proxyRoute("GET /x", up.URL+"/x"))
	locked.APIID = "locked"
	locked.EndpointType = gwconfig.EndpointPrivate
	locked.AllowedSourceCIDRs = []string{"10.0.0.0/8"}

	g := start(t, fleet.NewMemory(), st, locked)
	require.Eventually(t, func() bool { return len(g.Router().Stages()) == 2 }, 2*time.Second, 5*time.Millisecond)

	testCases := []struct {
		desc   string
		host   string
		method string
		target string
		body   string
		status int
		answer string
	}{
		{desc: "valid request", host: "abc.execute-api.localhost", method: "POST", target: "/prod/pets?owner=a", body: `{"name":"x"}`,
			status: 200, answer: `{}`},
		{desc: "missing parameter", host: "abc.execute-api.localhost", method: "POST", target: "/prod/pets", body: `{"name":"x"}`,
			status: 400, answer: `{"message":"Missing required request parameters: [owner]"}`},
		{desc: "private integration", host: "abc.execute-api.localhost", method: "GET", target: "/prod/inner",
			status: 200, answer: `{"path":"/inner"}`},
		{desc: "private endpoint refuses other sources", host: "locked.execute-api.localhost", method: "GET", target: "/prod/x",
			status: 403, answer: `{"message":"Forbidden"}`},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			rec := g.do(tc.method, tc.host, tc.target, tc.body)
			assert.Equal(t, tc.status, rec.Code)
			assert.JSONEq(t, tc.answer, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		})
	}

	// A body that fails the model names the failure.
	rec := g.do("POST", "abc.execute-api.localhost", "/prod/pets?owner=a", `{"nom":"x"}`)
	require.Equal(t, 400, rec.Code)
	var out struct {
		Message string   `json:"message"`
		Details []string `json:"details"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	assert.Equal(t, "Invalid request body", out.Message)
	require.NotEmpty(t, out.Details)
	assert.Contains(t, out.Details[0], "name")
}
