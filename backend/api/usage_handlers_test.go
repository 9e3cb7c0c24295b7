package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
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
	"github.com/turnpike/turnpike/backend/usage/usageimpl"
	"github.com/turnpike/turnpike/backend/usage/usagetest"
	"github.com/turnpike/turnpike/gateway/fleet"
)

const (
	usageTenantA      = "ua"
	usageTenantB      = "ub"
	usageTenantHeader = "X-Test-Tenant"
)

type usageAuthn struct{}

func (usageAuthn) Authenticate(c *gin.Context) (*reqctx.Principal, error) {
	t := c.GetHeader(usageTenantHeader)
	if t == "" {
		return nil, apierr.Unauthorized("auth.required", "Authentication required.")
	}
	return &reqctx.Principal{TenantID: t, UserID: "u-" + t}, nil
}

// usageAuthz allows everything but the denied actions.
type usageAuthz struct {
	mu   sync.Mutex
	deny map[string]bool
}

func (a *usageAuthz) Authorize(_ context.Context, _ *reqctx.Principal, action, _ string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.deny[action] {
		return apierr.Forbidden("auth.forbidden", "Not allowed.")
	}
	return nil
}

type usageEnv struct {
	t        *testing.T
	srv      *api.Server
	keys     fleet.KeyBus
	pub      *usagetest.FlakyPublisher
	counters *usagetest.Counters
	authz    *usageAuthz
	apiID    string
}

func newUsageEnv(t *testing.T) *usageEnv {
	t.Helper()
	d := dbtest.SQLite(t)
	require.NoError(t, apistest.InsertTenant(d, usageTenantA))
	require.NoError(t, apistest.InsertTenant(d, usageTenantB))
	bus := fleet.NewMemory()
	t.Cleanup(func() { _ = bus.Close() })
	e := &usageEnv{t: t, keys: fleet.AsKeyBus(bus), counters: &usagetest.Counters{}, authz: &usageAuthz{deny: map[string]bool{}}}
	e.pub = &usagetest.FlakyPublisher{Next: e.keys}
	apisSvc := apisimpl.ProvideService(apisimpl.Deps{DB: d, Bus: bus, Starter: &apistest.FakeStarter{}})
	svc := usageimpl.ProvideService(usageimpl.Deps{DB: d, Bus: e.pub, Counters: e.counters, Stages: apisSvc})
	mod, err := api.NewUsageModule(api.UsageConfig{Service: svc, Authz: e.authz})
	require.NoError(t, err)
	var srv *api.Server
	oa := api.NewOpenAPIModule(func() []api.RouteInfo { return srv.Routes() }, api.OpenAPIInfo{})
	srv = api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: usageAuthn{}, Authz: e.authz,
		Modules: []api.Module{mod, oa}})
	e.srv = srv
	ctx := context.Background()
	a, err := apisSvc.CreateAPI(ctx, usageTenantA, apis.CreateAPICommand{Name: "pets", ProtocolType: "HTTP"})
	require.NoError(t, err)
	_, err = apisSvc.CreateStage(ctx, usageTenantA, a.ID, apis.CreateStageCommand{StageName: "prod"})
	require.NoError(t, err)
	e.apiID = a.ID
	return e
}

