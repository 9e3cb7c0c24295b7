package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// The HTTP_PROXY path is written out here instead of using
// httputil.ReverseProxy, whose per-request cost (a deep clone of the
// request and its headers, a closure per call, header-by-header Add on the
// way back) is the larger part of a gateway's own work. It keeps
// ReverseProxy's behaviour: hop-by-hop headers dropped both ways (and those
// the Connection header names), X-Forwarded-For appended to, X-Forwarded-Host
// and -Proto set, Forwarded dropped, no Go User-Agent, "Te: trailers" kept,
// 1xx answers (103 Early Hints) forwarded, trailers announced and copied,
// streamed bodies (unknown length, text/event-stream) flushed per write,
// protocol upgrades (101) spliced, and a body that breaks mid-copy aborts
// the response (http.ErrAbortHandler) so the client sees a cut connection.

// proxyCall is the pooled memory of one upstream call: the outbound
// header map and forwarding values, reused once the transport is done with
// them. The outbound http.Request itself is new per call: the transport
// still uses its context (to cancel its own derived one) after the body
// has been read, so a pooled request whose context changed would race.
type proxyCall struct {
	header http.Header
	// xfh and xff back the X-Forwarded-Host and -For values.
	xfh, xff [1]string
	trace    httptrace.ClientTrace
	got1xx   func(int, textproto.MIMEHeader) error
	w        http.ResponseWriter
}

var calls = sync.Pool{New: func() any {
	c := &proxyCall{header: make(http.Header, 16)}
	c.got1xx = c.forward1xx
	return c
}}

// release returns c to the pool. Only calls whose transport has finished
// with the request's headers come back: a call that failed, carried a
// body or was upgraded is left to the garbage collector.
func (c *proxyCall) release() {
	clear(c.header)
	c.xfh[0], c.xff[0] = "", ""
	c.w = nil
	calls.Put(c)
}

// forward1xx passes an informational answer (103 Early Hints, 100
// Continue) to the caller with its headers, then restores the headers the
// final answer starts from.
func (c *proxyCall) forward1xx(code int, header textproto.MIMEHeader) error {
	h := c.w.Header()
	saved := h.Clone()
	for k, vv := range header {
		h[k] = vv
	}
	c.w.WriteHeader(code)
	clear(h)
	maps.Copy(h, saved)
	return nil
}

// Shared header values, never modified.
var (
	emptyValue   = []string{""}
	httpValue    = []string{"http"}
	httpsValue   = []string{"https"}
	trailers     = []string{"trailers"}
	upgradeValue = []string{"Upgrade"}
)

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
	var host string
	if ci.TargetGroupID != "" {
		// The Host header stays the URI's, as a load balancer behind a VPC
		// link would see it.
		host = u.Host
		release, err := in.pickTarget(u, ci.TargetGroupID)
		if err != nil {
			return err
		}
		defer release()
	}

	parent := r.Context()
	ctx, cancel := context.WithTimeout(parent, ci.Timeout)
	defer cancel()
	c := calls.Get().(*proxyCall)
	c.w = w
	c.trace = httptrace.ClientTrace{Got1xxResponse: c.got1xx}
	out := c.build(httptrace.WithClientTrace(ctx, &c.trace), r, u, ci.Method, host, headers)
	rt := in.secure
	if ci.InsecureTLS {
		rt = in.insecure
	}

	start := time.Now()
	res, err := rt.RoundTrip(out)
	if err != nil {
		ex.IntegrationLatency = time.Since(start)
		return upstreamError(parent, ctx, err)
	}
	var reuse bool
	if res.StatusCode == http.StatusSwitchingProtocols {
		err = in.upgrade(ctx, w, r, res)
	} else {
		if ci.Mappings != nil {
			mapResponse(res.Header, ci.Mappings.Response)
		}
		reuse, err = in.copyResponse(w, r, res)
	}
	ex.IntegrationLatency = time.Since(start)
	if reuse && out.Body == nil {
		c.release()
	}
	return err
}

