package integration

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

func TestParameterMappings(t *testing.T) {
	var got *http.Request
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Header().Set("X-Upstream-Version", "v7")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(up.Close)

	route := proxy("GET /pets/{petId}", up.URL+"/animals/{id}")
	route.Integration.Type = gwconfig.IntegrationHTTP
	route.Integration.RequestParameters = map[string]string{
		"integration.request.path.id":          "method.request.path.petId",
		"integration.request.header.X-Tenant":  "method.request.querystring.tenant",
		"integration.request.header.X-Token":   "method.request.header.authorization",
		"integration.request.header.X-Source":  "context.identity.sourceIp",
		"integration.request.header.X-Static":  "'on'",
		"integration.request.querystring.kind": "method.request.header.x-kind",
		"integration.request.header.X-Missing": "method.request.header.x-not-sent",
	}
	route.Integration.ResponseParameters = map[string]string{
		"method.response.header.X-Version": "integration.response.header.X-Upstream-Version",
		"method.response.header.X-Served":  "'turnpike'",
	}
	r := httptest.NewRequest("GET", "/prod/pets/a%20b?tenant=acme", nil)
	r.RemoteAddr = "203.0.113.9:5555"
	r.Header.Set("Authorization", "Bearer x")
	r.Header.Set("X-Kind", "cat")

	w, err := serve(t, route, r)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "/animals/a%20b?tenant=acme&kind=cat", got.RequestURI)
	assert.Equal(t, "acme", got.Header.Get("X-Tenant"))
	assert.Equal(t, "Bearer x", got.Header.Get("X-Token"))
	assert.Equal(t, "203.0.113.9", got.Header.Get("X-Source"))
	assert.Equal(t, "on", got.Header.Get("X-Static"))
	assert.NotContains(t, got.Header, "X-Missing")
	assert.Equal(t, "v7", w.Header().Get("X-Version"))
	assert.Equal(t, "turnpike", w.Header().Get("X-Served"))
}

func TestInsecureTLS(t *testing.T) {
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(up.Close)

	testCases := []struct {
		desc     string
		insecure bool
		status   int
	}{
		{desc: "verification on refuses a self-signed upstream", insecure: false, status: http.StatusBadGateway},
		{desc: "verification off accepts it", insecure: true, status: http.StatusNoContent},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			route := proxy("GET /x", up.URL+"/x")
			route.Integration.TLSInsecureSkipVerify = tc.insecure
			w, err := serve(t, route, httptest.NewRequest("GET", "/prod/x", nil))
			if tc.status == http.StatusNoContent {
				require.NoError(t, err)
				assert.Equal(t, tc.status, w.Code)
				return
			}
			var he *pipeline.HandlerError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tc.status, he.Status)
			var certErr *tls.CertificateVerificationError
			assert.True(t, errors.As(err, &certErr))
		})
	}
}

// fixedPicker is a TargetPicker over fixed answers.
type fixedPicker struct {
	addr     string
	err      error
	released int
}

func (p *fixedPicker) Pick(string) (string, func(), error) {
	if p.err != nil {
		return "", nil, p.err
	}
	return p.addr, func() { p.released++ }, nil
}

func TestVPCLinkSendsToPickedTarget(t *testing.T) {
	var host string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host = r.Host
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(up.Close)
	addr := strings.TrimPrefix(up.URL, "http://")

	testCases := []struct {
		desc   string
		picker *fixedPicker
		status int
	}{
		{desc: "healthy target", picker: &fixedPicker{addr: addr}, status: http.StatusOK},
		{desc: "no healthy target", picker: &fixedPicker{err: errors.New("no healthy target")}, status: http.StatusServiceUnavailable},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			route := proxy("GET /x", "http://pets.internal/x")
			route.Integration.ConnectionType = gwconfig.ConnectionVPCLink
			route.Integration.TargetGroupID = "tg1"
			cfg := &gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d",
				Routes:       []gwconfig.Route{route},
				TargetGroups: map[string]gwconfig.TargetGroup{"tg1": {ID: "tg1", TenantID: "t", Targets: []gwconfig.Target{{Address: addr}}}}}
			st, err := router.CompileStage(cfg)
			require.NoError(t, err)
			require.Empty(t, st.Errors)
			ex := &pipeline.Exchange{}
			r := httptest.NewRequest("GET", "/prod/x", nil)
			r.Host = "abc.execute-api.localhost"
			require.Equal(t, router.Matched, router.New("", []*router.Stage{st}).Lookup(&ex.Match, r.Host, "/prod/x", "GET"))
			r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
			w := httptest.NewRecorder()
			err = New(nil, slog.New(slog.DiscardHandler), WithTargets(tc.picker))(nil).ServeHTTP(w, r)
			if tc.status == http.StatusOK {
				require.NoError(t, err)
				assert.Equal(t, "pets.internal", host, "the Host header is the URI's, the connection the target's")
				assert.Equal(t, 1, tc.picker.released)
				return
			}
			var he *pipeline.HandlerError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tc.status, he.Status)
		})
	}
}

func BenchmarkMappedURL(b *testing.B) {
	route := proxy("GET /pets/{petId}", "http://up.internal/animals/{id}")
	route.Integration.RequestParameters = map[string]string{
		"integration.request.path.id":         "method.request.path.petId",
		"integration.request.header.X-Tenant": "method.request.querystring.tenant",
		"integration.request.header.X-Static": "'on'",
		"integration.request.header.X-Req":    "context.requestId",
	}
	st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d", Routes: []gwconfig.Route{route}})
	require.NoError(b, err)
	ex := &pipeline.Exchange{RequestID: "rid"}
	router.New("", []*router.Stage{st}).Lookup(&ex.Match, "abc.execute-api.localhost", "/prod/pets/7", "GET")
	r := httptest.NewRequest("GET", "/prod/pets/7?tenant=acme", nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := mappedURL(r, ex, ex.Match.Route.Integration); err != nil {
			b.Fatal(err)
		}
	}
}
