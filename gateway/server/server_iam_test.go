package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// grants gives tpk_reader Invoke on the stage and tpk_admin Invoke and
// InvalidateCache on everything; detached drops tpk_admin's policy.
func grants(revision int64, detached bool) *gwconfig.ExecuteAPIGrants {
	admin := []gwconfig.ExecuteAPIStatement{{Effect: gwconfig.EffectAllow, Actions: gwconfig.ExecuteAPIActions, Resources: []string{"*"}}}
	if detached {
		admin = nil
	}
	return &gwconfig.ExecuteAPIGrants{TenantID: "t1", Revision: revision, Keys: []gwconfig.ExecuteAPIKey{
		{AccessKeyID: "TPAKREADER", PrincipalID: "usr_reader", TokenHash: tokenHash("tpk_reader"),
			Statements: []gwconfig.ExecuteAPIStatement{{Effect: gwconfig.EffectAllow, Actions: []string{gwconfig.ActionInvoke},
				Resources: []string{"trn:turnpike:t1:execute-api:abc/prod/GET/*"}}}},
		{AccessKeyID: "TPAKADMIN", PrincipalID: "usr_admin", TokenHash: tokenHash("tpk_admin"), Statements: admin},
	}}
}

// TestGatewayAWSIAM runs AWS_IAM methods and cache invalidation through the
// gateway's pipeline, with grants changing on the bus without a redeploy.
func TestGatewayAWSIAM(t *testing.T) {
	var calls atomic.Int64
	var sawAuth atomic.Value
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		sawAuth.Store(r.Header.Get("Authorization"))
		_, _ = io.WriteString(w, "call "+string(rune('0'+n)))
	}))
	t.Cleanup(up.Close)

	iamRoute := proxyRoute("GET /pets", up.URL+"/pets")
	iamRoute.AuthorizationType = gwconfig.AuthorizationAWSIAM
	open := proxyRoute("GET /open", up.URL+"/open")
	st := stage("d1", iamRoute, open)
	st.Cache = &gwconfig.StageCache{Enabled: true, RequireAuthorizationForCacheControl: true,
		UnauthorizedCacheControlHeaderStrategy: gwconfig.CacheControlFailWith403}

	bus := fleet.NewMemory()
	tb := fleet.AsTenantBus(bus)
	require.NoError(t, tb.PutExecuteAPIGrants(context.Background(), grants(1, false)))
	g := start(t, bus, st)

	do := func(target string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", target, nil)
		req.Host = host
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		g.Handler().ServeHTTP(rec, req)
		return rec
	}

	testCases := []struct {
		desc   string
		target string
		header []string
		status int
		body   string
	}{
		{desc: "no token", target: "/prod/pets", status: 403, body: `{"message":"Missing Authentication Token"}`},
		{desc: "unknown token", target: "/prod/pets", header: []string{"Authorization", "Bearer tpk_nobody"},
			status: 403, body: `{"message":"The security token included in the request is invalid."}`},
		{desc: "reader invokes and fills the cache", target: "/prod/pets", header: []string{"Authorization", "Bearer tpk_reader"},
			status: 200, body: "call 1"},
		{desc: "a cached answer", target: "/prod/pets", header: []string{"Authorization", "Bearer tpk_admin"},
			status: 200, body: "call 1"},
		{desc: "reader may not invalidate", target: "/prod/pets",
			header: []string{"Authorization", "Bearer tpk_reader", "Cache-Control", "max-age=0"}, status: 403, body: `{"message":"Forbidden"}`},
		{desc: "admin invalidates", target: "/prod/pets",
			header: []string{"Authorization", "Bearer tpk_admin", "Cache-Control", "max-age=0"}, status: 200, body: "call 2"},
		{desc: "the refreshed entry is served", target: "/prod/pets", header: []string{"Authorization", "Bearer tpk_reader"},
			status: 200, body: "call 2"},
		{desc: "a NONE method invalidates with a key that may", target: "/prod/open",
			header: []string{"Authorization", "Bearer tpk_admin", "Cache-Control", "max-age=0"}, status: 200, body: "call 3"},
		{desc: "a NONE method refuses anonymous invalidation", target: "/prod/open",
			header: []string{"Cache-Control", "max-age=0"}, status: 403, body: `{"message":"Forbidden"}`},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			rec := do(tc.target, tc.header...)
			assert.Equal(t, tc.status, rec.Code)
			if strings.HasPrefix(tc.body, "{") {
				assert.JSONEq(t, tc.body, rec.Body.String())
			} else {
				assert.Equal(t, tc.body, rec.Body.String())
			}
		})
	}
	// The access key never reaches the integration of an AWS_IAM method.
	assert.Equal(t, "", sawAuth.Load())

	// Detaching the admin's policy takes effect without a redeploy.
	require.NoError(t, tb.PutExecuteAPIGrants(context.Background(), grants(2, true)))
	require.Eventually(t, func() bool {
		return do("/prod/pets", "Authorization", "Bearer tpk_admin", "Cache-Control", "max-age=0").Code == http.StatusForbidden
	}, 2*time.Second, 10*time.Millisecond)
	rec := do("/prod/pets", "Authorization", "Bearer tpk_admin")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.JSONEq(t, `{"message":"User: usr_admin is not authorized to perform: execute-api:Invoke on resource: trn:turnpike:t1:execute-api:abc/prod/GET/pets"}`,
		rec.Body.String())
}

