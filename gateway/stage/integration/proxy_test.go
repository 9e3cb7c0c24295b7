package integration

import (
	"bufio"
	"io"
	"log/slog"
	"net"
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

// gateway serves route through the integration stage on a real server, so
// the client sees what net/http makes of the proxy's writes.
func gateway(t *testing.T, route gwconfig.Route) *httptest.Server {
	t.Helper()
	st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d", Routes: []gwconfig.Route{route}})
	require.NoError(t, err)
	require.Empty(t, st.Errors)
	rt := router.New("", []*router.Stage{st})
	h := New(nil, slog.New(slog.DiscardHandler))(nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex := &pipeline.Exchange{}
		if rt.Lookup(&ex.Match, "abc.execute-api.localhost", r.URL.EscapedPath(), r.Method) != router.Matched {
			http.NotFound(w, r)
			return
		}
		if err := h.ServeHTTP(w, r.WithContext(pipeline.WithExchange(r.Context(), ex))); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestProxyRequestHeaders(t *testing.T) {
	testCases := []struct {
		desc   string
		header http.Header
		remote string
		want   http.Header // nil value: absent upstream
	}{
		{
			desc:   "hop-by-hop headers are dropped",
			header: http.Header{"Keep-Alive": {"timeout=5"}, "Proxy-Authorization": {"Basic x"}, "Te": {"gzip"}, "Trailer": {"X-T"}, "Upgrade": {"h2c"}, "Proxy-Connection": {"keep-alive"}, "X-Keep": {"1"}},
			want:   http.Header{"Keep-Alive": nil, "Proxy-Authorization": nil, "Te": nil, "Trailer": nil, "Upgrade": nil, "Proxy-Connection": nil, "Connection": nil, "X-Keep": {"1"}},
		},
		{
			desc:   "headers named by Connection are dropped",
			header: http.Header{"Connection": {"X-Drop, x-other ,keep-alive"}, "X-Drop": {"1"}, "X-Other": {"2"}, "X-Keep": {"3"}},
			want:   http.Header{"X-Drop": nil, "X-Other": nil, "Connection": nil, "X-Keep": {"3"}},
		},
		{
			desc:   "Te: trailers is kept",
			header: http.Header{"Te": {"trailers"}},
			want:   http.Header{"Te": {"trailers"}},
		},
		{
			desc:   "X-Forwarded-For is started",
			remote: "203.0.113.9:5555",
			want:   http.Header{"X-Forwarded-For": {"203.0.113.9"}, "X-Forwarded-Host": {"abc.execute-api.localhost"}, "X-Forwarded-Proto": {"http"}},
		},
		{
			desc:   "X-Forwarded-For is appended to, every prior line joined",
			header: http.Header{"X-Forwarded-For": {"198.51.100.1, 198.51.100.2", "198.51.100.3"}},
			remote: "203.0.113.9:5555",
			want:   http.Header{"X-Forwarded-For": {"198.51.100.1, 198.51.100.2, 198.51.100.3, 203.0.113.9"}},
		},
		{
			desc:   "no X-Forwarded-For without a host:port caller address",
			header: http.Header{"X-Forwarded-For": {"198.51.100.1"}},
			remote: "@unix",
			want:   http.Header{"X-Forwarded-For": nil},
		},
		{
			desc:   "the caller's forwarding headers are replaced, Forwarded dropped",
			header: http.Header{"X-Forwarded-Host": {"evil.example"}, "X-Forwarded-Proto": {"https"}, "Forwarded": {"for=1.2.3.4"}},
			want:   http.Header{"X-Forwarded-Host": {"abc.execute-api.localhost"}, "X-Forwarded-Proto": {"http"}, "Forwarded": nil},
		},
		{
			desc: "no Go User-Agent is added",
			want: http.Header{"User-Agent": nil},
		},
		{
			desc:   "the caller's User-Agent is kept",
			header: http.Header{"User-Agent": {"curl/8"}},
			want:   http.Header{"User-Agent": {"curl/8"}},
		},
	}
	var got http.Header
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(up.Close)
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			got = nil
			r := httptest.NewRequest("GET", "/prod/x", nil)
			for k, vv := range test.header {
				r.Header[k] = vv
			}
			if test.remote != "" {
				r.RemoteAddr = test.remote
			}
			w, err := serve(t, proxy("GET /x", up.URL+"/x"), r)
			require.NoError(t, err)
			require.Equal(t, http.StatusNoContent, w.Code)
			require.NotNil(t, got)
			for k, vv := range test.want {
				if vv == nil {
					assert.NotContains(t, got, k)
					continue
				}
				assert.Equal(t, vv, got[k], k)
			}
		})
	}
}

