package iamimpl

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/secretbox"
)

// oidcLoginTTL bounds the time between leaving for the provider and coming
// back.
const oidcLoginTTL = 10 * time.Minute

// SSODirectory is what group mappings need of the tenant's directory
// (iam.Directory implements it): mapping targets are groups, then
// policies, by name.
type SSODirectory interface {
	ListGroups(ctx context.Context, tenantID string) ([]*iam.Group, error)
	AddUserToGroup(ctx context.Context, tenantID, groupID, userID string) error
	ListPolicies(ctx context.Context, tenantID string) ([]*iam.Policy, error)
	AttachPolicy(ctx context.Context, tenantID string, to iam.PrincipalRef, policyID string) error
}

// SSOService implements iam.SSO.
type SSOService struct {
	svc *Service
	st  *oidcStore
	dir SSODirectory
	// HTTPClient talks to the providers; default a client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// ProviderTTL is how long a provider's discovery document is reused;
	// default 1 hour. A failed code exchange or ID token check forgets it
	// at once, so a provider that rotated its endpoints or keys is read
	// again on the next sign-in.
	ProviderTTL time.Duration

	mu        sync.Mutex
	providers map[string]cachedProvider
}

// cachedProvider is a discovered provider and when it was discovered.
type cachedProvider struct {
	p  *oidc.Provider
	at time.Time
}

var _ iam.SSO = (*SSOService)(nil)

// SSOOption configures an SSOService.
type SSOOption func(*SSOService)

// WithSecretBox encrypts client secrets with box (TURNPIKE_SECRET_KEY).
// Without it a client secret cannot be saved (ErrSecretKeyMissing), and
// only secrets stored in the clear before encryption are read.
func WithSecretBox(box *secretbox.Box) SSOOption {
	return func(s *SSOService) { s.st.box = box }
}