// build fills c's outbound request for r, sent to u.
func (c *proxyCall) build(ctx context.Context, r *http.Request, u *url.URL, method, host string, mapped []mappedHeader) *http.Request {
	if method == "" {
		method = r.Method
	}
	tmpl := http.Request{
		Method: method, URL: u, Host: host,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.header, Trailer: r.Trailer,
	}
	if r.ContentLength != 0 {
		tmpl.Body = r.Body
		tmpl.ContentLength = r.ContentLength
		tmpl.TransferEncoding = r.TransferEncoding
	}
	out := tmpl.WithContext(ctx) // The one copy the call allocates.
	copyRequestHeader(c.header, r.Header)
	h := c.header
	if _, ok := h["User-Agent"]; !ok {
		// Keep the transport from sending Go's own.
		h["User-Agent"] = emptyValue
	}
	if hasToken(r.Header["Te"], "trailers") {
		h["Te"] = trailers
	}
	if up := upgradeType(r.Header); up != "" {
		h["Connection"] = upgradeValue
		h["Upgrade"] = []string{up}
	}
	if xff, ok := forwardedFor(r); ok {
		c.xff[0] = xff
		h["X-Forwarded-For"] = c.xff[:]
	}
	c.xfh[0] = r.Host
	h["X-Forwarded-Host"] = c.xfh[:]
	if r.TLS != nil {
		h["X-Forwarded-Proto"] = httpsValue
	} else {
		h["X-Forwarded-Proto"] = httpValue
	}
	for _, m := range mapped {
		h[m.name] = []string{m.value}
	}
	return out
}

// copyRequestHeader copies the caller's headers to dst, sharing their
// values, without the hop-by-hop ones, those the Connection header names,
// and the forwarding headers the proxy sets itself.
func copyRequestHeader(dst, src http.Header) {
	conn := src["Connection"]
	for k, vv := range src {
		switch k {
		case "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto":
			continue
		}
		if hopByHop(k) || (len(conn) > 0 && hasToken(conn, k)) {
			continue
		}
		dst[k] = vv
	}
}

// copyResponseHeader adds the upstream's headers to dst (which may hold the
// gateway's own, X-Request-Id say), without the hop-by-hop ones.
func copyResponseHeader(dst, src http.Header) {
	conn := src["Connection"]
	for k, vv := range src {
		if hopByHop(k) || (len(conn) > 0 && hasToken(conn, k)) {
			continue
		}
		if prev, ok := dst[k]; ok {
			// Full slice expression: never append into a shared array.
			dst[k] = append(prev[:len(prev):len(prev)], vv...)
			continue
		}
		dst[k] = vv
	}
}

// hopByHop reports whether k (canonical) is a hop-by-hop header (RFC 9110
// 7.6.1, and the ones net/http's ReverseProxy drops).
func hopByHop(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
		"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// hasToken reports whether the comma-separated lists in values hold token
// (case-insensitive), without allocating.
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for v != "" {
			var f string
			f, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(textproto.TrimString(f), token) {
				return true
			}
		}
	}
	return false
}

// upgradeType is the protocol the caller asks to switch to, or "".
func upgradeType(h http.Header) string {
	if !hasToken(h["Connection"], "Upgrade") {
		return ""
	}
	if v := h["Upgrade"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// forwardedFor is X-Forwarded-For with the caller's address appended; ok
// is false when the caller's address is not host:port (then, as in
// ReverseProxy, none is sent).
func forwardedFor(r *http.Request) (xff string, ok bool) {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return "", false
	}
	prior := r.Header["X-Forwarded-For"]
	switch len(prior) {
	case 0:
		return ip, true
	case 1:
		return prior[0] + ", " + ip, true
	}
	return strings.Join(prior, ", ") + ", " + ip, true
}

// upstreamError turns a failed upstream call into the caller's answer:
// 499 when the caller left, 504 on the integration's timeout, else 502.
func upstreamError(parent, ctx context.Context, err error) error {
	switch {
	case parent.Err() != nil:
		return &pipeline.HandlerError{Status: pipeline.StatusClientClosed, Code: pipeline.CodeClientGone, Err: err}
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		return &pipeline.HandlerError{Status: http.StatusGatewayTimeout, Code: pipeline.CodeTimeout, Err: err}
	}
	return &pipeline.HandlerError{Status: http.StatusBadGateway, Code: pipeline.CodeBadGateway, Err: err}
}

// copyResponse writes the upstream's answer to w. reuse reports that the
// body was read to its end and closed, so the transport is done with the
// request.
func (in *integrator) copyResponse(w http.ResponseWriter, r *http.Request, res *http.Response) (reuse bool, err error) {
	h := w.Header()
	copyResponseHeader(h, res.Header)
	announced := len(res.Trailer)
	if announced > 0 {
		// The transport keeps the Trailer header out of res.Header: build
		// it up from res.Trailer.
		keys := make([]string, 0, announced)
		for k := range res.Trailer {
			keys = append(keys, k)
		}
		prev := h["Trailer"]
		h["Trailer"] = append(prev[:len(prev):len(prev)], strings.Join(keys, ", "))
	}
	w.WriteHeader(res.StatusCode)

	var flusher http.Flusher
	if res.ContentLength == -1 || eventStream(res.Header["Content-Type"]) {
		// Streamed: let every chunk through at once.
		flusher, _ = w.(http.Flusher)
	}
	if err := in.copyBody(w, res.Body, flusher); err != nil {
		res.Body.Close()
		if r.Context().Value(http.ServerContextKey) != nil {
			// The status is sent; only a cut connection tells the client.
			panic(http.ErrAbortHandler)
		}
		return false, &pipeline.HandlerError{Status: http.StatusBadGateway, Code: pipeline.CodeBadGateway, Err: err}
	}
	res.Body.Close() // Now, not deferred: it fills res.Trailer.

	if len(res.Trailer) > 0 {
		// Force chunking, so net/http sends the trailers instead of
		// computing a Content-Length for a short body.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if len(res.Trailer) == announced {
			copyResponseHeader(h, res.Trailer)
		} else {
			for k, vv := range res.Trailer {
				h[http.TrailerPrefix+k] = vv
			}
		}
	}
	return true, nil
}

