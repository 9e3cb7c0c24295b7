package limits_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/limit/limittest"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
	"github.com/turnpike/turnpike/gateway/stage/limits"
	"github.com/turnpike/turnpike/gateway/stage/resolve"
)

const host = "a1.execute-api.localhost"

func testStage() *gwconfig.Stage {
	mock := gwconfig.Integration{Type: gwconfig.IntegrationMock}
	return &gwconfig.Stage{
		TenantID: "t-1", APIID: "a1", StageName: "prod", DeploymentID: "d-1", ProtocolType: gwconfig.ProtocolHTTP,
		Routes: []gwconfig.Route{
			{RouteID: "r-open", RouteKey: "GET /open", Integration: mock},
			{RouteID: "r-pets", RouteKey: "GET /pets", Integration: mock, APIKeyRequired: true},
			{RouteID: "r-slow", RouteKey: "GET /slow", Integration: mock, APIKeyRequired: true},
			{RouteID: "r-method", RouteKey: "GET /method", Integration: mock, Throttle: &gwconfig.Throttle{RateLimit: 1, BurstLimit: 1}},
			{RouteID: "r-stage", RouteKey: "GET /stage", Integration: mock},
		},
		Throttle: &gwconfig.Throttle{RateLimit: 1, BurstLimit: 3},
	}
}

type env struct {
	t       *testing.T
	bus     fleet.FleetBus
	keys    *limit.Keys
	clock   *limittest.Clock
	stage   *gwconfig.Stage
	handler pipeline.Handler
	reg     *prometheus.Registry
}

// newEnv builds resolve → limits → a 200 terminal over a memory bus with
// key "good" (plan p1: 100 rps, burst 2 on /slow by method throttle,
// quota 3/DAY) and key "other" in plan p2 of another stage.
func newEnv(t *testing.T, mod func(*gwconfig.Stage), lim func(*limittest.Clock) limit.Limiter) *env {
	ctx := t.Context()
	e := &env{t: t, bus: fleet.NewMemory().(fleet.FleetBus), clock: limittest.NewClock(limittest.Start), stage: testStage(), reg: prometheus.NewRegistry()}
	t.Cleanup(func() { _ = e.bus.Close() })
	if mod != nil {
		mod(e.stage)
	}
	require.NoError(t, e.bus.PutUsagePlan(ctx, &gwconfig.UsagePlan{ID: "p1", TenantID: "t-1",
		Throttle: &gwconfig.Throttle{RateLimit: 100, BurstLimit: 100},
		Quota:    &gwconfig.Quota{Limit: 3, Period: gwconfig.QuotaDay},
		APIStages: []gwconfig.PlanAPIStage{{APIID: "a1", Stage: "prod",
			MethodThrottles: map[string]gwconfig.Throttle{"GET /slow": {RateLimit: 1, BurstLimit: 2}}}}}))
	require.NoError(t, e.bus.PutUsagePlan(ctx, &gwconfig.UsagePlan{ID: "p2", TenantID: "t-1",
		APIStages: []gwconfig.PlanAPIStage{{APIID: "a1", Stage: "test"}}}))
	require.NoError(t, e.bus.PutAPIKey(ctx, &gwconfig.APIKey{ID: "k-good", TenantID: "t-1", ValueHash: limit.HashKey("good"), Enabled: true, UsagePlanIDs: []string{"p1"}}))
	require.NoError(t, e.bus.PutAPIKey(ctx, &gwconfig.APIKey{ID: "k-off", TenantID: "t-1", ValueHash: limit.HashKey("off"), Enabled: false, UsagePlanIDs: []string{"p1"}}))
	require.NoError(t, e.bus.PutAPIKey(ctx, &gwconfig.APIKey{ID: "k-other", TenantID: "t-1", ValueHash: limit.HashKey("other"), Enabled: true, UsagePlanIDs: []string{"p2"}}))
	require.NoError(t, e.bus.PutAPIKey(ctx, &gwconfig.APIKey{ID: "k-foreign", TenantID: "t-2", ValueHash: limit.HashKey("foreign"), Enabled: true, UsagePlanIDs: []string{"p1"}}))
	e.keys = limit.NewKeys(e.bus, nil)
	require.NoError(t, e.keys.Load(ctx))

	st, err := router.CompileStage(e.stage)
	require.NoError(t, err)
	rt := router.New("", []*router.Stage{st})
	var l limit.Limiter = limit.NewLocal(limit.WithLocalClock(e.clock.Now))
	if lim != nil {
		l = lim(e.clock)
	}
	e.handler = pipeline.Chain(
		resolve.New(func() *router.Router { return rt }),
		limits.New(limits.Deps{Keys: e.keys, Limiter: l, Fallback: limit.NewLocal(limit.WithLocalClock(e.clock.Now)), Registerer: e.reg}),
		func(pipeline.Handler) pipeline.Handler {
			return pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				w.WriteHeader(http.StatusOK)
				return nil
			})
		},
	)
	return e
}

