// Command server is the process under test of `make bench`: one target,
// listening on loopback, proxying to the bench's upstream. The bench runs
// it pinned to one core, so its CPU time (from /proc) is the target's own.
//
//	server -mode floor|plain|cache|limits -listen 127.0.0.1:0 -upstream http://127.0.0.1:port [-redis 127.0.0.1:6379]
//
// floor is a minimal httputil.ReverseProxy with a shared buffer pool; the
// other modes run the gateway (server.Gateway) with routing, metrics and a
// stage access log (JSON preset, buffered file) on:
//
//	plain   ANY /{proxy+} to the upstream
//	cache   the same route cached in the in-process store (every request after the first is a hit)
//	limits  the same route with apiKeyRequired: API key lookup, usage plan throttle and quota in one Redis round trip
//
// It prints "listening <addr>" once it serves.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/accesslog"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/server"
)

// APIKey is the key the limits scenario's callers send.
const APIKey = "bench-key-0123456789abcdef"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		os.Exit(1)
	}
}

func run() error {
	mode := flag.String("mode", "plain", "floor, plain, cache or limits")
	listen := flag.String("listen", "127.0.0.1:0", "listen address")
	upstream := flag.String("upstream", "", "upstream URL")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis of the limits scenario")
	logDir := flag.String("access-log-dir", os.TempDir(), "directory of the stage access log")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile here until the server stops")
	memProfile := flag.String("memprofile", "", "write an allocation profile here when the server stops")
	flag.Parse()
	if *memProfile != "" {
		defer writeAllocs(*memProfile)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	up, err := url.Parse(*upstream)
	if err != nil || up.Host == "" {
		return fmt.Errorf("-upstream %q: need a URL", *upstream)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if *mode == "floor" {
		return serveFloor(ctx, ln, up)
	}
	return serveGateway(ctx, ln, *mode, up, *redisAddr, *logDir)
}

// serveFloor is the floor every Go gateway stands on: httputil.ReverseProxy
// with a shared buffer pool, setting X-Forwarded-* as the gateway does.
func serveFloor(ctx context.Context, ln net.Listener, up *url.URL) error {
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.SetXForwarded()
		},
		Transport:  &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 512, IdleConnTimeout: 90 * time.Second},
		BufferPool: pool{},
		// wrk closing its connections at the end of a run is no news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	fmt.Println("listening", ln.Addr())
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// writeAllocs writes the allocation profile (go tool pprof -sample_index=alloc_space).
func writeAllocs(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
	}
}

type pool struct{}

var buffers = sync.Pool{New: func() any { return new([32 << 10]byte) }}

func (pool) Get() []byte  { return buffers.Get().(*[32 << 10]byte)[:] }
func (pool) Put(b []byte) { buffers.Put((*[32 << 10]byte)(b)) }

func serveGateway(ctx context.Context, ln net.Listener, mode string, up *url.URL, redisAddr, logDir string) error {
	bus := fleet.NewMemory()
	defer bus.Close()
	kb := fleet.AsKeyBus(bus)
	if kb == nil {
		return fmt.Errorf("the memory bus carries no keys")
	}
	route := gwconfig.Route{RouteID: "r1", RouteKey: "ANY /{proxy+}", Integration: gwconfig.Integration{
		Type: gwconfig.IntegrationHTTPProxy, URI: up.String() + "/{proxy}",
	}}
	st := &gwconfig.Stage{
		TenantID: "bench", APIID: "bench", StageName: "prod", DeploymentID: "d1", Revision: 1,
		AccessLog: &gwconfig.AccessLog{Format: gwconfig.AccessLogJSON, Destination: "file:bench-access.log"},
	}
	cfg := server.Config{
		ListenAddr: ln.Addr().String(),
		AccessLogs: accesslog.NewSinks(accesslog.SinkConfig{Dir: logDir, FlushInterval: time.Second}),
	}
	// The tenant ceiling (default 10,000 rps) would refuse a fast run: the
	// work is measured, not the refusals.
	if err := kb.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "bench", Throttle: gwconfig.Throttle{RateLimit: 1e7, BurstLimit: 1e6}, Revision: 1}); err != nil {
		return err
	}
	switch mode {
	case "plain":
	case "cache":
		st.Cache = &gwconfig.StageCache{Enabled: true, SizeMB: 10, XCacheHeader: true}
		on := true
		route.Cache = &gwconfig.RouteCache{Enabled: &on}
	case "limits":
		route.APIKeyRequired = true
		client := redis.NewClient(limit.ClientOptions(redis.Options{Addr: redisAddr}))
		defer client.Close()
		if err := client.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("the limits scenario needs Redis at %s: %w", redisAddr, err)
		}
		prefix := "bench:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
		cfg.Limiter = limit.NewRedis(client, prefix)
		if err := publishKey(ctx, kb); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	st.Routes = []gwconfig.Route{route}
	if err := bus.PutStage(ctx, st); err != nil {
		return err
	}
	gw, err := server.New(cfg, bus, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- gw.Serve(ctx, ln) }()
	for !gw.Ready() {
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Millisecond):
		}
	}
	fmt.Println("listening", ln.Addr())
	return <-done
}

// publishKey publishes a key in a plan whose throttle and quota never
// refuse a bench request: the work is measured, not the refusals.
func publishKey(ctx context.Context, bus fleet.KeyBus) error {
	plan := &gwconfig.UsagePlan{
		ID: "plan", TenantID: "bench", Revision: 1,
		Throttle:  &gwconfig.Throttle{RateLimit: 1e7, BurstLimit: 1e6},
		Quota:     &gwconfig.Quota{Limit: 1e12, Period: gwconfig.QuotaDay},
		APIStages: []gwconfig.PlanAPIStage{{APIID: "bench", Stage: "prod"}},
	}
	if err := bus.PutUsagePlan(ctx, plan); err != nil {
		return err
	}
	return bus.PutAPIKey(ctx, &gwconfig.APIKey{
		ID: "key", TenantID: "bench", ValueHash: limit.HashKey(APIKey), Enabled: true,
		UsagePlanIDs: []string{"plan"}, Revision: 1,
	})
}