func TestProxyResponseHeaders(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Connection"] = []string{"X-Hop"}
		h["X-Hop"] = []string{"1"}
		h["Keep-Alive"] = []string{"timeout=5"}
		h["X-Request-Id"] = []string{"upstream"}
		h["Set-Cookie"] = []string{"a=1", "b=2"}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(up.Close)
	r := httptest.NewRequest("GET", "/prod/x", nil)
	w := httptest.NewRecorder()
	w.Header().Set("X-Request-Id", "gateway")
	st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t", APIID: "abc", StageName: "prod", DeploymentID: "d", Routes: []gwconfig.Route{proxy("GET /x", up.URL)}})
	require.NoError(t, err)
	ex := &pipeline.Exchange{}
	require.Equal(t, router.Matched, router.New("", []*router.Stage{st}).Lookup(&ex.Match, "abc.execute-api.localhost", "/prod/x", "GET"))
	require.NoError(t, New(nil, slog.New(slog.DiscardHandler))(nil).ServeHTTP(w, r.WithContext(pipeline.WithExchange(r.Context(), ex))))

	h := w.Header()
	assert.NotContains(t, h, "X-Hop")
	assert.NotContains(t, h, "Keep-Alive")
	assert.Equal(t, []string{"a=1", "b=2"}, h["Set-Cookie"])
	assert.Equal(t, []string{"gateway", "upstream"}, h["X-Request-Id"], "the upstream's values are added to the gateway's")
}

func TestProxyTrailers(t *testing.T) {
	testCases := []struct {
		desc     string
		announce bool
	}{
		{desc: "announced trailers", announce: true},
		{desc: "trailers sent unannounced (TrailerPrefix)", announce: false},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if test.announce {
					w.Header().Set("Trailer", "X-Checksum")
				}
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, "body")
				// Chunked, or the upstream could not send the trailer.
				w.(http.Flusher).Flush()
				if test.announce {
					w.Header().Set("X-Checksum", "abc")
				} else {
					w.Header().Set(http.TrailerPrefix+"X-Checksum", "abc")
				}
			}))
			t.Cleanup(up.Close)
			gw := gateway(t, proxy("GET /x", up.URL))
			resp, err := http.Get(gw.URL + "/prod/x")
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, "body", string(b))
			assert.Equal(t, "abc", resp.Trailer.Get("X-Checksum"))
			assert.Equal(t, int64(-1), resp.ContentLength, "chunked, so the trailer can follow")
		})
	}
}

func TestProxyStreaming(t *testing.T) {
	testCases := []struct {
		desc        string
		contentType string
		length      bool
	}{
		{desc: "chunked body of unknown length", contentType: "application/octet-stream"},
		{desc: "server-sent events", contentType: "text/event-stream; charset=utf-8"},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			release := make(chan struct{})
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", test.contentType)
				_, _ = io.WriteString(w, "data: first\n\n")
				w.(http.Flusher).Flush()
				// The second event waits until the client saw the first:
				// only a proxy that flushes lets this finish.
				select {
				case <-release:
				case <-time.After(5 * time.Second):
				}
				_, _ = io.WriteString(w, "data: second\n\n")
			}))
			t.Cleanup(up.Close)
			gw := gateway(t, proxy("GET /x", up.URL))
			resp, err := http.Get(gw.URL + "/prod/x")
			require.NoError(t, err)
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			assert.Equal(t, "data: first\n", line)
			close(release)
			rest, err := io.ReadAll(br)
			require.NoError(t, err)
			assert.Equal(t, "\ndata: second\n\n", string(rest))
			assert.Equal(t, test.contentType, resp.Header.Get("Content-Type"))
		})
	}
}

