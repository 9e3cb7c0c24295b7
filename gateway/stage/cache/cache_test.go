package cache

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gwcache "github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type counters struct{ hits, misses int }

func (c *counters) Hit()  { c.hits++ }
func (c *counters) Miss() { c.misses++ }

// fixture is one compiled stage behind the cache stage, with an upstream
// that counts its calls and answers with the call number.
type fixture struct {
	t        *testing.T
	router   *router.Router
	handler  pipeline.Handler
	clock    *clock
	store    *gwcache.Memory
	calls    int
	status   int
	counters *counters
}

func newFixture(t *testing.T, sc *gwconfig.StageCache, routes ...gwconfig.Route) *fixture {
	t.Helper()
	return newFixtureWith(t, sc, nil, routes...)
}

// newFixtureWith is newFixture with stage options.
func newFixtureWith(t *testing.T, sc *gwconfig.StageCache, opts []Option, routes ...gwconfig.Route) *fixture {
	t.Helper()
	cfg := &gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d1", Cache: sc, Routes: routes}
	st, err := router.CompileStage(cfg)
	require.NoError(t, err)
	require.Empty(t, st.Errors)
	f := &fixture{t: t, clock: &clock{now: time.Unix(1_700_000_000, 0)}, status: 200, counters: &counters{}}
	for _, rt := range st.Routes {
		rt.Ext = Compile(st.Config, rt.Config, rt.Key, f.counters)
	}
	f.router = router.New("", []*router.Stage{st})
	f.store = gwcache.NewMemory(f.clock.Now)
	next := pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		f.calls++
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, "call "+strconv.Itoa(f.calls))
		return nil
	})
	routeOf := func(rt *router.Route) *Route { r, _ := rt.Ext.(*Route); return r }
	f.handler = New(f.store, routeOf, slog.New(slog.DiscardHandler), opts...)(next)
	return f
}

func (f *fixture) do(method, target string, header ...string) (*httptest.ResponseRecorder, error) {
	r := httptest.NewRequest(method, target, nil)
	r.Host = "abc.execute-api.localhost"
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	ex := &pipeline.Exchange{}
	require.Equal(f.t, router.Matched, f.router.Lookup(&ex.Match, r.Host, r.URL.EscapedPath(), r.Method))
	w := httptest.NewRecorder()
	err := f.handler.ServeHTTP(w, r.WithContext(pipeline.WithExchange(r.Context(), ex)))
	return w, err
}

func (f *fixture) body(method, target string, header ...string) string {
	w, err := f.do(method, target, header...)
	require.NoError(f.t, err)
	return w.Body.String()
}

func mock(key string) gwconfig.Route {
	return gwconfig.Route{RouteID: key, RouteKey: key, Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}}
}

func on() *gwconfig.StageCache {
	return &gwconfig.StageCache{Enabled: true, XCacheHeader: true, DefaultTTLSeconds: 300}
}

func ptr[T any](v T) *T { return &v }

func TestHitAndMiss(t *testing.T) {
	f := newFixture(t, on(), mock("GET /pets/{id}"))
	w, err := f.do("GET", "/prod/pets/1")
	require.NoError(t, err)
	assert.Equal(t, "call 1", w.Body.String())
	assert.Equal(t, Miss, w.Header().Get(HeaderXCache))

	w, err = f.do("GET", "/prod/pets/1")
	require.NoError(t, err)
	assert.Equal(t, "call 1", w.Body.String())
	assert.Equal(t, Hit, w.Header().Get(HeaderXCache))
	assert.Equal(t, "text/plain", w.Header().Get("Content-Type"))
	assert.Equal(t, "6", w.Header().Get("Content-Length"))

	assert.Equal(t, "call 2", f.body("GET", "/prod/pets/2"), "another path is another entry")
	assert.Equal(t, 1, f.counters.hits)
	assert.Equal(t, 2, f.counters.misses)
}

