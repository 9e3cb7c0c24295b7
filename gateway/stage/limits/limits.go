// Package limits is the gateway's API key, throttle and quota stage. For
// each request it:
//
//  1. refuses a suspended tenant (403);
//  2. on a route with apiKeyRequired, finds the caller's key (x-api-key, or
//     the key an authorizer returned when the stage's apiKeySource is
//     AUTHORIZER) in the in-memory index: a missing, unknown or disabled
//     key, or one in no usage plan that includes this API stage, is 403
//     {"message":"Forbidden"};
//  3. makes ONE limiter call covering, in order, the tenant ceiling, the
//     method throttle (else the stage default, applied per method as API
//     Gateway does), the key's plan throttle (method override, else the
//     plan stage's, else the plan's) and the key's quota.
//
// A throttled request is 429 {"message":"Too Many Requests"}, an exhausted
// quota 429 {"message":"Limit Exceeded"}, both with Retry-After (whole
// seconds, rounded up). Limited responses carry the IETF headers of
// draft-ietf-httpapi-ratelimit-headers-09 for the binding policy (the one
// that refused, or the one with the least room left):
//
//	RateLimit-Policy: "key";q=50;w=1
//	RateLimit: "key";r=0;t=1
//
// Policies are "tenant", "method", "key" (q: requests per second, w=1) and
// "quota" (q: the limit, w: the period in seconds); r is what remains, t
// the seconds until the policy has room again.
//
// When the shared limiter (Redis) cannot answer, the stage's
// limitsFailMode decides: OPEN (default) checks the same limits in a local
// in-process limiter with every rate, burst and quota divided by the
// number of live gateways, logging once a second and counting
// turnpike_gateway_limiter_unavailable_total{mode="open"}; CLOSED answers
// 503 {"message":"Service Unavailable"}. The shared limiter is tried again
// after its backoff (1s), so the gateway recovers by itself. While failing
// open, quotas are counted locally from zero (so a key may get up to
// limit/N more per gateway per outage) and per-day usage is not recorded
// in the shared counters.
//
// A route that does not require a key ignores any key sent: only the
// tenant ceiling and the stage/method throttle apply, as in API Gateway.
package limits

import (
	"log/slog"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// HeaderAPIKey carries the API key (apiKeySource HEADER).
const HeaderAPIKey = "X-Api-Key"

// Error codes of the stage's HandlerErrors (they label logs).
const (
	CodeForbidden     = "forbidden"
	CodeThrottled     = "throttled"
	CodeQuotaExceeded = "quota_exceeded"
	CodeUnavailable   = "limiter_unavailable"
)

// Bodies, as API Gateway words them.
var (
	bodyForbidden     = []byte(`{"message":"Forbidden"}`)
	bodyTooMany       = []byte(`{"message":"Too Many Requests"}`)
	bodyLimitExceeded = []byte(`{"message":"Limit Exceeded"}`)
	bodyUnavailable   = []byte(`{"message":"Service Unavailable"}`)
)

// Deps are the stage's collaborators.
type Deps struct {
	// Keys is the in-memory key index (required).
	Keys *limit.Keys
	// Limiter is the shared limiter (Redis in a fleet, Local embedded).
	Limiter limit.Limiter
	// Fallback is the local limiter used while Limiter is unavailable on a
	// fail-open stage (default: a new limit.Local).
	Fallback limit.Limiter
	// Logger logs the limiter's unavailability (once a second at most).
	Logger *slog.Logger
	// Registerer registers the stage's metrics (nil: not registered).
	Registerer prometheus.Registerer
}

type stage struct {
	Deps
	metrics  metrics
	lastWarn atomic.Int64
	reqs     sync.Pool
	// routes caches each compiled route's limiter keys; see routeKeys.
	routes atomic.Pointer[sync.Map]
	nroute atomic.Int64
	// policyHeaders are the RateLimit-Policy values made so far.
	policyHeaders policyHeaders
}

// New returns the limits stage.
func New(d Deps) pipeline.Stage {
	if d.Fallback == nil {
		d.Fallback = limit.NewLocal()
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &stage{Deps: d, metrics: newMetrics(d.Registerer)}
	s.reqs.New = func() any { return &limit.Request{Throttles: make([]limit.Throttle, 0, 3)} }
	s.routes.Store(new(sync.Map))
	return func(next pipeline.Handler) pipeline.Handler {
		return pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			if err := s.check(w, r); err != nil {
				return err
			}
			return next.ServeHTTP(w, r)
		})
	}
}

