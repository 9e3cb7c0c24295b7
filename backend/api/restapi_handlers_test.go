package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/apis/apisimpl"
	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/restapi/restapiimpl"
	"github.com/turnpike/turnpike/gateway/fleet"
)

// newRESTEnv serves the APIs and REST API modules over SQLite.
func newRESTEnv(t *testing.T) *apisEnv {
	t.Helper()
	d := dbtest.SQLite(t)
	require.NoError(t, apistest.InsertTenant(d, apisTenantA))
	require.NoError(t, apistest.InsertTenant(d, apisTenantB))
	bus := fleet.NewMemory()
	t.Cleanup(func() { _ = bus.Close() })
	e := &apisEnv{t: t, bus: bus, authz: &apisAuthz{}, starter: &apistest.FakeStarter{}}
	e.svc = apisimpl.ProvideService(apisimpl.Deps{DB: d, Bus: bus, Starter: e.starter})
	mod, err := api.NewAPIsModule(api.APIsConfig{Service: e.svc, Gateways: bus})
	require.NoError(t, err)
	e.srv = api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: apisAuthn{}, Authz: e.authz,
		Modules: []api.Module{mod, api.NewRESTAPIModule(restapiimpl.ProvideService(d))}})
	return e
}

// TestRESTAPIHandlersScenario walks a REST API's life over the REST shape;
// every step names its status, error code and the permission asked.
func TestRESTAPIHandlersScenario(t *testing.T) {
	e := newRESTEnv(t)
	a := e.must(201, "POST", "/v1/apis", apisTenantA, `{"name":"pets","protocolType":"REST"}`)
	apiID := a["apiId"].(string)
	ec := a["endpointConfiguration"].(map[string]any)
	assert.Equal(t, []any{"REGIONAL"}, ec["types"])
	list := e.must(200, "GET", "/v1/apis/"+apiID+"/resources", apisTenantA, "")
	items := list["items"].([]any)
	require.Len(t, items, 1)
	rootID := items[0].(map[string]any)["id"].(string)

	ids := map[string]string{"{apiId}": apiID, "{root}": rootID}
	steps := []struct {
		desc   string
		method string
		path   string
		tenant string
		body   string
		status int
		code   string
		action string // the permission asked, "action resource"
		save   string // save the answer's id under this name
		check  func(t *testing.T, out map[string]any)
	}{
		{desc: "create /pets", method: "POST", path: "/v1/apis/{apiId}/resources", body: `{"parentId":"{root}","pathPart":"pets"}`,
			status: 201, action: "apigw:CreateResource apis/{apiId}/resources", save: "{pets}",
			check: func(t *testing.T, out map[string]any) { assert.Equal(t, "/pets", out["path"]) }},
		{desc: "duplicate sibling", method: "POST", path: "/v1/apis/{apiId}/resources", body: `{"parentId":"{root}","pathPart":"pets"}`,
			status: 409, code: "resource.duplicate"},
		{desc: "unknown field is refused", method: "POST", path: "/v1/apis/{apiId}/resources", body: `{"parentId":"{root}","pathPart":"x","extra":1}`,
			status: 400},
		{desc: "create /pets/{petId}", method: "POST", path: "/v1/apis/{apiId}/resources", body: `{"parentId":"{pets}","pathPart":"{petId}"}`,
			status: 201, save: "{pet}"},
		{desc: "create greedy", method: "POST", path: "/v1/apis/{apiId}/resources", body: `{"parentId":"{root}","pathPart":"{proxy+}"}`,
			status: 201, save: "{proxy}"},
		{desc: "no children under greedy", method: "POST", path: "/v1/apis/{apiId}/resources", body: `{"parentId":"{proxy}","pathPart":"x"}`,
			status: 422, code: "resource.invalid"},
		{desc: "validator", method: "POST", path: "/v1/apis/{apiId}/requestvalidators",
			body: `{"name":"all","validateRequestBody":true,"validateRequestParameters":true}`, status: 201, save: "{validator}",
			action: "apigw:CreateRequestValidator apis/{apiId}/requestvalidators"},
		{desc: "model", method: "POST", path: "/v1/apis/{apiId}/models",
			body: `{"name":"Pet","contentType":"application/json","schema":{"type":"object","required":["name"]}}`, status: 201},
		{desc: "model with a bad schema", method: "POST", path: "/v1/apis/{apiId}/models",
			body: `{"name":"Bad","schema":{"type":7}}`, status: 422, code: "model.invalid"},
		{desc: "put method", method: "PUT", path: "/v1/apis/{apiId}/resources/{pet}/methods/POST",
			body:   `{"authorizationType":"NONE","requestParameters":{"method.request.querystring.owner":true},"requestValidatorId":"{validator}","requestModels":{"application/json":"Pet"}}`,
			status: 200, action: "apigw:PutMethod apis/{apiId}/resources/{pet}",
			check: func(t *testing.T, out map[string]any) { assert.Equal(t, "{validator}", out["requestValidatorId"]) }},
		{desc: "unknown HTTP method", method: "PUT", path: "/v1/apis/{apiId}/resources/{pet}/methods/TRACE", body: `{}`,
			status: 422, code: "method.invalid"},
		{desc: "integration timeout out of range", method: "PUT", path: "/v1/apis/{apiId}/resources/{pet}/methods/POST/integration",
			body: `{"type":"HTTP_PROXY","uri":"http://x","timeoutInMillis":30000}`, status: 422, code: "integration.invalid"},
		{desc: "put integration", method: "PUT", path: "/v1/apis/{apiId}/resources/{pet}/methods/POST/integration",
			body:   `{"type":"HTTP","uri":"http://pets.internal/pets/{id}","httpMethod":"POST","timeoutInMillis":5000,"requestParameters":{"integration.request.path.id":"method.request.path.petId","integration.request.header.X-Owner":"method.request.querystring.owner"},"requestTemplates":{"application/json":"$input.body"},"tlsConfig":{"insecureSkipVerification":true}}`,
			status: 200, action: "apigw:PutIntegration apis/{apiId}/resources/{pet}"},
		{desc: "put method response", method: "PUT", path: "/v1/apis/{apiId}/resources/{pet}/methods/POST/responses/200",
			body: `{"responseModels":{"application/json":"Pet"}}`, status: 200},
		{desc: "get method shows everything", method: "GET", path: "/v1/apis/{apiId}/resources/{pet}/methods/POST", status: 200,
			check: func(t *testing.T, out map[string]any) {
				in := out["methodIntegration"].(map[string]any)
				assert.Equal(t, "HTTP", in["type"])
				assert.Equal(t, map[string]any{"application/json": "$input.body"}, in["requestTemplates"])
				assert.Contains(t, out["methodResponses"], "200")
			}},
		{desc: "other tenant cannot see the resource", method: "GET", path: "/v1/apis/{apiId}/resources/{pet}", tenant: apisTenantB,
			status: 404, code: "api.not-found"},
		{desc: "other tenant cannot put a method", method: "PUT", path: "/v1/apis/{apiId}/resources/{pet}/methods/GET", tenant: apisTenantB,
			body: `{}`, status: 404, code: "api.not-found"},
		{desc: "target group", method: "POST", path: "/v1/targetgroups",
			body:   `{"name":"pets","targets":[{"address":"127.0.0.1:9001"}],"healthCheck":{"path":"/health","intervalSeconds":5},"loadBalancing":"LEAST_REQUESTS"}`,
			status: 201, save: "{tg}", action: "apigw:CreateTargetGroup targetgroups"},
		{desc: "other tenant cannot see the target group", method: "GET", path: "/v1/targetgroups/{tg}", tenant: apisTenantB,
			status: 404, code: "targetgroup.not-found"},
		{desc: "private endpoint", method: "PATCH", path: "/v1/apis/{apiId}",
			body: `{"endpointConfiguration":{"types":["PRIVATE"],"allowedSourceCidrs":["10.0.0.0/8"]}}`, status: 200,
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, map[string]any{"types": []any{"PRIVATE"}, "allowedSourceCidrs": []any{"10.0.0.0/8"}}, out["endpointConfiguration"])
			}},
		{desc: "private endpoint needs CIDRs", method: "PATCH", path: "/v1/apis/{apiId}",
			body: `{"endpointConfiguration":{"types":["PRIVATE"]}}`, status: 422, code: "api.invalid"},
		{desc: "delete the parent cascades", method: "DELETE", path: "/v1/apis/{apiId}/resources/{pets}", status: 204,
			action: "apigw:DeleteResource apis/{apiId}/resources/{pets}"},
		{desc: "the child is gone", method: "GET", path: "/v1/apis/{apiId}/resources/{pet}", status: 404, code: "resource.not-found"},
		{desc: "the root stays", method: "DELETE", path: "/v1/apis/{apiId}/resources/{root}", status: 409, code: "resource.root"},
	}
	for _, s := range steps {
		// Steps build on each other, so they run in order and stop at the
		// first failure.
		ok := t.Run(s.desc, func(t *testing.T) {
			r := strings.NewReplacer(flatten(ids)...)
			tenant := s.tenant
			if tenant == "" {
				tenant = apisTenantA
			}
			rec := e.do(s.method, r.Replace(s.path), tenant, r.Replace(s.body))
			require.Equal(t, s.status, rec.Code, rec.Body.String())
			out := decode(t, rec)
			if s.code != "" {
				assert.Equal(t, s.code, out["error"].(map[string]any)["code"])
			}
			if s.action != "" {
				assert.Equal(t, r.Replace(s.action), e.authz.last())
			}
			if s.save != "" {
				ids[s.save] = out["id"].(string)
			}
			if s.check != nil {
				// Expected values may name saved ids.
				b, _ := json.Marshal(out)
				var back map[string]any
				require.NoError(t, json.Unmarshal([]byte(strings.NewReplacer(invert(ids)...).Replace(string(b))), &back))
				s.check(t, back)
			}
		})
		if !ok {
			return
		}
	}
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	out := map[string]any{}
	if rec.Body.Len() > 0 {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	}
	return out
}

func flatten(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// invert maps saved ids back to their names, so checks can name them.
func invert(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, `"`+v+`"`, `"`+k+`"`)
	}
	return out
}
