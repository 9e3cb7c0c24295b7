// Package app assembles the management API server from its modules, the
// way `turnpike serve` runs it (backend/cmd/turnpike/serve.go calls New), so
// that tests (the route-walking isolation test) exercise exactly the routes
// production serves.
package app

import (
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/apis/apisimpl"
	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/executeapi"
	"github.com/turnpike/turnpike/backend/iam/iamauth"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/backend/iam/lockout"
	"github.com/turnpike/turnpike/backend/iam/secretbox"
	"github.com/turnpike/turnpike/backend/restapi/restapiimpl"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/backend/usage/usageimpl"
	"github.com/turnpike/turnpike/gateway/cache"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/limit"
)

// Config is what the server needs from its environment.
type Config struct {
	DB      *db.DB
	Bus     fleet.Bus
	Starter apis.Starter
	Logger  *slog.Logger
	// IAM tunes the identity service (session TTL, password parameters).
	IAM          iamimpl.Config
	BaseDomain   string
	PublicURL    string
	GatewayURL   string
	FleetTimeout time.Duration
	// Console is the built console; nil serves a how-to-build page.
	Console        fs.FS
	ConsoleBuilt   bool
	TrustedProxies []string
	// Cache is the stage caches' store the flush API empties (default: an
	// in-process store).
	Cache cache.Store
	// Counters are the gateways' usage counters the usage API reads: the
	// embedded gateway's limiter, or Redis in a fleet (default: a fresh
	// in-process limiter).
	Counters usage.Counters
	// Signup enables self-service tenant sign-up (TURNPIKE_SIGNUP).
	Signup bool
	// Redis, when set, holds the sign-in lockout and the failed
	// authentication counts, so every backend replica sees the same ones
	// (keys under RedisPrefix); nil keeps them in process.
	Redis       redis.Cmdable
	RedisPrefix string
	// SecretKey (TURNPIKE_SECRET_KEY, 32 bytes) encrypts SSO client
	// secrets at rest; nil refuses to store new ones (see config).
	SecretKey []byte
	// AuthFailureLimit failed authentications (401) per minute from one
	// address lock it out for a minute (TURNPIKE_AUTH_FAILURE_LIMIT;
	// default 20).
	AuthFailureLimit int
}

// App is the assembled server with the services behind it.
type App struct {
	Server     *api.Server
	IAM        *iamimpl.Service
	Directory  *iamimpl.Directory
	Authorizer *authz.Authorizer
	APIs       *apisimpl.Service
	Usage      *usageimpl.Service
	// SSO is console single sign-on; serve seals its stored secrets.
	SSO *iamimpl.SSOService
	// Grants publishes the tenants' execute-api grants (AWS_IAM methods);
	// serve runs it.
	Grants *executeapi.Publisher
	// REST is the REST API service; serve reconciles its target groups.
	REST *restapiimpl.Service
}

