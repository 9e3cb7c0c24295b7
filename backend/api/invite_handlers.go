package api

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"

	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/backend/iam/lockout"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// KeyRotator rotates access keys (*iamimpl.Service).
type KeyRotator interface {
	RotateAccessKey(ctx context.Context, tenantID, keyID string, grace time.Duration) (*iamimpl.RotatedAccessKey, error)
}

// InviteConfig wires invitations, sign-up and key rotation.
type InviteConfig struct {
	Invitations iam.Invitations
	Keys        KeyRotator
	// PublicURL starts invitation links: {PublicURL}/accept-invite?token=…
	PublicURL string
	// Failures counts unknown invitation tokens looked up per source
	// address (with the server's failed authentications); a locked-out
	// address gets 429 for them, so links cannot be guessed. Nil counts
	// nothing.
	Failures lockout.Limiter
}

type inviteModule struct {
	cfg InviteConfig
}

// NewInviteModule returns invitations (/v1/iam/invitations, public
// /v1/invitations/accept), self-service sign-up (/v1/signup) and access
// key rotation.
func NewInviteModule(cfg InviteConfig) Module {
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &inviteModule{cfg: cfg}
}

// InvitationView is an invitation; Link (with the token) only in the
// answer to its creation.
type InvitationView struct {
	InvitationID string     `json:"invitationId"`
	Email        string     `json:"email"`
	Status       string     `json:"status"`
	InvitedBy    string     `json:"invitedBy,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	ExpiresAt    time.Time  `json:"expiresAt"`
	AcceptedAt   *time.Time `json:"acceptedAt,omitempty"`
	// Groups and Policies are the ids the invited user gets on accepting.
	Groups   []string `json:"groups"`
	Policies []string `json:"policies"`
	Link     string   `json:"link,omitempty"`
}

// InvitationListView lists invitations, newest first.
type InvitationListView struct {
	Items []InvitationView `json:"items"`
}

// CreateInvitationRequest is the body of POST /v1/iam/invitations.
type CreateInvitationRequest struct {
	Email          string `json:"email"`
	ExpiresInHours int    `json:"expiresInHours,omitempty"`
	// Groups and Policies name groups and policies of the tenant (by id or
	// name) that the invited user joins and gets on accepting; an unknown
	// one is a 422 naming it (groups[i], policies[i]).
	Groups   []string `json:"groups,omitempty"`
	Policies []string `json:"policies,omitempty"`
}

// AcceptInvitationRequest is the body of POST /v1/invitations/accept.
type AcceptInvitationRequest struct {
	Token    string `json:"token"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// LookupInvitationRequest is the body of POST /v1/invitations/lookup: the
// token is in the body, not the URL, so it stays out of access logs.
type LookupInvitationRequest struct {
	Token string `json:"token"`
}

// InvitationPreviewView is what a pending invitation offers.
type InvitationPreviewView struct {
	TenantName string    `json:"tenantName"`
	Email      string    `json:"email"`
	ExpiresAt  time.Time `json:"expiresAt"`
	Status     string    `json:"status"`
}

// SignupRequest is the body of POST /v1/signup.
type SignupRequest struct {
	TenantName string `json:"tenantName"`
	Email      string `json:"email"`
	Password   string `json:"password"`
}

// RotateAccessKeyRequest is the body of POST .../rotate.
type RotateAccessKeyRequest struct {
	// GraceSeconds keeps the old key working this long (0..604800); 0, the
	// default, deactivates it at once.
	GraceSeconds int `json:"graceSeconds"`
}

// RotatedAccessKeyView is the new key (token shown once) and the old one.
type RotatedAccessKeyView struct {
	AccessKey CreatedAccessKeyView `json:"accessKey"`
	Previous  AccessKeyView        `json:"previous"`
}

var exampleInvitation = InvitationView{InvitationID: "inv_0123456789abcdef", Email: "dev@acme.test", Status: "PENDING",
	Groups: []string{"grp_0123456789abcdef"}, Policies: []string{"ReadOnlyAccess"},
	CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ExpiresAt: time.Date(2026, 1, 5, 3, 4, 5, 0, time.UTC)}

// Routes implements Module.
func (m *inviteModule) Routes(r *Router) {
	const get, post, del = http.MethodGet, http.MethodPost, http.MethodDelete
	withLink := exampleInvitation
	withLink.Link = "https://turnpike.example.com/accept-invite?token=…"
	r.Handle(post, "/iam/invitations", iam.ActionCreateInvitation, "invitations",
		"Invite an email by a single-use link (shown only in this answer) that expires", m.create,
		&RouteDoc{Request: CreateInvitationRequest{Email: "dev@acme.test", ExpiresInHours: 72}, Response: withLink,
			StatusCode: http.StatusCreated})
	r.Handle(get, "/iam/invitations", iam.ActionListInvitations, "invitations", "List the tenant's invitations", m.list,
		&RouteDoc{Response: InvitationListView{Items: []InvitationView{exampleInvitation}}})
	r.Handle(del, "/iam/invitations/:invitationId", iam.ActionDeleteInvitation, "invitations/{invitationId}",
		"Revoke a pending invitation", m.revoke, &RouteDoc{StatusCode: http.StatusNoContent})
	r.Public(post, "/invitations/accept", "Accept an invitation: creates the user with the password and signs in",
		m.accept, &RouteDoc{Request: AcceptInvitationRequest{Token: "…", Name: "Dev", Password: "…"},
			Response: exampleSessionView, StatusCode: http.StatusCreated})
	r.Public(post, "/invitations/lookup",
		"Show the tenant and email a pending invitation is for; 404 for any other token (unknown, expired, used, revoked)",
		m.lookup, &RouteDoc{Request: LookupInvitationRequest{Token: "…"}, Response: InvitationPreviewView{TenantName: "acme",
			Email: exampleInvitation.Email, ExpiresAt: exampleInvitation.ExpiresAt, Status: string(iam.InvitationPending)},
			// Read-only: no transaction, so the Retry-After of a
			// locked-out address is not dropped with a rollback.
			NoTx: true})
	r.Public(post, "/signup", "Create a tenant with yourself as administrator and sign in (when the operator enabled sign-up)",
		m.signup, &RouteDoc{Request: SignupRequest{TenantName: "acme", Email: "ops@acme.test", Password: "…"},
			Response: exampleSessionView, StatusCode: http.StatusCreated})
	r.Handle(post, "/iam/access-keys/:accessKeyId/rotate", iam.ActionRotateAccessKey, resourceAccessKey,
		"Replace an access key with a new one (token shown once); the old one stops at once or after graceSeconds",
		m.rotate, &RouteDoc{Request: RotateAccessKeyRequest{GraceSeconds: 3600}, Response: RotatedAccessKeyView{
			AccessKey: CreatedAccessKeyView{AccessKeyView: exampleAccessKeyView, Token: "tpk_" + strings.Repeat("x", 40)},
			Previous:  exampleAccessKeyView}})
}

func invitationView(inv *iam.Invitation) InvitationView {
	v := InvitationView{InvitationID: inv.ID, Email: inv.Email, Status: string(inv.Status), InvitedBy: inv.InvitedBy,
		CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, AcceptedAt: inv.AcceptedAt, Groups: inv.GroupIDs, Policies: inv.PolicyIDs}
	if v.Groups == nil {
		v.Groups = []string{}
	}
	if v.Policies == nil {
		v.Policies = []string{}
	}
	return v
}

func (m *inviteModule) create(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req CreateInvitationRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	inv, err := m.cfg.Invitations.CreateInvitation(c.Request.Context(), iam.CreateInvitationCommand{TenantID: p.TenantID,
		InvitedBy: p.Email, Email: req.Email, ExpiresInHours: req.ExpiresInHours, Groups: req.Groups, Policies: req.Policies})
	if err != nil {
		return err
	}
	v := invitationView(&inv.Invitation)
	v.Link = m.cfg.PublicURL + "/accept-invite?token=" + inv.Token
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, v)
	return nil
}

