// Command gateway runs one Turnpike data-plane gateway of a fleet. It reads
// deployed stages, API keys and usage plans from Redis, where the control
// plane publishes them, reports its heartbeats there, and shares its
// throttle and quota counters there (one Lua script call per request).
//
// Configuration comes from flags, each defaulting to an environment
// variable:
//
//	-addr          GATEWAY_ADDR          listen address (default ":8081")
//	-private-addr  GATEWAY_PRIVATE_ADDR  private listener: PRIVATE APIs to every caller, REGIONAL too (default: none)
//	-base-domain   TURNPIKE_BASE_DOMAIN  invoke hosts are {apiId}.execute-api.<base> (default "localhost")
//	-redis-url     REDIS_URL             Redis of the fleet, e.g. redis://127.0.0.1:6379/0 (required)
//	-redis-prefix  TURNPIKE_REDIS_PREFIX key prefix of the fleet bus (default "turnpike:")
//	-id            GATEWAY_ID            id in the fleet (default: random)
//	-log-level     LOG_LEVEL             debug, info, warn or error (default "info")
//	-log-format    LOG_FORMAT            json or text (default "json")
//	-access-log    GATEWAY_ACCESS_LOG    one log line per request (default true)
//	-access-log-dir GATEWAY_ACCESS_LOG_DIR directory of stages' file:NAME access logs (default: none, refused)
//
// Stage caches live in the same Redis (shared by the fleet), and stages'
// "redis" access logs go to the stream {prefix}accesslog.
//
// SIGINT or SIGTERM stops accepting connections, drains in-flight requests
// and leaves the fleet.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/accesslog"
	"github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/server"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func run(args []string) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	addr := fs.String("addr", env("GATEWAY_ADDR", ":8081"), "listen address (GATEWAY_ADDR)")
	privateAddr := fs.String("private-addr", env("GATEWAY_PRIVATE_ADDR", ""),
		"private listener, serving PRIVATE APIs to every caller that reaches it, and REGIONAL ones (GATEWAY_PRIVATE_ADDR, default none)")
	baseDomain := fs.String("base-domain", env("TURNPIKE_BASE_DOMAIN", "localhost"), "base domain of invoke hosts (TURNPIKE_BASE_DOMAIN)")
	redisURL := fs.String("redis-url", env("REDIS_URL", ""), "Redis URL of the fleet (REDIS_URL, required)")
	redisPrefix := fs.String("redis-prefix", env("TURNPIKE_REDIS_PREFIX", ""), "key prefix of the fleet bus (TURNPIKE_REDIS_PREFIX)")
	id := fs.String("id", env("GATEWAY_ID", ""), "gateway id in the fleet (GATEWAY_ID, default random)")
	logLevel := fs.String("log-level", env("LOG_LEVEL", "info"), "log level: debug, info, warn, error (LOG_LEVEL)")
	logFormat := fs.String("log-format", env("LOG_FORMAT", "json"), "log format: json or text (LOG_FORMAT)")
	accessLogDefault, err := strconv.ParseBool(env("GATEWAY_ACCESS_LOG", "true"))
	if err != nil {
		return fmt.Errorf("GATEWAY_ACCESS_LOG: %w", err)
	}
	accessLog := fs.Bool("access-log", accessLogDefault, "one log line per request (GATEWAY_ACCESS_LOG)")
	accessLogDir := fs.String("access-log-dir", env("GATEWAY_ACCESS_LOG_DIR", ""), "directory of stages' file:NAME access logs (GATEWAY_ACCESS_LOG_DIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("log level %q: %w", *logLevel, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler = slog.NewJSONHandler(os.Stdout, opts)
	if *logFormat == "text" {
		handler = slog.NewTextHandler(os.Stdout, opts)
	}
	logger := slog.New(handler)

	if *redisURL == "" {
		return errors.New("REDIS_URL is required: gateways of a fleet share their config through Redis " +
			"(e.g. REDIS_URL=redis://127.0.0.1:6379/0); for a single machine, run the backend, which embeds a gateway")
	}
	ropts, err := redis.ParseURL(*redisURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	client := redis.NewClient(ropts)
	defer client.Close()
	bus := fleet.NewRedis(client, *redisPrefix)
	defer bus.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = client.Ping(pctx).Err()
	cancel()
	if err != nil {
		// Not fatal: the gateway retries and stays unready until Redis answers.
		logger.Warn("redis is not reachable yet; retrying", "error", err)
	}

	// The limiter has its own client with short timeouts and no retries:
	// when Redis is unreachable a request fails over to the stage's
	// limitsFailMode within ~250ms, then the limiter backs off for a second.
	limClient := redis.NewClient(limit.ClientOptions(*ropts))
	defer limClient.Close()

	gw, err := server.New(server.Config{
		ListenAddr:        *addr,
		PrivateListenAddr: *privateAddr,
		BaseDomain:        *baseDomain,
		GatewayID:         *id,
		AccessLog:         *accessLog,

		Cache: cache.NewRedis(client, *redisPrefix),
		AccessLogs: accesslog.NewSinks(accesslog.SinkConfig{
			Dir: *accessLogDir, Redis: client, StreamKey: streamKey(*redisPrefix), Logger: logger,
		}),
		Limiter: limit.NewRedis(limClient, *redisPrefix),
	}, bus, logger)
	if err != nil {
		return err
	}
	return gw.ListenAndServe(ctx)
}