type result struct {
	status  int
	body    string
	header  http.Header
	keyID   string
	errCode string
}

func (e *env) do(path, key string, ex *pipeline.Exchange) result {
	if ex == nil {
		ex = &pipeline.Exchange{}
	}
	r := httptest.NewRequest(http.MethodGet, "http://"+host+"/prod"+path, nil)
	if key != "" {
		r.Header.Set("x-api-key", key)
	}
	r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
	w := httptest.NewRecorder()
	err := e.handler.ServeHTTP(w, r)
	res := result{status: w.Code, header: w.Header(), keyID: ex.APIKeyID}
	var he *pipeline.HandlerError
	if errors.As(err, &he) {
		res.status, res.body, res.errCode = he.Status, string(he.Body), he.Code
	} else {
		require.NoError(e.t, err)
	}
	return res
}

func TestAPIKeyCheck(t *testing.T) {
	e := newEnv(t, nil, nil)
	tests := []struct {
		desc   string
		path   string
		key    string
		status int
		keyID  string
	}{
		{desc: "open route needs no key", path: "/open", status: 200},
		{desc: "open route ignores a bad key", path: "/open", key: "nope", status: 200},
		{desc: "missing key", path: "/pets", status: 403},
		{desc: "unknown key", path: "/pets", key: "nope", status: 403},
		{desc: "disabled key", path: "/pets", key: "off", status: 403, keyID: "k-off"},
		{desc: "key of another tenant", path: "/pets", key: "foreign", status: 403, keyID: ""},
		{desc: "key in no plan of this stage", path: "/pets", key: "other", status: 403, keyID: "k-other"},
		{desc: "good key", path: "/pets", key: "good", status: 200, keyID: "k-good"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			res := e.do(test.path, test.key, nil)
			assert.Equal(t, test.status, res.status)
			if test.status == 403 {
				assert.JSONEq(t, `{"message":"Forbidden"}`, res.body)
			}
			if test.keyID != "" {
				assert.Equal(t, test.keyID, res.keyID)
			}
		})
	}
}

func TestAPIKeyFromAuthorizer(t *testing.T) {
	e := newEnv(t, func(s *gwconfig.Stage) { s.APIKeySource = gwconfig.APIKeySourceAuthorizer }, nil)
	// The header is not read.
	assert.Equal(t, 403, e.do("/pets", "good", nil).status)
	res := e.do("/pets", "", &pipeline.Exchange{AuthorizerAPIKey: "good"})
	assert.Equal(t, 200, res.status)
	assert.Equal(t, "k-good", res.keyID)
}

func TestThrottleAndQuota(t *testing.T) {
	e := newEnv(t, nil, nil)

	// Method throttle of the plan: burst 2.
	for i := range 2 {
		res := e.do("/slow", "good", nil)
		require.Equal(t, 200, res.status, "request %d", i)
		assert.NotEmpty(t, res.header.Get("RateLimit"))
	}
	res := e.do("/slow", "good", nil)
	assert.Equal(t, 429, res.status)
	assert.JSONEq(t, `{"message":"Too Many Requests"}`, res.body)
	assert.Equal(t, "1", res.header.Get("Retry-After"))
	assert.Equal(t, `"key";q=1;w=1`, res.header.Get("RateLimit-Policy"))
	assert.Equal(t, `"key";r=0;t=1`, res.header.Get("RateLimit"))
	assert.Equal(t, limits.CodeThrottled, res.errCode)

	// Quota 3/DAY: the two /slow requests counted; one more is admitted.
	e.clock.Advance(time.Hour)
	res = e.do("/pets", "good", nil)
	require.Equal(t, 200, res.status)
	assert.Equal(t, `"quota";q=3;w=86400`, res.header.Get("RateLimit-Policy"))
	assert.Equal(t, `"quota";r=0;t=46800`, res.header.Get("RateLimit"))
	res = e.do("/pets", "good", nil)
	assert.Equal(t, 429, res.status)
	assert.JSONEq(t, `{"message":"Limit Exceeded"}`, res.body)
	assert.Equal(t, "46800", res.header.Get("Retry-After"))
	assert.Equal(t, limits.CodeQuotaExceeded, res.errCode)

	assert.Equal(t, 1.0, (e.metric("turnpike_gateway_throttled_total")))
	assert.Equal(t, 1.0, (e.metric("turnpike_gateway_quota_rejected_total")))
}