// TestGatewayPrivateListener serves a PRIVATE API on the private listener
// to any caller and on the public one only to its CIDRs.
func TestGatewayPrivateListener(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	t.Cleanup(up.Close)
	private := stage("d1", proxyRoute("GET /x", up.URL+"/x"))
	private.APIID = "priv"
	private.EndpointType = gwconfig.EndpointPrivate
	private.AllowedSourceCIDRs = []string{"10.0.0.0/8"}
	regional := stage("d1", proxyRoute("GET /x", up.URL+"/x"))

	bus := fleet.NewMemory()
	for _, s := range []*gwconfig.Stage{private, regional} {
		require.NoError(t, bus.PutStage(context.Background(), s))
	}
	g, err := New(Config{GatewayID: "gw-private", HeartbeatInterval: 20 * time.Millisecond}, bus, nil)
	require.NoError(t, err)
	pub, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	priv, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- g.ServePrivate(ctx, pub, priv) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-served)
	})
	require.Eventually(t, g.Ready, 2*time.Second, 5*time.Millisecond)

	testCases := []struct {
		desc   string
		ln     net.Listener
		api    string
		status int
	}{
		{desc: "public listener refuses a private API outside its CIDRs", ln: pub, api: "priv", status: 403},
		{desc: "private listener serves the private API", ln: priv, api: "priv", status: 200},
		{desc: "public listener serves a regional API", ln: pub, api: "abc", status: 200},
		{desc: "private listener serves a regional API", ln: priv, api: "abc", status: 200},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			req, err := http.NewRequest("GET", "http://"+tc.ln.Addr().String()+"/prod/x", nil)
			require.NoError(t, err)
			req.Host = tc.api + ".execute-api.localhost"
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
		})
	}
}

// TestGatewayTargetGroupLive edits a target group on the bus: the gateway
// sends to the new targets without a redeploy, and ignores a group of the
// same id published by another tenant.
func TestGatewayTargetGroupLive(t *testing.T) {
	upstream := func(name string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, name) }))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://")
	}
	a, b, c := upstream("a"), upstream("b"), upstream("c")
	rt := proxyRoute("GET /inner", "http://pets.internal/inner")
	rt.Integration.ConnectionType = gwconfig.ConnectionVPCLink
	rt.Integration.TargetGroupID = "tg1"
	st := stage("d1", rt)
	st.TargetGroups = map[string]gwconfig.TargetGroup{"tg1": {ID: "tg1", TenantID: "t1", Targets: []gwconfig.Target{{Address: a}}}}

	bus := fleet.NewMemory()
	tb := fleet.AsTenantBus(bus)
	g := start(t, bus, st)
	body := func() string { return g.do("GET", host, "/prod/inner", "").Body.String() }
	require.Equal(t, "a", body())

	require.NoError(t, tb.PutTargetGroup(context.Background(), &gwconfig.TargetGroup{ID: "tg1", TenantID: "t1",
		Targets: []gwconfig.Target{{Address: b}}, LoadBalancing: gwconfig.LBLeastRequests}))
	require.Eventually(t, func() bool { return body() == "b" }, 2*time.Second, 10*time.Millisecond)

	require.NoError(t, tb.PutTargetGroup(context.Background(), &gwconfig.TargetGroup{ID: "tg1", TenantID: "t2",
		Targets: []gwconfig.Target{{Address: c}}}))
	time.Sleep(300 * time.Millisecond) // Three resyncs: the foreign group must not have taken over.
	assert.Equal(t, "a", body())
}
