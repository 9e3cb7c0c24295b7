package api

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// SSOConfig wires the sign-in options module.
type SSOConfig struct {
	SSO iam.SSO
	// PublicURL is where browsers reach this server; the provider
	// redirects to {PublicURL}/v1/auth/oidc/callback.
	PublicURL string
	// SignupEnabled is TURNPIKE_SIGNUP.
	SignupEnabled bool
}

// ssoModule serves /v1/auth/config, the OpenID Connect sign-in and
// /v1/iam/oidc.
type ssoModule struct {
	cfg SSOConfig
}

// NewSSOModule returns the sign-in options and single sign-on module.
func NewSSOModule(cfg SSOConfig) Module {
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &ssoModule{cfg: cfg}
}

// oidcStateCookie binds a sign-in in flight to the browser that began it.
const oidcStateCookie = "turnpike_oidc"

// AuthConfigView answers GET /v1/auth/config: how one may sign in.
type AuthConfigView struct {
	SignupEnabled bool               `json:"signupEnabled"`
	OIDCProviders []OIDCProviderView `json:"oidcProviders"`
}

// OIDCProviderView is a tenant's single sign-on entry point.
type OIDCProviderView struct {
	Tenant   string `json:"tenant"`
	LoginURL string `json:"loginUrl"`
}

// OIDCConfigRequest is the body of PUT /v1/iam/oidc.
type OIDCConfigRequest struct {
	Issuer   string `json:"issuer"`
	ClientID string `json:"clientId"`
	// ClientSecret is stored and never answered; omit it to keep the
	// stored one.
	ClientSecret  string            `json:"clientSecret,omitempty"`
	GroupClaim    string            `json:"groupClaim,omitempty"`
	GroupMappings map[string]string `json:"groupMappings,omitempty"`
}

