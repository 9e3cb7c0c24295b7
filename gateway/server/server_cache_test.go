package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/accesslog"
	"github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// startWith runs a gateway with cfg on bus until stop or the test's end.
func startWith(t *testing.T, cfg Config, stages ...*gwconfig.Stage) (*Gateway, func()) {
	t.Helper()
	bus := fleet.NewMemory()
	for _, s := range stages {
		require.NoError(t, bus.PutStage(context.Background(), s))
	}
	cfg.GatewayID = "gw-test"
	g, err := New(cfg, bus, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); assert.NoError(t, g.Run(ctx)) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	require.Eventually(t, g.Ready, 2*time.Second, 5*time.Millisecond)
	return g, stop
}

func get(g *Gateway, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", target, nil)
	req.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	g.Handler().ServeHTTP(rec, req)
	return rec
}

// counting is an upstream that counts its calls.
func counting(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.WriteString(w, "pets")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestGatewayCache(t *testing.T) {
	up, calls := counting(t)
	st := stage("d1", proxyRoute("GET /pets", up.URL+"/pets"), proxyRoute("POST /pets", up.URL+"/pets"))
	st.Cache = &gwconfig.StageCache{Enabled: true, XCacheHeader: true}
	store := cache.NewMemory(nil)
	g, _ := startWith(t, Config{Cache: store}, st)

	first := get(g, "/prod/pets")
	second := get(g, "/prod/pets")
	assert.Equal(t, "Miss", first.Header().Get("X-Cache"))
	assert.Equal(t, "Hit", second.Header().Get("X-Cache"))
	assert.Equal(t, "pets", second.Body.String())
	assert.Equal(t, int64(1), calls.Load())

	require.NoError(t, store.Flush(context.Background(), cache.StageID("t1", "abc", "prod")))
	assert.Equal(t, "Miss", get(g, "/prod/pets").Header().Get("X-Cache"))
	assert.Equal(t, int64(2), calls.Load())

	m := g.metrics
	assert.Equal(t, 1.0, value(t, m.cacheHits.WithLabelValues("t1", "abc", "prod", "GET /pets")))
	assert.Equal(t, 2.0, value(t, m.cacheMisses.WithLabelValues("t1", "abc", "prod", "GET /pets")))
}

func TestGatewayMetrics(t *testing.T) {
	up := echo(t)
	st := stage("d1", proxyRoute("GET /pets", up.URL+"/pets"),
		gwconfig.Route{RouteID: "m", RouteKey: "GET /broken", Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock, MockStatusCode: 503}},
		gwconfig.Route{RouteID: "n", RouteKey: "GET /gone", Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock, MockStatusCode: 410}})
	g, _ := startWith(t, Config{}, st)
	for range 3 {
		get(g, "/prod/pets")
	}
	get(g, "/prod/broken")
	get(g, "/prod/gone")
	get(g, "/prod/nothing-here")

	m := g.metrics
	tests := []struct {
		desc   string
		labels []string
		want   float64
	}{
		{desc: "2xx of a route", labels: []string{"t1", "abc", "prod", "GET /pets", "2xx"}, want: 3},
		{desc: "5xx of a route", labels: []string{"t1", "abc", "prod", "GET /broken", "5xx"}, want: 1},
		{desc: "4xx of a route", labels: []string{"t1", "abc", "prod", "GET /gone", "4xx"}, want: 1},
		{desc: "no route: empty route label", labels: []string{"t1", "abc", "prod", "", "4xx"}, want: 1},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			assert.Equal(t, test.want, value(t, m.requests.WithLabelValues(test.labels...)))
		})
	}
	assert.Equal(t, uint64(3), histogramCount(t, g, "turnpike_gateway_integration_duration_seconds", "GET /pets"))
	assert.Equal(t, uint64(3), histogramCount(t, g, "turnpike_gateway_request_duration_seconds", "GET /pets"))
	assert.Equal(t, uint64(0), histogramCount(t, g, "turnpike_gateway_integration_duration_seconds", "GET /broken"), "a mock has no integration latency")
}

func histogramCount(t *testing.T, g *Gateway, name, route string) uint64 {
	t.Helper()
	mfs, err := g.Registry().Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == route {
					return m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}

func TestGatewayStageAccessLog(t *testing.T) {
	up := echo(t)
	dir := t.TempDir()
	st := stage("d1", proxyRoute("GET /pets/{id}", up.URL+"/pets/{id}"))
	st.AccessLog = &gwconfig.AccessLog{Format: "$context.stage $context.routeKey $context.path $context.status $context.identity.sourceIp", Destination: "file:prod.log"}
	g, stop := startWith(t, Config{AccessLogs: accesslog.NewSinks(accesslog.SinkConfig{Dir: dir})}, st)
	get(g, "/prod/pets/1")
	get(g, "/prod/pets/2")
	stop() // flushes

	b, err := os.ReadFile(filepath.Join(dir, "prod.log"))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"prod GET /pets/{id} /prod/pets/1 200 192.0.2.1",
		"prod GET /pets/{id} /prod/pets/2 200 192.0.2.1",
	}, strings.Split(strings.TrimSpace(string(b)), "\n"))
}

func TestGatewayStageAccessLogUnavailableDestination(t *testing.T) {
	up := echo(t)
	st := stage("d1", proxyRoute("GET /pets", up.URL+"/pets"))
	// No access log directory: the stage serves without its access log.
	st.AccessLog = &gwconfig.AccessLog{Format: "CLF", Destination: "file:prod.log"}
	g, _ := startWith(t, Config{}, st)
	assert.Equal(t, http.StatusOK, get(g, "/prod/pets").Code)
}

func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	require.NoError(t, c.Write(&m))
	return m.GetCounter().GetValue()
}