// metric sums a counter's series.
func (e *env) metric(name string) float64 {
	mfs, err := e.reg.Gather()
	require.NoError(e.t, err)
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

func TestStageAndMethodThrottles(t *testing.T) {
	// A stage's method setting throttle (Route.MethodThrottle) on two
	// routes.
	stageSetting := func(s *gwconfig.Stage) {
		for i := range s.Routes {
			if k := s.Routes[i].RouteKey; k == "GET /method" || k == "GET /open" {
				s.Routes[i].MethodThrottle = &gwconfig.Throttle{RateLimit: 1, BurstLimit: 5}
			}
		}
	}
	tests := []struct {
		desc  string
		mod   func(*gwconfig.Stage)
		path  string
		burst int
	}{
		{desc: "stage default applies per method", path: "/stage", burst: 3},
		{desc: "method throttle overrides the stage default", path: "/method", burst: 1},
		{desc: "each method has its own stage default budget", path: "/open", burst: 3},
		{desc: "a stage method setting overrides the route's own throttle", mod: stageSetting, path: "/method", burst: 5},
		{desc: "a stage method setting overrides the stage default", mod: stageSetting, path: "/open", burst: 5},
		{desc: "a sibling route keeps the stage default", mod: stageSetting, path: "/stage", burst: 3},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			e := newEnv(t, test.mod, nil)
			for range test.burst {
				require.Equal(t, 200, e.do(test.path, "", nil).status)
			}
			res := e.do(test.path, "", nil)
			assert.Equal(t, 429, res.status)
			assert.Equal(t, `"method";q=1;w=1`, res.header.Get("RateLimit-Policy"))
		})
	}
}

func TestTenantCeilingAndSuspension(t *testing.T) {
	e := newEnv(t, func(s *gwconfig.Stage) { s.Throttle = nil }, nil)
	ctx := t.Context()
	require.NoError(t, e.bus.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "t-1", Throttle: gwconfig.Throttle{RateLimit: 1, BurstLimit: 2}}))
	require.NoError(t, e.keys.Load(ctx))
	assert.Equal(t, 200, e.do("/open", "", nil).status)
	assert.Equal(t, 200, e.do("/pets", "good", nil).status)
	res := e.do("/open", "", nil)
	assert.Equal(t, 429, res.status)
	assert.Equal(t, `"tenant";q=1;w=1`, res.header.Get("RateLimit-Policy"))

	require.NoError(t, e.bus.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "t-1", Suspended: true, Throttle: gwconfig.DefaultTenantThrottle}))
	require.NoError(t, e.keys.Load(ctx))
	res = e.do("/open", "", nil)
	assert.Equal(t, 403, res.status)
	assert.JSONEq(t, `{"message":"Forbidden"}`, res.body)

	// Limits without a throttle mean the default ceiling (drained under
	// it after the strict one: whole again after 0.5s).
	require.NoError(t, e.bus.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "t-1"}))
	require.NoError(t, e.keys.Load(ctx))
	assert.Equal(t, 429, e.do("/open", "", nil).status)
	e.clock.Advance(500 * time.Millisecond)
	for range 10 {
		require.Equal(t, 200, e.do("/open", "", nil).status)
	}
}

type downLimiter struct{}

func (downLimiter) Allow(context.Context, *limit.Request) (limit.Decision, error) {
	return limit.Decision{}, limit.ErrUnavailable
}

func TestLimiterUnavailable(t *testing.T) {
	t.Run("closed refuses with 503", func(t *testing.T) {
		e := newEnv(t, func(s *gwconfig.Stage) { s.LimitsFailMode = gwconfig.LimitsFailClosed },
			func(*limittest.Clock) limit.Limiter { return downLimiter{} })
		res := e.do("/pets", "good", nil)
		assert.Equal(t, 503, res.status)
		assert.JSONEq(t, `{"message":"Service Unavailable"}`, res.body)
		// The key is still checked first.
		assert.Equal(t, 403, e.do("/pets", "nope", nil).status)
	})
	t.Run("open limits locally", func(t *testing.T) {
		e := newEnv(t, nil, func(*limittest.Clock) limit.Limiter { return downLimiter{} })
		// One gateway in the fleet: the whole method burst of 2.
		assert.Equal(t, 200, e.do("/slow", "good", nil).status)
		assert.Equal(t, 200, e.do("/slow", "good", nil).status)
		assert.Equal(t, 429, e.do("/slow", "good", nil).status)
		assert.Equal(t, 3.0, e.metric("turnpike_gateway_limiter_unavailable_total"))
	})
}
