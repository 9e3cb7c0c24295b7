// Package cache is the stage cache's pipeline stage: it answers cacheable
// requests from a cache.Store and stores the integration's 2xx answers.
// Settings are compiled once per route (Compile) when the gateway compiles
// a stage; the request path only builds a key.
package cache

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gwcache "github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// Header values and names the stage sets.
const (
	HeaderXCache = "X-Cache"
	Hit          = "Hit"
	Miss         = "Miss"
	// WarningIgnored is the Warning header of a Cache-Control: max-age=0
	// that was ignored (SUCCEED_WITH_RESPONSE_HEADER).
	WarningIgnored = `199 - "Cache-Control headers were ignored because the caller was unauthorized."`
)

// Counters count a route's hits and misses; nil counters count nothing.
type Counters interface {
	Hit()
	Miss()
}

// Route is one route's compiled cache settings.
type Route struct {
	stageID     string // flush unit
	prefix      string // tenant, api, stage, deployment and route key
	ttl         time.Duration
	budget      int64
	params      []keyParam
	xCache      bool
	requireAuth bool
	strategy    string
	counters    Counters
}

type keyParam struct {
	source, name string
}

// Compile returns a route's cache settings, or nil when the route is not
// cached: the stage cache is off, the route turns it off, its TTL is 0, or
// it sets nothing and is not a GET route.
func Compile(st *gwconfig.Stage, rt *gwconfig.Route, routeKey string, counters Counters) *Route {
	sc := st.Cache
	if sc == nil || !sc.Enabled {
		return nil
	}
	rc := rt.Cache
	if rc == nil {
		rc = &gwconfig.RouteCache{}
	}
	enabled := strings.HasPrefix(routeKey, "GET ")
	if rc.Enabled != nil {
		enabled = *rc.Enabled
	}
	ttl := sc.DefaultTTLSeconds
	if ttl == 0 {
		ttl = gwconfig.DefaultCacheTTLSeconds
	}
	if rc.TTLSeconds != nil {
		ttl = *rc.TTLSeconds
	}
	if !enabled || ttl <= 0 {
		return nil
	}
	size := sc.SizeMB
	if size == 0 {
		size = gwconfig.DefaultCacheSizeMB
	}
	strategy := sc.UnauthorizedCacheControlHeaderStrategy
	if strategy == "" {
		strategy = gwconfig.CacheControlSucceedWithResponseHeader
	}
	r := &Route{
		stageID:     gwcache.StageID(st.TenantID, st.APIID, st.StageName),
		prefix:      st.TenantID + "\x00" + st.APIID + "\x00" + st.StageName + "\x00" + st.DeploymentID + "\x00" + routeKey + "\x00",
		ttl:         time.Duration(ttl) * time.Second,
		budget:      int64(size * (1 << 20)),
		xCache:      sc.XCacheHeader,
		requireAuth: sc.RequireAuthorizationForCacheControl,
		strategy:    strategy,
		counters:    counters,
	}
	for _, p := range rc.KeyParameters {
		src, name, err := gwconfig.ParseCacheKeyParameter(p)
		if err != nil {
			continue // Validate rejected it before; never reached.
		}
		if src == gwconfig.CacheKeyHeader {
			name = http.CanonicalHeaderKey(name)
		}
		r.params = append(r.params, keyParam{source: src, name: name})
	}
	return r
}

// TTL is the route's time to live.
func (r *Route) TTL() time.Duration { return r.ttl }

// Key is the entry's key for a request: the route's prefix, the method,
// the request path (always, so /pets/1 and /pets/2 never share an entry,
// unlike API Gateway where an unlisted path parameter does) and each key
// parameter's value.
func (r *Route) Key(req *http.Request, m *router.Match) string {
	buf := keyBufs.Get().(*[]byte)
	b := append((*buf)[:0], r.prefix...)
	b = append(b, req.Method...)
	b = append(b, 0)
	b = append(b, req.URL.EscapedPath()...)
	for _, p := range r.params {
		b = append(b, 0)
		b = append(b, p.source[0], '.')
		b = append(b, p.name...)
		b = append(b, '=')
		switch p.source {
		case gwconfig.CacheKeyHeader:
			for i, v := range req.Header[p.name] {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, v...)
			}
		case gwconfig.CacheKeyQueryString:
			b = appendQueryValues(b, req.URL.RawQuery, p.name)
		case gwconfig.CacheKeyPath:
			v, _ := m.Param(p.name)
			b = append(b, v...)
		}
	}
	key := string(b)
	*buf = b
	keyBufs.Put(buf)
	return key
}

var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// appendQueryValues appends the raw values of name in a query string,
// comma separated, without parsing the whole query into a map.
func appendQueryValues(b []byte, raw, name string) []byte {
	first := true
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k != name {
			if !strings.ContainsAny(k, "%+") {
				continue
			}
			if dk, err := unescapeQuery(k); err != nil || dk != name {
				continue
			}
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		if dv, err := unescapeQuery(v); err == nil {
			v = dv
		}
		b = append(b, v...)
	}
	return b
}

// Authorizer decides whether the caller of r may invalidate its cache
// entry (execute-api:InvalidateCache).
type Authorizer func(r *http.Request, m *router.Match) bool

// Option tunes the stage.
type Option func(*stage)

// WithAuthorizer decides Cache-Control: max-age=0 on stages that require
// authorization for it; without one, no caller is allowed.
func WithAuthorizer(a Authorizer) Option { return func(s *stage) { s.authorize = a } }

