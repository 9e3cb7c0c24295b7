package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/apis/apisimpl"
	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/reqctx"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/workflows/deploy"
)

const (
	apisTenantA = "ta"
	apisTenantB = "tb"
	// apisTenantHeader carries the test principal's tenant.
	apisTenantHeader = "X-Test-Tenant"
)

// apisAuthn takes the principal from a test header.
type apisAuthn struct{}

func (apisAuthn) Authenticate(c *gin.Context) (*reqctx.Principal, error) {
	t := c.GetHeader(apisTenantHeader)
	if t == "" {
		return nil, apierr.Unauthorized("auth.required", "Authentication required.")
	}
	return &reqctx.Principal{TenantID: t, UserID: "u-" + t}, nil
}

// apisAuthz allows everything but the denied actions, and records what it
// was asked.
type apisAuthz struct {
	deny map[string]bool

	mu    sync.Mutex
	asked []string
}

func (a *apisAuthz) Authorize(_ context.Context, _ *reqctx.Principal, action, resource string) error {
	a.mu.Lock()
	a.asked = append(a.asked, action+" "+resource)
	a.mu.Unlock()
	if a.deny[action] {
		return apierr.Forbidden("auth.forbidden", "Not allowed.")
	}
	return nil
}

func (a *apisAuthz) last() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.asked) == 0 {
		return ""
	}
	return a.asked[len(a.asked)-1]
}

type apisEnv struct {
	t       *testing.T
	srv     *api.Server
	bus     fleet.Bus
	authz   *apisAuthz
	starter *apistest.FakeStarter
	inline  *apistest.InlineStarter
	svc     *apisimpl.Service
}

type apisEnvOption func(*apisEnvOptions)

type apisEnvOptions struct {
	inline   bool
	startErr error
}

func withInlineStarter() apisEnvOption { return func(o *apisEnvOptions) { o.inline = true } }
func withStartError(err error) apisEnvOption {
	return func(o *apisEnvOptions) { o.startErr = err }
}

func newAPIsEnv(t *testing.T, opts ...apisEnvOption) *apisEnv {
	t.Helper()
	var o apisEnvOptions
	for _, opt := range opts {
		opt(&o)
	}
	d := dbtest.SQLite(t)
	require.NoError(t, apistest.InsertTenant(d, apisTenantA))
	require.NoError(t, apistest.InsertTenant(d, apisTenantB))
	bus := fleet.NewMemory()
	t.Cleanup(func() { _ = bus.Close() })
	e := &apisEnv{t: t, bus: bus, authz: &apisAuthz{}, starter: &apistest.FakeStarter{ExpectedError: o.startErr}}
	var starter apis.Starter = e.starter
	if o.inline {
		e.inline = &apistest.InlineStarter{Store: apisimpl.NewDeployStore(d), Bus: bus, Delay: 20 * time.Millisecond}
		starter = e.inline
		t.Cleanup(e.inline.Wait)
	}
	e.svc = apisimpl.ProvideService(apisimpl.Deps{DB: d, Bus: bus, Starter: starter})
	mod, err := api.NewAPIsModule(api.APIsConfig{Service: e.svc, Gateways: bus, BaseDomain: "example.test",
		GatewayURL: "https://gw.example.test:8443", PollInterval: 10 * time.Millisecond, KeepAlive: 50 * time.Millisecond})
	require.NoError(t, err)
	var srv *api.Server
	oa := api.NewOpenAPIModule(func() []api.RouteInfo { return srv.Routes() }, api.OpenAPIInfo{})
	srv = api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: apisAuthn{}, Authz: e.authz,
		Modules: []api.Module{mod, oa}})
	e.srv = srv
	return e
}