func TestWhichRoutesAreCached(t *testing.T) {
	post := mock("POST /orders")
	optIn := mock("POST /search")
	optIn.Cache = &gwconfig.RouteCache{Enabled: ptr(true)}
	optOut := mock("GET /live")
	optOut.Cache = &gwconfig.RouteCache{Enabled: ptr(false)}
	zeroTTL := mock("GET /zero")
	zeroTTL.Cache = &gwconfig.RouteCache{TTLSeconds: ptr(0)}
	tests := []struct {
		desc   string
		stage  *gwconfig.StageCache
		method string
		path   string
		cached bool
	}{
		{desc: "GET by default", stage: on(), method: "GET", path: "/prod/pets", cached: true},
		{desc: "not POST by default", stage: on(), method: "POST", path: "/prod/orders", cached: false},
		{desc: "POST when the route opts in", stage: on(), method: "POST", path: "/prod/search", cached: true},
		{desc: "not a GET route that opts out", stage: on(), method: "GET", path: "/prod/live", cached: false},
		{desc: "not with a TTL of 0", stage: on(), method: "GET", path: "/prod/zero", cached: false},
		{desc: "nothing when the stage cache is off", stage: &gwconfig.StageCache{Enabled: false}, method: "GET", path: "/prod/pets", cached: false},
		{desc: "nothing without stage cache settings", stage: nil, method: "GET", path: "/prod/pets", cached: false},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			f := newFixture(t, test.stage, mock("GET /pets"), post, optIn, optOut, zeroTTL)
			f.body(test.method, test.path)
			second := f.body(test.method, test.path)
			assert.Equal(t, test.cached, second == "call 1")
		})
	}
}

func TestKeyParameters(t *testing.T) {
	route := mock("GET /pets/{id}")
	route.Cache = &gwconfig.RouteCache{KeyParameters: []string{
		"method.request.header.x-tenant", "method.request.querystring.color", "method.request.path.id",
	}}
	tests := []struct {
		desc         string
		first        []string // target, then header name/value pairs
		second       []string
		sharesAnswer bool
	}{
		{desc: "same parameters", first: []string{"/prod/pets/1?color=red", "X-Tenant", "a"}, second: []string{"/prod/pets/1?color=red", "X-Tenant", "a"}, sharesAnswer: true},
		{desc: "another key header", first: []string{"/prod/pets/1?color=red", "X-Tenant", "a"}, second: []string{"/prod/pets/1?color=red", "X-Tenant", "b"}},
		{desc: "another key query value", first: []string{"/prod/pets/1?color=red"}, second: []string{"/prod/pets/1?color=blue"}},
		{desc: "encoded query value is the same value", first: []string{"/prod/pets/1?color=dark%20red"}, second: []string{"/prod/pets/1?color=dark+red"}, sharesAnswer: true},
		{desc: "a query string outside the key is ignored", first: []string{"/prod/pets/1?color=red&page=1"}, second: []string{"/prod/pets/1?page=2&color=red"}, sharesAnswer: true},
		{desc: "a header outside the key is ignored", first: []string{"/prod/pets/1", "Accept", "a"}, second: []string{"/prod/pets/1", "Accept", "b"}, sharesAnswer: true},
		{desc: "another path parameter", first: []string{"/prod/pets/1"}, second: []string{"/prod/pets/2"}},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			f := newFixture(t, on(), route)
			f.body("GET", test.first[0], test.first[1:]...)
			got := f.body("GET", test.second[0], test.second[1:]...)
			assert.Equal(t, test.sharesAnswer, got == "call 1")
		})
	}
}

func TestTTLExpiry(t *testing.T) {
	route := mock("GET /pets")
	route.Cache = &gwconfig.RouteCache{TTLSeconds: ptr(60)}
	f := newFixture(t, on(), route)
	f.body("GET", "/prod/pets")
	f.clock.Add(59 * time.Second)
	assert.Equal(t, "call 1", f.body("GET", "/prod/pets"))
	f.clock.Add(time.Second)
	assert.Equal(t, "call 2", f.body("GET", "/prod/pets"))
	assert.Equal(t, "call 2", f.body("GET", "/prod/pets"))
}

func TestStageDefaultTTL(t *testing.T) {
	sc := on()
	sc.DefaultTTLSeconds = 10
	f := newFixture(t, sc, mock("GET /pets"))
	f.body("GET", "/prod/pets")
	f.clock.Add(10 * time.Second)
	assert.Equal(t, "call 2", f.body("GET", "/prod/pets"))
}

func TestOnlySuccessIsStored(t *testing.T) {
	for _, status := range []int{301, 404, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			f := newFixture(t, on(), mock("GET /pets"))
			f.status = status
			f.body("GET", "/prod/pets")
			assert.Equal(t, "call 2", f.body("GET", "/prod/pets"))
		})
	}
}

