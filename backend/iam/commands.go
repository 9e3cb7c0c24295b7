package iam

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field limits.
const (
	maxNameLen       = 128
	maxEmailLen      = 254
	MinPasswordLen   = 8
	maxPasswordLen   = 256
	maxTokenLen      = 256
	maxAccessKeyName = 64
)

// CreateTenantCommand creates a tenant.
type CreateTenantCommand struct {
	Name string
}

// Validate checks the command.
func (c *CreateTenantCommand) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	v := newFieldErrors(ErrTenantInvalid)
	checkName(v, "name", c.Name, maxNameLen)
	return v.result()
}

// GetTenantQuery finds a tenant.
type GetTenantQuery struct {
	TenantID string
}

// CreateUserCommand creates a user in a tenant.
type CreateUserCommand struct {
	TenantID string
	Email    string
	Name     string
	Password string
	Roles    []string
}

// Validate checks the command and normalises the email.
func (c *CreateUserCommand) Validate() error {
	c.Email = NormalizeEmail(c.Email)
	c.Name = strings.TrimSpace(c.Name)
	v := newFieldErrors(ErrUserInvalid)
	v.check(c.TenantID != "", "tenantId", "required", "Cannot be blank.")
	checkEmail(v, c.Email)
	checkName(v, "name", c.Name, maxNameLen)
	v.check(utf8.RuneCountInString(c.Password) >= MinPasswordLen, "password", "too-short", "Must be at least 8 characters.")
	v.check(len(c.Password) <= maxPasswordLen, "password", "too-long", "Must be at most 256 bytes.")
	for _, r := range c.Roles {
		v.check(IsRole(r), "roles", "unknown", "Unknown role "+strconv.Quote(r)+"; known roles are "+strings.Join(Roles, ", ")+".")
	}
	return v.result()
}

// GetUserQuery finds a user of a tenant.
type GetUserQuery struct {
	TenantID string
	UserID   string
}

// LoginCommand signs a user in.
type LoginCommand struct {
	Email    string
	Password string
	// SourceIP is the client's address, for the failure limiter.
	SourceIP string
}

// Validate checks the command and normalises the email.
func (c *LoginCommand) Validate() error {
	c.Email = NormalizeEmail(c.Email)
	v := newFieldErrors(ErrLoginInvalid)
	v.check(c.Email != "", "email", "required", "Cannot be blank.")
	v.check(len(c.Email) <= maxEmailLen, "email", "too-long", "Must be at most 254 characters.")
	v.check(c.Password != "", "password", "required", "Cannot be blank.")
	v.check(len(c.Password) <= maxPasswordLen, "password", "too-long", "Must be at most 256 bytes.")
	return v.result()
}

// GetIdentityQuery describes an authenticated principal.
type GetIdentityQuery struct {
	TenantID string
	UserID   string
	// SessionID is set for session principals, to return the CSRF token.
	SessionID string
}

// CreateAccessKeyCommand creates an access key for a user.
type CreateAccessKeyCommand struct {
	TenantID string
	UserID   string
	Name     string
	// ExpiresAt, when set, must be in the future.
	ExpiresAt *time.Time
	// Token, when set, is used instead of a generated one (bootstrap
	// only; not reachable through the API).
	Token string
	// SessionPolicy, when set, is a policy document that narrows what the
	// key may do: the user's policies and this one must both allow.
	SessionPolicy string
}

// Validate checks the command at now.
func (c *CreateAccessKeyCommand) Validate(now time.Time) error {
	c.Name = strings.TrimSpace(c.Name)
	v := newFieldErrors(ErrAccessKeyInvalid)
	v.check(c.TenantID != "", "tenantId", "required", "Cannot be blank.")
	v.check(c.UserID != "", "userId", "required", "Cannot be blank.")
	checkName(v, "name", c.Name, maxAccessKeyName)
	v.check(c.ExpiresAt == nil || c.ExpiresAt.After(now), "expiresAt", "past", "Must be in the future.")
	if c.Token != "" {
		v.check(len(c.Token) <= maxTokenLen && !strings.ContainsFunc(c.Token, unicode.IsSpace),
			"token", "invalid", "Must be at most 256 characters without spaces.")
	}
	if c.SessionPolicy != "" {
		checkSessionPolicy(v, c.SessionPolicy)
	}
	return v.result()
}

// ListAccessKeysQuery lists a tenant's access keys.
type ListAccessKeysQuery struct {
	TenantID string
}

// GetAccessKeyQuery finds an access key of a tenant.
type GetAccessKeyQuery struct {
	TenantID    string
	AccessKeyID string
}

// UpdateAccessKeyCommand changes an access key; nil fields stay as they are.
type UpdateAccessKeyCommand struct {
	TenantID    string
	AccessKeyID string
	Name        *string
	Status      *AccessKeyStatus
}

// Validate checks the command.
func (c *UpdateAccessKeyCommand) Validate() error {
	v := newFieldErrors(ErrAccessKeyInvalid)
	if c.Name != nil {
		n := strings.TrimSpace(*c.Name)
		c.Name = &n
		checkName(v, "name", n, maxAccessKeyName)
	}
	if c.Status != nil {
		v.check(*c.Status == AccessKeyActive || *c.Status == AccessKeyInactive,
			"status", "invalid", "Must be ACTIVE or INACTIVE.")
	}
	v.check(c.Name != nil || c.Status != nil, "status", "required", "Give a status or a name to change.")
	return v.result()
}

// DeleteAccessKeyCommand deletes an access key.
type DeleteAccessKeyCommand struct {
	TenantID    string
	AccessKeyID string
}

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkEmail(v *fieldErrors, email string) {
	if email == "" {
		v.check(false, "email", "required", "Cannot be blank.")
		return
	}
	a, err := mail.ParseAddress(email)
	v.check(err == nil && a.Address == email && len(email) <= maxEmailLen, "email", "invalid", "Must be a valid email address.")
}

func checkName(v *fieldErrors, field, name string, maxLen int) {
	if name == "" {
		v.check(false, field, "required", "Cannot be blank.")
		return
	}
	v.check(utf8.RuneCountInString(name) <= maxLen, field, "too-long", "Must be at most "+strconv.Itoa(maxLen)+" characters.")
	v.check(!strings.ContainsFunc(name, unicode.IsControl), field, "invalid", "Must not contain control characters.")
}