func (e *apisEnv) do(method, path, tenant, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if tenant != "" {
		req.Header.Set(apisTenantHeader, tenant)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// must sends a request that has to succeed with want, and decodes the
// answer into a map.
func (e *apisEnv) must(want int, method, path, tenant, body string) map[string]any {
	e.t.Helper()
	rec := e.do(method, path, tenant, body)
	require.Equal(e.t, want, rec.Code, rec.Body.String())
	out := map[string]any{}
	if rec.Body.Len() > 0 {
		require.NoError(e.t, json.Unmarshal(rec.Body.Bytes(), &out))
	}
	return out
}

// seed creates, for tenant A, an API with one route and a stage "prod".
type apisSeed struct{ apiID, routeID string }

func (e *apisEnv) seed() apisSeed {
	e.t.Helper()
	a := e.must(201, "POST", "/v1/apis", apisTenantA, `{"name":"pets","protocolType":"HTTP"}`)
	apiID := a["apiId"].(string)
	r := e.must(201, "POST", "/v1/apis/"+apiID+"/routes", apisTenantA,
		`{"routeKey":"GET /pets","integration":{"type":"MOCK","mockBody":"[]"}}`)
	e.must(201, "POST", "/v1/apis/"+apiID+"/stages", apisTenantA, `{"stageName":"prod","stageVariables":{"v":"1"}}`)
	return apisSeed{apiID: apiID, routeID: r["routeId"].(string)}
}

// state is everything tenant A can see, to prove an error changed nothing.
func (e *apisEnv) state(s apisSeed) string {
	e.t.Helper()
	var b strings.Builder
	for _, p := range []string{"/v1/apis", "/v1/apis/" + s.apiID + "/routes", "/v1/apis/" + s.apiID + "/stages",
		"/v1/apis/" + s.apiID + "/deployments"} {
		rec := e.do("GET", p, apisTenantA, "")
		b.WriteString(rec.Body.String())
	}
	return b.String()
}

func (s apisSeed) expand(p string) string {
	return strings.NewReplacer("{apiId}", s.apiID, "{routeId}", s.routeID).Replace(p)
}

func TestAPIsHandlersScenarios(t *testing.T) {
	scenarios := []struct {
		desc   string
		method string
		path   string
		tenant string
		body   string
		setup  func(e *apisEnv, s apisSeed)

		wantStatus   int
		wantCode     string
		wantDetail   string
		wantContains []string
		// wantAuthz is the action and resource the authorizer was asked.
		wantAuthz string
	}{
		// APIs.
		{desc: "list apis", method: "GET", path: "/v1/apis", wantStatus: 200,
			wantContains: []string{`"name":"pets"`, `"apiEndpoint":"https://{apiId}.execute-api.example.test:8443"`},
			wantAuthz:    "apigw:GetApis apis"},
		{desc: "create api", method: "POST", path: "/v1/apis", body: `{"name":"cats","protocolType":"REST","description":"d"}`,
			wantStatus: 201, wantContains: []string{`"name":"cats"`, `"protocolType":"REST"`, `"description":"d"`},
			wantAuthz: "apigw:CreateApi apis"},
		{desc: "get api", method: "GET", path: "/v1/apis/{apiId}", wantStatus: 200,
			wantContains: []string{`"apiId":"{apiId}"`}, wantAuthz: "apigw:GetApi apis/{apiId}"},
		{desc: "update api", method: "PATCH", path: "/v1/apis/{apiId}", body: `{"description":"new"}`, wantStatus: 200,
			wantContains: []string{`"name":"pets"`, `"description":"new"`}, wantAuthz: "apigw:UpdateApi apis/{apiId}"},
		{desc: "delete api", method: "DELETE", path: "/v1/apis/{apiId}", wantStatus: 204,
			wantAuthz: "apigw:DeleteApi apis/{apiId}"},
		{desc: "get missing api", method: "GET", path: "/v1/apis/nope", wantStatus: 404, wantCode: "api.not-found"},
		{desc: "create api unknown field", method: "POST", path: "/v1/apis", body: `{"name":"x","protocolType":"HTTP","color":"red"}`,
			wantStatus: 400, wantCode: "request.unknown-field", wantDetail: "color"},
		{desc: "create api malformed", method: "POST", path: "/v1/apis", body: `{"name":`,
			wantStatus: 400, wantCode: "request.malformed"},
		{desc: "create api wrong type", method: "POST", path: "/v1/apis", body: `{"name":5,"protocolType":"HTTP"}`,
			wantStatus: 400, wantCode: "request.malformed"},
		{desc: "create websocket api", method: "POST", path: "/v1/apis", body: `{"name":"ws","protocolType":"WEBSOCKET"}`,
			wantStatus: 422, wantCode: "api.invalid", wantDetail: "protocolType", wantContains: []string{"not supported yet"}},
		{desc: "create api bad protocol", method: "POST", path: "/v1/apis", body: `{"name":"x","protocolType":"SOAP"}`,
			wantStatus: 422, wantCode: "api.invalid", wantDetail: "protocolType"},
		{desc: "create api blank name", method: "POST", path: "/v1/apis", body: `{"name":" ","protocolType":"HTTP"}`,
			wantStatus: 422, wantCode: "api.invalid", wantDetail: "name"},
		{desc: "no credentials", method: "GET", path: "/v1/apis", tenant: "-", wantStatus: 401},
		{desc: "denied", method: "GET", path: "/v1/apis/{apiId}", wantStatus: 403,
			setup: func(e *apisEnv, _ apisSeed) { e.authz.deny = map[string]bool{"apigw:GetApi": true} }},

		// Routes.
		{desc: "list routes", method: "GET", path: "/v1/apis/{apiId}/routes", wantStatus: 200,
			wantContains: []string{`"routeKey":"GET /pets"`, `"mockStatusCode":200`, `"timeoutInMillis":29000`},
			wantAuthz:    "apigw:GetRoutes apis/{apiId}/routes"},
		{desc: "create route", method: "POST", path: "/v1/apis/{apiId}/routes",
			body:       `{"routeKey":"ANY /pets/{id}/{proxy+}","integration":{"type":"HTTP_PROXY","uri":"https://${stageVariables.host}/{proxy}"}}`,
			wantStatus: 201, wantContains: []string{`"routeKey":"ANY /pets/{id}/{proxy+}"`, `"type":"HTTP_PROXY"`},
			wantAuthz: "apigw:CreateRoute apis/{apiId}/routes"},
		{desc: "get route", method: "GET", path: "/v1/apis/{apiId}/routes/{routeId}", wantStatus: 200,
			wantContains: []string{`"routeId":"{routeId}"`}, wantAuthz: "apigw:GetRoute apis/{apiId}/routes/{routeId}"},
		{desc: "update route", method: "PATCH", path: "/v1/apis/{apiId}/routes/{routeId}", body: `{"routeKey":"POST /pets"}`,
			wantStatus: 200, wantContains: []string{`"routeKey":"POST /pets"`, `"mockBody":"[]"`},
			wantAuthz: "apigw:UpdateRoute apis/{apiId}/routes/{routeId}"},
		{desc: "delete route", method: "DELETE", path: "/v1/apis/{apiId}/routes/{routeId}", wantStatus: 204,
			wantAuthz: "apigw:DeleteRoute apis/{apiId}/routes/{routeId}"},
		{desc: "duplicate route key", method: "POST", path: "/v1/apis/{apiId}/routes",
			body:       `{"routeKey":"GET /pets","integration":{"type":"MOCK"}}`,
			wantStatus: 409, wantCode: "route.duplicate"},
		{desc: "bad route key", method: "POST", path: "/v1/apis/{apiId}/routes",
			body:       `{"routeKey":"FETCH /pets","integration":{"type":"MOCK"}}`,
			wantStatus: 422, wantCode: "route.invalid", wantDetail: "routeKey"},
		{desc: "ftp uri", method: "POST", path: "/v1/apis/{apiId}/routes",
			body:       `{"routeKey":"GET /x","integration":{"type":"HTTP_PROXY","uri":"ftp://files.example.com/x"}}`,
			wantStatus: 422, wantCode: "route.invalid", wantDetail: "integration.uri"},
		{desc: "route unknown integration field", method: "POST", path: "/v1/apis/{apiId}/routes",
			body:       `{"routeKey":"GET /x","integration":{"type":"MOCK","retries":3}}`,
			wantStatus: 400, wantCode: "request.unknown-field"},
		{desc: "get missing route", method: "GET", path: "/v1/apis/{apiId}/routes/nope", wantStatus: 404, wantCode: "route.not-found"},
		{desc: "routes show NONE by default", method: "GET", path: "/v1/apis/{apiId}/routes/{routeId}", wantStatus: 200,
			wantContains: []string{`"authorizationType":"NONE"`}},
		{desc: "create AWS_IAM route", method: "POST", path: "/v1/apis/{apiId}/routes",
			body:       `{"routeKey":"GET /secret","integration":{"type":"MOCK"},"authorizationType":"AWS_IAM"}`,
			wantStatus: 201, wantContains: []string{`"authorizationType":"AWS_IAM"`}},
		{desc: "update route to AWS_IAM", method: "PATCH", path: "/v1/apis/{apiId}/routes/{routeId}",
			body: `{"authorizationType":"AWS_IAM"}`, wantStatus: 200,
			wantContains: []string{`"authorizationType":"AWS_IAM"`, `"routeKey":"GET /pets"`}},
		{desc: "bad authorization type", method: "POST", path: "/v1/apis/{apiId}/routes",
			body:       `{"routeKey":"GET /x","integration":{"type":"MOCK"},"authorizationType":"JWT"}`,
			wantStatus: 422, wantCode: "route.invalid", wantDetail: "authorizationType"},
		{desc: "bad authorization type on update", method: "PATCH", path: "/v1/apis/{apiId}/routes/{routeId}",
			body:       `{"authorizationType":"CUSTOM"}`,
			wantStatus: 422, wantCode: "route.invalid", wantDetail: "authorizationType"},
		{desc: "routes of missing api", method: "GET", path: "/v1/apis/nope/routes", wantStatus: 404, wantCode: "api.not-found"},

		// Stages.
		{desc: "list stages", method: "GET", path: "/v1/apis/{apiId}/stages", wantStatus: 200,
			wantContains: []string{`"stageName":"prod"`, `"invokeUrl":"https://{apiId}.execute-api.example.test:8443/prod"`,
				`"deploymentId":""`, `"lastDeploymentStatus":""`},
			wantAuthz: "apigw:GetStages apis/{apiId}/stages"},
		{desc: "create stage", method: "POST", path: "/v1/apis/{apiId}/stages", body: `{"stageName":"dev"}`, wantStatus: 201,
			wantContains: []string{`"stageName":"dev"`, `"stageVariables":{}`}, wantAuthz: "apigw:CreateStage apis/{apiId}/stages"},
		{desc: "get stage", method: "GET", path: "/v1/apis/{apiId}/stages/prod", wantStatus: 200,
			wantContains: []string{`"stageVariables":{"v":"1"}`}, wantAuthz: "apigw:GetStage apis/{apiId}/stages/prod"},
		{desc: "update stage", method: "PATCH", path: "/v1/apis/{apiId}/stages/prod", body: `{"stageVariables":{"v":"2"}}`,
			wantStatus: 200, wantContains: []string{`"stageVariables":{"v":"2"}`}, wantAuthz: "apigw:UpdateStage apis/{apiId}/stages/prod"},
		{desc: "delete stage", method: "DELETE", path: "/v1/apis/{apiId}/stages/prod", wantStatus: 204,
			wantAuthz: "apigw:DeleteStage apis/{apiId}/stages/prod"},
		{desc: "duplicate stage", method: "POST", path: "/v1/apis/{apiId}/stages", body: `{"stageName":"prod"}`,
			wantStatus: 409, wantCode: "stage.duplicate"},
		{desc: "bad stage name", method: "POST", path: "/v1/apis/{apiId}/stages", body: `{"stageName":"pro d"}`,
			wantStatus: 422, wantCode: "stage.invalid", wantDetail: "stageName"},
		{desc: "bad stage variable", method: "POST", path: "/v1/apis/{apiId}/stages", body: `{"stageName":"dev","stageVariables":{"a-b":"x"}}`,
			wantStatus: 422, wantCode: "stage.invalid", wantDetail: "stageVariables.a-b"},
		{desc: "get missing stage", method: "GET", path: "/v1/apis/{apiId}/stages/nope", wantStatus: 404, wantCode: "stage.not-found"},

		// Deployments.
		{desc: "create deployment", method: "POST", path: "/v1/apis/{apiId}/deployments", body: `{"stageName":"prod"}`,
			wantStatus: 202, wantContains: []string{`"status":"PENDING"`, `"stageName":"prod"`, `"message":"Deployment created"`},
			wantAuthz: "apigw:CreateDeployment apis/{apiId}/stages/prod"},
		{desc: "deploy to missing stage", method: "POST", path: "/v1/apis/{apiId}/deployments", body: `{"stageName":"nope"}`,
			wantStatus: 422, wantCode: "deployment.invalid", wantDetail: "stageName"},
		{desc: "deploy while in progress", method: "POST", path: "/v1/apis/{apiId}/deployments", body: `{"stageName":"prod"}`,
			setup: func(e *apisEnv, s apisSeed) {
				e.must(202, "POST", s.expand("/v1/apis/{apiId}/deployments"), apisTenantA, `{"stageName":"prod"}`)
			},
			wantStatus: 409, wantCode: "deployment.in-progress"},
		{desc: "delete stage while deploying", method: "DELETE", path: "/v1/apis/{apiId}/stages/prod",
			setup: func(e *apisEnv, s apisSeed) {
				e.must(202, "POST", s.expand("/v1/apis/{apiId}/deployments"), apisTenantA, `{"stageName":"prod"}`)
			},
			wantStatus: 409, wantCode: "deployment.in-progress"},
		{desc: "deploy bad wait", method: "POST", path: "/v1/apis/{apiId}/deployments?wait=soon", body: `{"stageName":"prod"}`,
			wantStatus: 400},
		{desc: "list deployments", method: "GET", path: "/v1/apis/{apiId}/deployments", wantStatus: 200,
			wantContains: []string{`"items":[]`}, wantAuthz: "apigw:GetDeployments apis/{apiId}/deployments"},
		{desc: "get missing deployment", method: "GET", path: "/v1/apis/{apiId}/deployments/nope", wantStatus: 404,
			wantCode: "deployment.not-found"},
		{desc: "events of missing deployment", method: "GET", path: "/v1/apis/{apiId}/deployments/nope/events", wantStatus: 404,
			wantCode: "deployment.not-found"},

		// Gateways.
		{desc: "gateways show only own stages", method: "GET", path: "/v1/gateways", wantStatus: 200,
			setup: func(e *apisEnv, s apisSeed) {
				require.NoError(t, e.bus.Heartbeat(context.Background(), fleet.Heartbeat{GatewayID: "gw-1", Addr: ":8081",
					Stages: map[string]string{s.apiID + "/prod": "d1", "other/prod": "d2"}}, time.Minute))
			},
			wantContains: []string{`"gatewayId":"gw-1"`, `"stages":{"{apiId}/prod":"d1"}`}, wantAuthz: "apigw:GetGateways gateways"},
	}
	for _, sc := range scenarios {
		t.Run(sc.desc, func(t *testing.T) {
			e := newAPIsEnv(t)
			s := e.seed()
			if sc.setup != nil {
				sc.setup(e, s)
			}
			before := e.state(s)
			tenant := sc.tenant
			switch tenant {
			case "":
				tenant = apisTenantA
			case "-":
				tenant = ""
			}
			rec := e.do(sc.method, s.expand(sc.path), tenant, sc.body)
			require.Equal(t, sc.wantStatus, rec.Code, rec.Body.String())
			for _, want := range sc.wantContains {
				assert.Contains(t, rec.Body.String(), s.expand(want))
			}
			if sc.wantAuthz != "" {
				assert.Equal(t, s.expand(sc.wantAuthz), e.authz.last())
			}
			if rec.Code >= 400 {
				var body apierr.Body
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
				if sc.wantCode != "" {
					assert.Equal(t, sc.wantCode, body.Error.Code)
				}
				if sc.wantDetail != "" {
					assert.Contains(t, body.Error.Details, sc.wantDetail)
				}
				assert.NotEmpty(t, body.Error.RequestID)
				assert.Equal(t, before, e.state(s))
			}
		})
	}
}

// Tenant B gets 404 on tenant A's API through every route, and nothing
// changes.
func TestAPIsHandlersOtherTenantGets404(t *testing.T) {
	e := newAPIsEnv(t)
	s := e.seed()
	dep := e.must(202, "POST", s.expand("/v1/apis/{apiId}/deployments"), apisTenantA, `{"stageName":"prod"}`)
	depID := dep["deploymentId"].(string)
	before := e.state(s)
	bodies := map[string]string{
		"POST /v1/apis/:apiId/routes":             `{"routeKey":"GET /b","integration":{"type":"MOCK"}}`,
		"PATCH /v1/apis/:apiId":                   `{"name":"mine"}`,
		"PATCH /v1/apis/:apiId/routes/:routeId":   `{"routeKey":"GET /b"}`,
		"POST /v1/apis/:apiId/stages":             `{"stageName":"b"}`,
		"PATCH /v1/apis/:apiId/stages/:stageName": `{"description":"b"}`,
		"POST /v1/apis/:apiId/deployments":        `{"stageName":"prod"}`,
	}
	n := 0
	for _, rt := range e.srv.Routes() {
		if !strings.Contains(rt.Path, ":apiId") {
			continue
		}
		n++
		path := strings.NewReplacer(":apiId", s.apiID, ":routeId", s.routeID, ":stageName", "prod", ":deploymentId", depID).
			Replace(rt.Path)
		body := bodies[rt.Method+" "+rt.Path]
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			rec := e.do(rt.Method, path, apisTenantB, body)
			assert.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
		})
	}
	assert.Equal(t, 17, n)
	assert.Equal(t, before, e.state(s))
}

