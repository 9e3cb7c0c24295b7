package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/apis/apisimpl"
	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamauth"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/backend/restapi/restapiimpl"
	"github.com/turnpike/turnpike/backend/temporaldev"
	"github.com/turnpike/turnpike/backend/usage/usageimpl"
	"github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/fleet"
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

	iamSvc := iamimpl.New(b.db, iamimpl.Config{Logger: log})
	boot, err := iamSvc.Bootstrap(ctx, iam.BootstrapConfig{
		AdminEmail: cfg.AdminEmail, AdminPassword: cfg.AdminPassword, BootstrapToken: cfg.BootstrapToken,
	})
	if err != nil {
		return fmt.Errorf("creating the first tenant: %w", err)
	}
	// Policies, groups and roles decide every request (backend/authz);
	// decisions are cached per tenant policy version.
	directory := iamimpl.NewDirectory(b.db, iamimpl.Config{Logger: log})
	enforcer := authz.NewAuthorizer(directory)

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
	apisSvc := apisimpl.ProvideService(apisimpl.Deps{
		DB: b.db, Bus: b.bus, Starter: deploy.NewStarter(tc), Logger: log, FleetTimeout: cfg.FleetTimeout,
	})

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
	keyBus := fleet.AsKeyBus(b.bus)
	if keyBus == nil {
		return fmt.Errorf("the fleet bus carries no API keys")
	}
	usageSvc := usageimpl.ProvideService(usageimpl.Deps{
		DB: b.db, Bus: keyBus, Counters: limiter, Stages: apisSvc, Logger: log,
	})
	// Like stages: put every key, plan and tenant limit back before
	// anything serves.
	if err := usageSvc.Reconcile(ctx); err != nil {
		return fmt.Errorf("republishing API keys, usage plans and tenant limits: %w", err)
	}
	usageModule, err := api.NewUsageModule(api.UsageConfig{Service: usageSvc, Authz: enforcer, Logger: log})
	if err != nil {
		return err
	}
	// One cache store for the embedded gateway and the flush API: Redis in a
	// fleet (shared with every gateway), in-process otherwise.
	cacheStore := cache.RedisOrMemory(b.redis, cfg.RedisPrefix)
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

	consoleFS, built := web.Dist()
	var srv *api.Server
	apisModule, err := api.NewAPIsModule(api.APIsConfig{
		Service: apisSvc, Gateways: b.bus, Logger: log, BaseDomain: cfg.BaseDomain, GatewayURL: cfg.GatewayURL,
	})
	if err != nil {
		return err
	}
	cacheModule, err := api.NewCacheModule(apisSvc, cacheStore)
	if err != nil {
		return err
	}
	tenantSvc := iamimpl.NewTenantService(b.db, iamSvc, b.bus, deployStore)
	auditLog := audit.NewStore(b.db)
	srv = api.New(api.Config{
		Logger: log,
		Authn:  iamauth.New(iamSvc),
		// Platform actions are for platform operators only, whatever a
		// tenant's policies allow.
		Authz: api.PlatformGuard{Next: enforcer, Admins: tenantSvc},
		// Each mutating request commits with its audit entry.
		Tx:    b.db,
		Audit: auditLog,
		Modules: []api.Module{
			api.NewIAMModule(iamSvc),
			api.NewIAMAdminModule(api.IAMAdminConfig{Service: iamSvc, Directory: directory, Authorizer: enforcer}),
			api.NewTenantsModule(tenantSvc),
			api.NewAuditModule(auditLog),
			// Provider groups map to the directory's groups and policies
			// (or built-in roles) by name.
			api.NewSSOModule(api.SSOConfig{SSO: iamimpl.NewSSOService(b.db, iamSvc, directory),
				PublicURL: cfg.PublicURL, SignupEnabled: cfg.Signup}),
			api.NewInviteModule(api.InviteConfig{Keys: iamSvc, PublicURL: cfg.PublicURL,
				Invitations: iamimpl.NewInviteService(b.db, iamSvc, tenantSvc, cfg.Signup)}),
			apisModule,
			api.NewRESTAPIModule(restapiimpl.ProvideService(b.db)),
			usageModule,
			cacheModule,
			api.NewOpenAPIModule(func() []api.RouteInfo { return srv.Routes() }, api.OpenAPIInfo{}),
		},
		Console:        consoleFS,
		ConsoleBuilt:   built,
		TrustedProxies: cfg.TrustedProxies,
	})
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