// NewSSOService returns single sign-on over the database; dir (may be nil:
// then only built-in role names map) applies group mappings.
func NewSSOService(d *db.DB, svc *Service, dir SSODirectory, opts ...SSOOption) *SSOService {
	s := &SSOService{svc: svc, st: &oidcStore{g: d.Gorm}, dir: dir, HTTPClient: &http.Client{Timeout: 10 * time.Second},
		ProviderTTL: time.Hour, providers: map[string]cachedProvider{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// SealStoredSecrets encrypts the client secrets stored in the clear (before
// TURNPIKE_SECRET_KEY existed) and returns how many there were; without a
// key it encrypts nothing and only counts them, so the caller can warn.
// It is safe to run on every start and on every replica.
func (s *SSOService) SealStoredSecrets(ctx context.Context) (int, error) {
	return s.st.sealPlainSecrets(ctx)
}

// PutOIDCConfig implements iam.SSO.
func (s *SSOService) PutOIDCConfig(ctx context.Context, cmd iam.PutOIDCConfigCommand) (*iam.OIDCConfig, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	now := s.svc.now()
	c := &iam.OIDCConfig{TenantID: cmd.TenantID, Issuer: cmd.Issuer, ClientID: cmd.ClientID, ClientSecret: cmd.ClientSecret,
		GroupClaim: cmd.GroupClaim, GroupMappings: cmd.GroupMappings, CreatedAt: now, UpdatedAt: now}
	if c.GroupMappings == nil {
		c.GroupMappings = map[string]string{}
	}
	old, err := s.st.getConfig(ctx, cmd.TenantID)
	switch {
	case err == nil:
		c.CreatedAt = old.CreatedAt
		if c.ClientSecret == "" {
			c.ClientSecret = old.ClientSecret
		}
	case !errors.Is(err, iam.ErrOIDCNotConfigured):
		return nil, err
	}
	if err := s.st.putConfig(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// GetOIDCConfig implements iam.SSO.
func (s *SSOService) GetOIDCConfig(ctx context.Context, tenantID string) (*iam.OIDCConfig, error) {
	return s.st.getConfig(ctx, tenantID)
}

// DeleteOIDCConfig implements iam.SSO.
func (s *SSOService) DeleteOIDCConfig(ctx context.Context, tenantID string) error {
	return s.st.deleteConfig(ctx, tenantID)
}

// SSOEnabled implements iam.SSO.
func (s *SSOService) SSOEnabled(ctx context.Context, tenantName string) (bool, error) {
	t, err := s.st.tenantByName(ctx, strings.ToLower(strings.TrimSpace(tenantName)))
	if errors.Is(err, iam.ErrTenantNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = s.st.getConfig(ctx, t.ID)
	if errors.Is(err, iam.ErrOIDCNotConfigured) {
		return false, nil
	}
	return err == nil, err
}

func (s *SSOService) oauth(ctx context.Context, c *iam.OIDCConfig, redirectURL string) (context.Context, *oidc.Provider, *oauth2.Config, error) {
	ctx = oidc.ClientContext(ctx, s.HTTPClient)
	p, err := s.provider(ctx, c.Issuer)
	if err != nil {
		return nil, nil, nil, err
	}
	return ctx, p, &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirectURL, Scopes: scopes(c)}, nil
}

// provider returns the issuer's discovered provider, from the cache while
// it is fresh. The provider keeps the HTTP client of ctx (not ctx itself)
// for fetching keys later, so it outlives the request that discovered it.
func (s *SSOService) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	now := s.svc.cfg.Now()
	s.mu.Lock()
	cp, ok := s.providers[issuer]
	s.mu.Unlock()
	if ok && now.Sub(cp.at) < s.ProviderTTL {
		return cp.p, nil
	}
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("discovering provider %s: %w", issuer, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.providers == nil {
		s.providers = map[string]cachedProvider{}
	}
	// Issuers are a handful per tenant: drop stale entries as new ones come.
	for k, v := range s.providers {
		if now.Sub(v.at) >= s.ProviderTTL {
			delete(s.providers, k)
		}
	}
	s.providers[issuer] = cachedProvider{p: p, at: now}
	return p, nil
}

// forgetProvider drops the issuer's cached discovery, after a failure that
// a changed provider could explain.
func (s *SSOService) forgetProvider(issuer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.providers, issuer)
}

// BeginOIDCLogin implements iam.SSO.
func (s *SSOService) BeginOIDCLogin(ctx context.Context, cmd iam.BeginOIDCLoginCommand) (string, string, error) {
	t, err := s.st.tenantByName(ctx, strings.ToLower(strings.TrimSpace(cmd.TenantName)))
	if err != nil {
		return "", "", iam.ErrOIDCNotConfigured.Errorf("tenant %q: %w", cmd.TenantName, err)
	}
	if t.Status != iam.TenantActive {
		return "", "", iam.ErrTenantSuspended
	}
	c, err := s.st.getConfig(ctx, t.ID)
	if err != nil {
		return "", "", err
	}
	_, _, oc, err := s.oauth(ctx, c, cmd.RedirectURL)
	if err != nil {
		return "", "", iam.ErrOIDCLoginFailed.Errorf("%w", err)
	}
	state, nonce, verifier := newSecret(), newSecret(), oauth2.GenerateVerifier()
	now := s.svc.now()
	returnTo := cmd.ReturnTo
	// Only a local path: never an open redirect.
	if !strings.HasPrefix(returnTo, "/") || strings.HasPrefix(returnTo, "//") || strings.Contains(returnTo, `\`) {
		returnTo = "/"
	}
	if err := s.st.insertLogin(ctx, &oidcLoginRow{StateHash: hashToken(state), TenantID: t.ID, Nonce: nonce,
		CodeVerifier: verifier, ReturnTo: returnTo, CreatedAt: now, ExpiresAt: now.Add(oidcLoginTTL)}); err != nil {
		return "", "", err
	}
	return oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), state, nil
}

// idClaims are the ID token claims sign-in uses; groups are read apart
// because the claim name is configurable.
type idClaims struct {
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
	Nonce         string `json:"nonce"`
}

// FinishOIDCLogin implements iam.SSO.
func (s *SSOService) FinishOIDCLogin(ctx context.Context, cmd iam.FinishOIDCLoginCommand) (*iam.LoginResult, string, error) {
	fail := func(format string, args ...any) (*iam.LoginResult, string, error) {
		return nil, "", iam.ErrOIDCLoginFailed.Errorf(format, args...)
	}
	if cmd.State == "" || cmd.Code == "" {
		return fail("callback without state or code")
	}
	// The state must come back to the browser that started the sign-in.
	if subtle.ConstantTimeCompare([]byte(cmd.State), []byte(cmd.CookieState)) != 1 {
		return fail("state does not match the cookie")
	}
	login, err := s.st.takeLogin(ctx, hashToken(cmd.State))
	if err != nil {
		return nil, "", err
	}
	if login == nil {
		return fail("unknown or used state")
	}
	if !s.svc.now().Before(login.ExpiresAt) {
		return fail("sign-in of tenant %s expired", login.TenantID)
	}
	c, err := s.st.getConfig(ctx, login.TenantID)
	if err != nil {
		return nil, "", err
	}
	octx, p, oc, err := s.oauth(ctx, c, cmd.RedirectURL)
	if err != nil {
		return fail("%w", err)
	}
	tok, err := oc.Exchange(octx, cmd.Code, oauth2.VerifierOption(login.CodeVerifier))
	if err != nil {
		s.forgetProvider(c.Issuer)
		return fail("exchanging code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return fail("no id_token in the token response")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: c.ClientID}).Verify(octx, raw)
	if err != nil {
		s.forgetProvider(c.Issuer)
		return fail("verifying id_token: %w", err)
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		return fail("decoding claims: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(claims.Nonce), []byte(login.Nonce)) != 1 {
		return fail("nonce mismatch")
	}
	email := strings.ToLower(strings.TrimSpace(claims.Email))
	if email == "" || (claims.EmailVerified != nil && !*claims.EmailVerified) {
		return fail("no verified email in the id_token")
	}
	var all map[string]any
	if err := idt.Claims(&all); err != nil {
		return fail("decoding claims: %w", err)
	}
	groups := stringsClaim(all[c.GroupClaim])

	u, err := s.userFor(ctx, login.TenantID, email, claims.Name)
	if err != nil {
		return nil, "", err
	}
	if err := s.applyMappings(ctx, c, u, groups); err != nil {
		return nil, "", err
	}
	// Reload: the mappings may have added roles.
	if u, err = s.svc.store.getUser(ctx, login.TenantID, u.ID); err != nil {
		return nil, "", err
	}
	t, err := s.svc.activeTenantUser(ctx, u)
	if err != nil {
		if errors.Is(err, iam.ErrTenantSuspended) {
			return nil, "", err
		}
		return fail("user %s: %w", u.ID, err)
	}
	now := s.svc.now()
	token := newSecret()
	ses := &iam.Session{ID: newSessionID(), TenantID: u.TenantID, UserID: u.ID, CSRFToken: newSecret(),
		CreatedAt: now, ExpiresAt: now.Add(s.svc.cfg.SessionTTL)}
	if err := s.svc.store.insertSession(ctx, ses, hashToken(token)); err != nil {
		return nil, "", err
	}
	s.svc.log.InfoContext(ctx, "single sign-on", "tenant", t.ID, "user", u.ID, "groups", len(groups))
	return &iam.LoginResult{Identity: iam.Identity{User: u, Tenant: t, CSRFToken: ses.CSRFToken}, SessionToken: token,
		ExpiresAt: ses.ExpiresAt}, login.ReturnTo, nil
}

// userFor finds the user of the email in the tenant, or creates one whose
// password nobody knows (they sign in through the provider).
func (s *SSOService) userFor(ctx context.Context, tenantID, email, name string) (*iam.User, error) {
	u, err := s.svc.store.getUserByEmail(ctx, email)
	if err == nil {
		if u.TenantID != tenantID {
			// Emails are unique across tenants: never join another tenant's user.
			return nil, iam.ErrOIDCLoginFailed.Errorf("email %s belongs to another tenant", email)
		}
		return u, nil
	}
	if !errors.Is(err, iam.ErrUserNotFound) {
		return nil, err
	}
	if name == "" {
		name = strings.Split(email, "@")[0]
	}
	if len(name) > 128 {
		name = name[:128]
	}
	nu, err := s.svc.newUser(iam.CreateUserCommand{TenantID: tenantID, Email: email, Name: name, Password: newSecret()})
	if err != nil {
		return nil, iam.ErrOIDCLoginFailed.Errorf("creating user %s: %w", email, err)
	}
	if err := s.svc.store.insertUser(ctx, nu); err != nil {
		return nil, err
	}
	return nu, nil
}

// applyMappings gives the user what each of their provider groups maps
// to: a Turnpike group, else a policy, else a built-in role, by name.
// Unknown targets are logged and skipped.
func (s *SSOService) applyMappings(ctx context.Context, c *iam.OIDCConfig, u *iam.User, groups []string) error {
	var targets []string
	for _, g := range groups {
		if t, ok := c.GroupMappings[g]; ok {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	var tgroups []*iam.Group
	var tpolicies []*iam.Policy
	if s.dir != nil {
		var err error
		if tgroups, err = s.dir.ListGroups(ctx, u.TenantID); err != nil {
			return err
		}
		if tpolicies, err = s.dir.ListPolicies(ctx, u.TenantID); err != nil {
			return err
		}
	}
next:
	for _, target := range targets {
		for _, g := range tgroups {
			if g.Name == target {
				if err := s.dir.AddUserToGroup(ctx, u.TenantID, g.ID, u.ID); err != nil && !isConflict(err) {
					return err
				}
				continue next
			}
		}
		for _, p := range tpolicies {
			if p.Name == target {
				err := s.dir.AttachPolicy(ctx, u.TenantID, iam.PrincipalRef{Type: iam.PrincipalUser, ID: u.ID}, p.ID)
				if err != nil && !isConflict(err) {
					return err
				}
				continue next
			}
		}
		if iam.IsRole(target) {
			if err := s.st.grantRole(ctx, u.TenantID, u.ID, target, s.svc.now()); err != nil {
				return err
			}
			continue
		}
		s.svc.log.WarnContext(ctx, "sso group mapping names no group, policy or role", "tenant", u.TenantID, "target", target)
	}
	return nil
}

// isConflict reports an "already so" answer (409) of the directory.
func isConflict(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Status == http.StatusConflict
}

// stringsClaim reads a claim that is a list of strings or one string.
func stringsClaim(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// scopes asks for groups only when they are mapped: some providers refuse
// scopes they do not know.
func scopes(c *iam.OIDCConfig) []string {
	s := []string{oidc.ScopeOpenID, "email", "profile"}
	if len(c.GroupMappings) > 0 && c.GroupClaim == "groups" {
		s = append(s, "groups")
	}
	return s
}