// routeKeys are a route's limiter keys, built once per compiled route.
type routeKeys struct {
	tenant string
	method string
	// refused are the route's 429 counters.
	refused refusals
}

// maxCachedRoutes bounds the route cache; compiled routes are replaced on
// every deploy, so it is dropped when full.
const maxCachedRoutes = 1 << 14

func (s *stage) keysOf(st *router.Stage, rt *router.Route) *routeKeys {
	m := s.routes.Load()
	if v, ok := m.Load(rt); ok {
		return v.(*routeKeys)
	}
	rk := &routeKeys{
		tenant: "t:" + st.Config.TenantID,
		method: "m:" + st.Key + ":" + rt.Key,
	}
	if s.nroute.Add(1) > maxCachedRoutes {
		s.nroute.Store(0)
		s.routes.Store(new(sync.Map))
	}
	m.Store(rt, rk)
	return rk
}

func forbidden(format string, args ...any) error {
	e := pipeline.Errorf(http.StatusForbidden, CodeForbidden, format, args...)
	e.Body = bodyForbidden
	return e
}

func (s *stage) check(w http.ResponseWriter, r *http.Request) error {
	ex := pipeline.ExchangeFrom(r.Context())
	st, rt := ex.Match.Stage, ex.Match.Route
	if st == nil || rt == nil {
		return nil
	}
	sc := st.Config
	set := s.Keys.Set()
	tl := set.Tenant(sc.TenantID)
	if tl != nil && tl.Suspended {
		return forbidden("tenant %s is suspended", sc.TenantID)
	}

	var ps *limit.PlanStage
	if rt.Config.APIKeyRequired {
		var value string
		if sc.APIKeySource == gwconfig.APIKeySourceAuthorizer {
			value = ex.AuthorizerAPIKey
		} else {
			value = r.Header.Get(HeaderAPIKey)
		}
		if value == "" {
			return forbidden("no api key")
		}
		key := set.Lookup(value)
		if key == nil {
			return forbidden("unknown api key")
		}
		if key.TenantID != sc.TenantID {
			return forbidden("api key %s is of another tenant", key.ID)
		}
		ex.APIKeyID = key.ID
		if !key.Enabled {
			return forbidden("api key %s is disabled", key.ID)
		}
		if ps = key.Stage(sc.APIID, sc.StageName); ps == nil {
			return forbidden("api key %s is in no usage plan of stage %s", key.ID, st.Key)
		}
	}

	if s.Limiter == nil {
		return nil
	}
	keys := s.keysOf(st, rt)
	req := s.reqs.Get().(*limit.Request)
	defer s.putRequest(req)
	tenant := gwconfig.DefaultTenantThrottle
	if tl != nil && tl.Throttle != (gwconfig.Throttle{}) {
		// A zero throttle means the default, not a blocked tenant:
		// suspension says that.
		tenant = tl.Throttle
	}
	req.Throttles = append(req.Throttles, limit.Throttle{Key: keys.tenant, Policy: "tenant", Rate: tenant.RateLimit, Burst: tenant.BurstLimit})
	if th := rt.Config.EffectiveThrottle(); th != nil {
		req.Throttles = append(req.Throttles, limit.Throttle{Key: keys.method, Policy: "method", Rate: th.RateLimit, Burst: th.BurstLimit})
	} else if th := sc.Throttle; th != nil {
		req.Throttles = append(req.Throttles, limit.Throttle{Key: keys.method, Policy: "method", Rate: th.RateLimit, Burst: th.BurstLimit})
	}
	if ps != nil {
		if th, key, ok := ps.MethodThrottle(rt.Key); ok {
			req.Throttles = append(req.Throttles, limit.Throttle{Key: key, Policy: "key", Rate: th.RateLimit, Burst: th.BurstLimit})
		}
		req.PlanID, req.KeyID, req.Quota = ps.Plan.ID, ex.APIKeyID, ps.Quota
	}

	d, err := s.Limiter.Allow(r.Context(), req)
	if err != nil {
		if r.Context().Err() != nil {
			return pipeline.Errorf(pipeline.StatusClientClosed, pipeline.CodeClientGone, "client gone while limiting: %v", err)
		}
		if sc.LimitsFailMode == gwconfig.LimitsFailClosed {
			s.metrics.unavailable.WithLabelValues("closed").Inc()
			s.warn("shared limiter unavailable: refusing (limitsFailMode CLOSED)", st, err)
			e := pipeline.Errorf(http.StatusServiceUnavailable, CodeUnavailable, "limiter: %v", err)
			e.Body = bodyUnavailable
			return e
		}
		s.metrics.unavailable.WithLabelValues("open").Inc()
		s.warn("shared limiter unavailable: limiting locally at 1/N (limitsFailMode OPEN)", st, err)
		scale(req, s.Keys.FleetSize())
		if d, err = s.Fallback.Allow(r.Context(), req); err != nil {
			return pipeline.Errorf(http.StatusInternalServerError, pipeline.CodeInternal, "local limiter: %v", err)
		}
	}

	h := w.Header()
	if d.Policy != "" && (ps != nil || !d.Allowed()) {
		s.setRateLimitHeaders(h, d)
	}
	switch d.Reason {
	case limit.Throttled:
		s.countThrottled(&keys.refused, st, rt, d.Policy)
		h["Retry-After"] = retryAfter(d.RetryAfter)
		e := pipeline.Errorf(http.StatusTooManyRequests, CodeThrottled, "throttled by the %s policy", d.Policy)
		e.Body = bodyTooMany
		return e
	case limit.QuotaExceeded:
		s.countQuotaRejected(&keys.refused, st, rt)
		h["Retry-After"] = retryAfter(d.RetryAfter)
		e := pipeline.Errorf(http.StatusTooManyRequests, CodeQuotaExceeded, "quota of api key %s exceeded", ex.APIKeyID)
		e.Body = bodyLimitExceeded
		return e
	}
	return nil
}

