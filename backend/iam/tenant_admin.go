package iam

import (
	"context"
	"net/mail"
	"strings"

	"github.com/turnpike/turnpike/backend/apierr"
)

// Platform actions: only platform operators may perform them, whatever
// their tenant's policies say (api.PlatformGuard enforces it).
const (
	ActionCreateTenant  = "platform:CreateTenant"
	ActionListTenants   = "platform:ListTenants"
	ActionGetTenant     = "platform:GetTenant"
	ActionSuspendTenant = "platform:SuspendTenant"
	ActionResumeTenant  = "platform:ResumeTenant"
	ActionDeleteTenant  = "platform:DeleteTenant"
)

// Errors of tenant administration.
var (
	ErrTenantSuspended = apierr.Forbidden("tenant.suspended",
		"This tenant is suspended: its management API and gateway traffic are stopped. Contact the platform operator.")
	ErrNotPlatformAdmin = apierr.Forbidden("platform.forbidden", "Only platform operators may manage tenants.")
	ErrTenantOwn        = apierr.Conflict("tenant.own", "Operators cannot suspend or delete their own tenant.")
	ErrFleetUnavailable = apierr.Unavailable("fleet.unavailable",
		"The gateway fleet could not be reached; nothing was changed. Try again.")
)

// CreateTenantWithAdminCommand creates a tenant, its TenantAdmin user and
// that user's first access key in one transaction.
type CreateTenantWithAdminCommand struct {
	Name       string
	AdminEmail string
	// AdminPassword empty generates a random one, returned once.
	AdminPassword string
	// AdminName defaults to "Administrator".
	AdminName string
}

// Validate checks and normalises the command.
func (c *CreateTenantWithAdminCommand) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	f := newFieldErrors(ErrTenantInvalid)
	checkName(f, "name", c.Name, maxNameLen)
	c.AdminEmail = strings.ToLower(strings.TrimSpace(c.AdminEmail))
	_, err := mail.ParseAddress(c.AdminEmail)
	f.check(c.AdminEmail != "" && err == nil, "adminEmail", "invalid", "Must be an email address.")
	if c.AdminName == "" {
		c.AdminName = "Administrator"
	}
	return f.result()
}

// CreatedTenant is a new tenant with its administrator and the
// administrator's first access key; Password and AccessKey.Token are shown
// once.
type CreatedTenant struct {
	Tenant    *Tenant
	Admin     *User
	Password  string
	AccessKey *CreatedAccessKey
}

// TenantAdmin is what platform operators do with tenants.
type TenantAdmin interface {
	// CreateTenantWithAdmin creates the tenant, its administrator and the
	// administrator's first access key together, or nothing.
	CreateTenantWithAdmin(ctx context.Context, cmd CreateTenantWithAdminCommand) (*CreatedTenant, error)
	ListTenants(ctx context.Context) ([]*Tenant, error)
	GetTenant(ctx context.Context, q GetTenantQuery) (*Tenant, error)
	// SuspendTenant stops the tenant: its management calls answer 403
	// tenant.suspended and its stages are withdrawn from the fleet.
	SuspendTenant(ctx context.Context, tenantID string) (*Tenant, error)
	// ResumeTenant reactivates it and republishes its deployed stages.
	ResumeTenant(ctx context.Context, tenantID string) (*Tenant, error)
	// DeleteTenant withdraws its stages and deletes it with all its rows.
	DeleteTenant(ctx context.Context, tenantID string) error
	// IsPlatformAdmin reports whether the user is a platform operator.
	IsPlatformAdmin(ctx context.Context, tenantID, userID string) (bool, error)
}

// Platform operator actions (api.PlatformGuard: operators only).
const (
	ActionListPlatformOperators  = "platform:ListPlatformOperators"
	ActionAddPlatformOperator    = "platform:AddPlatformOperator"
	ActionRemovePlatformOperator = "platform:RemovePlatformOperator"
)

// ErrLastOperator refuses to leave the platform without an operator.
var ErrLastOperator = apierr.Conflict("platform.last-operator",
	"This is the last platform operator: make another user an operator first.")

// PlatformOperator is a user who may manage tenants and operators.
type PlatformOperator struct {
	UserID     string
	TenantID   string
	TenantName string
	Email      string
	Name       string
}

// PlatformOperators is who runs the platform. Operators are users of any
// tenant; users are found by id across tenants.
type PlatformOperators interface {
	// ListPlatformOperators lists every operator, by email.
	ListPlatformOperators(ctx context.Context) ([]*PlatformOperator, error)
	// AddPlatformOperator makes the user an operator; an operator already
	// is one (no error).
	AddPlatformOperator(ctx context.Context, userID string) (*PlatformOperator, error)
	// RemovePlatformOperator makes the user an ordinary user of its tenant
	// again; it fails with ErrLastOperator for the last one and
	// ErrUserNotFound for a user who is not an operator.
	RemovePlatformOperator(ctx context.Context, userID string) error
}
