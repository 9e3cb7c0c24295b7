package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamauth"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// iamModule serves /v1/auth (console sign-in) and /v1/iam (access keys).
type iamModule struct {
	svc       iam.Service
	operators PlatformAdmins
}

// IAMOption configures the identity module.
type IAMOption func(*iamModule)

// WithPlatformOperators makes login and /v1/auth/me say whether the caller
// operates the platform, so the console shows operators the tenants page.
func WithPlatformOperators(ops PlatformAdmins) IAMOption {
	return func(m *iamModule) { m.operators = ops }
}

// NewIAMModule returns the identity module over svc.
func NewIAMModule(svc iam.Service, opts ...IAMOption) Module {
	m := &iamModule{svc: svc}
	for _, o := range opts {
		o(m)
	}
	return m
}

// session is the session view with platformOperator filled in.
func (m *iamModule) session(c *gin.Context, id *iam.Identity) (SessionView, error) {
	v := sessionView(id)
	if m.operators == nil {
		return v, nil
	}
	ok, err := m.operators.IsPlatformAdmin(c.Request.Context(), id.Tenant.ID, id.User.ID)
	if err != nil {
		return v, fmt.Errorf("checking platform operator: %w", err)
	}
	v.PlatformOperator = ok
	return v, nil
}

const (
	resourceSession    = "session"
	resourceAccessKeys = "access-keys"
	resourceAccessKey  = "access-keys/{accessKeyId}"
)

// Routes implements Module. Each line names the permission the route needs.
func (m *iamModule) Routes(r *Router) {
	const get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	r.Public(post, "/auth/login", "Sign in to the console: sets the turnpike_session cookie and answers the CSRF token",
		m.login, &RouteDoc{Request: LoginRequest{Email: "admin@turnpike.local", Password: "…"}, Response: exampleSessionView})
	r.Public(post, "/auth/logout", "Sign out: revokes the session of the cookie, if any, and clears the cookie",
		m.logout, &RouteDoc{StatusCode: http.StatusNoContent})
	r.Handle(get, "/auth/me", authz.ActionGetSession, resourceSession, "Who is calling, with the session's CSRF token",
		m.me, &RouteDoc{Response: exampleSessionView})

	r.Handle(get, "/iam/access-keys", authz.ActionListAccessKeys, resourceAccessKeys, "List the tenant's access keys",
		m.listAccessKeys, &RouteDoc{Response: AccessKeyListView{Items: []AccessKeyView{exampleAccessKeyView}}})
	r.Handle(post, "/iam/access-keys", authz.ActionCreateAccessKey, resourceAccessKeys,
		"Create an access key for the calling user; the token is shown only in this answer", m.createAccessKey,
		&RouteDoc{Request: CreateAccessKeyRequest{Name: "ci"},
			Response:   CreatedAccessKeyView{AccessKeyView: exampleAccessKeyView, Token: "tpk_" + strings.Repeat("x", 40)},
			StatusCode: http.StatusCreated})
	r.Handle(get, "/iam/access-keys/:accessKeyId", authz.ActionGetAccessKey, resourceAccessKey, "Get an access key",
		m.getAccessKey, &RouteDoc{Response: exampleAccessKeyView})
	r.Handle(patch, "/iam/access-keys/:accessKeyId", authz.ActionUpdateAccessKey, resourceAccessKey,
		"Activate, deactivate or rename an access key", m.updateAccessKey,
		&RouteDoc{Request: UpdateAccessKeyRequest{Status: new(string(iam.AccessKeyInactive))}, Response: exampleAccessKeyView})
	r.Handle(del, "/iam/access-keys/:accessKeyId", authz.ActionDeleteAccessKey, resourceAccessKey, "Delete an access key",
		m.deleteAccessKey, &RouteDoc{StatusCode: http.StatusNoContent})
}

var errIAMNoPrincipal = apierr.Unauthorized("auth.required", "Authentication required.")

