package access

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

func TestEndpointAccess(t *testing.T) {
	testCases := []struct {
		desc     string
		endpoint string
		cidrs    []string
		remote   string
		private  bool // on the private listener
		status   int  // 0: passes
	}{
		{desc: "regional is public", endpoint: gwconfig.EndpointRegional, remote: "198.51.100.1:1", status: 0},
		{desc: "edge behaves as regional", endpoint: gwconfig.EndpointEdge, cidrs: []string{"10.0.0.0/8"}, remote: "198.51.100.1:1"},
		{desc: "private inside the CIDRs", endpoint: gwconfig.EndpointPrivate, cidrs: []string{"127.0.0.0/8"}, remote: "127.0.0.1:9"},
		{desc: "private outside the CIDRs", endpoint: gwconfig.EndpointPrivate, cidrs: []string{"10.0.0.0/8"}, remote: "127.0.0.1:9", status: http.StatusForbidden},
		{desc: "private without CIDRs answers nobody", endpoint: gwconfig.EndpointPrivate, remote: "127.0.0.1:9", status: http.StatusForbidden},
		{desc: "private listener serves private outside the CIDRs", endpoint: gwconfig.EndpointPrivate, cidrs: []string{"10.0.0.0/8"},
			remote: "198.51.100.1:1", private: true},
		{desc: "private listener serves private without CIDRs", endpoint: gwconfig.EndpointPrivate, remote: "198.51.100.1:1", private: true},
		{desc: "private listener serves regional", endpoint: gwconfig.EndpointRegional, remote: "198.51.100.1:1", private: true},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d",
				EndpointType: tc.endpoint, AllowedSourceCIDRs: tc.cidrs,
				Routes: []gwconfig.Route{{RouteID: "r", RouteKey: "GET /", Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}}}})
			require.NoError(t, err)
			ex := &pipeline.Exchange{}
			require.Equal(t, router.Matched, router.New("", []*router.Stage{st}).Lookup(&ex.Match, "abc.execute-api.localhost", "/prod", "GET"))
			r := httptest.NewRequest("GET", "/prod", nil)
			r.RemoteAddr = tc.remote
			ctx := r.Context()
			if tc.private {
				ctx = WithPrivateListener(ctx)
			}
			r = r.WithContext(pipeline.WithExchange(ctx, ex))
			called := false
			err = New()(pipeline.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
				called = true
				return nil
			})).ServeHTTP(httptest.NewRecorder(), r)
			if tc.status == 0 {
				require.NoError(t, err)
				assert.True(t, called)
				return
			}
			assert.False(t, called)
			var he *pipeline.HandlerError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tc.status, he.Status)
		})
	}
}
