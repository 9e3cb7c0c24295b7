package resolve

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

func TestResolve(t *testing.T) {
	st, err := router.CompileStage(&gwconfig.Stage{
		TenantID: "t1", APIID: "abc", StageName: "prod", DeploymentID: "d1",
		Routes: []gwconfig.Route{{RouteID: "r1", RouteKey: "GET /pets/{id}", Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}}},
	})
	require.NoError(t, err)
	rt := router.New("", []*router.Stage{st})

	testCases := []struct {
		desc       string
		router     *router.Router
		host, path string
		wantStatus int
		wantParam  string
	}{
		{desc: "match", router: rt, host: "abc.execute-api.localhost", path: "/prod/pets/7", wantParam: "7"},
		{desc: "no route", router: rt, host: "abc.execute-api.localhost", path: "/prod/cats", wantStatus: 404},
		{desc: "unknown stage", router: rt, host: "abc.execute-api.localhost", path: "/dev/pets/7", wantStatus: 404},
		{desc: "nothing loaded", host: "abc.execute-api.localhost", path: "/prod/pets/7", wantStatus: 404},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			ex := &pipeline.Exchange{}
			r := httptest.NewRequest("GET", test.path, nil)
			r.Host = test.host
			r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
			called := false
			err := New(func() *router.Router { return test.router })(pipeline.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
				called = true
				return nil
			})).ServeHTTP(httptest.NewRecorder(), r)

			if test.wantStatus != 0 {
				var he *pipeline.HandlerError
				require.True(t, errors.As(err, &he))
				assert.Equal(t, test.wantStatus, he.Status)
				assert.False(t, called)
				return
			}
			require.NoError(t, err)
			assert.True(t, called)
			v, _ := ex.Match.Param("id")
			assert.Equal(t, test.wantParam, v)
		})
	}
}
