package integration

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// serve resolves target against a one-route stage and runs the integration.
func serve(t *testing.T, route gwconfig.Route, r *http.Request) (*httptest.ResponseRecorder, error) {
	t.Helper()
	st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d", Routes: []gwconfig.Route{route}})
	require.NoError(t, err)
	require.Empty(t, st.Errors)
	ex := &pipeline.Exchange{}
	r.Host = "abc.execute-api.localhost"
	require.Equal(t, router.Matched, router.New("", []*router.Stage{st}).Lookup(&ex.Match, r.Host, r.URL.EscapedPath(), r.Method))
	r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
	w := httptest.NewRecorder()
	err = New(nil, slog.New(slog.DiscardHandler))(nil).ServeHTTP(w, r)
	return w, err
}

func proxy(key, uri string) gwconfig.Route {
	return gwconfig.Route{RouteID: "r", RouteKey: key, Integration: gwconfig.Integration{Type: gwconfig.IntegrationHTTPProxy, URI: uri}}
}

func TestProxy(t *testing.T) {
	var got *http.Request
	var gotBody string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("X-Up", "1")
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "short and stout")
	}))
	t.Cleanup(up.Close)

	route := proxy("POST /items/{id}", up.URL+"/v1/items/{id}")
	route.Integration.HTTPMethod = "PUT"
	r := httptest.NewRequest("POST", "/prod/items/a%2Fb?x=1&y=2", strings.NewReader("payload"))
	r.RemoteAddr = "203.0.113.9:5555"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	r.Header.Set("Connection", "X-Drop")
	r.Header.Set("X-Drop", "1")
	r.Header.Set("X-Keep", "1")

	w, err := serve(t, route, r)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTeapot, w.Code)
	assert.Equal(t, "short and stout", w.Body.String())
	assert.Equal(t, "1", w.Header().Get("X-Up"))

	require.NotNil(t, got)
	assert.Equal(t, "PUT", got.Method)
	assert.Equal(t, "/v1/items/a%2Fb?x=1&y=2", got.RequestURI)
	assert.Equal(t, strings.TrimPrefix(up.URL, "http://"), got.Host)
	assert.Equal(t, "payload", gotBody)
	assert.Equal(t, "198.51.100.1, 203.0.113.9", got.Header.Get("X-Forwarded-For"))
	assert.Equal(t, "abc.execute-api.localhost", got.Header.Get("X-Forwarded-Host"))
	assert.Equal(t, "http", got.Header.Get("X-Forwarded-Proto"))
	assert.Empty(t, got.Header.Get("X-Drop"))
	assert.Equal(t, "1", got.Header.Get("X-Keep"))
}

func TestProxyErrors(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	slowRoute := proxy("GET /x", slow.URL)
	slowRoute.Integration.TimeoutInMillis = 100

	gone, cancel := context.WithCancel(context.Background())
	cancel()

	testCases := []struct {
		desc       string
		route      gwconfig.Route
		ctx        context.Context
		wantStatus int
	}{
		{desc: "unreachable upstream", route: proxy("GET /x", down.URL), ctx: context.Background(), wantStatus: http.StatusBadGateway},
		{desc: "timeout", route: slowRoute, ctx: context.Background(), wantStatus: http.StatusGatewayTimeout},
		{desc: "client gone", route: slowRoute, ctx: gone, wantStatus: pipeline.StatusClientClosed},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/prod/x", nil).WithContext(test.ctx)
			w, err := serve(t, test.route, r)
			var he *pipeline.HandlerError
			require.True(t, errors.As(err, &he), "%v", err)
			assert.Equal(t, test.wantStatus, he.Status)
			assert.Empty(t, w.Body.String())
		})
	}
}

func TestMock(t *testing.T) {
	route := gwconfig.Route{RouteID: "m", RouteKey: "GET /m", Integration: gwconfig.Integration{
		Type: gwconfig.IntegrationMock, MockStatusCode: 202, MockBody: "hi",
		MockHeaders: map[string]string{"content-type": "text/plain"},
	}}
	w, err := serve(t, route, httptest.NewRequest("GET", "/prod/m", nil))
	require.NoError(t, err)
	assert.Equal(t, 202, w.Code)
	assert.Equal(t, "hi", w.Body.String())
	assert.Equal(t, "text/plain", w.Header().Get("Content-Type"))
}

func TestBufferPool(t *testing.T) {
	b := bufferPool{}.Get()
	require.Len(t, b, bufferSize)
	bufferPool{}.Put(b)
	bufferPool{}.Put(make([]byte, 10)) // foreign buffers are dropped
}
