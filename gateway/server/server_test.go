package server

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

const host = "abc.execute-api.localhost"

// echo is an upstream that answers with what it received.
func echo(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Upstream", "echo")
		w.Header().Set("Connection", "close, X-Secret")
		w.Header().Set("X-Secret", "hop")
		_, _ = fmt.Fprintf(w, "%s %s host=%s xff=%s xfh=%s xfp=%s rid=%s body=%s",
			r.Method, r.URL.RequestURI(), r.Host, r.Header.Get("X-Forwarded-For"),
			r.Header.Get("X-Forwarded-Host"), r.Header.Get("X-Forwarded-Proto"),
			r.Header.Get("X-Request-Id"), body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func proxyRoute(key, uri string) gwconfig.Route {
	return gwconfig.Route{RouteID: key, RouteKey: key, Integration: gwconfig.Integration{Type: gwconfig.IntegrationHTTPProxy, URI: uri}}
}

func stage(deployment string, routes ...gwconfig.Route) *gwconfig.Stage {
	return &gwconfig.Stage{
		TenantID: "t1", APIID: "abc", StageName: "prod", DeploymentID: deployment,
		StageVariables: map[string]string{"version": "v1"},
		Routes:         routes,
	}
}

type testGateway struct {
	*Gateway
	bus  fleet.Bus
	stop func() // ends Run and waits for it
}

// start runs a gateway on an in-memory bus until the test ends.
func start(t *testing.T, bus fleet.Bus, stages ...*gwconfig.Stage) *testGateway {
	t.Helper()
	ctx := context.Background()
	for _, s := range stages {
		require.NoError(t, bus.PutStage(ctx, s))
	}
	g, err := New(Config{
		GatewayID:         "gw-test",
		HeartbeatInterval: 50 * time.Millisecond,
		HeartbeatTTL:      time.Second,
		ResyncInterval:    100 * time.Millisecond,
		AccessLog:         true,
	}, bus, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		assert.NoError(t, g.Run(runCtx))
	}()
	tg := &testGateway{Gateway: g, bus: bus, stop: func() {
		cancel()
		<-done
	}}
	t.Cleanup(tg.stop)
	require.Eventually(t, g.Ready, 2*time.Second, 5*time.Millisecond)
	return tg
}

func (tg *testGateway) do(method, host, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Host = host
	rec := httptest.NewRecorder()
	tg.Handler().ServeHTTP(rec, req)
	return rec
}

func TestGatewayServes(t *testing.T) {
	up := echo(t)
	g := start(t, fleet.NewMemory(), stage("d1",
		proxyRoute("GET /pets/{id}", up.URL+"/${stageVariables.version}/pets/{id}?from=gw"),
		proxyRoute("POST /pets", up.URL+"/pets"),
		proxyRoute("ANY /files/{proxy+}", up.URL+"/store/{proxy}"),
		gwconfig.Route{RouteID: "m", RouteKey: "GET /mock", Integration: gwconfig.Integration{
			Type: gwconfig.IntegrationMock, MockStatusCode: 201, MockBody: `{"ok":true}`,
			MockHeaders: map[string]string{"x-mock": "yes"},
		}},
	))

	testCases := []struct {
		desc       string
		method     string
		host       string
		target     string
		body       string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{
			desc: "path param, stage variable and query", method: "GET", host: host, target: "/prod/pets/42?q=1",
			wantStatus: 200,
			wantBody:   "GET /v1/pets/42?from=gw&q=1 host=" + strings.TrimPrefix(up.URL, "http://") + " xff=192.0.2.1 xfh=" + host + " xfp=http rid=",
			wantHeader: map[string]string{"X-Upstream": "echo"},
		},
		{
			desc: "body is forwarded", method: "POST", host: host + ":8081", target: "/prod/pets/", body: "hello",
			wantStatus: 200, wantBody: "POST /pets host=",
		},
		{
			desc: "greedy keeps encoded slash", method: "PUT", host: host, target: "/prod/files/a/b%2Fc.txt",
			wantStatus: 200, wantBody: "PUT /store/a/b%2Fc.txt host=",
		},
		{
			desc: "mock", method: "GET", host: host, target: "/prod/mock",
			wantStatus: 201, wantBody: `{"ok":true}`,
			wantHeader: map[string]string{"X-Mock": "yes", "Content-Type": "application/json"},
		},
		{
			desc: "unknown api", method: "GET", host: "nope.execute-api.localhost", target: "/prod/pets/1",
			wantStatus: 404, wantBody: `{"message":"Not Found"}`,
			wantHeader: map[string]string{"Content-Type": "application/json"},
		},
		{
			desc: "unknown stage", method: "GET", host: host, target: "/dev/pets/1",
			wantStatus: 404, wantBody: `{"message":"Not Found"}`,
		},
		{
			desc: "unknown route", method: "DELETE", host: host, target: "/prod/pets/1",
			wantStatus: 404, wantBody: `{"message":"Not Found"}`,
		},
		{
			desc: "ops host is not routed", method: "GET", host: "localhost:8081", target: "/prod/pets/1",
			wantStatus: 404, wantBody: `{"message":"Not Found"}`,
		},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			rec := g.do(test.method, test.host, test.target, test.body)
			assert.Equal(t, test.wantStatus, rec.Code)
			if strings.HasPrefix(test.wantBody, "{") {
				assert.Equal(t, test.wantBody, rec.Body.String())
			} else {
				assert.True(t, strings.HasPrefix(rec.Body.String(), test.wantBody), rec.Body.String())
			}
			for k, v := range test.wantHeader {
				assert.Equal(t, v, rec.Header().Get(k), k)
			}
			if test.host != "localhost:8081" {
				assert.Len(t, rec.Header().Get("X-Request-Id"), 36)
			}
		})
	}

	t.Run("request id is forwarded and returned", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/prod/pets", strings.NewReader("b"))
		req.Host = host
		req.Header.Set("X-Request-Id", "caller-id-1")
		rec := httptest.NewRecorder()
		g.Handler().ServeHTTP(rec, req)
		assert.Equal(t, "caller-id-1", rec.Header().Get("X-Request-Id"))
		assert.Contains(t, rec.Body.String(), "rid=caller-id-1 body=b")
	})
}