func TestAPIsHandlersDeployWait(t *testing.T) {
	e := newAPIsEnv(t, withInlineStarter())
	s := e.seed()
	out := e.must(200, "POST", s.expand("/v1/apis/{apiId}/deployments?wait=true"), apisTenantA, `{"stageName":"prod"}`)
	assert.Equal(t, deploy.StatusDeployed, out["status"])
	assert.EqualValues(t, 1, out["routeCount"])
	assert.NotEmpty(t, out["deployedAt"])

	st := e.must(200, "GET", s.expand("/v1/apis/{apiId}/stages/prod"), apisTenantA, "")
	assert.Equal(t, out["deploymentId"], st["deploymentId"])
	assert.Equal(t, deploy.StatusDeployed, st["lastDeploymentStatus"])

	snap, err := e.bus.GetStage(context.Background(), s.apiID, "prod")
	require.NoError(t, err)
	assert.Equal(t, out["deploymentId"], snap.DeploymentID)

	// Stage variables reach the fleet without a redeploy.
	e.must(200, "PATCH", s.expand("/v1/apis/{apiId}/stages/prod"), apisTenantA, `{"stageVariables":{"v":"2"}}`)
	snap, err = e.bus.GetStage(context.Background(), s.apiID, "prod")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"v": "2"}, snap.StageVariables)

	// Deleting the API withdraws its stages.
	e.must(204, "DELETE", s.expand("/v1/apis/{apiId}"), apisTenantA, "")
	_, err = e.bus.GetStage(context.Background(), s.apiID, "prod")
	assert.ErrorIs(t, err, fleet.ErrNotFound)
}