func (m *inviteModule) list(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	invs, err := m.cfg.Invitations.ListInvitations(c.Request.Context(), p.TenantID)
	if err != nil {
		return err
	}
	out := InvitationListView{Items: make([]InvitationView, len(invs))}
	for i, inv := range invs {
		out.Items[i] = invitationView(inv)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *inviteModule) revoke(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	if err := m.cfg.Invitations.RevokeInvitation(c.Request.Context(), p.TenantID, c.Param("invitationId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// signedIn answers a new session like POST /v1/auth/login does.
func signedIn(c *gin.Context, res *iam.LoginResult) {
	SetAuditActor(c, &reqctx.Principal{TenantID: res.Tenant.ID, UserID: res.User.ID, Email: res.User.Email})
	setSessionCookie(c, res.SessionToken, max(int(time.Until(res.ExpiresAt).Seconds()), 0))
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, sessionView(&res.Identity))
}

func (m *inviteModule) accept(c *gin.Context) error {
	var req AcceptInvitationRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	res, err := m.cfg.Invitations.AcceptInvitation(c.Request.Context(), iam.AcceptInvitationCommand{Token: req.Token,
		Name: req.Name, Password: req.Password, SourceIP: c.ClientIP()})
	if err != nil {
		return err
	}
	signedIn(c, res)
	return nil
}

func (m *inviteModule) lookup(c *gin.Context) error {
	var req LookupInvitationRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	p, err := m.cfg.Invitations.LookupInvitation(ctx, req.Token)
	if err != nil {
		if apierr.From(err).Status == http.StatusNotFound {
			return m.countFailure(c, err)
		}
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, InvitationPreviewView{TenantName: p.TenantName, Email: p.Email, ExpiresAt: p.ExpiresAt,
		Status: string(p.Status)})
	return nil
}

// countFailure counts a dead token against the caller's address and
// returns err, or a 429 with Retry-After once the address is locked out.
func (m *inviteModule) countFailure(c *gin.Context, err error) error {
	if m.cfg.Failures == nil {
		return err
	}
	d, lerr := m.cfg.Failures.Attempt(c.Request.Context(), c.ClientIP())
	if lerr != nil {
		// Counting is a safeguard: without it the 404 still stands.
		slog.WarnContext(c.Request.Context(), "counting unknown invitation token", "err", lerr)
		return err
	}
	if d.Allowed {
		return err
	}
	c.Header("Retry-After", strconv.Itoa(max(int(math.Ceil(d.RetryAfter.Seconds())), 1)))
	return errAuthRateLimited.Errorf("%w", err)
}

func (m *inviteModule) signup(c *gin.Context) error {
	var req SignupRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	res, err := m.cfg.Invitations.Signup(c.Request.Context(), iam.SignupCommand{TenantName: req.TenantName,
		Email: req.Email, Password: req.Password, SourceIP: c.ClientIP()})
	if err != nil {
		return err
	}
	signedIn(c, res)
	return nil
}

func (m *inviteModule) rotate(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req RotateAccessKeyRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	res, err := m.cfg.Keys.RotateAccessKey(c.Request.Context(), p.TenantID, c.Param("accessKeyId"),
		time.Duration(req.GraceSeconds)*time.Second)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, RotatedAccessKeyView{
		AccessKey: CreatedAccessKeyView{AccessKeyView: accessKeyView(&res.New.AccessKey), Token: res.New.Token},
		Previous:  accessKeyView(res.Old)})
	return nil
}