func TestProxyMethods(t *testing.T) {
	testCases := []struct {
		desc     string
		method   string
		body     string
		wantBody string
	}{
		{desc: "HEAD sends no body back", method: "HEAD", wantBody: ""},
		{desc: "POST body reaches the upstream", method: "POST", body: "payload", wantBody: "POST payload"},
		{desc: "GET", method: "GET", wantBody: "GET "},
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Length", "7")
		if r.Method != "HEAD" {
			w.Header().Del("Content-Length")
		}
		_, _ = io.WriteString(w, r.Method+" "+string(b))
	}))
	t.Cleanup(up.Close)
	gw := gateway(t, proxy("ANY /x", up.URL))
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			req, err := http.NewRequest(test.method, gw.URL+"/prod/x", strings.NewReader(test.body))
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, test.wantBody, string(b))
		})
	}
}

func TestProxyEarlyHints(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		_, _ = io.WriteString(w, "final")
	}))
	t.Cleanup(up.Close)
	gw := gateway(t, proxy("GET /x", up.URL))
	conn, err := net.Dial("tcp", strings.TrimPrefix(gw.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /prod/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
	require.NoError(t, err)
	raw, err := io.ReadAll(conn)
	require.NoError(t, err)
	s := string(raw)
	require.Contains(t, s, "HTTP/1.1 103 Early Hints\r\n")
	hints, final, ok := strings.Cut(s, "HTTP/1.1 200 OK\r\n")
	require.True(t, ok, s)
	assert.Contains(t, hints, "Link: </style.css>; rel=preload")
	assert.NotContains(t, final, "Link:", "the hint's headers are not repeated on the final answer")
	assert.True(t, strings.HasSuffix(final, "final"))
}

func TestProxyUpgrade(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" || r.Header.Get("Connection") != "Upgrade" {
			http.Error(w, "want an upgrade", http.StatusBadRequest)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		_ = brw.Flush()
		line, _ := brw.ReadString('\n')
		_, _ = io.WriteString(conn, "echo: "+line)
	}))
	t.Cleanup(up.Close)
	gw := gateway(t, proxy("GET /x", up.URL))
	conn, err := net.Dial("tcp", strings.TrimPrefix(gw.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(conn, "GET /prod/x HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	assert.Equal(t, "echo", resp.Header.Get("Upgrade"))
	_, err = io.WriteString(conn, "hello\n")
	require.NoError(t, err)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "echo: hello\n", line)
}

// TestProxyReusesCalls checks that sequential calls through the pool do
// not see each other's headers.
func TestProxyReusesCalls(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("X-Only-First")+"|"+r.Header.Get("X-Forwarded-For"))
	}))
	t.Cleanup(up.Close)
	route := proxy("GET /x", up.URL)
	for i, want := range []string{"yes|192.0.2.1", "|192.0.2.2"} {
		r := httptest.NewRequest("GET", "/prod/x", nil)
		r.RemoteAddr = "192.0.2." + string(rune('1'+i)) + ":1"
		if i == 0 {
			r.Header.Set("X-Only-First", "yes")
		}
		w, err := serve(t, route, r)
		require.NoError(t, err)
		assert.Equal(t, want, w.Body.String())
	}
}

func TestProxyExpectContinue(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, "got "+string(b))
	}))
	t.Cleanup(up.Close)
	gw := gateway(t, proxy("POST /x", up.URL))
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 5 * time.Second}}
	t.Cleanup(client.CloseIdleConnections)
	req, err := http.NewRequest("POST", gw.URL+"/prod/x", strings.NewReader("payload"))
	require.NoError(t, err)
	req.Header.Set("Expect", "100-continue")
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "got payload", string(b))
}