func TestAPIsHandlersDeployPendingThenGet(t *testing.T) {
	e := newAPIsEnv(t)
	s := e.seed()
	out := e.must(202, "POST", s.expand("/v1/apis/{apiId}/deployments"), apisTenantA, `{"stageName":"prod","description":"first"}`)
	id := out["deploymentId"].(string)
	got := e.must(200, "GET", s.expand("/v1/apis/{apiId}/deployments/")+id, apisTenantA, "")
	assert.Equal(t, deploy.StatusPending, got["status"])
	assert.Equal(t, "first", got["description"])
	require.Len(t, e.starter.Started(), 1)
	assert.Equal(t, deploy.Input{TenantID: apisTenantA, APIID: s.apiID, StageName: "prod", DeploymentID: id},
		e.starter.Started()[0])
	list := e.must(200, "GET", s.expand("/v1/apis/{apiId}/deployments"), apisTenantA, "")
	assert.Len(t, list["items"], 1)
}

func TestAPIsHandlersTemporalDown(t *testing.T) {
	e := newAPIsEnv(t, withStartError(errors.New("dial tcp 127.0.0.1:7233: connection refused")))
	s := e.seed()
	rec := e.do("POST", s.expand("/v1/apis/{apiId}/deployments"), apisTenantA, `{"stageName":"prod"}`)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), "Temporal")
	list := e.must(200, "GET", s.expand("/v1/apis/{apiId}/deployments"), apisTenantA, "")
	items := list["items"].([]any)
	require.Len(t, items, 1)
	assert.Equal(t, deploy.StatusFailed, items[0].(map[string]any)["status"])
}

