package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/turnpike/turnpike/backend/config"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/gateway/fleet"
)

// base is what every command needs: configuration, logger, a migrated
// database and the fleet bus.
type base struct {
	cfg   *config.Config
	log   *slog.Logger
	db    *db.DB
	bus   fleet.Bus
	redis *redis.Client
}

func openBase(ctx context.Context, wantBus bool) (*base, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	b := &base{cfg: cfg, log: newLogger(cfg.LogLevel, cfg.LogFormat)}
	b.db, err = db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := b.db.Migrate(ctx, b.log); err != nil {
		b.close()
		return nil, err
	}
	if !wantBus {
		return b, nil
	}
	if cfg.RedisURL == "" {
		b.bus = fleet.NewMemory()
		return b, nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		b.close()
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	b.redis = redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := b.redis.Ping(pctx).Err(); err != nil {
		b.close()
		return nil, fmt.Errorf("connecting to Redis at %s: %w", opts.Addr, err)
	}
	b.bus = fleet.NewRedis(b.redis, cfg.RedisPrefix)
	return b, nil
}

func (b *base) close() {
	if b.bus != nil {
		_ = b.bus.Close()
	}
	if b.redis != nil {
		_ = b.redis.Close()
	}
	if b.db != nil {
		_ = b.db.Close()
	}
}

// dialTemporal connects to Temporal, retrying for up to a minute so that a
// platform started all at once (docker compose) waits for its server.
func dialTemporal(ctx context.Context, address, namespace string, log *slog.Logger) (client.Client, error) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := client.DialContext(ctx, client.Options{
			HostPort:  address,
			Namespace: namespace,
			Logger:    tlog.NewStructuredLogger(log.With("component", "temporal")),
		})
		if err == nil {
			return c, nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return nil, fmt.Errorf("connecting to Temporal at %s: %w", address, err)
		}
		log.Warn("Temporal not reachable yet; retrying", "address", address, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}
