package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/accesslog"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
)

// discardWriter is a ResponseWriter that reuses its header map, as a
// benchmark stand-in for the server's response.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// benchGateway runs a gateway whose access log goes to io.Discard as JSON,
// which is what a production gateway pays per request.
func benchGateway(b *testing.B, transport http.RoundTripper, routes ...gwconfig.Route) *Gateway {
	b.Helper()
	return benchGatewayStage(b, transport, stage("d1", routes...))
}

// benchGatewayStage is benchGateway over a whole stage; its file access
// logs go to a temporary directory.
func benchGatewayStage(b *testing.B, transport http.RoundTripper, st *gwconfig.Stage) *Gateway {
	b.Helper()
	bus := fleet.NewMemory()
	require.NoError(b, bus.PutStage(context.Background(), st))
	sinks := accesslog.NewSinks(accesslog.SinkConfig{Dir: b.TempDir(), FlushInterval: time.Second})
	g, err := New(Config{AccessLog: true, Transport: transport, AccessLogs: sinks}, bus, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	require.Eventually(b, g.Ready, 2*time.Second, time.Millisecond)
	return g
}

func benchServe(b *testing.B, g *Gateway, target string, want int) {
	r := httptest.NewRequest("GET", target, nil)
	r.Host = host
	r.RemoteAddr = "192.0.2.1:1234"
	w := &discardWriter{h: make(http.Header)}
	h := g.Handler()
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
		if w.status != want {
			b.Fatalf("status %d", w.status)
		}
	}
}

func BenchmarkGateway(b *testing.B) {
	b.Run("mock", func(b *testing.B) {
		g := benchGateway(b, nil, gwconfig.Route{RouteID: "m", RouteKey: "GET /pets/{id}", Integration: gwconfig.Integration{
			Type: gwconfig.IntegrationMock, MockBody: `{"ok":true}`,
		}})
		benchServe(b, g, "/prod/pets/42", 200)
	})
	b.Run("not found", func(b *testing.B) {
		g := benchGateway(b, nil, proxyRoute("GET /pets/{id}", "http://up/pets/{id}"))
		benchServe(b, g, "/prod/cats", 404)
	})
	// The in-memory upstream answers without a network, so this is the
	// gateway's own cost: pipeline, proxy, metrics and access log. The
	// transport's own answer costs 6 allocations (Response, header map and
	// value, body reader) that a real transport makes too.
	tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{"Content-Type": {"text/plain"}},
			Body:          io.NopCloser(strings.NewReader("hello")),
			ContentLength: 5, Request: r,
		}, nil
	})
	b.Run("proxy in-memory transport", func(b *testing.B) {
		g := benchGateway(b, tr, proxyRoute("GET /pets/{id}", "http://up/pets/{id}"))
		benchServe(b, g, "/prod/pets/42?x=1", 200)
	})
	b.Run("proxy in-memory transport, stage access log", func(b *testing.B) {
		// What the bench's plain scenario runs: a JSON stage access log
		// to a buffered file as well.
		st := stage("d1", proxyRoute("GET /pets/{id}", "http://up/pets/{id}"))
		st.AccessLog = &gwconfig.AccessLog{Format: gwconfig.AccessLogJSON, Destination: "file:access.log"}
		g := benchGatewayStage(b, tr, st)
		benchServe(b, g, "/prod/pets/42?x=1", 200)
	})
	b.Run("proxy loopback upstream", func(b *testing.B) {
		up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "hello")
		}))
		b.Cleanup(up.Close)
		g := benchGateway(b, nil, proxyRoute("GET /pets/{id}", up.URL+"/pets/{id}"))
		benchServe(b, g, "/prod/pets/42?x=1", 200)
	})
}

func BenchmarkAccessLog(b *testing.B) {
	g := benchGateway(b, nil, gwconfig.Route{RouteID: "m", RouteKey: "GET /pets/{id}", Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}})
	r := httptest.NewRequest("GET", "/prod/pets/42", nil)
	r.Host = host
	st := &requestState{ex: pipeline.Exchange{RequestID: "6f1c1b7e-4d0e-4b8a-9c55-1d2f3a4b5c6d", Start: time.Now()}}
	g.router.Load().Lookup(&st.ex.Match, host, "/prod/pets/42", "GET")
	st.rec.status = 200
	for _, format := range []string{"json", "text"} {
		b.Run(format, func(b *testing.B) {
			var h slog.Handler = slog.NewJSONHandler(io.Discard, nil)
			if format == "text" {
				h = slog.NewTextHandler(io.Discard, nil)
			}
			g.logger = slog.New(h)
			b.ReportAllocs()
			for b.Loop() {
				g.observe(r, st, nil)
			}
		})
	}
}
