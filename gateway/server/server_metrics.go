package server

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/turnpike/turnpike/gateway/router"
)

// metrics are the gateway's Prometheus metrics. Labels are bounded by the
// config: tenant, api and stage of deployed stages, the route key (never
// the request path) and the status class. Requests that match no stage
// carry empty labels.
type metrics struct {
	registry           *prometheus.Registry
	requests           *prometheus.CounterVec
	latency            *prometheus.HistogramVec
	integrationLatency *prometheus.HistogramVec
	stagesLoaded       prometheus.Gauge
	stageRevision      *prometheus.GaugeVec
	routesDisabled     *prometheus.GaugeVec
	reloads            *prometheus.CounterVec
}

var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turnpike_gateway_requests_total",
			Help: "Invoke requests served, by tenant, api, stage, route key and status class.",
		}, []string{"tenant", "api", "stage", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "turnpike_gateway_request_duration_seconds",
			Help:    "Time from receiving an invoke request to the end of the response.",
			Buckets: latencyBuckets,
		}, []string{"tenant", "api", "stage", "route"}),
		integrationLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "turnpike_gateway_integration_duration_seconds",
			Help:    "Time spent in the integration (upstream call), per route.",
			Buckets: latencyBuckets,
		}, []string{"tenant", "api", "stage", "route"}),
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
	reg.MustRegister(m.requests, m.latency, m.integrationLatency, m.stagesLoaded,
		m.stageRevision, m.routesDisabled, m.reloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// setStages updates the config gauges after a swap; gone are stages that
// are no longer served.
func (m *metrics) setStages(stages []*router.Stage, gone []*router.Stage) {
	for _, s := range gone {
		m.stageRevision.DeleteLabelValues(s.Config.TenantID, s.Config.APIID, s.Config.StageName)
		m.routesDisabled.DeleteLabelValues(s.Config.TenantID, s.Config.APIID, s.Config.StageName)
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

// observe records one invoke request in the metrics and the access log.
func (g *Gateway) observe(r *http.Request, st *requestState, err error) {
	latency := time.Since(st.ex.Start)
	status := st.rec.statusCode()
	var tenant, api, stage, route string
	if s := st.ex.Match.Stage; s != nil {
		tenant, api, stage = s.Config.TenantID, s.Config.APIID, s.Config.StageName
	}
	if rt := st.ex.Match.Route; rt != nil {
		route = rt.Key
	}
	m := g.metrics
	m.requests.WithLabelValues(tenant, api, stage, route, statusClass(status)).Inc()
	m.latency.WithLabelValues(tenant, api, stage, route).Observe(latency.Seconds())
	if st.ex.IntegrationLatency > 0 {
		m.integrationLatency.WithLabelValues(tenant, api, stage, route).Observe(st.ex.IntegrationLatency.Seconds())
	}

	if !g.cfg.AccessLog {
		return
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	ctx := r.Context()
	if !g.logger.Enabled(ctx, level) {
		return
	}
	ip, _, splitErr := net.SplitHostPort(r.RemoteAddr)
	if splitErr != nil {
		ip = r.RemoteAddr
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
		slog.String("sourceIp", ip),
		{},
	}
	n := len(attrs) - 1
	if err != nil {
		attrs[n] = slog.String("error", err.Error())
		n++
	}
	g.logger.LogAttrs(ctx, level, "request", attrs[:n]...)
}