func (e *usageEnv) do(method, path, tenant, contentType, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if tenant != "" {
		req.Header.Set(usageTenantHeader, tenant)
	}
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

func (e *usageEnv) must(want int, method, path, tenant, body string) map[string]any {
	e.t.Helper()
	rec := e.do(method, path, tenant, "application/json", body)
	require.Equal(e.t, want, rec.Code, rec.Body.String())
	out := map[string]any{}
	if rec.Body.Len() > 0 {
		require.NoError(e.t, json.Unmarshal(rec.Body.Bytes(), &out))
	}
	return out
}

type usageSeed struct{ keyID, keyValue, planID string }

// seed creates, for tenant A, a key and a plan on the API's prod stage with
// the key attached.
func (e *usageEnv) seed() usageSeed {
	e.t.Helper()
	k := e.must(201, "POST", "/v1/apikeys", usageTenantA, `{"name":"mobile","value":"seed-value-0123456789abcdef"}`)
	p := e.must(201, "POST", "/v1/usageplans", usageTenantA, `{"name":"gold","throttle":{"rateLimit":2,"burstLimit":2},`+
		`"quota":{"limit":1000,"period":"DAY"},"apiStages":[{"apiId":"`+e.apiID+`","stage":"prod"}]}`)
	e.must(201, "POST", "/v1/usageplans/"+p["id"].(string)+"/keys", usageTenantA, `{"keyId":"`+k["id"].(string)+`"}`)
	return usageSeed{keyID: k["id"].(string), keyValue: k["value"].(string), planID: p["id"].(string)}
}

func (s usageSeed) expand(p, apiID string) string {
	return strings.NewReplacer("{keyId}", s.keyID, "{planId}", s.planID, "{apiId}", apiID).Replace(p)
}

func TestUsageHandlersScenarios(t *testing.T) {
	today := time.Now().UTC().Format(time.DateOnly)
	scenarios := []struct {
		desc        string
		method      string
		path        string
		tenant      string
		contentType string
		body        string
		deny        string
		fleetDown   bool

		wantStatus int
		wantCode   string
		wantDetail string
		wantBody   []string
		notBody    []string
	}{
		{desc: "create key generates a value", method: "POST", path: "/v1/apikeys", body: `{"name":"k"}`,
			wantStatus: 201, wantBody: []string{`"value":"`, `"enabled":true`}},
		{desc: "create key with a short value", method: "POST", path: "/v1/apikeys", body: `{"name":"k","value":"short"}`,
			wantStatus: 422, wantCode: "apikey.invalid", wantDetail: "value"},
		{desc: "duplicate key value", method: "POST", path: "/v1/apikeys", body: `{"name":"k","value":"seed-value-0123456789abcdef"}`,
			wantStatus: 409, wantCode: "apikey.duplicate-value"},
		{desc: "duplicate key value from another tenant", method: "POST", path: "/v1/apikeys", tenant: usageTenantB,
			body: `{"name":"k","value":"seed-value-0123456789abcdef"}`, wantStatus: 409, wantCode: "apikey.duplicate-value"},
		{desc: "unknown field", method: "POST", path: "/v1/apikeys", body: `{"name":"k","secret":"x"}`,
			wantStatus: 400, wantCode: "request.unknown-field"},
		{desc: "list hides values", method: "GET", path: "/v1/apikeys", wantStatus: 200,
			wantBody: []string{`"name":"mobile"`}, notBody: []string{"seed-value"}},
		{desc: "list with values", method: "GET", path: "/v1/apikeys?includeValues=true", wantStatus: 200,
			wantBody: []string{"seed-value-0123456789abcdef"}},
		{desc: "list with values needs GetApiKey", method: "GET", path: "/v1/apikeys?includeValues=true", deny: "apigw:GetApiKey",
			wantStatus: 403},
		{desc: "get key with value", method: "GET", path: "/v1/apikeys/{keyId}?includeValue=true", wantStatus: 200,
			wantBody: []string{"seed-value-0123456789abcdef", `"usagePlanIds":["`}},
		{desc: "other tenant's key is 404", method: "GET", path: "/v1/apikeys/{keyId}", tenant: usageTenantB,
			wantStatus: 404, wantCode: "apikey.not-found"},
		{desc: "other tenant cannot disable", method: "PATCH", path: "/v1/apikeys/{keyId}", tenant: usageTenantB,
			body: `{"enabled":false}`, wantStatus: 404},
		{desc: "disable key", method: "PATCH", path: "/v1/apikeys/{keyId}", body: `{"enabled":false,"tags":{"a":"b"}}`,
			wantStatus: 200, wantBody: []string{`"enabled":false`, `"tags":{"a":"b"}`}, notBody: []string{"seed-value"}},
		{desc: "disable key while the fleet is down", method: "PATCH", path: "/v1/apikeys/{keyId}", body: `{"enabled":false}`,
			fleetDown: true, wantStatus: 503, wantCode: "fleet.unavailable"},
		{desc: "delete key", method: "DELETE", path: "/v1/apikeys/{keyId}", wantStatus: 204},

		{desc: "import", method: "POST", path: "/v1/apikeys/import", contentType: "text/csv",
			body:       "Name,key,description,Enabled,usageplanIds\nok,import-value-0123456789,,true,{planId}\nbad,x,,true,\ndup,seed-value-0123456789abcdef,,true,\n",
			wantStatus: 201, wantBody: []string{`"line":3`, `"line":4`, `"ids":["`}},
		{desc: "import bad quote line", method: "POST", path: "/v1/apikeys/import", contentType: "text/csv",
			body: "key\n\"unterminated\n", wantStatus: 200, wantBody: []string{`"ids":[]`, `"line":2`}},
		{desc: "import without key column", method: "POST", path: "/v1/apikeys/import", contentType: "text/csv",
			body: "Name\nx\n", wantStatus: 422, wantCode: "apikey.import-invalid"},
		{desc: "import JSON", method: "POST", path: "/v1/apikeys/import", body: `{"name":"x"}`,
			wantStatus: 400, wantCode: "request.not-csv"},

		{desc: "plan quota WEEKLY", method: "POST", path: "/v1/usageplans",
			body: `{"name":"p","quota":{"limit":10,"period":"WEEKLY"}}`, wantStatus: 422, wantCode: "usageplan.invalid", wantDetail: "quota.period"},
		{desc: "plan unknown api stage", method: "POST", path: "/v1/usageplans",
			body: `{"name":"p","apiStages":[{"apiId":"{apiId}","stage":"nope"}]}`, wantStatus: 422, wantCode: "usageplan.invalid", wantDetail: "apiStages[0]"},
		{desc: "plan on another tenant's api stage", method: "POST", path: "/v1/usageplans", tenant: usageTenantB,
			body: `{"name":"p","apiStages":[{"apiId":"{apiId}","stage":"prod"}]}`, wantStatus: 422, wantDetail: "apiStages[0]"},
		{desc: "plan with method throttles", method: "POST", path: "/v1/usageplans",
			body:       `{"name":"p","apiStages":[{"apiId":"{apiId}","stage":"prod","throttle":{"rateLimit":5,"burstLimit":5},"methodThrottles":{"GET /pets":{"rateLimit":1,"burstLimit":1}}}]}`,
			wantStatus: 201, wantBody: []string{`"GET /pets":{"rateLimit":1,"burstLimit":1}`}},
		{desc: "plan bad throttle", method: "POST", path: "/v1/usageplans",
			body: `{"name":"p","throttle":{"rateLimit":0,"burstLimit":1}}`, wantStatus: 422, wantDetail: "throttle.rateLimit"},
		{desc: "remove plan throttle", method: "PATCH", path: "/v1/usageplans/{planId}", body: `{"throttle":null}`,
			wantStatus: 200, notBody: []string{`"throttle"`}},
		{desc: "other tenant's plan is 404", method: "GET", path: "/v1/usageplans/{planId}", tenant: usageTenantB,
			wantStatus: 404, wantCode: "usageplan.not-found"},
		{desc: "plan keys", method: "GET", path: "/v1/usageplans/{planId}/keys", wantStatus: 200, wantBody: []string{`"name":"mobile"`}},
		{desc: "attach twice", method: "POST", path: "/v1/usageplans/{planId}/keys", body: `{"keyId":"{keyId}"}`,
			wantStatus: 409, wantCode: "usageplankey.duplicate"},
		{desc: "attach without keyId", method: "POST", path: "/v1/usageplans/{planId}/keys", body: `{}`,
			wantStatus: 422, wantDetail: "keyId"},
		{desc: "attach another tenant's key", method: "POST", path: "/v1/usageplans/{planId}/keys", tenant: usageTenantB,
			body: `{"keyId":"{keyId}"}`, wantStatus: 404},
		{desc: "detach", method: "DELETE", path: "/v1/usageplans/{planId}/keys/{keyId}", wantStatus: 204},
		{desc: "delete plan", method: "DELETE", path: "/v1/usageplans/{planId}", wantStatus: 204},

		{desc: "usage", method: "GET", path: "/v1/usageplans/{planId}/usage?startDate=" + today + "&endDate=" + today,
			wantStatus: 200, wantBody: []string{`"items":{"`, `[[0,1000]]`, `"days":[{"date":"` + today + `","used":0}]`}},
		{desc: "usage without dates", method: "GET", path: "/v1/usageplans/{planId}/usage",
			wantStatus: 422, wantCode: "usage.invalid", wantDetail: "startDate"},
		{desc: "usage of another tenant's plan", method: "GET", path: "/v1/usageplans/{planId}/usage?startDate=" + today + "&endDate=" + today,
			tenant: usageTenantB, wantStatus: 404},
		{desc: "extend quota", method: "POST", path: "/v1/usageplans/{planId}/keys/{keyId}/quota", body: `{"extend":50}`,
			wantStatus: 200, wantBody: []string{`"remaining":1050`}},
		{desc: "reset quota", method: "POST", path: "/v1/usageplans/{planId}/keys/{keyId}/quota", body: `{"reset":true}`,
			wantStatus: 200, wantBody: []string{`"remaining":1000`}},
		{desc: "quota with neither", method: "POST", path: "/v1/usageplans/{planId}/keys/{keyId}/quota", body: `{}`,
			wantStatus: 422, wantCode: "usage.invalid"},
		{desc: "update usage needs UpdateUsage", method: "POST", path: "/v1/usageplans/{planId}/keys/{keyId}/quota",
			body: `{"reset":true}`, deny: "apigw:UpdateUsage", wantStatus: 403},
	}
	for _, sc := range scenarios {
		t.Run(sc.desc, func(t *testing.T) {
			e := newUsageEnv(t)
			s := e.seed()
			tenant := sc.tenant
			if tenant == "" {
				tenant = usageTenantA
			}
			ct := sc.contentType
			if ct == "" {
				ct = "application/json"
			}
			if sc.deny != "" {
				e.authz.deny[sc.deny] = true
			}
			e.pub.SetDown(sc.fleetDown)
			rec := e.do(sc.method, s.expand(sc.path, e.apiID), tenant, ct, s.expand(sc.body, e.apiID))
			require.Equal(t, sc.wantStatus, rec.Code, rec.Body.String())
			body := rec.Body.String()
			if sc.wantCode != "" || sc.wantDetail != "" {
				var eb struct {
					Error struct {
						Code    string                    `json:"code"`
						Details map[string]map[string]any `json:"details"`
					} `json:"error"`
				}
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &eb))
				if sc.wantCode != "" {
					assert.Equal(t, sc.wantCode, eb.Error.Code)
				}
				if sc.wantDetail != "" {
					assert.Contains(t, eb.Error.Details, sc.wantDetail)
				}
			}
			for _, w := range sc.wantBody {
				assert.Contains(t, body, w)
			}
			for _, w := range sc.notBody {
				assert.NotContains(t, body, w)
			}
		})
	}
}

