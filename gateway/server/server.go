// Package server is the gateway's data plane as a component: it loads
// deployed stages from the fleet bus into an atomically swapped router,
// serves invoke requests through the pipeline, reports heartbeats, and
// answers ops endpoints (/healthz, /readyz, /metrics). The standalone binary
// (gateway/cmd/gateway) and the backend's all-in-one mode both embed it; it
// keeps no global state.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/turnpike/turnpike/gateway/accesslog"
	"github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
	"github.com/turnpike/turnpike/gateway/stage/access"
	"github.com/turnpike/turnpike/gateway/stage/iamauth"
	"github.com/turnpike/turnpike/gateway/stage/integration"
	"github.com/turnpike/turnpike/gateway/targets"
)

// Config configures a Gateway. Zero fields take the documented defaults.
type Config struct {
	// ListenAddr is where ListenAndServe listens (default ":8081"). It is
	// also reported in heartbeats.
	ListenAddr string
	// PrivateListenAddr, when set, is a second listener for callers inside
	// the network (GATEWAY_PRIVATE_ADDR): it serves PRIVATE APIs to every
	// caller that reaches it, and REGIONAL ones too. On ListenAddr a
	// PRIVATE API answers only its allowed source CIDRs.
	PrivateListenAddr string
	// BaseDomain is the domain of invoke hosts:
	// {apiId}.execute-api.{BaseDomain} (default "localhost"). Requests for
	// any other host are ops requests.
	BaseDomain string
	// GatewayID identifies this gateway in the fleet (default: random,
	// "gw-" and 16 hex digits).
	GatewayID string
	// HeartbeatInterval is how often the gateway reports what it serves
	// (default 2s). It also reports right after every config swap.
	HeartbeatInterval time.Duration
	// HeartbeatTTL is how long a heartbeat keeps the gateway live (default
	// 10s).
	HeartbeatTTL time.Duration
	// ResyncInterval is how often the gateway re-reads every stage even
	// without a change notification (default 5s), since a notification can
	// be lost while the bus reconnects.
	ResyncInterval time.Duration
	// ShutdownTimeout bounds how long ListenAndServe waits for in-flight
	// requests on shutdown (default 30s).
	ShutdownTimeout time.Duration
	// AccessLog writes one log line per invoke request.
	AccessLog bool
	// Transport carries HTTP_PROXY integration calls (default: a pooling
	// transport from integration.NewTransport).
	Transport http.RoundTripper
	// Cache stores the stage caches' entries (default: an in-process
	// cache.Memory). A fleet passes a cache.Redis, so every gateway answers
	// from the same entries.
	Cache cache.Store
	// AccessLogs are the destinations of stage access logs (default:
	// stdout only). The gateway flushes them when Run returns.
	AccessLogs *accesslog.Sinks
	// Limiter enforces throttles and quotas (default: an in-process
	// limit.Local). A fleet passes a limit.Redis, so every gateway shares
	// the counters.
	Limiter limit.Limiter
	// Keys is the in-memory index of API keys, usage plans and tenant
	// limits (default: limit.NewKeys over the bus). The gateway keeps it
	// current while it runs and is not ready before its first load.
	Keys *limit.Keys
	// Grants are the tenants' execute-api grants AWS_IAM methods check
	// (default: a fresh iamauth.Store, kept current from the bus's
	// TenantBus). The gateway is not ready before their first load.
	Grants *iamauth.Store
}

func (c *Config) setDefaults() error {
	if c.ListenAddr == "" {
		c.ListenAddr = ":8081"
	}
	if c.BaseDomain == "" {
		c.BaseDomain = router.DefaultBaseDomain
	}
	if c.GatewayID == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("generating gateway id: %w", err)
		}
		c.GatewayID = "gw-" + hex.EncodeToString(b[:])
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 2 * time.Second
	}
	if c.HeartbeatTTL <= 0 {
		c.HeartbeatTTL = 10 * time.Second
	}
	if c.HeartbeatTTL < c.HeartbeatInterval {
		return fmt.Errorf("heartbeat ttl %s is shorter than the heartbeat interval %s", c.HeartbeatTTL, c.HeartbeatInterval)
	}
	if c.ResyncInterval <= 0 {
		c.ResyncInterval = 5 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	return nil
}

// Gateway is one data-plane instance.
type Gateway struct {
	cfg    Config
	bus    fleet.Bus
	logger *slog.Logger
	start  time.Time

	router   atomic.Pointer[router.Router]
	targets  *targets.Manager
	ready    atomic.Bool
	draining atomic.Bool
	running  atomic.Bool
	addr     atomic.Pointer[string]

	tenants  tenantState
	pipeline pipeline.Handler
	ops      http.Handler
	metrics  *metrics
	states   sync.Pool
	kick     chan struct{} // asks the heartbeat loop to report now

	// Owned by the watcher goroutine.
	compiled map[string]*router.Stage
	rejected map[string]int64 // stage key → revision that failed to compile
}

