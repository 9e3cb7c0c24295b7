package api

import (
	"encoding/json"
	"time"

	"github.com/turnpike/turnpike/backend/iam"
)

// SessionView answers login and /v1/auth/me: who is signed in, in which
// tenant, and the CSRF token that cookie-authenticated mutating requests
// send as X-CSRF-Token (empty for access keys).
type SessionView struct {
	User      SessionUserView   `json:"user"`
	Tenant    SessionTenantView `json:"tenant"`
	CSRFToken string            `json:"csrfToken"`
	// PlatformOperator is true for platform operators, who may manage
	// tenants (/v1/tenants).
	PlatformOperator bool `json:"platformOperator"`
}

// SessionUserView is the signed-in user.
type SessionUserView struct {
	UserID string   `json:"userId"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Roles  []string `json:"roles"`
}

// SessionTenantView is the signed-in user's tenant.
type SessionTenantView struct {
	TenantID string `json:"tenantId"`
	Name     string `json:"name"`
}

// LoginRequest is the body of POST /v1/auth/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// AccessKeyView is an access key; its token is never shown again after
// creation.
type AccessKeyView struct {
	AccessKeyID string     `json:"accessKeyId"`
	Name        string     `json:"name"`
	Status      string     `json:"status"`
	UserID      string     `json:"userId"`
	CreatedAt   time.Time  `json:"createdAt"`
	LastUsedAt  *time.Time `json:"lastUsedAt,omitempty"`
	LastUsedIP  string     `json:"lastUsedIp,omitempty"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
}

// CreatedAccessKeyView is a new access key with its token, shown once.
type CreatedAccessKeyView struct {
	AccessKeyView
	// Token is the bearer secret: "Authorization: Bearer <token>".
	Token string `json:"token"`
}

// AccessKeyListView is a list of access keys.
type AccessKeyListView struct {
	Items []AccessKeyView `json:"items"`
}

// CreateAccessKeyRequest is the body of POST /v1/iam/access-keys.
type CreateAccessKeyRequest struct {
	Name string `json:"name"`
	// ExpiresAt, when set, is when the key stops working (RFC 3339).
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	// SessionPolicy, when set, is a policy document (object, or string
	// holding one) that narrows the key: it may do only what both its
	// user's policies and this document allow.
	SessionPolicy json.RawMessage `json:"sessionPolicy,omitempty"`
}

// UpdateAccessKeyRequest is the body of PATCH /v1/iam/access-keys/{id}.
type UpdateAccessKeyRequest struct {
	// Status is ACTIVE or INACTIVE; an inactive key is refused with 401.
	Status *string `json:"status,omitempty"`
	Name   *string `json:"name,omitempty"`
}

func sessionView(id *iam.Identity) SessionView {
	roles := id.User.Roles
	if roles == nil {
		roles = []string{}
	}
	return SessionView{
		User:      SessionUserView{UserID: id.User.ID, Email: id.User.Email, Name: id.User.Name, Roles: roles},
		Tenant:    SessionTenantView{TenantID: id.Tenant.ID, Name: id.Tenant.Name},
		CSRFToken: id.CSRFToken,
	}
}

func accessKeyView(k *iam.AccessKey) AccessKeyView {
	return AccessKeyView{AccessKeyID: k.ID, Name: k.Name, Status: string(k.Status), UserID: k.UserID,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, LastUsedIP: k.LastUsedIP, ExpiresAt: k.ExpiresAt}
}

var (
	exampleIAMTime       = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	exampleSessionView   = SessionView{User: SessionUserView{UserID: "usr_0123456789abcdef", Email: "admin@turnpike.local", Name: "Administrator", Roles: []string{iam.RoleTenantAdmin}}, Tenant: SessionTenantView{TenantID: "tnt_0123456789abcdef", Name: "default"}, CSRFToken: "8cJ2...csrf"}
	exampleAccessKeyView = AccessKeyView{AccessKeyID: "TPAK0123456789ABCDEF", Name: "ci", Status: string(iam.AccessKeyActive),
		UserID: "usr_0123456789abcdef", CreatedAt: exampleIAMTime, LastUsedAt: &exampleIAMTime, LastUsedIP: "192.0.2.10"}
)
