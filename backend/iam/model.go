package iam

import (
	"slices"
	"time"

	"github.com/turnpike/turnpike/backend/reqctx"
)

// Role names. A user holds zero or more roles within its tenant; what each
// role may do is the policy in backend/authz.
const (
	// RoleTenantAdmin may perform every action on every resource of its
	// tenant.
	RoleTenantAdmin = "TenantAdmin"
	// RoleReadOnly may perform the Get* and List* actions of its tenant.
	RoleReadOnly = "ReadOnly"
)

// Roles lists every role a user can be given.
var Roles = []string{RoleTenantAdmin, RoleReadOnly}

// IsRole reports whether name is a known role.
func IsRole(name string) bool { return slices.Contains(Roles, name) }

// TenantStatus is ACTIVE or SUSPENDED; nobody of a suspended tenant can
// authenticate.
type TenantStatus string

// Tenant statuses.
const (
	TenantActive    TenantStatus = "ACTIVE"
	TenantSuspended TenantStatus = "SUSPENDED"
)

// Tenant is an isolated customer of the platform: every other row belongs
// to exactly one tenant.
type Tenant struct {
	ID        string
	Name      string
	Status    TenantStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UserStatus is ACTIVE or DISABLED; a disabled user cannot authenticate.
type UserStatus string

// User statuses.
const (
	UserActive   UserStatus = "ACTIVE"
	UserDisabled UserStatus = "DISABLED"
)

// User is a person (or automation identity) of one tenant.
type User struct {
	ID       string
	TenantID string
	// Email is lower-cased and unique across tenants.
	Email string
	Name  string
	// PasswordHash is an argon2id PHC string; never leaves the service.
	PasswordHash string
	Status       UserStatus
	Roles        []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AccessKeyStatus is ACTIVE or INACTIVE.
type AccessKeyStatus string

// Access key statuses.
const (
	AccessKeyActive   AccessKeyStatus = "ACTIVE"
	AccessKeyInactive AccessKeyStatus = "INACTIVE"
)

// AccessKey is a long-lived bearer credential of a user, for CI and SDKs.
// Only a hash of its token is stored.
type AccessKey struct {
	// ID is "TPAK" followed by 16 upper-case letters and digits.
	ID         string
	TenantID   string
	UserID     string
	Name       string
	Status     AccessKeyStatus
	CreatedAt  time.Time
	UpdatedAt  time.Time
	LastUsedAt *time.Time
	LastUsedIP string
	ExpiresAt  *time.Time
}

// Expired reports whether the key has expired at now.
func (k *AccessKey) Expired(now time.Time) bool {
	return k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)
}

// CreatedAccessKey is a new access key with its token, which is shown once.
type CreatedAccessKey struct {
	AccessKey
	Token string
}

// Session is a console session: the cookie holds its token, whose hash is
// stored.
type Session struct {
	ID        string
	TenantID  string
	UserID    string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// Valid reports whether the session is neither revoked nor expired at now.
func (s *Session) Valid(now time.Time) bool {
	return s.RevokedAt == nil && now.Before(s.ExpiresAt)
}

// Identity is who the caller is, as login and /v1/auth/me answer it.
type Identity struct {
	User   *User
	Tenant *Tenant
	// CSRFToken is the session's CSRF token; empty for access keys.
	CSRFToken string
}

// LoginResult is a successful login: the identity and the new session's
// cookie value.
type LoginResult struct {
	Identity
	SessionToken string
	ExpiresAt    time.Time
}

// BootstrapConfig says what Bootstrap creates on an empty database.
type BootstrapConfig struct {
	// TenantName is the first tenant's name; default "default".
	TenantName string
	// AdminEmail is the administrator's email; default
	// "admin@turnpike.local".
	AdminEmail string
	// AdminPassword is the administrator's password; empty generates a
	// random 20-character one, returned once in BootstrapResult.
	AdminPassword string
	// BootstrapToken, when set, becomes the token of an access key of the
	// administrator, so that automation can call the API with
	// "Authorization: Bearer $TURNPIKE_BOOTSTRAP_TOKEN" from the first
	// start.
	BootstrapToken string
}

// BootstrapResult says what Bootstrap did.
type BootstrapResult struct {
	// Created is false when a tenant already existed and nothing was done.
	Created  bool
	TenantID string
	Email    string
	// Password is the administrator's password when it was generated;
	// empty otherwise, so it is printed once at most.
	Password string
}

// SessionAuth is an authenticated console session: the principal and the
// CSRF token that its mutating requests must carry.
type SessionAuth struct {
	Principal *reqctx.Principal
	CSRFToken string
}
