// Package integration is the terminal pipeline stage: it sends the request
// to the matched route's integration (HTTP_PROXY through one shared,
// pooling transport; MOCK from the compiled config) and streams the answer
// back.
package integration

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"
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
// *http.Transport. The proxy itself is proxy.go.
func New(transport http.RoundTripper, logger *slog.Logger, opts ...Option) pipeline.Stage {
	if transport == nil {
		transport = NewTransport()
	}
	logger = logger.With("stage", "integration")
	in := &integrator{logger: logger, secure: transport, insecure: insecureClone(transport)}
	for _, o := range opts {
		o(in)
	}
	return func(pipeline.Handler) pipeline.Handler { return in }
}

type integrator struct {
	logger *slog.Logger
	// secure carries HTTP_PROXY calls; insecure those of integrations that
	// skip TLS verification.
	secure, insecure http.RoundTripper
	targets          TargetPicker
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