func TestGatewayUpstreamFailures(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	slowRoute := proxyRoute("GET /slow", slow.URL)
	slowRoute.Integration.TimeoutInMillis = 100
	g := start(t, fleet.NewMemory(), stage("d1", proxyRoute("GET /down", down.URL), slowRoute))

	testCases := []struct {
		desc       string
		target     string
		wantStatus int
		wantBody   string
	}{
		{desc: "upstream down", target: "/prod/down", wantStatus: 502, wantBody: `{"message":"Bad Gateway"}`},
		{desc: "upstream too slow", target: "/prod/slow", wantStatus: 504, wantBody: `{"message":"Endpoint request timed out"}`},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			rec := g.do("GET", host, test.target, "")
			assert.Equal(t, test.wantStatus, rec.Code)
			assert.Equal(t, test.wantBody, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.NotEmpty(t, rec.Header().Get("X-Request-Id"))
		})
	}
}

func TestGatewayRedeployUnderLoad(t *testing.T) {
	up := echo(t)
	bus := fleet.NewMemory()
	g := start(t, bus, stage("d1", proxyRoute("GET /hello", up.URL+"/v1")))
	srv := httptest.NewServer(g.Handler())
	t.Cleanup(srv.Close)

	var (
		sent, failed atomic.Int64
		sawV2        atomic.Bool
		stop         = make(chan struct{})
		wg           sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", srv.URL+"/prod/hello", nil)
				req.Host = host
				resp, err := srv.Client().Do(req)
				sent.Add(1)
				if err != nil {
					failed.Add(1)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode != 200:
					failed.Add(1)
				case strings.HasPrefix(string(body), "GET /v2"):
					sawV2.Store(true)
				}
			}
		})
	}

	require.Eventually(t, func() bool { return sent.Load() > 50 }, 5*time.Second, time.Millisecond)
	require.NoError(t, bus.PutStage(context.Background(), stage("d2",
		proxyRoute("GET /hello", up.URL+"/v2"),
		proxyRoute("GET /new", up.URL+"/new"),
	)))
	assert.Eventually(t, sawV2.Load, 2*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()

	assert.Zero(t, failed.Load())
	assert.Positive(t, sent.Load())
	assert.Equal(t, 200, g.do("GET", host, "/prod/new", "").Code)
}

func TestGatewayHeartbeats(t *testing.T) {
	bus := fleet.NewMemory()
	g := start(t, bus, stage("d1", proxyRoute("GET /x", "http://127.0.0.1:1/")))
	ctx := context.Background()

	serves := func(deployment string) func() bool {
		return func() bool {
			gws, err := bus.Gateways(ctx)
			return err == nil && len(gws) == 1 && gws[0].GatewayID == "gw-test" && gws[0].Serves("abc", "prod", deployment)
		}
	}
	require.Eventually(t, serves("d1"), 2*time.Second, 5*time.Millisecond)

	require.NoError(t, bus.PutStage(ctx, stage("d2", proxyRoute("GET /x", "http://127.0.0.1:1/"))))
	require.Eventually(t, serves("d2"), 2*time.Second, 5*time.Millisecond)
	// The heartbeat claimed d2 only once the router served it.
	assert.Equal(t, "d2", g.Router().Served()["abc/prod"])

	g.stop()
	gws, err := bus.Gateways(ctx)
	require.NoError(t, err)
	assert.Empty(t, gws)
}

