package router

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func mock(key string) gwconfig.Route {
	return gwconfig.Route{RouteID: key, RouteKey: key, Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}}
}

func testStage(apiID, name string, routes ...gwconfig.Route) *gwconfig.Stage {
	return &gwconfig.Stage{
		TenantID: "t1", APIID: apiID, StageName: name, DeploymentID: "d1", Revision: 1,
		Routes: routes,
	}
}

func mustCompile(t testing.TB, cfgs ...*gwconfig.Stage) *Router {
	t.Helper()
	var stages []*Stage
	for _, c := range cfgs {
		st, err := CompileStage(c)
		require.NoError(t, err)
		require.Empty(t, st.Errors)
		stages = append(stages, st)
	}
	return New("", stages)
}

func TestLookup(t *testing.T) {
	r := mustCompile(t,
		testStage("abc", "prod",
			mock("GET /"),
			mock("GET /pets"),
			mock("GET /pets/dog"),
			mock("GET /pets/{id}"),
			mock("GET /pets/{id}/toys/{toy}"),
			mock("POST /pets/{id}"),
			mock("ANY /pets/cat"),
			mock("GET /files/{path+}"),
			mock("ANY /{proxy+}"),
			mock("GET /a%20b"),
			mock("$default"),
		),
		testStage("abc", "nodefault", mock("GET /only")),
		testStage("xyz", "prod", mock("ANY /")),
	)

	testCases := []struct {
		desc   string
		host   string
		path   string
		method string
		miss   Miss
		route  string
		params map[string]string
		greedy string
	}{
		{desc: "root route", host: "abc.execute-api.localhost", path: "/prod/", method: "GET", route: "GET /"},
		{desc: "root route without trailing slash", host: "abc.execute-api.localhost", path: "/prod", method: "GET", route: "GET /"},
		{desc: "literal", host: "abc.execute-api.localhost", path: "/prod/pets", method: "GET", route: "GET /pets"},
		{desc: "trailing slash", host: "abc.execute-api.localhost", path: "/prod/pets/", method: "GET", route: "GET /pets"},
		{desc: "literal beats param", host: "abc.execute-api.localhost", path: "/prod/pets/dog", method: "GET", route: "GET /pets/dog"},
		{desc: "param", host: "abc.execute-api.localhost", path: "/prod/pets/42", method: "GET", route: "GET /pets/{id}", params: map[string]string{"id": "42"}},
		{desc: "two params", host: "abc.execute-api.localhost", path: "/prod/pets/42/toys/ball", method: "GET", route: "GET /pets/{id}/toys/{toy}", params: map[string]string{"id": "42", "toy": "ball"}},
		{desc: "param backtracks to greedy", host: "abc.execute-api.localhost", path: "/prod/pets/42/food", method: "GET", route: "ANY /{proxy+}", greedy: "pets/42/food"},
		{desc: "method beats ANY", host: "abc.execute-api.localhost", path: "/prod/pets/7", method: "POST", route: "POST /pets/{id}", params: map[string]string{"id": "7"}},
		{desc: "GET param beats ANY literal", host: "abc.execute-api.localhost", path: "/prod/pets/cat", method: "GET", route: "GET /pets/{id}", params: map[string]string{"id": "cat"}},
		{desc: "ANY literal for other method", host: "abc.execute-api.localhost", path: "/prod/pets/cat", method: "DELETE", route: "ANY /pets/cat"},
		{desc: "ANY greedy", host: "abc.execute-api.localhost", path: "/prod/x/y/z", method: "PUT", route: "ANY /{proxy+}", greedy: "x/y/z"},
		{desc: "ANY for unknown method", host: "abc.execute-api.localhost", path: "/prod/pets", method: "PROPFIND", route: "ANY /{proxy+}", greedy: "pets"},
		{desc: "greedy keeps slashes", host: "abc.execute-api.localhost", path: "/prod/files/a/b/c.txt", method: "GET", route: "GET /files/{path+}", greedy: "a/b/c.txt"},
		{desc: "greedy needs one segment", host: "abc.execute-api.localhost", path: "/prod/files", method: "GET", route: "ANY /{proxy+}", greedy: "files"},
		{desc: "default for unmatched root method", host: "abc.execute-api.localhost", path: "/prod", method: "POST", route: "$default"},
		{desc: "encoded param is decoded", host: "abc.execute-api.localhost", path: "/prod/pets/a%20b", method: "GET", route: "GET /pets/{id}", params: map[string]string{"id": "a b"}},
		{desc: "encoded slash stays in segment", host: "abc.execute-api.localhost", path: "/prod/pets/a%2Fb", method: "GET", route: "GET /pets/{id}", params: map[string]string{"id": "a/b"}},
		{desc: "encoded literal", host: "abc.execute-api.localhost", path: "/prod/a%20b", method: "GET", route: "GET /a%20b"},
		{desc: "encoded literal char", host: "abc.execute-api.localhost", path: "/prod/p%65ts", method: "GET", route: "GET /pets"},
		{desc: "bad escape is no route", host: "abc.execute-api.localhost", path: "/nodefault/%zz", method: "GET", miss: NoRoute},
		{desc: "host with port and upper case", host: "ABC.Execute-API.localhost:8081", path: "/prod/pets", method: "GET", route: "GET /pets"},
		{desc: "other api", host: "xyz.execute-api.localhost", path: "/prod", method: "PATCH", route: "ANY /"},
		{desc: "no route without default", host: "abc.execute-api.localhost", path: "/nodefault/other", method: "GET", miss: NoRoute},
		{desc: "method mismatch without default", host: "abc.execute-api.localhost", path: "/nodefault/only", method: "POST", miss: NoRoute},
		{desc: "unknown api", host: "nope.execute-api.localhost", path: "/prod", method: "GET", miss: UnknownAPI},
		{desc: "unknown stage", host: "abc.execute-api.localhost", path: "/dev/pets", method: "GET", miss: UnknownStage},
		{desc: "stage names are case sensitive", host: "abc.execute-api.localhost", path: "/Prod/pets", method: "GET", miss: UnknownStage},
		{desc: "not an invoke host", host: "localhost:8081", path: "/prod", method: "GET", miss: NotInvokeHost},
		{desc: "other base domain", host: "abc.execute-api.example.com", path: "/prod", method: "GET", miss: NotInvokeHost},
		{desc: "nested subdomain", host: "x.abc.execute-api.localhost", path: "/prod", method: "GET", miss: NotInvokeHost},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			var m Match
			miss := r.Lookup(&m, test.host, test.path, test.method)
			require.Equal(t, test.miss, miss, miss.String())
			if test.miss != Matched {
				return
			}
			require.NotNil(t, m.Route)
			assert.Equal(t, test.route, m.Route.Key)
			for name, want := range test.params {
				got, ok := m.Param(name)
				assert.True(t, ok)
				assert.Equal(t, want, got)
			}
			g, ok := m.Greedy()
			assert.Equal(t, test.greedy != "", ok)
			assert.Equal(t, test.greedy, g)
		})
	}
}