// New builds a Gateway. It serves nothing until Run has loaded the stages
// from bus; until then /readyz answers 503.
func New(cfg Config, bus fleet.Bus, logger *slog.Logger) (*Gateway, error) {
	if bus == nil {
		return nil, errors.New("gateway needs a fleet bus")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if cfg.Transport == nil {
		cfg.Transport = integration.NewTransport()
	}
	if cfg.Cache == nil {
		cfg.Cache = cache.NewMemory(nil)
	}
	if cfg.AccessLogs == nil {
		cfg.AccessLogs = accesslog.NewSinks(accesslog.SinkConfig{Logger: logger})
	}
	if cfg.Limiter == nil {
		cfg.Limiter = limit.NewLocal()
	}
	if cfg.Keys == nil {
		cfg.Keys = limit.NewKeys(bus, logger)
	}
	if cfg.Grants == nil {
		cfg.Grants = iamauth.NewStore()
	}
	g := &Gateway{
		cfg:      cfg,
		bus:      bus,
		logger:   logger.With("gatewayId", cfg.GatewayID),
		start:    time.Now(),
		metrics:  newMetrics(),
		kick:     make(chan struct{}, 1),
		compiled: make(map[string]*router.Stage),
		rejected: make(map[string]int64),
	}
	g.addr.Store(&cfg.ListenAddr)
	g.states.New = func() any { return new(requestState) }
	g.router.Store(router.New(cfg.BaseDomain, nil))
	g.targets = targets.NewManager(nil, g.logger)
	g.pipeline = g.buildPipeline()
	g.ops = g.opsHandler()
	return g, nil
}

// ID is the gateway's id in the fleet.
func (g *Gateway) ID() string { return g.cfg.GatewayID }

// Handler is the data-plane handler: invoke requests for
// {apiId}.execute-api.{BaseDomain}, and the ops endpoints for any other
// host.
func (g *Gateway) Handler() http.Handler { return g }

// Registry is the gateway's own metrics registry, also served at /metrics.
func (g *Gateway) Registry() *prometheus.Registry { return g.metrics.registry }

// Ready reports whether the first full load from the bus has succeeded and
// the gateway is not shutting down.
func (g *Gateway) Ready() bool {
	return g.ready.Load() && g.cfg.Keys.Loaded() && g.cfg.Grants.Loaded() && !g.draining.Load()
}

// Router returns the router currently served. It must not be modified.
func (g *Gateway) Router() *router.Router { return g.router.Load() }

// Run loads the stages, then keeps them current and reports heartbeats
// until ctx ends; then it leaves the fleet and returns nil. It does not
// listen: serve Handler yourself, or use ListenAndServe.
func (g *Gateway) Run(ctx context.Context) error {
	if !g.running.CompareAndSwap(false, true) {
		return errors.New("gateway is already running")
	}
	defer g.running.Store(false)

	var wg sync.WaitGroup
	loaded := make(chan struct{})
	wg.Go(func() { g.watch(ctx, loaded) })
	wg.Go(func() { g.cfg.Keys.Run(ctx, g.cfg.ResyncInterval) })
	wg.Go(func() { g.watchTenants(ctx) })
	wg.Go(func() {
		select {
		case <-loaded:
			g.heartbeats(ctx)
		case <-ctx.Done():
		}
	})
	wg.Wait()
	g.flushAccessLogs()
	g.targets.Close()

	// ctx has ended; leaving must still reach the bus.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := g.bus.Leave(lctx, g.cfg.GatewayID); err != nil {
		g.logger.Warn("leaving the fleet", "error", err)
	}
	return nil
}

// ListenAndServe listens on Config.ListenAddr (and on
// Config.PrivateListenAddr when set) and serves until ctx ends, then stops
// accepting, drains in-flight requests (up to Config.ShutdownTimeout) and
// leaves the fleet.
func (g *Gateway) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", g.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", g.cfg.ListenAddr, err)
	}
	var private net.Listener
	if g.cfg.PrivateListenAddr != "" {
		if private, err = net.Listen("tcp", g.cfg.PrivateListenAddr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("listening on %s (private): %w", g.cfg.PrivateListenAddr, err)
		}
	}
	return g.ServePrivate(ctx, ln, private)
}

// Serve is ListenAndServe on a listener the caller opened.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	return g.ServePrivate(ctx, ln, nil)
}

// ServePrivate is Serve with a second, private listener (nil for none)
// whose callers may call PRIVATE APIs whatever their address.
func (g *Gateway) ServePrivate(ctx context.Context, ln, private net.Listener) error {
	addr := ln.Addr().String()
	g.addr.Store(&addr)
	newServer := func(base context.Context) *http.Server {
		return &http.Server{
			Handler:           g,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(g.logger.Handler(), slog.LevelWarn),
			BaseContext:       func(net.Listener) context.Context { return base },
		}
	}
	servers := []*http.Server{newServer(context.WithoutCancel(ctx))}
	listeners := []net.Listener{ln}
	if private != nil {
		// The mark rides on the listener's base context: no cost per request.
		servers = append(servers, newServer(access.WithPrivateListener(context.WithoutCancel(ctx))))
		listeners = append(listeners, private)
	}
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	runDone := make(chan error, 1)
	go func() { runDone <- g.Run(runCtx) }()

	serveErr := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { serveErr <- srv.Serve(listeners[i]) }()
	}
	if private != nil {
		g.logger.Info("gateway listening", "addr", addr, "privateAddr", private.Addr().String(), "baseDomain", g.cfg.BaseDomain)
	} else {
		g.logger.Info("gateway listening", "addr", addr, "baseDomain", g.cfg.BaseDomain)
	}

	var err error
	select {
	case err = <-serveErr:
		for _, srv := range servers {
			_ = srv.Close()
		}
	case <-ctx.Done():
		g.draining.Store(true)
		g.logger.Info("gateway shutting down: draining in-flight requests", "timeout", g.cfg.ShutdownTimeout)
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.cfg.ShutdownTimeout)
		var wg sync.WaitGroup
		errs := make([]error, len(servers))
		for i, srv := range servers {
			wg.Go(func() {
				if e := srv.Shutdown(sctx); e != nil {
					errs[i] = fmt.Errorf("draining requests: %w", e)
					_ = srv.Close()
				}
			})
		}
		wg.Wait()
		cancel()
		err = errors.Join(errs...)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	stopRun()
	<-runDone
	return err
}
