// Package iam is the identity domain: tenants, users and their roles, console
// sessions and access keys. This package holds the models, the commands and
// queries with their validation, the errors and the Service interface;
// iamimpl implements it over the database, iamauth turns requests into
// principals, and iamtest has fakes.
//
// Authorization (which role may do what) lives in backend/authz; a later
// issue grows this domain with groups, policy documents, SSO and audit.
package iam

import (
	"context"

	"github.com/turnpike/turnpike/backend/reqctx"
)

// Service is the identity service. Every method that touches one tenant's
// data takes the tenant explicitly in its command or query; only the
// authentication methods, which start from a secret, find the tenant.
type Service interface {
	// CreateTenant creates an ACTIVE tenant.
	CreateTenant(ctx context.Context, cmd CreateTenantCommand) (*Tenant, error)
	// GetTenant returns one tenant.
	GetTenant(ctx context.Context, q GetTenantQuery) (*Tenant, error)
	// CreateUser creates an ACTIVE user with a password and roles.
	CreateUser(ctx context.Context, cmd CreateUserCommand) (*User, error)
	// GetUser returns one user of a tenant.
	GetUser(ctx context.Context, q GetUserQuery) (*User, error)

	// Login checks an email and password and opens a console session.
	// Repeated failures for one email and address are refused with
	// ErrTooManyAttempts for a while.
	Login(ctx context.Context, cmd LoginCommand) (*LoginResult, error)
	// Logout revokes the session whose cookie value is token; an unknown
	// or already revoked session is not an error.
	Logout(ctx context.Context, token string) error
	// GetIdentity describes the principal's user, tenant and (for a
	// session) CSRF token, as /v1/auth/me answers it.
	GetIdentity(ctx context.Context, q GetIdentityQuery) (*Identity, error)
	// AuthenticateSession resolves a session cookie value; it fails with
	// ErrInvalidSession when the session is unknown, expired or revoked,
	// or its user or tenant is no longer active.
	AuthenticateSession(ctx context.Context, token string) (*SessionAuth, error)
	// AuthenticateAccessKey resolves a bearer token; it fails with
	// ErrInvalidToken when the key is unknown, inactive or expired, or its
	// user or tenant is no longer active. It records the key's last use
	// (at most once a minute per key) with sourceIP.
	AuthenticateAccessKey(ctx context.Context, token, sourceIP string) (*reqctx.Principal, error)

	// CreateAccessKey creates an access key for a user; the token in the
	// answer is shown once and never stored.
	CreateAccessKey(ctx context.Context, cmd CreateAccessKeyCommand) (*CreatedAccessKey, error)
	// ListAccessKeys lists a tenant's access keys, oldest first.
	ListAccessKeys(ctx context.Context, q ListAccessKeysQuery) ([]*AccessKey, error)
	// GetAccessKey returns one access key of a tenant.
	GetAccessKey(ctx context.Context, q GetAccessKeyQuery) (*AccessKey, error)
	// UpdateAccessKey changes an access key's name or status.
	UpdateAccessKey(ctx context.Context, cmd UpdateAccessKeyCommand) (*AccessKey, error)
	// DeleteAccessKey deletes an access key.
	DeleteAccessKey(ctx context.Context, cmd DeleteAccessKeyCommand) error

	// Bootstrap creates the first tenant and its administrator when the
	// database has no tenant yet; otherwise it does nothing and reports
	// Created false. It is safe to call on every start.
	Bootstrap(ctx context.Context, cfg BootstrapConfig) (BootstrapResult, error)
}
