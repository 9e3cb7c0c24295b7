package validate

import (
	"encoding/json"
	"io"
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

const petSchema = `{
  "$schema": "http://json-schema.org/draft-04/schema#",
  "type": "object",
  "required": ["name", "age"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 8, "pattern": "^[a-z]+$"},
    "age": {"type": "integer", "minimum": 0, "maximum": 30},
    "kind": {"type": "string", "enum": ["cat", "dog"]},
    "tags": {"type": "array", "items": {"type": "string"}}
  }
}`

func TestBodySchemaSubset(t *testing.T) {
	sch, err := router.CompileSchema([]byte(petSchema))
	require.NoError(t, err)
	testCases := []struct {
		desc   string
		body   string
		failAt string // instance location of the first failure; empty: valid
	}{
		{desc: "valid", body: `{"name":"rex","age":3,"kind":"dog","tags":["a"]}`},
		{desc: "type", body: `[1]`, failAt: "/"},
		{desc: "required", body: `{"name":"rex"}`, failAt: "/"},
		{desc: "property type", body: `{"name":"rex","age":"3"}`, failAt: "/age"},
		{desc: "enum", body: `{"name":"rex","age":3,"kind":"cow"}`, failAt: "/kind"},
		{desc: "minimum", body: `{"name":"rex","age":-1}`, failAt: "/age"},
		{desc: "maximum", body: `{"name":"rex","age":31}`, failAt: "/age"},
		{desc: "minLength", body: `{"name":"","age":3}`, failAt: "/name"},
		{desc: "maxLength", body: `{"name":"abcdefghi","age":3}`, failAt: "/name"},
		{desc: "pattern", body: `{"name":"Rex","age":3}`, failAt: "/name"},
		{desc: "items", body: `{"name":"rex","age":3,"tags":[1]}`, failAt: "/tags/0"},
		{desc: "additionalProperties", body: `{"name":"rex","age":3,"owner":"x"}`, failAt: "/"},
		{desc: "not JSON", body: `{"name":`, failAt: "body"},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			details := Body(sch, []byte(tc.body))
			if tc.failAt == "" {
				assert.Nil(t, details)
				return
			}
			require.NotEmpty(t, details)
			assert.LessOrEqual(t, len(details), maxDetails)
			assert.True(t, strings.HasPrefix(details[0], tc.failAt), details[0])
		})
	}
}

// run sends r through the validation stage of a one-route stage.
func run(t *testing.T, route gwconfig.Route, r *http.Request) (called bool, body string, err error) {
	t.Helper()
	st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d",
		ProtocolType: gwconfig.ProtocolREST, Routes: []gwconfig.Route{route}})
	require.NoError(t, err)
	require.Empty(t, st.Errors)
	ex := &pipeline.Exchange{}
	r.Host = "abc.execute-api.localhost"
	require.Equal(t, router.Matched, router.New("", []*router.Stage{st}).Lookup(&ex.Match, r.Host, r.URL.EscapedPath(), r.Method))
	r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
	next := pipeline.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) error {
		called = true
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		return nil
	})
	err = New()(next).ServeHTTP(httptest.NewRecorder(), r)
	return called, body, err
}

func TestStage(t *testing.T) {
	route := gwconfig.Route{RouteID: "r", RouteKey: "POST /pets/{petId}",
		Integration:      gwconfig.Integration{Type: gwconfig.IntegrationMock},
		RequestValidator: &gwconfig.RequestValidator{Body: true, Parameters: true},
		RequestParameters: map[string]bool{
			"method.request.querystring.owner": true,
			"method.request.header.x-trace":    true,
			"method.request.path.petId":        true,
			"method.request.querystring.opt":   false,
		},
		RequestSchema: json.RawMessage(petSchema),
	}
	paramsOnly := route
	paramsOnly.RequestValidator = &gwconfig.RequestValidator{Parameters: true}
	bodyOnly := route
	bodyOnly.RequestValidator = &gwconfig.RequestValidator{Body: true}
	none := route
	none.RequestValidator = nil

	const good = `{"name":"rex","age":3}`
	testCases := []struct {
		desc    string
		route   gwconfig.Route
		query   string
		trace   bool
		body    string
		message string // empty: passes
	}{
		{desc: "all good", route: route, query: "?owner=ann", trace: true, body: good},
		{desc: "missing query and header", route: route, body: good,
			message: "Missing required request parameters: [X-Trace, owner]"},
		{desc: "empty query value is missing", route: route, query: "?owner=", trace: true, body: good,
			message: "Missing required request parameters: [owner]"},
		{desc: "bad body", route: route, query: "?owner=ann", trace: true, body: `{"name":"rex"}`,
			message: "Invalid request body"},
		{desc: "parameters only ignores the body", route: paramsOnly, query: "?owner=ann", trace: true, body: `nope`},
		{desc: "body only ignores parameters", route: bodyOnly, body: good},
		{desc: "no validator", route: none, body: `nope`},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/prod/pets/7"+tc.query, strings.NewReader(tc.body))
			if tc.trace {
				r.Header.Set("X-Trace", "1")
			}
			called, body, err := run(t, tc.route, r)
			if tc.message == "" {
				require.NoError(t, err)
				assert.True(t, called)
				assert.Equal(t, tc.body, body, "the body reaches the integration intact")
				return
			}
			assert.False(t, called)
			var he *pipeline.HandlerError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, http.StatusBadRequest, he.Status)
			var out struct {
				Message string   `json:"message"`
				Details []string `json:"details"`
			}
			require.NoError(t, json.Unmarshal(he.Body, &out))
			assert.Equal(t, tc.message, out.Message)
			if tc.message == "Invalid request body" {
				assert.NotEmpty(t, out.Details)
			}
		})
	}
}

func BenchmarkBody(b *testing.B) {
	sch, err := router.CompileSchema([]byte(petSchema))
	require.NoError(b, err)
	body := []byte(`{"name":"rex","age":3,"kind":"dog","tags":["a","b"]}`)
	b.ReportAllocs()
	for b.Loop() {
		if Body(sch, body) != nil {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkMissing(b *testing.B) {
	route := gwconfig.Route{RouteID: "r", RouteKey: "GET /pets/{id}", Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock},
		RequestValidator:  &gwconfig.RequestValidator{Parameters: true},
		RequestParameters: map[string]bool{"method.request.header.x-trace": true, "method.request.path.id": true}}
	st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d", Routes: []gwconfig.Route{route}})
	require.NoError(b, err)
	var m router.Match
	router.New("", []*router.Stage{st}).Lookup(&m, "abc.execute-api.localhost", "/prod/pets/7", "GET")
	r := httptest.NewRequest("GET", "/prod/pets/7", nil)
	r.Header.Set("X-Trace", "1")
	b.ReportAllocs()
	for b.Loop() {
		if Missing(r, &m, m.Route.Validation.Required) != nil {
			b.Fatal("missing")
		}
	}
}
