package server

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/stage/access"
	stagecache "github.com/turnpike/turnpike/gateway/stage/cache"
	"github.com/turnpike/turnpike/gateway/stage/iamauth"
	"github.com/turnpike/turnpike/gateway/stage/integration"
	"github.com/turnpike/turnpike/gateway/stage/limits"
	"github.com/turnpike/turnpike/gateway/stage/recovery"
	"github.com/turnpike/turnpike/gateway/stage/requestid"
	"github.com/turnpike/turnpike/gateway/stage/resolve"
	"github.com/turnpike/turnpike/gateway/stage/validate"
)

// buildPipeline is the order of the stages, top to bottom.
//
// The full order, as stages arrive: recover → request id → resolve →
// endpoint access (PRIVATE CIDRs, suspended tenant) → AWS_IAM
// authorization → API key → tenant,
// stage, plan and method throttles → quota → request validation → cache
// lookup → integration (with parameter mappings) → cache store. Access log
// and metrics are written by the entry point after the chain.
func (g *Gateway) buildPipeline() pipeline.Handler {
	return pipeline.Chain(
		recovery.New(g.logger),
		requestid.New(),
		resolve.New(g.router.Load),
		access.New(),
		iamauth.New(g.cfg.Grants),
		limits.New(limits.Deps{Keys: g.cfg.Keys, Limiter: g.cfg.Limiter, Logger: g.logger, Registerer: g.metrics.registry}),
		validate.New(),
		stagecache.New(g.cfg.Cache, cacheRoute, g.logger, stagecache.WithAuthorizer(g.cfg.Grants.InvalidateAllowed)),
		integration.New(g.cfg.Transport, g.logger, integration.WithTargets(g.targets)),
	)
}

// requestState is the per-request memory of the entry point, pooled so an
// invoke request allocates as little as possible.
type requestState struct {
	ex  pipeline.Exchange
	rec recorder
}

// ServeHTTP is the entry point: ops requests go to the ops handler, invoke
// requests through the pipeline; errors become API Gateway style bodies
// here and nowhere else; then the request is measured and logged.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := g.router.Load()
	if !rt.IsInvokeHost(r.Host) {
		g.ops.ServeHTTP(w, r)
		return
	}
	st := g.states.Get().(*requestState)
	st.ex.Start = time.Now()
	st.rec = recorder{ResponseWriter: w}
	r = r.WithContext(pipeline.WithExchange(r.Context(), &st.ex))
	defer g.observeAbort(r, st)

	err := g.pipeline.ServeHTTP(&st.rec, r)
	if err != nil {
		g.writeError(&st.rec, err)
	}
	g.observe(r, st, err)

	st.ex.Reset()
	st.rec = recorder{}
	g.states.Put(st)
}

// errAborted is logged for a response cut off mid-stream.
var errAborted = errors.New("response aborted: upstream body or client connection broke mid-stream")

// observeAbort still measures and logs a request whose response was
// aborted on purpose (http.ErrAbortHandler, raised by the ReverseProxy when
// a streamed body breaks), then lets the panic reach the server, which
// closes the connection. The state is not pooled again.
func (g *Gateway) observeAbort(r *http.Request, st *requestState) {
	v := recover()
	if v == nil {
		return
	}
	if !st.rec.wroteHeader {
		st.rec.status = http.StatusBadGateway
	}
	g.observe(r, st, errAborted)
	panic(v)
}

// Error bodies, as API Gateway words them.
var (
	bodyNotFound   = []byte(`{"message":"Not Found"}`)
	bodyBadGateway = []byte(`{"message":"Bad Gateway"}`)
	bodyTimeout    = []byte(`{"message":"Endpoint request timed out"}`)
	bodyInternal   = []byte(`{"message":"Internal server error"}`)
)

func errorBody(status int) []byte {
	switch status {
	case http.StatusNotFound:
		return bodyNotFound
	case http.StatusBadGateway:
		return bodyBadGateway
	case http.StatusGatewayTimeout:
		return bodyTimeout
	case http.StatusInternalServerError:
		return bodyInternal
	}
	return []byte(`{"message":"` + http.StatusText(status) + `"}`)
}

var jsonContentType = []string{"application/json"}

// writeError answers a failed request. A *pipeline.HandlerError keeps its
// status; any other error is a 500. The cause is logged by the access log,
// never sent.
func (g *Gateway) writeError(rec *recorder, err error) {
	status := http.StatusInternalServerError
	var he *pipeline.HandlerError
	if errors.As(err, &he) {
		status = he.Status
	}
	if rec.wroteHeader {
		// The response has started; the client sees a truncated answer.
		return
	}
	if status == pipeline.StatusClientClosed {
		// Nobody is listening; record the status for the log only.
		rec.status = status
		return
	}
	if he != nil && he.Body != nil {
		writeJSON(rec, status, he.Body)
		return
	}
	writeJSON(rec, status, errorBody(status))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status      int
	written     int64
	wroteHeader bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wroteHeader {
		if status >= 100 && status < 200 && status != http.StatusSwitchingProtocols {
			// Informational answers (100 Continue, 103 Early Hints) come
			// before the real one.
			r.ResponseWriter.WriteHeader(status)
			return
		}
		r.status, r.wroteHeader = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(b)
	r.written += int64(n)
	return n, err
}

// Flush lets streamed integration responses through at once.
func (r *recorder) Flush() {
	if !r.wroteHeader {
		r.status, r.wroteHeader = http.StatusOK, true
	}
	http.NewResponseController(r.ResponseWriter).Flush() //nolint:errcheck // Flush is best effort.
}

// Hijack supports protocol upgrades through the proxy.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	r.status, r.wroteHeader = http.StatusSwitchingProtocols, true
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}
