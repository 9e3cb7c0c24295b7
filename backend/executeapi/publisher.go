package executeapi

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/reqctx"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Publisher publishes tenants' execute-api grants on the fleet.
type Publisher struct {
	store    Store
	policies authz.Source
	bus      fleet.TenantBus
	log      *slog.Logger
	now      func() time.Time

	mu      sync.Mutex
	pending map[string]bool // tenants to publish; "" means every tenant
	wake    chan struct{}

	// versions are the tenants' policy versions when last published, so a
	// change made outside the management API (an SSO sign-in mapping
	// groups) is noticed by polling them. Owned by Run.
	versions map[string]int64
	// pollEvery is VersionPollInterval (shorter in tests).
	pollEvery time.Duration
}

// NewPublisher returns a publisher reading keys from store and policies
// from policies (the IAM directory).
func NewPublisher(store Store, policies authz.Source, bus fleet.TenantBus, log *slog.Logger) *Publisher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Publisher{store: store, policies: policies, bus: bus, log: log.With("component", "execute-api-grants"),
		now: time.Now, pending: map[string]bool{}, wake: make(chan struct{}, 1), versions: map[string]int64{},
		pollEvery: VersionPollInterval}
}

// Grants builds a tenant's grants as they are now.
func (p *Publisher) Grants(ctx context.Context, tenantID string) (*gwconfig.ExecuteAPIGrants, error) {
	now := p.now()
	keys, err := p.store.ActiveKeys(ctx, tenantID, now)
	if err != nil {
		return nil, err
	}
	out := &gwconfig.ExecuteAPIGrants{TenantID: tenantID, Keys: []gwconfig.ExecuteAPIKey{}, Revision: now.UnixNano()}
	for _, k := range keys {
		pp, err := p.policies.PrincipalPolicies(ctx, &reqctx.Principal{TenantID: tenantID, UserID: k.UserID, AccessKeyID: k.ID, Email: k.Email})
		if err != nil {
			return nil, fmt.Errorf("policies of access key %s: %w", k.ID, err)
		}
		kc := KeyContext{TenantID: tenantID, PrincipalID: k.UserID, AccessKeyID: k.ID, Email: k.Email}
		ek := gwconfig.ExecuteAPIKey{AccessKeyID: k.ID, PrincipalID: k.UserID, TokenHash: k.TokenHash, ExpiresAt: k.ExpiresAt}
		if !pp.PasswordResetRequired {
			// A user who must change their password first may do nothing
			// else, as in the management API.
			ek.Statements = Statements(pp.Identity, kc)
		}
		if pp.Session != nil {
			ek.HasSession = true
			ek.Session = Statements([]authz.Policy{*pp.Session}, kc)
		}
		out.Keys = append(out.Keys, ek)
	}
	return out, nil
}

// Sync publishes a tenant's grants now; a tenant without keys has its
// grants withdrawn.
func (p *Publisher) Sync(ctx context.Context, tenantID string) error {
	// Read the version first: a change racing the publish moves it again
	// and is published by the next poll.
	v, verr := p.policies.PolicyVersion(ctx, tenantID)
	if err := p.sync(ctx, tenantID); err != nil {
		return err
	}
	if verr == nil {
		p.mu.Lock()
		p.versions[tenantID] = v
		p.mu.Unlock()
	}
	return nil
}

// pollVersions publishes the tenants whose policy version differs from the
// one they were last published at.
func (p *Publisher) pollVersions(ctx context.Context) {
	p.mu.Lock()
	known := make(map[string]int64, len(p.versions))
	for id, v := range p.versions {
		known[id] = v
	}
	p.mu.Unlock()
	for id, was := range known {
		v, err := p.policies.PolicyVersion(ctx, id)
		if err != nil || v == was {
			continue
		}
		if err := p.Sync(ctx, id); err != nil && ctx.Err() == nil {
			p.log.Error("publishing execute-api grants", "tenant", id, "error", err)
		}
	}
}

func (p *Publisher) sync(ctx context.Context, tenantID string) error {
	g, err := p.Grants(ctx, tenantID)
	if err != nil {
		return err
	}
	if len(g.Keys) == 0 {
		return p.bus.DeleteExecuteAPIGrants(ctx, tenantID)
	}
	return p.bus.PutExecuteAPIGrants(ctx, g)
}

// SyncAll publishes every tenant's grants.
func (p *Publisher) SyncAll(ctx context.Context) error {
	ids, err := p.store.Tenants(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := p.Sync(ctx, id); err != nil {
			return fmt.Errorf("publishing execute-api grants of %s: %w", id, err)
		}
	}
	return nil
}

// Changed schedules a publish of the tenant's grants once the transaction
// ctx carries commits (at once without one); "" schedules every tenant.
// Publishing happens on Run's goroutine, so a slow bus never holds up the
// request that made the change.
func (p *Publisher) Changed(ctx context.Context, tenantID string) {
	db.AfterCommit(ctx, func() {
		p.mu.Lock()
		p.pending[tenantID] = true
		p.mu.Unlock()
		select {
		case p.wake <- struct{}{}:
		default:
		}
	})
}

// VersionPollInterval is how often Run compares the tenants' policy
// versions with those it published.
const VersionPollInterval = 5 * time.Second

// Run publishes every tenant at start and every resync, scheduled tenants
// as they come, and tenants whose policy version moved, until ctx ends.
// Failures are logged and retried at the next resync.
func (p *Publisher) Run(ctx context.Context, resync time.Duration) {
	if err := p.SyncAll(ctx); err != nil && ctx.Err() == nil {
		p.log.Error("publishing execute-api grants at start", "error", err)
	}
	t := time.NewTicker(resync)
	defer t.Stop()
	poll := time.NewTicker(p.pollEvery)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.Changed(ctx, "")
		case <-poll.C:
			p.pollVersions(ctx)
		case <-p.wake:
		}
		p.mu.Lock()
		pending := p.pending
		p.pending = map[string]bool{}
		p.mu.Unlock()
		if pending[""] {
			if err := p.SyncAll(ctx); err != nil && ctx.Err() == nil {
				p.log.Error("publishing execute-api grants", "error", err)
			}
			continue
		}
		for id := range pending {
			// A failure is retried by the next resync, which publishes
			// every tenant.
			if err := p.Sync(ctx, id); err != nil && ctx.Err() == nil {
				p.log.Error("publishing execute-api grants", "tenant", id, "error", err)
			}
		}
	}
}

// WrapAudit returns next with a hook: every successful mutating IAM call
// (iam:*) schedules its tenant's grants, and platform calls (tenants
// created, suspended) every tenant's, after the call's transaction commits.
func (p *Publisher) WrapAudit(next audit.Log) audit.Log { return &auditHook{Log: next, p: p} }

type auditHook struct {
	audit.Log
	p *Publisher
}

func (h *auditHook) Record(ctx context.Context, e *audit.Entry) error {
	if err := h.Log.Record(ctx, e); err != nil {
		return err
	}
	if e.ErrorCode != "" || e.Status >= 400 || e.Method == "GET" || e.Method == "HEAD" {
		return nil
	}
	switch {
	case strings.HasPrefix(e.Action, "iam:") && e.TenantID != "":
		h.p.Changed(ctx, e.TenantID)
	case strings.HasPrefix(e.Action, "platform:"):
		h.p.Changed(ctx, "")
	}
	return nil
}
