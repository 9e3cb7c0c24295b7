package router

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// restStage is a stage as the control plane compiles a REST API: one route
// per method of each resource, route key "METHOD /resource/path".
func restStage() *gwconfig.Stage {
	proxy := func(key, uri string) gwconfig.Route {
		return gwconfig.Route{RouteID: key, RouteKey: key,
			Integration: gwconfig.Integration{Type: gwconfig.IntegrationHTTPProxy, URI: uri}}
	}
	st := testStage("rest1", "prod",
		mock("GET /"),
		mock("GET /pets"),
		mock("POST /pets"),
		mock("GET /pets/{petId}"),
		mock("ANY /pets/{petId}"),
		mock("GET /pets/{petId}/toys"),
		mock("ANY /{proxy+}"),
		mock("GET /files/{proxy+}"),
		proxy("PUT /items/{itemId}", "http://up.internal/v2/items/{id}"),
	)
	st.ProtocolType = gwconfig.ProtocolREST
	st.StageVariables = map[string]string{"team": "blue"}
	st.Routes[8].Integration.RequestParameters = map[string]string{
		"integration.request.path.id":         "method.request.path.itemId",
		"integration.request.header.X-User":   "method.request.header.x-user-id",
		"integration.request.header.X-Static": "'fixed'",
		"integration.request.header.X-Team":   "stageVariables.team",
		"integration.request.header.X-Stage":  "context.stage",
		"integration.request.header.X-Req":    "context.requestId",
		"integration.request.header.X-Ip":     "context.identity.sourceIp",
		"integration.request.querystring.q":   "method.request.querystring.search",
		"integration.request.header.X-Absent": "method.request.header.x-nope",
	}
	st.Routes[8].Integration.ResponseParameters = map[string]string{
		"method.response.header.X-Out":   "integration.response.header.X-Upstream",
		"method.response.header.X-Const": "'k'",
	}
	return st
}

func TestLookupRESTCompiledRoutes(t *testing.T) {
	r := mustCompile(t, restStage())
	testCases := []struct {
		desc   string
		path   string
		method string
		route  string
		params map[string]string
		greedy string
	}{
		{desc: "root resource", path: "/prod/", method: "GET", route: "GET /"},
		{desc: "resource method", path: "/prod/pets", method: "POST", route: "POST /pets"},
		{desc: "trailing slash", path: "/prod/pets/", method: "GET", route: "GET /pets"},
		{desc: "method beats ANY on the same resource", path: "/prod/pets/7", method: "GET", route: "GET /pets/{petId}", params: map[string]string{"petId": "7"}},
		{desc: "ANY method of a resource", path: "/prod/pets/7", method: "DELETE", route: "ANY /pets/{petId}", params: map[string]string{"petId": "7"}},
		{desc: "child resource", path: "/prod/pets/7/toys", method: "GET", route: "GET /pets/{petId}/toys", params: map[string]string{"petId": "7"}},
		{desc: "missing method of child falls to greedy", path: "/prod/pets/7/toys", method: "POST", route: "ANY /{proxy+}", greedy: "pets/7/toys"},
		{desc: "greedy under a literal", path: "/prod/files/a/b%2Fc", method: "GET", route: "GET /files/{proxy+}", greedy: "a/b/c"},
		{desc: "encoded path parameter", path: "/prod/pets/a%20b", method: "GET", route: "GET /pets/{petId}", params: map[string]string{"petId": "a b"}},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			var m Match
			require.Equal(t, Matched, r.Lookup(&m, "rest1.execute-api.localhost", tc.path, tc.method))
			assert.Equal(t, tc.route, m.Route.Key)
			for k, v := range tc.params {
				got, ok := m.Param(k)
				assert.True(t, ok)
				assert.Equal(t, v, got)
			}
			if tc.greedy != "" {
				g, _ := m.Greedy()
				assert.Equal(t, tc.greedy, g)
			}
		})
	}
}

func TestRequestMappings(t *testing.T) {
	r := mustCompile(t, restStage())
	var m Match
	require.Equal(t, Matched, r.Lookup(&m, "rest1.execute-api.localhost", "/prod/items/a%2Fb", "PUT"))
	ci := m.Route.Integration
	require.NotNil(t, ci.Mappings)

	req := httptest.NewRequest(http.MethodPut, "http://rest1.execute-api.localhost/prod/items/a%2Fb?search=x+y", nil)
	req.Header.Set("X-User-Id", "u1")
	req.RemoteAddr = "10.1.2.3:5555"
	info := RequestInfo{RequestID: "rid", Start: time.Unix(1, 0)}
	got := map[string]string{}
	for _, mp := range ci.Mappings.Header {
		if v, ok := mp.Value(req, &m, &info); ok {
			got[mp.Name] = v
		}
	}
	assert.Equal(t, map[string]string{"X-User": "u1", "X-Static": "fixed", "X-Team": "blue", "X-Stage": "prod",
		"X-Req": "rid", "X-Ip": "10.1.2.3"}, got)

	require.Len(t, ci.Mappings.Query, 1)
	q, ok := ci.Mappings.Query[0].Value(req, &m, &info)
	assert.True(t, ok)
	assert.Equal(t, "x y", q)

	require.Len(t, ci.Mappings.Path, 1)
	id, _ := ci.Mappings.Path[0].Value(req, &m, &info)
	u, err := ci.URLWith(&m, "", []string{"mapped-" + id})
	require.NoError(t, err)
	assert.Equal(t, "up.internal", u.Host)
	assert.Equal(t, "/v2/items/mapped-a/b", u.Opaque)

	h := http.Header{"X-Upstream": {"up"}}
	resp := map[string]string{}
	for _, mp := range ci.Mappings.Response {
		if v, ok := mp.ResponseValue(h); ok {
			resp[mp.Name] = v
		}
	}
	assert.Equal(t, map[string]string{"X-Out": "up", "X-Const": "k"}, resp)
}

