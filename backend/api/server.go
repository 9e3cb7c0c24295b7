// Package api is the management REST API: gin handlers under /v1, the
// embedded console, and the route table in which every route names the
// permission it needs (routes.go).
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam/lockout"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// Authenticator finds the principal of a request: a console session cookie
// or an access key bearer token. It returns an *apierr.Error (401, or 403 for
// a missing CSRF token) when the request carries no valid credentials.
type Authenticator interface {
	Authenticate(c *gin.Context) (*reqctx.Principal, error)
}

// Authorizer decides whether p may perform action on resource. It returns an
// *apierr.Error (403) when not.
type Authorizer interface {
	Authorize(ctx context.Context, p *reqctx.Principal, action, resource string) error
}

// Module is one group of routes (IAM, APIs, ...).
type Module interface {
	Routes(r *Router)
}

// Config wires a Server.
type Config struct {
	Logger  *slog.Logger
	Authn   Authenticator
	Authz   Authorizer
	Modules []Module
	// Console is the built console (web/dist); nil or not built serves a
	// page that says how to build it.
	Console      fs.FS
	ConsoleBuilt bool
	// TrustedProxies are the addresses or CIDRs whose X-Forwarded-For is
	// believed; nil trusts none.
	TrustedProxies []string
	// Tx runs each mutating request's handler in a database transaction
	// carried by its context (*db.DB implements it); nil runs without.
	Tx TxRunner
	// Audit receives one entry per mutating call and per denied call
	// (audit_hook.go); nil records nothing.
	Audit audit.Log
	// AuthFailures counts failed authentications (401) per source address;
	// once it locks an address out, its failures are answered 429 and
	// recorded once per lockout instead of each (audit_hook.go). Nil
	// counts nothing.
	AuthFailures lockout.Limiter
}

// Server is the management HTTP server.
type Server struct {
	cfg    Config
	engine *gin.Engine
	router *Router
}

// New builds the gin engine with every module's routes.
func New(cfg Config) *Server {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	// Trust no proxy headers by default: X-Forwarded-For from any client
	// would otherwise spoof the address that login lockout and access-key
	// last-use records rely on.
	_ = e.SetTrustedProxies(cfg.TrustedProxies)
	s := &Server{cfg: cfg, engine: e}
	e.Use(s.requestID, s.accessLog, s.recover)
	s.router = &Router{server: s, group: e.Group("/v1")}
	for _, m := range cfg.Modules {
		m.Routes(s.router)
	}
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.NoRoute(s.noRoute)
	e.NoMethod(func(c *gin.Context) {
		s.writeError(c, errMethodNotAllowed)
	})
	return s
}

// Handler returns the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes returns every registered /v1 route with its permission, for the
// OpenAPI document and the route-walking tests.
func (s *Server) Routes() []RouteInfo { return s.router.routes }

// RouteInfo describes one registered route.
type RouteInfo struct {
	Method string
	// Path is the gin path, e.g. /v1/apis/:apiId.
	Path string
	// Action is the IAM action, e.g. apigw:CreateApi; empty for public routes.
	Action string
	// Resource is the resource pattern, e.g. apis/{apiId}; the tenant
	// prefix is added by the authorizer.
	Resource string
	// Summary is the one-line description for the OpenAPI document.
	Summary string
	// Public routes need no credentials.
	Public bool
	// Mutating routes change state.
	Mutating bool
	// Doc carries optional OpenAPI hints (request/response examples).
	Doc *RouteDoc
	// NoTx keeps a mutating route out of the per-request transaction (set
	// with RouteDoc.NoTx); its audit entry is written after the handler.
	NoTx bool
}

// RouteDoc holds OpenAPI hints for a route: example values of the request
// and response bodies, from which schemas are derived.
type RouteDoc struct {
	Request    any
	Response   any
	StatusCode int
	// NoTx runs a mutating handler outside the request transaction: for
	// handlers that wait for other processes to see their change (a deploy
	// with ?wait=true) or that must commit before starting work elsewhere.
	NoTx bool
}

// HandlerFunc is a handler that returns its error instead of writing it.
type HandlerFunc func(c *gin.Context) error

// Router registers /v1 routes, each with the permission it needs, so the
// permission is visible where the route is registered.
type Router struct {
	server *Server
	group  *gin.RouterGroup
	routes []RouteInfo
}

// Handle registers an authenticated route: the principal must be allowed
// action on the resource pattern, whose {name} parts are filled from the
// path parameters of the same name.
func (r *Router) Handle(method, path, action, resource, summary string, h HandlerFunc, doc ...*RouteDoc) {
	info := RouteInfo{Method: method, Path: "/v1" + path, Action: action, Resource: resource, Summary: summary,
		Mutating: method != http.MethodGet && method != http.MethodHead}
	if len(doc) > 0 && doc[0] != nil {
		info.Doc = doc[0]
		info.NoTx = doc[0].NoTx
	}
	r.routes = append(r.routes, info)
	s := r.server
	r.group.Handle(method, path, func(c *gin.Context) {
		rec := s.beginAudit(c, info)
		p, err := s.cfg.Authn.Authenticate(c)
		if err != nil {
			s.refuseUnauthenticated(c, rec, err)
			return
		}
		p.SourceIP = c.ClientIP()
		rec.setPrincipal(p)
		ctx := reqctx.WithPrincipal(c.Request.Context(), p)
		ctx = authz.WithSecureTransport(ctx, s.secureTransport(c))
		c.Request = c.Request.WithContext(ctx)
		rec.entry.Resource = expandResource(resource, c)
		if err := s.cfg.Authz.Authorize(ctx, p, action, rec.entry.Resource); err != nil {
			s.refuse(c, rec, err)
			return
		}
		s.run(c, rec, info, h)
	})
}