func TestLookupBaseDomain(t *testing.T) {
	st, err := CompileStage(testStage("abc", "prod", mock("GET /")))
	require.NoError(t, err)
	r := New("Example.COM.", []*Stage{st})

	var m Match
	assert.Equal(t, Matched, r.Lookup(&m, "abc.execute-api.example.com", "/prod", "GET"))
	assert.Equal(t, NotInvokeHost, r.Lookup(&m, "abc.execute-api.localhost", "/prod", "GET"))
	assert.True(t, r.IsInvokeHost("abc.execute-api.example.com:443"))
	assert.Equal(t, map[string]string{"abc/prod": "d1"}, r.Served())
}

func TestCompileStageBrokenRoutes(t *testing.T) {
	testCases := []struct {
		desc  string
		route gwconfig.Route
	}{
		{desc: "bad route key", route: mock("GET pets")},
		{desc: "unknown method", route: mock("TRACE /pets")},
		{desc: "bad integration type", route: gwconfig.Route{RouteID: "r", RouteKey: "GET /x", Integration: gwconfig.Integration{Type: "LAMBDA"}}},
		{desc: "uri placeholder that is not a param", route: gwconfig.Route{RouteID: "r", RouteKey: "GET /x", Integration: gwconfig.Integration{Type: gwconfig.IntegrationHTTPProxy, URI: "http://up/{id}"}}},
		{desc: "conflicting param names", route: mock("GET /pets/{name}")},
		{desc: "bad literal escape", route: mock("GET /a%zz")},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			st, err := CompileStage(testStage("abc", "prod", mock("GET /pets/{id}"), test.route))
			require.NoError(t, err)
			require.Len(t, st.Errors, 1)
			assert.Equal(t, test.route.RouteKey, st.Errors[0].RouteKey)
			require.Len(t, st.Routes, 1)

			var m Match
			r := New("", []*Stage{st})
			assert.Equal(t, Matched, r.Lookup(&m, "abc.execute-api.localhost", "/prod/pets/1", "GET"))
		})
	}
}