func TestAPIsHandlersEventStream(t *testing.T) {
	e := newAPIsEnv(t, withInlineStarter())
	s := e.seed()
	ts := httptest.NewServer(e.srv.Handler())
	defer ts.Close()
	out := e.must(202, "POST", s.expand("/v1/apis/{apiId}/deployments"), apisTenantA, `{"stageName":"prod"}`)
	id := out["deploymentId"].(string)

	req, err := http.NewRequest("GET", ts.URL+s.expand("/v1/apis/{apiId}/deployments/")+id+"/events", nil)
	require.NoError(t, err)
	req.Header.Set(apisTenantHeader, apisTenantA)
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))

	var statuses []string
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			require.Equal(t, "deployment", event)
			var d api.DeploymentView
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d))
			statuses = append(statuses, d.Status)
		}
	}
	// The stream ends by itself after the terminal event.
	require.NoError(t, sc.Err())
	require.NotEmpty(t, statuses)
	assert.Equal(t, deploy.StatusDeployed, statuses[len(statuses)-1])
	assert.Greater(t, len(statuses), 1)
}

func TestOpenAPIDocumentCoversEveryRoute(t *testing.T) {
	e := newAPIsEnv(t)
	rec := e.do("GET", "/v1/openapi.json", "", "")
	require.Equal(t, 200, rec.Code)
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas         map[string]map[string]any `json:"schemas"`
			SecuritySchemes map[string]any            `json:"securitySchemes"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	assert.Equal(t, "3.1.0", doc.OpenAPI)
	assert.Contains(t, doc.Components.SecuritySchemes, "bearerAuth")
	assert.Contains(t, doc.Components.SecuritySchemes, "cookieAuth")
	assert.Contains(t, doc.Components.Schemas, "Error")

	opIDs := map[string]bool{}
	for _, rt := range e.srv.Routes() {
		p := rt.Path
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		op, ok := doc.Paths[p][strings.ToLower(rt.Method)]
		require.True(t, ok, "%s %s missing", rt.Method, p)
		id := op["operationId"].(string)
		assert.False(t, opIDs[id], "duplicate operationId %s", id)
		opIDs[id] = true
		if rt.Public {
			assert.Empty(t, op["security"])
			continue
		}
		assert.Equal(t, rt.Action, op["x-turnpike-action"])
		assert.Equal(t, rt.Resource, op["x-turnpike-resource"])
	}
	assert.True(t, opIDs["CreateApi"])
	assert.True(t, opIDs["GetDeploymentEvents"])

	api := doc.Components.Schemas["API"]
	require.NotNil(t, api)
	props := api["properties"].(map[string]any)
	assert.Equal(t, map[string]any{"type": "string", "format": "date-time"}, props["createdAt"])
	assert.Contains(t, props, "apiEndpoint")
	create := doc.Paths["/v1/apis"]["post"]["requestBody"].(map[string]any)
	schema := create["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
	assert.Equal(t, "#/components/schemas/CreateAPICommand", schema["$ref"])
	assert.Equal(t, []any{"name", "protocolType"}, doc.Components.Schemas["CreateAPICommand"]["required"])
}