// iamPrincipal is the calling principal, set by the router.
func iamPrincipal(c *gin.Context) (*reqctx.Principal, error) {
	p, ok := reqctx.PrincipalFrom(c.Request.Context())
	if !ok || p.TenantID == "" {
		return nil, errIAMNoPrincipal
	}
	return p, nil
}

func (m *iamModule) login(c *gin.Context) error {
	var req LoginRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	res, err := m.svc.Login(c.Request.Context(), iam.LoginCommand{Email: req.Email, Password: req.Password, SourceIP: c.ClientIP()})
	// The attempt goes to the audit log of the account's tenant, refused
	// or not, so a tenant sees who signs in (or tries to) as its users.
	if acct, ok := errors.AsType[*iam.AccountError](err); ok {
		SetAuditActor(c, &reqctx.Principal{TenantID: acct.TenantID, UserID: acct.UserID, Email: acct.Email})
	}
	if err != nil {
		return err
	}
	SetAuditActor(c, &reqctx.Principal{TenantID: res.Tenant.ID, UserID: res.User.ID, Email: res.User.Email})
	// A non-positive age would delete the cookie; fall back to a browser
	// session cookie if the clocks disagree.
	setSessionCookie(c, res.SessionToken, max(int(time.Until(res.ExpiresAt).Seconds()), 0))
	v, err := m.session(c, &res.Identity)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *iamModule) logout(c *gin.Context) error {
	token, _ := c.Cookie(iamauth.SessionCookie)
	// Clear the cookie whatever happens: the browser should forget it.
	setSessionCookie(c, "", -1)
	if err := m.svc.Logout(c.Request.Context(), token); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// setSessionCookie sets (maxAge >= 0) or clears (maxAge < 0) the session
// cookie; it is Secure when the request came over TLS, directly or through
// a proxy that says so.
func setSessionCookie(c *gin.Context, value string, maxAge int) {
	secure := c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
	http.SetCookie(c.Writer, &http.Cookie{Name: iamauth.SessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

func (m *iamModule) me(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	id, err := m.svc.GetIdentity(c.Request.Context(), iam.GetIdentityQuery{TenantID: p.TenantID, UserID: p.UserID, SessionID: p.SessionID})
	if err != nil {
		return err
	}
	v, err := m.session(c, id)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *iamModule) listAccessKeys(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	keys, err := m.svc.ListAccessKeys(c.Request.Context(), iam.ListAccessKeysQuery{TenantID: p.TenantID})
	if err != nil {
		return err
	}
	out := AccessKeyListView{Items: make([]AccessKeyView, len(keys))}
	for i, k := range keys {
		out.Items[i] = accessKeyView(k)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *iamModule) createAccessKey(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req CreateAccessKeyRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	k, err := m.svc.CreateAccessKey(c.Request.Context(), iam.CreateAccessKeyCommand{TenantID: p.TenantID, UserID: p.UserID,
		Name: req.Name, ExpiresAt: req.ExpiresAt, SessionPolicy: documentText(req.SessionPolicy)})
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, CreatedAccessKeyView{AccessKeyView: accessKeyView(&k.AccessKey), Token: k.Token})
	return nil
}

func (m *iamModule) getAccessKey(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	k, err := m.svc.GetAccessKey(c.Request.Context(), iam.GetAccessKeyQuery{TenantID: p.TenantID, AccessKeyID: c.Param("accessKeyId")})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, accessKeyView(k))
	return nil
}

func (m *iamModule) updateAccessKey(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req UpdateAccessKeyRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	cmd := iam.UpdateAccessKeyCommand{TenantID: p.TenantID, AccessKeyID: c.Param("accessKeyId"), Name: req.Name}
	if req.Status != nil {
		st := iam.AccessKeyStatus(*req.Status)
		cmd.Status = &st
	}
	k, err := m.svc.UpdateAccessKey(c.Request.Context(), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, accessKeyView(k))
	return nil
}

func (m *iamModule) deleteAccessKey(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	err = m.svc.DeleteAccessKey(c.Request.Context(), iam.DeleteAccessKeyCommand{TenantID: p.TenantID, AccessKeyID: c.Param("accessKeyId")})
	if err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