// eventStream reports whether a Content-Type is text/event-stream (any
// parameters), without parsing it.
func eventStream(ct []string) bool {
	if len(ct) == 0 {
		return false
	}
	v := ct[0]
	if i := strings.IndexAny(v, "; \t"); i >= 0 {
		v = v[:i]
	}
	return strings.EqualFold(v, "text/event-stream")
}

// copyBody copies the upstream body to w through a pooled buffer, flushing
// after each write when flusher is set. Read errors other than the end of
// the body, and write errors, are returned.
func (in *integrator) copyBody(w io.Writer, body io.Reader, flusher http.Flusher) error {
	buf := bufferPool{}.Get()
	defer bufferPool{}.Put(buf)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			if !errors.Is(rerr, context.Canceled) {
				in.logger.Warn("upstream body broke mid-copy", "error", rerr)
			}
			return rerr
		}
	}
}

// upgrade splices a switched protocol (a WebSocket, say): the 101 answer
// goes to the caller, then bytes flow both ways until either side closes
// or the integration's timeout ends the call.
func (in *integrator) upgrade(ctx context.Context, w http.ResponseWriter, r *http.Request, res *http.Response) error {
	badGateway := func(format string, args ...any) error {
		res.Body.Close()
		return pipeline.Errorf(http.StatusBadGateway, pipeline.CodeBadGateway, format, args...)
	}
	want, got := upgradeType(r.Header), upgradeType(res.Header)
	if !printable(got) {
		return badGateway("upstream tried to switch to invalid protocol %q", got)
	}
	if !strings.EqualFold(want, got) {
		return badGateway("upstream tried to switch protocol %q when %q was requested", got, want)
	}
	back, ok := res.Body.(io.ReadWriteCloser)
	if !ok {
		return badGateway("101 switching protocols response with non-writable body")
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return badGateway("hijacking the caller's connection: %v", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { back.Close() })
	defer stop()
	defer back.Close()

	// Connection and Upgrade are what this answer is about: every header
	// goes.
	h := w.Header()
	for k, vv := range res.Header {
		prev := h[k]
		h[k] = append(prev[:len(prev):len(prev)], vv...)
	}
	res.Header, res.Body = h, nil // res.Write writes the headers only.
	if err := res.Write(brw); err != nil {
		return fmt.Errorf("writing the 101 answer: %w", err)
	}
	if err := brw.Flush(); err != nil {
		return fmt.Errorf("flushing the 101 answer: %w", err)
	}
	errc := make(chan error, 2)
	splice := func(dst io.Writer, src io.Reader) {
		_, err := io.Copy(dst, src)
		errc <- err
	}
	go splice(back, conn)
	go splice(conn, back)
	// The first side to end ends both; the deferred closes stop the other.
	if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("upgraded connection: %w", err)
	}
	return nil
}

// bufferPool hands out the 32 KiB copy buffers. It pools array pointers,
// so neither Get nor Put allocates.
type bufferPool struct{}

const bufferSize = 32 << 10

var buffers = sync.Pool{New: func() any { return new([bufferSize]byte) }}

func (bufferPool) Get() []byte { return buffers.Get().(*[bufferSize]byte)[:] }

func (bufferPool) Put(b []byte) {
	if cap(b) == bufferSize {
		buffers.Put((*[bufferSize]byte)(b[:bufferSize]))
	}
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