func TestGatewayReloads(t *testing.T) {
	up := echo(t)
	bus := fleet.NewMemory()
	g := start(t, bus, stage("d1", proxyRoute("GET /hello", up.URL+"/v1")))
	ctx := context.Background()

	t.Run("invalid stage keeps the previous revision", func(t *testing.T) {
		bad := stage("", proxyRoute("GET /hello", up.URL+"/bad"))
		require.NoError(t, bus.PutStage(ctx, bad))
		// A later, valid stage proves the bad one was read and skipped.
		require.NoError(t, bus.PutStage(ctx, &gwconfig.Stage{TenantID: "t1", APIID: "other", StageName: "s", DeploymentID: "o1",
			Routes: []gwconfig.Route{proxyRoute("GET /", up.URL)}}))
		require.Eventually(t, func() bool { return g.do("GET", "other.execute-api.localhost", "/s", "").Code == 200 }, 2*time.Second, 5*time.Millisecond)
		rec := g.do("GET", host, "/prod/hello", "")
		assert.Equal(t, 200, rec.Code)
		assert.True(t, strings.HasPrefix(rec.Body.String(), "GET /v1"))
	})

	t.Run("broken route is disabled, the rest loads", func(t *testing.T) {
		require.NoError(t, bus.PutStage(ctx, stage("d3",
			proxyRoute("GET /hello", up.URL+"/v3"),
			proxyRoute("GET /broken", up.URL+"/{missing}"),
		)))
		require.Eventually(t, func() bool { return g.Router().Served()["abc/prod"] == "d3" }, 2*time.Second, 5*time.Millisecond)
		assert.Equal(t, 200, g.do("GET", host, "/prod/hello", "").Code)
		assert.Equal(t, 404, g.do("GET", host, "/prod/broken", "").Code)
	})

	t.Run("unchanged revisions are not recompiled", func(t *testing.T) {
		before := g.Router()
		time.Sleep(250 * time.Millisecond) // two resyncs
		assert.Same(t, before, g.Router())
	})

	t.Run("deleted stage is withdrawn", func(t *testing.T) {
		require.NoError(t, bus.DeleteStage(ctx, "abc", "prod"))
		require.Eventually(t, func() bool { return g.do("GET", host, "/prod/hello", "").Code == 404 }, 2*time.Second, 5*time.Millisecond)
	})
}

func TestGatewayOps(t *testing.T) {
	bus := fleet.NewMemory()
	g, err := New(Config{}, bus, nil)
	require.NoError(t, err)
	ops := &testGateway{Gateway: g}

	assert.Equal(t, 200, ops.do("GET", "localhost", "/healthz", "").Code)
	assert.Equal(t, 503, ops.do("GET", "localhost", "/readyz", "").Code)

	running := start(t, bus)
	assert.Equal(t, 200, running.do("GET", "127.0.0.1:8081", "/readyz", "").Code)
	running.do("GET", host, "/prod/nothing", "")
	rec := running.do("GET", "localhost", "/metrics", "")
	assert.Equal(t, 200, rec.Code)
	assert.Contains(t, rec.Body.String(), `turnpike_gateway_requests_total{api="",route="",stage="",status="4xx",tenant=""} 1`)
	assert.Contains(t, rec.Body.String(), "turnpike_gateway_stages_loaded 0")
	// Ops paths are not served on invoke hosts.
	assert.Equal(t, 404, running.do("GET", host, "/healthz", "").Code)
}

func TestGatewayUpstreamBreaksMidBody(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}))
	t.Cleanup(up.Close)
	g := start(t, fleet.NewMemory(), stage("d1", proxyRoute("GET /broken", up.URL), gwconfig.Route{
		RouteID: "m", RouteKey: "GET /ok", Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock},
	}))
	srv := httptest.NewUnstartedServer(g.Handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)

	get := func(path string) (*http.Response, error) {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		req.Host = host
		return srv.Client().Do(req)
	}
	// The connection is cut: the client fails on the headers or the body.
	resp, err := get("/prod/broken")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	assert.Error(t, err)

	resp, err = get("/prod/ok")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestGatewayServeDrainsOnShutdown(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "done")
	}))
	t.Cleanup(slow.Close)
	bus := fleet.NewMemory()
	require.NoError(t, bus.PutStage(context.Background(), stage("d1", proxyRoute("GET /slow", slow.URL))))
	g, err := New(Config{GatewayID: "gw-drain", HeartbeatInterval: 20 * time.Millisecond}, bus, nil)
	require.NoError(t, err)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- g.Serve(ctx, ln) }()
	require.Eventually(t, func() bool {
		gws, _ := bus.Gateways(context.Background())
		return len(gws) == 1
	}, 2*time.Second, 5*time.Millisecond)

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/prod/slow", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	time.Sleep(100 * time.Millisecond) // the request is in flight
	cancel()

	res := <-got
	require.NoError(t, res.err)
	assert.Equal(t, 200, res.status)
	assert.Equal(t, "done", res.body)
	require.NoError(t, <-served)
	assert.False(t, g.Ready())
	gws, err := bus.Gateways(context.Background())
	require.NoError(t, err)
	assert.Empty(t, gws)
}