// OIDCConfigView is a tenant's provider, without its secret.
type OIDCConfigView struct {
	Issuer          string            `json:"issuer"`
	ClientID        string            `json:"clientId"`
	HasClientSecret bool              `json:"hasClientSecret"`
	GroupClaim      string            `json:"groupClaim"`
	GroupMappings   map[string]string `json:"groupMappings"`
	// LoginURL starts a console sign-in through the provider.
	LoginURL string `json:"loginUrl"`
	// RedirectURL is the callback to register with the provider.
	RedirectURL string    `json:"redirectUrl"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

var exampleOIDCConfig = OIDCConfigRequest{Issuer: "https://login.example.com", ClientID: "turnpike",
	ClientSecret: "…", GroupClaim: "groups", GroupMappings: map[string]string{"platform-team": "AdministratorAccess"}}

// Routes implements Module.
func (m *ssoModule) Routes(r *Router) {
	const get, put, del = http.MethodGet, http.MethodPut, http.MethodDelete
	r.Public(get, "/auth/config", "How to sign in: whether self-signup is on and, with ?tenant=NAME, that tenant's single sign-on",
		m.authConfig, &RouteDoc{Response: AuthConfigView{SignupEnabled: false,
			OIDCProviders: []OIDCProviderView{{Tenant: "acme", LoginURL: "/v1/auth/oidc/acme/login"}}}})
	r.Public(get, "/auth/oidc/:tenantName/login", "Sign in to the console through the tenant's OpenID provider (302 to the provider)",
		m.login, &RouteDoc{StatusCode: http.StatusFound})
	r.Public(get, "/auth/oidc/callback", "The OpenID provider's redirect back: opens a console session (302 to the console)",
		m.callback, &RouteDoc{StatusCode: http.StatusFound})
	r.Handle(get, "/iam/oidc", iam.ActionGetSSOConfiguration, "sso", "Get the tenant's single sign-on configuration (without secret)",
		m.get, &RouteDoc{Response: OIDCConfigView{Issuer: exampleOIDCConfig.Issuer, ClientID: "turnpike", HasClientSecret: true,
			GroupClaim: "groups", GroupMappings: exampleOIDCConfig.GroupMappings}})
	r.Handle(put, "/iam/oidc", iam.ActionUpdateSSOConfiguration, "sso",
		"Set the tenant's OpenID Connect provider for console sign-in and its group mappings", m.put,
		&RouteDoc{Request: exampleOIDCConfig, Response: OIDCConfigView{Issuer: exampleOIDCConfig.Issuer, ClientID: "turnpike",
			HasClientSecret: true, GroupClaim: "groups", GroupMappings: exampleOIDCConfig.GroupMappings}})
	r.Handle(del, "/iam/oidc", iam.ActionDeleteSSOConfiguration, "sso", "Turn single sign-on off", m.delete,
		&RouteDoc{StatusCode: http.StatusNoContent})
}

func (m *ssoModule) redirectURL() string { return m.cfg.PublicURL + "/v1/auth/oidc/callback" }

func loginPath(tenant string) string { return "/v1/auth/oidc/" + url.PathEscape(tenant) + "/login" }

func (m *ssoModule) authConfig(c *gin.Context) error {
	out := AuthConfigView{SignupEnabled: m.cfg.SignupEnabled, OIDCProviders: []OIDCProviderView{}}
	if t := strings.ToLower(strings.TrimSpace(c.Query("tenant"))); t != "" {
		ok, err := m.cfg.SSO.SSOEnabled(c.Request.Context(), t)
		if err != nil {
			return err
		}
		if ok {
			out.OIDCProviders = append(out.OIDCProviders, OIDCProviderView{Tenant: t, LoginURL: loginPath(t)})
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *ssoModule) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https") ||
		strings.HasPrefix(m.cfg.PublicURL, "https://")
}

func (m *ssoModule) login(c *gin.Context) error {
	authURL, state, err := m.cfg.SSO.BeginOIDCLogin(c.Request.Context(), iam.BeginOIDCLoginCommand{
		TenantName: c.Param("tenantName"), RedirectURL: m.redirectURL(), ReturnTo: c.Query("returnTo")})
	if err != nil {
		return err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcStateCookie, Value: state, Path: "/v1/auth/oidc",
		MaxAge: int((10 * time.Minute).Seconds()), HttpOnly: true, Secure: m.secure(c), SameSite: http.SameSiteLaxMode})
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, authURL)
	return nil
}

func (m *ssoModule) callback(c *gin.Context) error {
	cookie, _ := c.Cookie(oidcStateCookie)
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcStateCookie, Value: "", Path: "/v1/auth/oidc", MaxAge: -1,
		HttpOnly: true, Secure: m.secure(c), SameSite: http.SameSiteLaxMode})
	c.Header("Cache-Control", "no-store")
	if e := c.Query("error"); e != "" {
		// The provider refused (the user cancelled, or is not allowed).
		RecordAudit(c, "sso.provider-error")
		c.Redirect(http.StatusFound, "/login?ssoError="+url.QueryEscape(e))
		return nil
	}
	state := c.Query("state")
	if subtle.ConstantTimeCompare([]byte(state), []byte(cookie)) != 1 {
		return iam.ErrOIDCLoginFailed.Errorf("state does not match the cookie")
	}
	res, returnTo, err := m.cfg.SSO.FinishOIDCLogin(c.Request.Context(), iam.FinishOIDCLoginCommand{
		State: state, CookieState: cookie, Code: c.Query("code"), RedirectURL: m.redirectURL(), SourceIP: c.ClientIP()})
	if err != nil {
		if e := apierr.From(err); e.Status < 500 {
			RecordAudit(c, e.Code)
			c.Redirect(http.StatusFound, "/login?ssoError="+url.QueryEscape(e.Code))
			return nil
		}
		return err
	}
	SetAuditActor(c, &reqctx.Principal{TenantID: res.Tenant.ID, UserID: res.User.ID, Email: res.User.Email})
	RecordAudit(c, "")
	setSessionCookie(c, res.SessionToken, max(int(time.Until(res.ExpiresAt).Seconds()), 0))
	c.Redirect(http.StatusFound, returnTo)
	return nil
}

func (m *ssoModule) view(cfg *iam.OIDCConfig, tenant string) OIDCConfigView {
	return OIDCConfigView{Issuer: cfg.Issuer, ClientID: cfg.ClientID, HasClientSecret: cfg.ClientSecret != "",
		GroupClaim: cfg.GroupClaim, GroupMappings: cfg.GroupMappings, LoginURL: loginPath(tenant),
		RedirectURL: m.redirectURL(), UpdatedAt: cfg.UpdatedAt}
}

func (m *ssoModule) get(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	cfg, err := m.cfg.SSO.GetOIDCConfig(c.Request.Context(), p.TenantID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, m.view(cfg, p.TenantName))
	return nil
}

func (m *ssoModule) put(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req OIDCConfigRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	cfg, err := m.cfg.SSO.PutOIDCConfig(c.Request.Context(), iam.PutOIDCConfigCommand{TenantID: p.TenantID,
		Issuer: req.Issuer, ClientID: req.ClientID, ClientSecret: req.ClientSecret, GroupClaim: req.GroupClaim,
		GroupMappings: req.GroupMappings})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, m.view(cfg, p.TenantName))
	return nil
}

func (m *ssoModule) delete(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	if err := m.cfg.SSO.DeleteOIDCConfig(c.Request.Context(), p.TenantID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