// New builds the services and the server with every module.
func New(cfg Config) (*App, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	iamCfg := cfg.IAM
	if iamCfg.Logger == nil {
		iamCfg.Logger = log
	}
	if iamCfg.LoginLimiter == nil {
		iamCfg.LoginLimiter = lockout.New(cfg.Redis, cfg.RedisPrefix, "login", iamimpl.LoginPolicy(iamCfg), iamCfg.Now)
	}
	authFailureLimit := cfg.AuthFailureLimit
	if authFailureLimit <= 0 {
		authFailureLimit = 20
	}
	a := &App{IAM: iamimpl.New(cfg.DB, iamCfg), Directory: iamimpl.NewDirectory(cfg.DB, iamCfg)}
	a.Authorizer = authz.NewAuthorizer(a.Directory)
	a.APIs = apisimpl.ProvideService(apisimpl.Deps{
		DB: cfg.DB, Bus: cfg.Bus, Starter: cfg.Starter, Logger: log, FleetTimeout: cfg.FleetTimeout,
	})
	apisModule, err := api.NewAPIsModule(api.APIsConfig{
		Service: a.APIs, Gateways: cfg.Bus, Logger: log, BaseDomain: cfg.BaseDomain, GatewayURL: cfg.GatewayURL,
	})
	if err != nil {
		return nil, err
	}
	cacheStore := cfg.Cache
	if cacheStore == nil {
		cacheStore = cache.NewMemory(nil)
	}
	cacheModule, err := api.NewCacheModule(a.APIs, cacheStore)
	if err != nil {
		return nil, err
	}
	keyBus := fleet.AsKeyBus(cfg.Bus)
	if keyBus == nil {
		return nil, fmt.Errorf("the fleet bus carries no API keys")
	}
	counters := cfg.Counters
	if counters == nil {
		counters = limit.New(nil, "")
	}
	a.Usage = usageimpl.ProvideService(usageimpl.Deps{
		DB: cfg.DB, Bus: keyBus, Counters: counters, Stages: a.APIs, Logger: log,
	})
	// Deleting an API or stage drops it from usage plans in the same
	// transaction.
	a.APIs.OnDelete(a.Usage.DropAPIStages)
	usageModule, err := api.NewUsageModule(api.UsageConfig{Service: a.Usage, Authz: a.Authorizer, Logger: log})
	if err != nil {
		return nil, err
	}
	tenantBus := fleet.AsTenantBus(cfg.Bus)
	if tenantBus == nil {
		return nil, fmt.Errorf("the fleet bus carries no tenant grants")
	}
	a.Grants = executeapi.NewPublisher(executeapi.NewStore(cfg.DB), a.Directory, tenantBus, log)
	// Target group edits reach the gateways without a redeploy.
	a.REST = restapiimpl.ProvideService(cfg.DB, restapiimpl.WithTargetGroupBus(tenantBus, log))
	var ssoOpts []iamimpl.SSOOption
	if cfg.SecretKey != nil {
		box, err := secretbox.New(cfg.SecretKey)
		if err != nil {
			return nil, err
		}
		ssoOpts = append(ssoOpts, iamimpl.WithSecretBox(box))
	}
	a.SSO = iamimpl.NewSSOService(cfg.DB, a.IAM, a.Directory, ssoOpts...)
	tenantSvc := iamimpl.NewTenantService(cfg.DB, a.IAM, cfg.Bus, apisimpl.NewDeployStore(cfg.DB))
	auditLog := audit.NewStore(cfg.DB)
	// Failed authentications and unknown invitation tokens count together
	// per source address.
	authFailures := lockout.New(cfg.Redis, cfg.RedisPrefix, "authn",
		lockout.Policy{Max: authFailureLimit, Window: time.Minute, Lockout: time.Minute}, nil)
	var srv *api.Server
	srv = api.New(api.Config{
		Logger: log,
		Authn:  iamauth.New(a.IAM),
		// Platform actions are for platform operators only, whatever a
		// tenant's policies allow.
		Authz: api.PlatformGuard{Next: a.Authorizer, Admins: tenantSvc},
		// Each mutating request commits with its audit entry.
		Tx: cfg.DB,
		// Committed IAM changes republish the tenant's execute-api grants.
		Audit:        a.Grants.WrapAudit(auditLog),
		AuthFailures: authFailures,
		Modules: []api.Module{
			api.NewIAMModule(a.IAM, api.WithPlatformOperators(tenantSvc)),
			api.NewIAMAdminModule(api.IAMAdminConfig{Service: a.IAM, Directory: a.Directory, Authorizer: a.Authorizer}),
			api.NewTenantsModule(tenantSvc),
			api.NewTenantLimitsModule(a.Usage),
			api.NewPlatformOperatorsModule(tenantSvc),
			api.NewAuditModule(auditLog),
			// Provider groups map to the directory's groups and policies
			// (or built-in roles) by name.
			api.NewSSOModule(api.SSOConfig{SSO: a.SSO,
				PublicURL: cfg.PublicURL, SignupEnabled: cfg.Signup}),
			api.NewInviteModule(api.InviteConfig{Keys: a.IAM, PublicURL: cfg.PublicURL, Failures: authFailures,
				Invitations: iamimpl.NewInviteService(cfg.DB, a.IAM, tenantSvc, cfg.Signup, iamimpl.WithInviteDirectory(a.Directory))}),
			apisModule,
			api.NewRESTAPIModule(a.REST),
			usageModule,
			cacheModule,
			api.NewOpenAPIModule(func() []api.RouteInfo { return srv.Routes() }, api.OpenAPIInfo{}),
		},
		Console:        cfg.Console,
		ConsoleBuilt:   cfg.ConsoleBuilt,
		TrustedProxies: cfg.TrustedProxies,
	})
	a.Server = srv
	return a, nil
}