// Public registers a route that needs no credentials.
func (r *Router) Public(method, path, summary string, h HandlerFunc, doc ...*RouteDoc) {
	info := RouteInfo{Method: method, Path: "/v1" + path, Summary: summary, Public: true,
		Mutating: method != http.MethodGet && method != http.MethodHead}
	if len(doc) > 0 && doc[0] != nil {
		info.Doc = doc[0]
		info.NoTx = doc[0].NoTx
	}
	r.routes = append(r.routes, info)
	s := r.server
	r.group.Handle(method, path, func(c *gin.Context) {
		s.run(c, s.beginAudit(c, info), info, h)
	})
}

// expandResource fills {name} in pattern with the request's path params.
func expandResource(pattern string, c *gin.Context) string {
	if !strings.Contains(pattern, "{") {
		return pattern
	}
	for _, p := range c.Params {
		pattern = strings.ReplaceAll(pattern, "{"+p.Key+"}", p.Value)
	}
	if strings.Contains(pattern, "{body.") {
		pattern = expandBodyFields(pattern, c)
	}
	return pattern
}

const requestIDHeader = "X-Request-Id"

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if id == "" || len(id) > 128 {
		var b [12]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Header(requestIDHeader, id)
	c.Request = c.Request.WithContext(reqctx.WithRequestID(c.Request.Context(), id))
	c.Next()
}

func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("requestId", reqctx.RequestID(c.Request.Context())),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Duration("latency", time.Since(start)),
		slog.String("ip", c.ClientIP()),
	}
	if p, ok := reqctx.PrincipalFrom(c.Request.Context()); ok {
		attrs = append(attrs, slog.String("tenant", p.TenantID), slog.String("user", p.UserID))
		if p.AccessKeyID != "" {
			attrs = append(attrs, slog.String("accessKey", p.AccessKeyID))
		}
	}
	if strings.HasPrefix(c.Request.URL.Path, "/v1/") || status >= 400 {
		s.cfg.Logger.LogAttrs(c.Request.Context(), level, "http request", attrs...)
	}
}

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.Logger.ErrorContext(c.Request.Context(), "panic in handler", "panic", v,
				"requestId", reqctx.RequestID(c.Request.Context()))
			if !c.Writer.Written() {
				s.writeError(c, apierr.Internal)
			}
			c.Abort()
		}
	}()
	c.Next()
}

// writeError is the one place errors become responses; unknown errors are
// logged with their cause and answered with a generic 500.
func (s *Server) writeError(c *gin.Context, err error) {
	e := apierr.From(err)
	ctx := c.Request.Context()
	if e.Status >= 500 {
		s.cfg.Logger.ErrorContext(ctx, "request failed", "requestId", reqctx.RequestID(ctx), "code", e.Code, "err", err)
	} else if e.Unwrap() != nil {
		s.cfg.Logger.DebugContext(ctx, "request refused", "requestId", reqctx.RequestID(ctx), "code", e.Code, "err", err)
	}
	c.AbortWithStatusJSON(e.Status, e.ToBody(reqctx.RequestID(ctx)))
}

var errRouteNotFound = apierr.NotFound("route.unknown", "No such API route.")

func (s *Server) noRoute(c *gin.Context) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/v1/") || p == "/v1" {
		s.writeError(c, errRouteNotFound)
		return
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		s.writeError(c, errRouteNotFound)
		return
	}
	s.serveConsole(c)
}

func (s *Server) serveConsole(c *gin.Context) {
	if s.cfg.Console == nil || !s.cfg.ConsoleBuilt {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(consoleNotBuiltPage))
		return
	}
	name := strings.TrimPrefix(c.Request.URL.Path, "/")
	if name != "" {
		if f, err := s.cfg.Console.Open(name); err == nil {
			st, statErr := f.Stat()
			_ = f.Close()
			if statErr == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					// Vite names assets by content hash, so they never change.
					c.Header("Cache-Control", "public, max-age=31536000, immutable")
				}
				c.FileFromFS(name, http.FS(s.cfg.Console))
				return
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			s.writeError(c, err)
			return
		}
	}
	// Client-side routes get the SPA shell.
	index, err := fs.ReadFile(s.cfg.Console, "index.html")
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", index)
}

const consoleNotBuiltPage = `<!doctype html><html><head><meta charset="utf-8"><title>Turnpike</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>Turnpike</h1><p>The management API is running, but this binary was built without the console.</p>
<p>Build it with <code>make build</code> (needs Node.js 20+ and npm), or run everything with <code>make run</code>.
The REST API is at <code>/v1</code>; its description at <a href="/v1/openapi.json">/v1/openapi.json</a>.</p></body></html>`

var errMethodNotAllowed = &apierr.Error{Status: http.StatusMethodNotAllowed, Code: "method.not-allowed", Message: "Method not allowed on this path."}