func TestCompileValidation(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","required":["name"]}`)
	testCases := []struct {
		desc     string
		route    func(*gwconfig.Route)
		none     bool
		required []RequiredParam
		schema   bool
		broken   bool
	}{
		{desc: "no validator", route: func(r *gwconfig.Route) { r.RequestSchema = schema }, none: true},
		{desc: "parameters only", route: func(r *gwconfig.Route) {
			r.RequestValidator = &gwconfig.RequestValidator{Parameters: true}
			r.RequestParameters = map[string]bool{"method.request.querystring.b": true, "method.request.header.x-a": true,
				"method.request.path.id": false}
			r.RequestSchema = schema
		}, required: []RequiredParam{{Kind: "header", Name: "X-A"}, {Kind: "querystring", Name: "b"}}},
		{desc: "body only", route: func(r *gwconfig.Route) {
			r.RequestValidator = &gwconfig.RequestValidator{Body: true}
			r.RequestParameters = map[string]bool{"method.request.querystring.b": true}
			r.RequestSchema = schema
		}, schema: true},
		{desc: "body without a model validates nothing", route: func(r *gwconfig.Route) {
			r.RequestValidator = &gwconfig.RequestValidator{Body: true}
		}, none: true},
		{desc: "a schema that does not compile disables the route", route: func(r *gwconfig.Route) {
			r.RequestValidator = &gwconfig.RequestValidator{Body: true}
			r.RequestSchema = json.RawMessage(`{"type":"nonsense"}`)
		}, broken: true},
		{desc: "an external $ref is refused", route: func(r *gwconfig.Route) {
			r.RequestValidator = &gwconfig.RequestValidator{Body: true}
			r.RequestSchema = json.RawMessage(`{"$ref":"file:///etc/passwd"}`)
		}, broken: true},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			rc := mock("POST /pets")
			tc.route(&rc)
			st, err := CompileStage(testStage("a", "s", rc))
			require.NoError(t, err)
			if tc.broken {
				assert.Len(t, st.Errors, 1)
				assert.Empty(t, st.Routes)
				return
			}
			require.Len(t, st.Routes, 1)
			v := st.Routes[0].Validation
			if tc.none {
				assert.Nil(t, v)
				return
			}
			require.NotNil(t, v)
			assert.Equal(t, tc.required, v.Required)
			assert.Equal(t, tc.schema, v.Schema != nil)
		})
	}
}

func TestAllowsSource(t *testing.T) {
	private := testStage("p", "s", mock("GET /"))
	private.EndpointType = gwconfig.EndpointPrivate
	private.AllowedSourceCIDRs = []string{"10.0.0.0/8", "2001:db8::/32"}
	edge := testStage("e", "s", mock("GET /"))
	edge.EndpointType = gwconfig.EndpointEdge
	edge.AllowedSourceCIDRs = []string{"10.0.0.0/8"}
	ps, err := CompileStage(private)
	require.NoError(t, err)
	es, err := CompileStage(edge)
	require.NoError(t, err)

	testCases := []struct {
		desc  string
		st    *Stage
		addr  string
		allow bool
	}{
		{desc: "private, inside", st: ps, addr: "10.9.8.7:1234", allow: true},
		{desc: "private, outside", st: ps, addr: "192.168.1.1:1234", allow: false},
		{desc: "private, IPv6 inside", st: ps, addr: "[2001:db8::1]:80", allow: true},
		{desc: "private, IPv4-mapped IPv6", st: ps, addr: "[::ffff:10.1.1.1]:80", allow: true},
		{desc: "private, bare IP", st: ps, addr: "10.0.0.1", allow: true},
		{desc: "private, garbage", st: ps, addr: "nope", allow: false},
		{desc: "edge is public", st: es, addr: "192.168.1.1:1234", allow: true},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			assert.Equal(t, tc.allow, tc.st.AllowsSource(tc.addr))
		})
	}
}

func TestPrivateStageWithBadCIDRIsRejected(t *testing.T) {
	st := testStage("p", "s", mock("GET /"))
	st.EndpointType = gwconfig.EndpointPrivate
	st.AllowedSourceCIDRs = []string{"10.0.0.0/33"}
	_, err := CompileStage(st)
	assert.Error(t, err)
}
