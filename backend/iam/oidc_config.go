package iam

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
)

// SSO actions.
const (
	ActionGetSSOConfiguration    = "iam:GetSSOConfiguration"
	ActionUpdateSSOConfiguration = "iam:UpdateSSOConfiguration"
	ActionDeleteSSOConfiguration = "iam:DeleteSSOConfiguration"
)

// Errors of console single sign-on.
var (
	ErrOIDCNotConfigured = apierr.NotFound("sso.not-configured", "Single sign-on is not configured for this tenant.")
	ErrOIDCInvalid       = apierr.Unprocessable("sso.invalid", "Invalid single sign-on configuration.")
	// ErrOIDCLoginFailed is the one answer to a failed sign-in through the
	// provider; the cause is logged.
	ErrOIDCLoginFailed = apierr.Unauthorized("sso.failed", "Single sign-on failed; try again or sign in with a password.")
	// ErrSecretKeyMissing refuses to store a client secret in the clear.
	ErrSecretKeyMissing = apierr.Conflict("sso.secret-key-missing",
		"The platform has no TURNPIKE_SECRET_KEY to encrypt the client secret with; ask the platform operator to set one.")
)

// OIDCConfig is a tenant's OpenID Connect provider for console sign-in.
type OIDCConfig struct {
	TenantID string
	Issuer   string
	ClientID string
	// ClientSecret never leaves the service.
	ClientSecret string
	// GroupClaim names the ID token claim holding the user's groups.
	GroupClaim string
	// GroupMappings map a provider group to a Turnpike group, managed or
	// customer policy, or built-in role (by name), given to users at each
	// sign-in.
	GroupMappings map[string]string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// PutOIDCConfigCommand sets a tenant's provider.
type PutOIDCConfigCommand struct {
	TenantID string
	Issuer   string
	ClientID string
	// ClientSecret empty keeps the stored one.
	ClientSecret  string
	GroupClaim    string
	GroupMappings map[string]string
}

// Validate checks and normalises the command.
func (c *PutOIDCConfigCommand) Validate() error {
	c.Issuer = strings.TrimRight(strings.TrimSpace(c.Issuer), "/")
	c.ClientID = strings.TrimSpace(c.ClientID)
	if c.GroupClaim == "" {
		c.GroupClaim = "groups"
	}
	f := newFieldErrors(ErrOIDCInvalid)
	u, err := url.Parse(c.Issuer)
	f.check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "issuer", "invalid",
		"Must be the provider's issuer URL, e.g. https://accounts.example.com.")
	f.check(c.ClientID != "" && len(c.ClientID) <= 256, "clientId", "required", "Cannot be blank.")
	f.check(len(c.ClientSecret) <= 1024, "clientSecret", "too-long", "Must be at most 1024 characters.")
	f.check(len(c.GroupClaim) <= 128, "groupClaim", "too-long", "Must be at most 128 characters.")
	f.check(len(c.GroupMappings) <= 100, "groupMappings", "too-many", "At most 100 mappings.")
	for k, v := range c.GroupMappings {
		f.check(k != "" && v != "" && len(k) <= 256 && len(v) <= 128, "groupMappings", "invalid",
			"Each mapping needs a provider group and a Turnpike group, policy or role name.")
	}
	return f.result()
}

// SSO is console single sign-on with OpenID Connect.
type SSO interface {
	PutOIDCConfig(ctx context.Context, cmd PutOIDCConfigCommand) (*OIDCConfig, error)
	// GetOIDCConfig returns the tenant's provider, or ErrOIDCNotConfigured.
	GetOIDCConfig(ctx context.Context, tenantID string) (*OIDCConfig, error)
	DeleteOIDCConfig(ctx context.Context, tenantID string) error
	// SSOEnabled reports whether the tenant of this name signs in with a
	// provider.
	SSOEnabled(ctx context.Context, tenantName string) (bool, error)
	// BeginOIDCLogin starts a sign-in: it records state, nonce and PKCE
	// verifier, and returns the provider URL to redirect to and the state
	// to bind to the browser with a cookie.
	BeginOIDCLogin(ctx context.Context, cmd BeginOIDCLoginCommand) (authURL, state string, err error)
	// FinishOIDCLogin redeems the provider's code: it checks the state
	// against the cookie's, verifies the ID token and its nonce, finds or
	// creates the user by email in the tenant, applies the group mappings
	// and opens a console session.
	FinishOIDCLogin(ctx context.Context, cmd FinishOIDCLoginCommand) (*LoginResult, string, error)
}

// BeginOIDCLoginCommand starts a sign-in.
type BeginOIDCLoginCommand struct {
	TenantName string
	// RedirectURL is the callback URL registered with the provider.
	RedirectURL string
	// ReturnTo is the console path to land on; only local paths are kept.
	ReturnTo string
}

// FinishOIDCLoginCommand completes a sign-in.
type FinishOIDCLoginCommand struct {
	State, CookieState, Code, RedirectURL, SourceIP string
}