// Every write reaches the fleet's key bus: the key's hash, its plans, and
// its withdrawal.
func TestUsageHandlersPublish(t *testing.T) {
	e := newUsageEnv(t)
	s := e.seed()
	ctx := context.Background()
	keys, err := e.keys.APIKeys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, usageimpl.HashValue(s.keyValue), keys[0].ValueHash)
	assert.Equal(t, []string{s.planID}, keys[0].UsagePlanIDs)
	plans, err := e.keys.UsagePlans(ctx)
	require.NoError(t, err)
	require.Len(t, plans, 1)
	assert.Equal(t, 2.0, plans[0].Throttle.RateLimit)
	assert.Equal(t, e.apiID, plans[0].APIStages[0].APIID)

	e.must(200, "PATCH", "/v1/apikeys/"+s.keyID, usageTenantA, `{"enabled":false}`)
	keys, err = e.keys.APIKeys(ctx)
	require.NoError(t, err)
	assert.False(t, keys[0].Enabled)

	e.pub.SetDown(true)
	rec := e.do("DELETE", "/v1/apikeys/"+s.keyID, usageTenantA, "", "")
	assert.Equal(t, 503, rec.Code)
	e.pub.SetDown(false)
	e.must(200, "GET", "/v1/apikeys/"+s.keyID, usageTenantA, "")

	e.must(204, "DELETE", "/v1/apikeys/"+s.keyID, usageTenantA, "")
	keys, err = e.keys.APIKeys(ctx)
	require.NoError(t, err)
	assert.Empty(t, keys)
}

// The usage answer carries the counters' numbers in both shapes.
func TestUsageHandlersReport(t *testing.T) {
	e := newUsageEnv(t)
	s := e.seed()
	now := time.Now().UTC()
	e.counters.Add(s.planID, s.keyID, now, 7)
	day := now.Format(time.DateOnly)
	out := e.must(200, "GET", "/v1/usageplans/"+s.planID+"/usage?keyId="+s.keyID+"&startDate="+day+"&endDate="+day, usageTenantA, "")
	assert.Equal(t, map[string]any{s.keyID: []any{[]any{7.0, 993.0}}}, out["items"])
	assert.Equal(t, []any{map[string]any{"date": day, "used": 7.0}}, out["days"])
	assert.Equal(t, map[string]any{s.keyID: 993.0}, out["remaining"])
}

func TestUsageOpenAPI(t *testing.T) {
	e := newUsageEnv(t)
	rec := e.do("GET", "/v1/openapi.json", "", "", "")
	require.Equal(t, 200, rec.Code)
	assert.Contains(t, rec.Body.String(), "/v1/usageplans/{usagePlanId}/usage")
	assert.Contains(t, rec.Body.String(), "apigw:ImportApiKeys")
}
