package server

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/turnpike/turnpike/gateway/router"
	stagecache "github.com/turnpike/turnpike/gateway/stage/cache"
)

// metrics are the gateway's Prometheus metrics. Labels are bounded by the
// config: tenant, api and stage of deployed stages, the route key (never
// the request path) and the status class. Requests that match no route
// carry an empty route label (and empty tenant, api and stage when no
// stage matched).
//
// Per-route series are resolved once, when a stage is compiled
// (compileExt), so a request touches its counters without a label lookup.
//
// The limits stage registers its own series on the same registry:
// turnpike_gateway_throttled_total{tenant,api,stage,route,policy},
// turnpike_gateway_quota_rejected_total{tenant,api,stage,route} and
// turnpike_gateway_limiter_unavailable_total{mode}.
type metrics struct {
	registry           *prometheus.Registry
	requests           *prometheus.CounterVec
	latency            *prometheus.HistogramVec
	integrationLatency *prometheus.HistogramVec
	cacheHits          *prometheus.CounterVec
	cacheMisses        *prometheus.CounterVec
	stagesLoaded       prometheus.Gauge
	stageRevision      *prometheus.GaugeVec
	routesDisabled     *prometheus.GaugeVec
	reloads            *prometheus.CounterVec
}

var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	routeLabels := []string{"tenant", "api", "stage", "route"}
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turnpike_gateway_requests_total",
			Help: "Invoke requests served, by tenant, api, stage, route key and status class (2xx, 4xx, 5xx, ...).",
		}, []string{"tenant", "api", "stage", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "turnpike_gateway_request_duration_seconds",
			Help:    "Time from receiving an invoke request to the end of the response.",
			Buckets: latencyBuckets,
		}, routeLabels),
		integrationLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "turnpike_gateway_integration_duration_seconds",
			Help:    "Time spent in the integration (upstream call), per route.",
			Buckets: latencyBuckets,
		}, routeLabels),
		cacheHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turnpike_gateway_cache_hits_total",
			Help: "Requests answered from the stage cache, per route.",
		}, routeLabels),
		cacheMisses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turnpike_gateway_cache_misses_total",
			Help: "Cacheable requests the stage cache could not answer, per route.",
		}, routeLabels),
		stagesLoaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "turnpike_gateway_stages_loaded",
			Help: "Stages the gateway currently serves.",
		}),
		stageRevision: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "turnpike_gateway_stage_revision",
			Help: "Config revision the gateway serves, per stage.",
		}, []string{"tenant", "api", "stage"}),
		routesDisabled: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "turnpike_gateway_routes_disabled",
			Help: "Routes that failed to compile and are not served, per stage.",
		}, []string{"tenant", "api", "stage"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turnpike_gateway_config_reloads_total",
			Help: "Config reloads from the fleet bus, by result (ok, unchanged, error).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.requests, m.latency, m.integrationLatency, m.cacheHits, m.cacheMisses, m.stagesLoaded,
		m.stageRevision, m.routesDisabled, m.reloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// setStages updates the config gauges after a swap; gone are stages that
// are no longer served, whose series are all deleted.
func (m *metrics) setStages(stages []*router.Stage, gone []*router.Stage) {
	for _, s := range gone {
		l := prometheus.Labels{"tenant": s.Config.TenantID, "api": s.Config.APIID, "stage": s.Config.StageName}
		m.stageRevision.Delete(l)
		m.routesDisabled.Delete(l)
		for _, v := range []interface{ DeletePartialMatch(prometheus.Labels) int }{
			m.requests, m.latency, m.integrationLatency, m.cacheHits, m.cacheMisses,
		} {
			v.DeletePartialMatch(l)
		}
	}
	for _, s := range stages {
		m.stageRevision.WithLabelValues(s.Config.TenantID, s.Config.APIID, s.Config.StageName).Set(float64(s.Config.Revision))
		m.routesDisabled.WithLabelValues(s.Config.TenantID, s.Config.APIID, s.Config.StageName).Set(float64(len(s.Errors)))
	}
	m.stagesLoaded.Set(float64(len(stages)))
}

var statusClasses = [...]string{"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"}

func statusClass(status int) string {
	if c := status / 100; c >= 1 && c <= 5 {
		return statusClasses[c]
	}
	return "5xx"
}

func statusIndex(status int) int {
	if c := status / 100; c >= 1 && c <= 5 {
		return c
	}
	return 5
}

// routeMetrics are one route's series, resolved when its stage is
// compiled.
type routeMetrics struct {
	requests           [6]prometheus.Counter // by status class index (1-5)
	latency            prometheus.Observer
	integrationLatency prometheus.Observer
	cacheHits          prometheus.Counter
	cacheMisses        prometheus.Counter
}

func (m *metrics) forRoute(tenant, api, stage, route string) *routeMetrics {
	rm := &routeMetrics{
		latency:            m.latency.WithLabelValues(tenant, api, stage, route),
		integrationLatency: m.integrationLatency.WithLabelValues(tenant, api, stage, route),
		cacheHits:          m.cacheHits.WithLabelValues(tenant, api, stage, route),
		cacheMisses:        m.cacheMisses.WithLabelValues(tenant, api, stage, route),
	}
	for c := 1; c <= 5; c++ {
		rm.requests[c] = m.requests.WithLabelValues(tenant, api, stage, route, statusClasses[c])
	}
	return rm
}

// Hit implements stagecache.Counters.
func (rm *routeMetrics) Hit() { rm.cacheHits.Inc() }

// Miss implements stagecache.Counters.
func (rm *routeMetrics) Miss() { rm.cacheMisses.Inc() }

var _ stagecache.Counters = (*routeMetrics)(nil)

// routeExt is what the gateway compiles next to each route
// (router.Route.Ext): metric handles, cache settings and the stage's
// access log.
type routeExt struct {
	metrics   *routeMetrics
	cache     *stagecache.Route
	accessLog *stageLog
}

func extOf(rt *router.Route) *routeExt {
	if rt == nil {
		return nil
	}
	e, _ := rt.Ext.(*routeExt)
	return e
}

// cacheRoute gives the cache stage a route's compiled settings.
func cacheRoute(rt *router.Route) *stagecache.Route {
	if e := extOf(rt); e != nil {
		return e.cache
	}
	return nil
}

// compileExt compiles the per-route state of a newly compiled stage,
// before it is published.
func (g *Gateway) compileExt(st *router.Stage) {
	c := st.Config
	log := g.stageLog(st)
	for _, rt := range st.Routes {
		rm := g.metrics.forRoute(c.TenantID, c.APIID, c.StageName, rt.Key)
		rt.Ext = &routeExt{
			metrics:   rm,
			cache:     stagecache.Compile(c, rt.Config, rt.Key, rm),
			accessLog: log,
		}
	}
}

// observe records one invoke request in the metrics and the access logs.
func (g *Gateway) observe(r *http.Request, st *requestState, err error) {
	latency := time.Since(st.ex.Start)
	status := st.rec.statusCode()
	ext := extOf(st.ex.Match.Route)
	if ext != nil {
		rm := ext.metrics
		rm.requests[statusIndex(status)].Inc()
		rm.latency.Observe(latency.Seconds())
		if st.ex.IntegrationLatency > 0 {
			rm.integrationLatency.Observe(st.ex.IntegrationLatency.Seconds())
		}
	} else {
		g.observeUnrouted(st, status, latency)
	}
	if ext != nil && ext.accessLog != nil {
		ext.accessLog.write(r, st, status, latency, err)
	}
	if g.cfg.AccessLog {
		g.logRequest(r, st, status, latency, err)
	}
}

// observeUnrouted counts a request that matched no route, by label lookup.
func (g *Gateway) observeUnrouted(st *requestState, status int, latency time.Duration) {
	var tenant, api, stage string
	if s := st.ex.Match.Stage; s != nil {
		tenant, api, stage = s.Config.TenantID, s.Config.APIID, s.Config.StageName
	}
	var route string
	if rt := st.ex.Match.Route; rt != nil {
		route = rt.Key
	}
	m := g.metrics
	m.requests.WithLabelValues(tenant, api, stage, route, statusClass(status)).Inc()
	m.latency.WithLabelValues(tenant, api, stage, route).Observe(latency.Seconds())
	if st.ex.IntegrationLatency > 0 {
		m.integrationLatency.WithLabelValues(tenant, api, stage, route).Observe(st.ex.IntegrationLatency.Seconds())
	}
}

// logRequest writes the gateway's own access log line (slog), which every
// request gets whatever its stage configures.
func (g *Gateway) logRequest(r *http.Request, st *requestState, status int, latency time.Duration, err error) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	ctx := r.Context()
	if !g.logger.Enabled(ctx, level) {
		return
	}
	var tenant, api, stage, route string
	if s := st.ex.Match.Stage; s != nil {
		tenant, api, stage = s.Config.TenantID, s.Config.APIID, s.Config.StageName
	}
	if rt := st.ex.Match.Route; rt != nil {
		route = rt.Key
	}
	attrs := [...]slog.Attr{
		slog.String("requestId", st.ex.RequestID),
		slog.String("tenant", tenant),
		slog.String("api", api),
		slog.String("stage", stage),
		slog.String("route", route),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", st.rec.written),
		slog.Duration("latency", latency),
		slog.Duration("integrationLatency", st.ex.IntegrationLatency),
		slog.String("sourceIp", sourceIP(r)),
		{},
	}
	n := len(attrs) - 1
	if err != nil {
		attrs[n] = slog.String("error", err.Error())
		n++
	}
	g.logger.LogAttrs(ctx, level, "request", attrs[:n]...)
}

func sourceIP(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ip
}