func (s *stage) putRequest(req *limit.Request) {
	clear(req.Throttles)
	*req = limit.Request{Throttles: req.Throttles[:0]}
	s.reqs.Put(req)
}

// scale divides req's limits among n gateways, for the local fallback.
func scale(req *limit.Request, n int) {
	if n <= 1 {
		return
	}
	for i := range req.Throttles {
		t := &req.Throttles[i]
		t.Rate /= float64(n)
		t.Burst = int(math.Ceil(float64(t.Burst) / float64(n)))
	}
	if req.Quota != nil {
		q := *req.Quota
		q.Limit = (q.Limit + int64(n) - 1) / int64(n)
		req.Quota = &q
	}
}

func (s *stage) warn(msg string, st *router.Stage, err error) {
	now := time.Now().UnixNano()
	last := s.lastWarn.Load()
	if now-last < int64(time.Second) || !s.lastWarn.CompareAndSwap(last, now) {
		return
	}
	s.Logger.Warn(msg, "stage", st.Key, "gateways", s.Keys.FleetSize(), "error", err)
}

type metrics struct {
	throttled     *prometheus.CounterVec
	quotaRejected *prometheus.CounterVec
	unavailable   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turnpike_gateway_throttled_total",
			Help: "Requests refused with 429 Too Many Requests, by tenant, api, stage, route key and policy (tenant, method, key).",
		}, []string{"tenant", "api", "stage", "route", "policy"}),
		quotaRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turnpike_gateway_quota_rejected_total",
			Help: "Requests refused with 429 Limit Exceeded (API key quota), by tenant, api, stage and route key.",
		}, []string{"tenant", "api", "stage", "route"}),
		unavailable: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turnpike_gateway_limiter_unavailable_total",
			Help: "Requests the shared limiter could not decide, by the stage's fail mode (open: limited locally; closed: 503).",
		}, []string{"mode"}),
	}
	if reg != nil {
		reg.MustRegister(m.throttled, m.quotaRejected, m.unavailable)
	}
	return m
}