func TestCompileStageRejectsBadStage(t *testing.T) {
	cfg := testStage("abc", "prod", mock("GET /"))
	cfg.DeploymentID = ""
	_, err := CompileStage(cfg)
	require.Error(t, err)
	_, ok := gwconfig.AsValidationError(err)
	assert.True(t, ok)
}

func TestCompileStageDoesNotModifyConfig(t *testing.T) {
	cfg := testStage("abc", "prod", mock("GET /"))
	_, err := CompileStage(cfg)
	require.NoError(t, err)
	assert.Zero(t, cfg.Routes[0].Integration.MockStatusCode)
	assert.Empty(t, cfg.ProtocolType)
}

func TestIntegrationURL(t *testing.T) {
	proxy := func(key, uri string) gwconfig.Route {
		return gwconfig.Route{RouteID: key, RouteKey: key, Integration: gwconfig.Integration{Type: gwconfig.IntegrationHTTPProxy, URI: uri}}
	}
	cfg := testStage("abc", "prod",
		proxy("GET /pets/{id}", "http://${stageVariables.host}/v1/pets/{id}?src=gw"),
		proxy("ANY /{proxy+}", "https://up.example:8443/base/{proxy}"),
		proxy("GET /host/{h}", "http://{h}.internal/x"),
		proxy("GET /plain", "http://up"),
	)
	cfg.StageVariables = map[string]string{"host": "backend:9000"}
	r := mustCompile(t, cfg)

	testCases := []struct {
		desc  string
		path  string
		query string
		want  string
	}{
		{desc: "stage variable, param and both queries", path: "/prod/pets/7", query: "a=1", want: "http://backend:9000/v1/pets/7?src=gw&a=1"},
		{desc: "greedy keeps escapes", path: "/prod/x/a%2Fb/c", want: "https://up.example:8443/base/x/a%2Fb/c"},
		{desc: "param in host", path: "/prod/host/svc", query: "q=1", want: "http://svc.internal/x?q=1"},
		{desc: "no path", path: "/prod/plain", want: "http://up/"},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			var m Match
			require.Equal(t, Matched, r.Lookup(&m, "abc.execute-api.localhost", test.path, "GET"))
			u, err := m.Route.Integration.URL(&m, test.query)
			require.NoError(t, err)
			assert.Equal(t, test.want, u.Scheme+"://"+u.Host+u.RequestURI())
		})
	}
}

func BenchmarkLookup(b *testing.B) {
	r := mustCompile(b, testStage("abc", "prod",
		mock("GET /pets"),
		mock("GET /pets/{id}"),
		mock("GET /pets/{id}/toys/{toy}"),
		mock("ANY /{proxy+}"),
	))
	benchmarks := []struct {
		desc, path string
	}{
		{desc: "literal", path: "/prod/pets"},
		{desc: "params", path: "/prod/pets/42/toys/ball"},
		{desc: "greedy", path: "/prod/a/b/c/d"},
		{desc: "escaped", path: "/prod/pets/a%20b"},
	}
	for _, bm := range benchmarks {
		b.Run(bm.desc, func(b *testing.B) {
			var m Match
			b.ReportAllocs()
			for b.Loop() {
				if r.Lookup(&m, "abc.execute-api.localhost:8081", bm.path, "GET") != Matched {
					b.Fatal("no match")
				}
			}
		})
	}
}
