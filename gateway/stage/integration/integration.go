// Package integration is the terminal pipeline stage: it sends the request
// to the matched route's integration (HTTP_PROXY through one shared,
// pooling transport; MOCK from the compiled config) and streams the answer
// back.
package integration

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// NewTransport returns the transport every HTTP_PROXY integration of a
// gateway shares: keep-alive pooling with many idle connections per
// upstream host, and no proxy from the environment (an upstream is called
// directly).
func NewTransport() *http.Transport {
	return &http.Transport{
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4096,
		MaxIdleConnsPerHost:   512,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}

// Option configures the integration stage.
type Option func(*integrator)

// WithTargets sends VPC_LINK integrations to the healthy targets of their
// target group (without it they answer 503).
func WithTargets(t TargetPicker) Option { return func(in *integrator) { in.targets = t } }

// TargetPicker picks a healthy target of a target group; targets.Manager
// implements it.
type TargetPicker interface {
	Pick(groupID string) (addr string, release func(), err error)
}

// New returns the integration stage. It is terminal: it never calls next.
// transport carries HTTP_PROXY calls (NewTransport when nil); integrations
// that skip TLS verification use a clone of it when it is an
// *http.Transport.
func New(transport http.RoundTripper, logger *slog.Logger, opts ...Option) pipeline.Stage {
	if transport == nil {
		transport = NewTransport()
	}
	logger = logger.With("stage", "integration")
	in := &integrator{}
	for _, o := range opts {
		o(in)
	}
	in.proxy = &httputil.ReverseProxy{
		Rewrite:        rewrite,
		Transport:      newTLSSwitch(transport),
		BufferPool:     bufferPool{},
		ErrorHandler:   recordError,
		ModifyResponse: mapResponse,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return func(pipeline.Handler) pipeline.Handler { return in }
}

type integrator struct {
	proxy   *httputil.ReverseProxy
	targets TargetPicker
}

var _ pipeline.Handler = (*integrator)(nil)

func (in *integrator) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	ex := pipeline.ExchangeFrom(r.Context())
	if ex.Match.Route == nil {
		return pipeline.Errorf(http.StatusInternalServerError, pipeline.CodeInternal, "integration stage reached without a route")
	}
	ci := ex.Match.Route.Integration
	switch ci.Type {
	case gwconfig.IntegrationMock:
		serveMock(w, ci)
		return nil
	case gwconfig.IntegrationHTTPProxy, gwconfig.IntegrationHTTP:
		return in.serveProxy(w, r, ex, ci)
	}
	return pipeline.Errorf(http.StatusInternalServerError, pipeline.CodeInternal, "unsupported integration type %q", ci.Type)
}

func serveMock(w http.ResponseWriter, ci *router.Integration) {
	h := w.Header()
	for k, v := range ci.MockHeader {
		h[k] = v
	}
	if len(ci.MockBody) > 0 && h["Content-Type"] == nil {
		h["Content-Type"] = jsonContentType
	}
	h["Content-Length"] = []string{strconv.Itoa(len(ci.MockBody))}
	w.WriteHeader(ci.MockStatus)
	_, _ = w.Write(ci.MockBody)
}

var jsonContentType = []string{"application/json"}

// call is one upstream call. It is the request context the ReverseProxy
// sees, so Rewrite and ErrorHandler find the call without another context
// value.
type call struct {
	context.Context
	url    *url.URL
	method string
	err    error
	// Parameter mappings (rest.go): headers to set on the upstream request
	// and the response mappings to apply.
	headers  []mappedHeader
	response []router.Mapping
	insecure bool
	// host is the Host header of a VPC_LINK call (the URI's host); empty
	// sends the URL's.
	host string
}

type callKey struct{}

func (c *call) Value(key any) any {
	if key == (callKey{}) {
		return c
	}
	return c.Context.Value(key)
}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

func (in *integrator) serveProxy(w http.ResponseWriter, r *http.Request, ex *pipeline.Exchange, ci *router.Integration) error {
	var (
		u       *url.URL
		err     error
		headers []mappedHeader
	)
	if ci.Mappings == nil {
		u, err = ci.URL(&ex.Match, r.URL.RawQuery)
	} else {
		u, headers, err = mappedURL(r, ex, ci)
	}
	if err != nil {
		return &pipeline.HandlerError{Status: http.StatusInternalServerError, Code: pipeline.CodeInternal, Err: err}
	}
	var hostHeader string
	if ci.TargetGroupID != "" {
		hostHeader = u.Host
		release, err := in.pickTarget(u, ci.TargetGroupID)
		if err != nil {
			return err
		}
		defer release()
	}
	parent := r.Context()
	ctx, cancel := context.WithTimeout(parent, ci.Timeout)
	defer cancel()
	c := &call{Context: ctx, url: u, method: ci.Method, headers: headers, insecure: ci.InsecureTLS, host: hostHeader}
	if ci.Mappings != nil {
		c.response = ci.Mappings.Response
	}

	start := time.Now()
	in.proxy.ServeHTTP(w, r.WithContext(c))
	ex.IntegrationLatency = time.Since(start)

	if c.err == nil {
		return nil
	}
	switch {
	case parent.Err() != nil:
		return &pipeline.HandlerError{Status: pipeline.StatusClientClosed, Code: pipeline.CodeClientGone, Err: c.err}
	case errors.Is(c.err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		return &pipeline.HandlerError{Status: http.StatusGatewayTimeout, Code: pipeline.CodeTimeout, Err: c.err}
	}
	return &pipeline.HandlerError{Status: http.StatusBadGateway, Code: pipeline.CodeBadGateway, Err: c.err}
}

// rewrite points the outbound request at the integration. Forwarded headers
// are appended to what the caller sent, as API Gateway does.
func rewrite(pr *httputil.ProxyRequest) {
	c := callFrom(pr.Out.Context())
	pr.Out.URL = c.url
	pr.Out.Host = c.host
	if c.method != "" {
		pr.Out.Method = c.method
	}
	if prior := pr.In.Header["X-Forwarded-For"]; len(prior) > 0 {
		pr.Out.Header["X-Forwarded-For"] = prior
	}
	pr.SetXForwarded()
	for _, h := range c.headers {
		pr.Out.Header[h.name] = []string{h.value}
	}
}

// recordError keeps the upstream error for serveProxy, which turns it into a
// HandlerError; nothing has been written to w yet.
func recordError(_ http.ResponseWriter, r *http.Request, err error) {
	if c := callFrom(r.Context()); c != nil {
		c.err = err
	}
}

// bufferPool recycles the ReverseProxy's copy buffers. It pools array
// pointers, so neither Get nor Put allocates.
type bufferPool struct{}

const bufferSize = 32 << 10

var buffers = sync.Pool{New: func() any { return new([bufferSize]byte) }}

func (bufferPool) Get() []byte { return buffers.Get().(*[bufferSize]byte)[:] }

func (bufferPool) Put(b []byte) {
	if cap(b) == bufferSize {
		buffers.Put((*[bufferSize]byte)(b[:bufferSize]))
	}
}