func TestInvalidation(t *testing.T) {
	tests := []struct {
		desc        string
		requireAuth bool
		strategy    string
		wantStatus  int // 0: no error
		wantBody    string
		wantWarning bool
		authorized  bool
	}{
		{desc: "allowed when authorization is not required", requireAuth: false, wantBody: "call 3"},
		{desc: "FAIL_WITH_403", requireAuth: true, strategy: gwconfig.CacheControlFailWith403, wantStatus: 403},
		{desc: "SUCCEED_WITH_RESPONSE_HEADER", requireAuth: true, strategy: gwconfig.CacheControlSucceedWithResponseHeader, wantBody: "call 1", wantWarning: true},
		{desc: "SUCCEED_WITHOUT_RESPONSE_HEADER", requireAuth: true, strategy: gwconfig.CacheControlSucceedWithoutResponseHeader, wantBody: "call 1"},
		{desc: "authorized caller invalidates under FAIL_WITH_403", requireAuth: true, strategy: gwconfig.CacheControlFailWith403,
			authorized: true, wantBody: "call 3"},
		{desc: "authorized caller invalidates under SUCCEED_WITH_RESPONSE_HEADER", requireAuth: true,
			strategy: gwconfig.CacheControlSucceedWithResponseHeader, authorized: true, wantBody: "call 3"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			sc := on()
			sc.RequireAuthorizationForCacheControl = test.requireAuth
			sc.UnauthorizedCacheControlHeaderStrategy = test.strategy
			authz := WithAuthorizer(func(r *http.Request, m *router.Match) bool {
				return test.authorized && m.Route != nil && r.Header.Get("Cache-Control") != ""
			})
			f := newFixtureWith(t, sc, []Option{authz}, mock("GET /pets"), mock("GET /other"))
			f.body("GET", "/prod/pets")
			f.body("GET", "/prod/other")

			w, err := f.do("GET", "/prod/pets", "Cache-Control", "max-age=0")
			if test.wantStatus != 0 {
				var he *pipeline.HandlerError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, test.wantStatus, he.Status)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, test.wantBody, w.Body.String())
			assert.Equal(t, test.wantWarning, w.Header().Get("Warning") != "")
			// The refreshed entry is what later callers get; other entries
			// are untouched.
			assert.Equal(t, test.wantBody, f.body("GET", "/prod/pets"))
			assert.Equal(t, "call 2", f.body("GET", "/prod/other"))
		})
	}
}

func TestFlush(t *testing.T) {
	f := newFixture(t, on(), mock("GET /pets"))
	f.body("GET", "/prod/pets")
	require.NoError(t, f.store.Flush(t.Context(), gwcache.StageID("t", "abc", "prod")))
	w, err := f.do("GET", "/prod/pets")
	require.NoError(t, err)
	assert.Equal(t, Miss, w.Header().Get(HeaderXCache))
	assert.Equal(t, "call 2", w.Body.String())
}

func TestSizeLimit(t *testing.T) {
	sc := on()
	sc.SizeMB = 0.5
	f := newFixture(t, sc, mock("GET /pets/{id}"))
	for i := range 200 {
		f.body("GET", "/prod/pets/"+strconv.Itoa(i))
	}
	assert.LessOrEqual(t, f.store.Bytes(gwcache.StageID("t", "abc", "prod")), int64(0.5*(1<<20)))
	assert.Positive(t, f.store.Bytes(gwcache.StageID("t", "abc", "prod")))
}

func TestNoXCacheHeaderUnlessAsked(t *testing.T) {
	sc := on()
	sc.XCacheHeader = false
	f := newFixture(t, sc, mock("GET /pets"))
	f.body("GET", "/prod/pets")
	w, err := f.do("GET", "/prod/pets")
	require.NoError(t, err)
	assert.Equal(t, "call 1", w.Body.String())
	assert.Empty(t, w.Header().Get(HeaderXCache))
}

func BenchmarkKey(b *testing.B) {
	route := mock("GET /pets/{id}")
	route.Cache = &gwconfig.RouteCache{KeyParameters: []string{"method.request.header.x-tenant", "method.request.querystring.color"}}
	cfg := &gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d1", Cache: on(), Routes: []gwconfig.Route{route}}
	st, err := router.CompileStage(cfg)
	require.NoError(b, err)
	rt := router.New("", []*router.Stage{st})
	cr := Compile(st.Config, st.Routes[0].Config, st.Routes[0].Key, nil)
	r := httptest.NewRequest("GET", "/prod/pets/42?page=2&color=red", nil)
	r.Header.Set("X-Tenant", "acme")
	var m router.Match
	rt.Lookup(&m, "abc.execute-api.localhost", r.URL.EscapedPath(), "GET")
	b.ReportAllocs()
	for b.Loop() {
		_ = cr.Key(r, &m)
	}
}
