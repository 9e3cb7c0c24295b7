package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/turnpike/turnpike/backend/apis/apisimpl"
	"github.com/turnpike/turnpike/backend/app"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/backend/temporaldev"
	"github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/server"
	"github.com/turnpike/turnpike/web"
	"github.com/turnpike/turnpike/workflows/deploy"
	"github.com/turnpike/turnpike/workflows/worker"
)

// serve runs the management API and console, plus whatever of the platform
// the configuration leaves in-process: the deploy worker, a Temporal dev
// server and one gateway.
func serve(ctx context.Context) error {
	b, err := openBase(ctx, true)
	if err != nil {
		return err
	}
	defer b.close()
	cfg, log := b.cfg, b.log

	temporalAddr, namespace := cfg.TemporalAddress, cfg.TemporalNamespace
	if temporalAddr == "" {
		bin, err := temporaldev.FindBinary()
		if err != nil {
			return err
		}
		fmt.Println("starting the Temporal dev server (" + bin + ") ...")
		dev, err := temporaldev.Start(ctx, bin, log)
		if err != nil {
			return err
		}
		defer func() {
			if err := dev.Stop(); err != nil {
				log.Warn("stopping the Temporal dev server", "err", err)
			}
		}()
		temporalAddr, namespace = dev.Address, dev.Namespace
	}
	tc, err := dialTemporal(ctx, temporalAddr, namespace, log)
	if err != nil {
		return err
	}
	defer tc.Close()

	deployStore := apisimpl.NewDeployStore(b.db)
	// The in-process bus starts empty, and a Redis bus may have lost its
	// data: put every deployed stage back before anything serves.
	if err := deployStore.Reconcile(ctx, b.bus); err != nil {
		return fmt.Errorf("republishing deployed stages: %w", err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Worker {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := worker.Run(runCtx, tc, &deploy.Activities{Store: deployStore, Bus: b.bus}, log); err != nil {
				errs <- fmt.Errorf("deploy worker: %w", err)
			}
		}()
	}
	// One limiter for the embedded gateway and the usage plan API, so both
	// see the same counters: Redis in a fleet, in-process otherwise.
	limiter := limit.New(b.redis, cfg.RedisPrefix)
	// One cache store for the embedded gateway and the flush API: Redis in a
	// fleet (shared with every gateway), in-process otherwise.
	cacheStore := cache.RedisOrMemory(b.redis, cfg.RedisPrefix)
	key, err := secretKey(cfg, log)
	if err != nil {
		return err
	}
	consoleFS, built := web.Dist()
	appCfg := app.Config{
		DB: b.db, Bus: b.bus, Starter: deploy.NewStarter(tc), Logger: log,
		IAM:        iamimpl.Config{Logger: log},
		BaseDomain: cfg.BaseDomain, PublicURL: cfg.PublicURL, GatewayURL: cfg.GatewayURL, FleetTimeout: cfg.FleetTimeout,
		Console: consoleFS, ConsoleBuilt: built, TrustedProxies: cfg.TrustedProxies,
		Cache: cacheStore, Counters: limiter, Signup: cfg.Signup,
		RedisPrefix: cfg.RedisPrefix, AuthFailureLimit: cfg.AuthFailureLimit, SecretKey: key,
	}
	if b.redis != nil {
		// Sign-in lockouts and failed-authentication counts hold on every replica.
		appCfg.Redis = b.redis
	}
	a, err := app.New(appCfg)
	if err != nil {
		return err
	}
	if err := sealStoredSecrets(ctx, a.SSO, key != nil, log); err != nil {
		return err
	}
	wg.Go(func() { a.IAM.RunSessionPurge(runCtx, time.Hour) })
	boot, err := a.IAM.Bootstrap(ctx, iam.BootstrapConfig{
		AdminEmail: cfg.AdminEmail, AdminPassword: cfg.AdminPassword, BootstrapToken: cfg.BootstrapToken,
	})
	if err != nil {
		return fmt.Errorf("creating the first tenant: %w", err)
	}
	// Like stages: put every key, plan and tenant limit back before
	// anything serves.
	if err := a.Usage.Reconcile(ctx); err != nil {
		return fmt.Errorf("republishing API keys, usage plans and tenant limits: %w", err)
	}
	if err := a.REST.ReconcileTargetGroups(ctx); err != nil {
		return fmt.Errorf("republishing target groups: %w", err)
	}
	// And every tenant's execute-api grants, then keep them current.
	if err := a.Grants.SyncAll(ctx); err != nil {
		return fmt.Errorf("publishing execute-api grants: %w", err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.Grants.Run(runCtx, time.Minute)
	}()
	if cfg.GatewayAddr != "" {
		gw, err := server.New(server.Config{ListenAddr: cfg.GatewayAddr, BaseDomain: cfg.BaseDomain, GatewayID: "embedded", AccessLog: true, Cache: cacheStore,
			Limiter: limiter}, b.bus, log.With("component", "gateway"))
		if err != nil {
			return err
		}
		gl, err := net.Listen("tcp", cfg.GatewayAddr)
		if err != nil {
			return fmt.Errorf("gateway listener: %w", err)
		}
		_ = gl.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := gw.ListenAndServe(runCtx); err != nil && !errors.Is(err, context.Canceled) {
				errs <- fmt.Errorf("gateway: %w", err)
			}
		}()
	}
	srv := a.Server
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("management API listener: %w", err)
	}
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("management API: %w", err)
		}
	}()

	fmt.Printf("console: %s\n", cfg.PublicURL)
	fmt.Printf("gateway: %s\n", cfg.GatewayURL)
	switch {
	case boot.Created && boot.Password != "":
		fmt.Printf("login:   %s / %s   (shown once; change it after signing in)\n", boot.Email, boot.Password)
	case boot.Created:
		fmt.Printf("login:   %s / (TURNPIKE_ADMIN_PASSWORD)\n", boot.Email)
	default:
		fmt.Printf("login:   %s (password set on first start)\n", cfg.AdminEmail)
	}
	if !built {
		fmt.Println("note:    the console was not built into this binary; run `make build` (needs Node.js)")
	}

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-errs:
		log.Error("stopping after a failure", "err", runErr)
	}
	shutdownCtx, done := context.WithTimeout(context.Background(), 15*time.Second)
	defer done()
	_ = httpSrv.Shutdown(shutdownCtx)
	cancel()
	wg.Wait()
	return runErr
}