// New returns the cache stage. routeOf gives a matched route's compiled
// settings (nil: not cached). Store errors are logged and the request goes
// on uncached: the cache never fails a request.
func New(store gwcache.Store, routeOf func(*router.Route) *Route, logger *slog.Logger, opts ...Option) pipeline.Stage {
	logger = logger.With("stage", "cache")
	return func(next pipeline.Handler) pipeline.Handler {
		s := &stage{store: store, routeOf: routeOf, next: next, logger: logger}
		for _, o := range opts {
			o(s)
		}
		return s
	}
}

type stage struct {
	store     gwcache.Store
	routeOf   func(*router.Route) *Route
	next      pipeline.Handler
	logger    *slog.Logger
	authorize Authorizer
}

var _ pipeline.Handler = (*stage)(nil)

var bodyForbidden = "cache invalidation is not allowed for this caller"

func (s *stage) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	ex := pipeline.ExchangeFrom(r.Context())
	if s.store == nil || ex.Match.Route == nil {
		return s.next.ServeHTTP(w, r)
	}
	cr := s.routeOf(ex.Match.Route)
	if cr == nil {
		return s.next.ServeHTTP(w, r)
	}
	ctx := r.Context()
	key := cr.Key(r, &ex.Match)

	lookup := true
	if invalidates(r.Header["Cache-Control"]) {
		switch {
		case !cr.requireAuth || (s.authorize != nil && s.authorize(r, &ex.Match)):
			// An allowed caller refreshes: skip the lookup and store the
			// fresh answer over the old one.
			if err := s.store.Delete(ctx, cr.stageID, key); err != nil {
				s.logger.Warn("cache invalidation failed", "error", err)
			}
			lookup = false
		case cr.strategy == gwconfig.CacheControlFailWith403:
			return pipeline.Errorf(http.StatusForbidden, "cache_invalidation_forbidden", "%s", bodyForbidden)
		case cr.strategy == gwconfig.CacheControlSucceedWithResponseHeader:
			w.Header().Set("Warning", WarningIgnored)
		}
	}
	if lookup {
		v, ok, err := s.store.Get(ctx, cr.stageID, key)
		if err != nil {
			s.logger.Warn("cache lookup failed; serving uncached", "error", err)
		} else if ok {
			if e, err := gwcache.Decode(v); err == nil {
				ex.CacheStatus = Hit
				if cr.counters != nil {
					cr.counters.Hit()
				}
				writeEntry(w, e, cr.xCache)
				return nil
			}
		}
	}
	ex.CacheStatus = Miss
	if cr.counters != nil {
		cr.counters.Miss()
	}
	cw := &captureWriter{ResponseWriter: w, limit: cr.budget, xCache: cr.xCache}
	err := s.next.ServeHTTP(cw, r)
	if err != nil || cw.overflow || cw.status < 200 || cw.status > 299 {
		return err
	}
	e := gwcache.Entry{Status: cw.status, Header: cw.header, Body: cw.body.Bytes()}
	// The answer has been written; the store must finish even if the
	// client has gone.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := s.store.Set(sctx, cr.stageID, key, e.Encode(nil), cr.ttl, cr.budget); err != nil {
		s.logger.Warn("cache store failed", "error", err)
	}
	return nil
}

// invalidates reports whether Cache-Control asks for a fresh answer
// (max-age=0, as API Gateway reads it; no-cache too).
func invalidates(vs []string) bool {
	for _, v := range vs {
		for d := range strings.SplitSeq(v, ",") {
			d = strings.ToLower(strings.TrimSpace(d))
			if d == "max-age=0" || d == "no-cache" {
				return true
			}
		}
	}
	return false
}

// hop-by-hop and per-answer headers are not replayed from the cache.
var notCached = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Transfer-Encoding": true, "Date": true,
	"Set-Cookie": true, "X-Request-Id": true, "Warning": true, HeaderXCache: true, "Content-Length": true,
}

var hitValue, missValue = []string{Hit}, []string{Miss}

func writeEntry(w http.ResponseWriter, e *gwcache.Entry, xCache bool) {
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	h["Content-Length"] = []string{strconv.Itoa(len(e.Body))}
	if xCache {
		h[HeaderXCache] = hitValue
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(e.Body)
}

// captureWriter passes the answer through and keeps a copy to cache, up to
// limit bytes.
type captureWriter struct {
	http.ResponseWriter
	limit       int64
	xCache      bool
	status      int
	header      http.Header
	body        bytes.Buffer
	overflow    bool
	wroteHeader bool
}

func (c *captureWriter) WriteHeader(status int) {
	if c.wroteHeader || (status >= 100 && status < 200) {
		c.ResponseWriter.WriteHeader(status)
		return
	}
	c.wroteHeader, c.status = true, status
	h := c.ResponseWriter.Header()
	c.header = make(http.Header, len(h))
	for k, v := range h {
		if !notCached[k] {
			c.header[k] = v
		}
	}
	if c.xCache {
		h[HeaderXCache] = missValue
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if !c.wroteHeader {
		c.WriteHeader(http.StatusOK)
	}
	if !c.overflow {
		if int64(c.body.Len()+len(b)) > c.limit {
			c.overflow = true
			c.body = bytes.Buffer{}
		} else {
			c.body.Write(b)
		}
	}
	return c.ResponseWriter.Write(b)
}

// Flush passes streamed answers through.
func (c *captureWriter) Flush() {
	if !c.wroteHeader {
		c.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(c.ResponseWriter).Flush() //nolint:errcheck // Flush is best effort.
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func unescapeQuery(s string) (string, error) { return url.QueryUnescape(s) }
