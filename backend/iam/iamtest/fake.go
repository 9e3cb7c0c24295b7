// Package iamtest has fakes of the identity service and of request
// authentication, for tests of code that depends on them.
package iamtest

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// FakeService answers every call with its Expected* fields and
// ExpectedError.
type FakeService struct {
	ExpectedTenant           *iam.Tenant
	ExpectedUser             *iam.User
	ExpectedLogin            *iam.LoginResult
	ExpectedIdentity         *iam.Identity
	ExpectedSessionAuth      *iam.SessionAuth
	ExpectedPrincipal        *reqctx.Principal
	ExpectedAccessKey        *iam.AccessKey
	ExpectedCreatedAccessKey *iam.CreatedAccessKey
	ExpectedAccessKeys       []*iam.AccessKey
	ExpectedBootstrap        iam.BootstrapResult
	ExpectedError            error

	// LastLoggedOut is the token of the last Logout call.
	LastLoggedOut string
}

var _ iam.Service = (*FakeService)(nil)

// CreateTenant implements iam.Service.
func (f *FakeService) CreateTenant(context.Context, iam.CreateTenantCommand) (*iam.Tenant, error) {
	return f.ExpectedTenant, f.ExpectedError
}

// GetTenant implements iam.Service.
func (f *FakeService) GetTenant(context.Context, iam.GetTenantQuery) (*iam.Tenant, error) {
	return f.ExpectedTenant, f.ExpectedError
}

// CreateUser implements iam.Service.
func (f *FakeService) CreateUser(context.Context, iam.CreateUserCommand) (*iam.User, error) {
	return f.ExpectedUser, f.ExpectedError
}

// GetUser implements iam.Service.
func (f *FakeService) GetUser(context.Context, iam.GetUserQuery) (*iam.User, error) {
	return f.ExpectedUser, f.ExpectedError
}

// Login implements iam.Service.
func (f *FakeService) Login(context.Context, iam.LoginCommand) (*iam.LoginResult, error) {
	return f.ExpectedLogin, f.ExpectedError
}

// Logout implements iam.Service.
func (f *FakeService) Logout(_ context.Context, token string) error {
	f.LastLoggedOut = token
	return f.ExpectedError
}

// GetIdentity implements iam.Service.
func (f *FakeService) GetIdentity(context.Context, iam.GetIdentityQuery) (*iam.Identity, error) {
	return f.ExpectedIdentity, f.ExpectedError
}

// AuthenticateSession implements iam.Service.
func (f *FakeService) AuthenticateSession(context.Context, string) (*iam.SessionAuth, error) {
	return f.ExpectedSessionAuth, f.ExpectedError
}

// AuthenticateAccessKey implements iam.Service.
func (f *FakeService) AuthenticateAccessKey(context.Context, string, string) (*reqctx.Principal, error) {
	return f.ExpectedPrincipal, f.ExpectedError
}

// CreateAccessKey implements iam.Service.
func (f *FakeService) CreateAccessKey(context.Context, iam.CreateAccessKeyCommand) (*iam.CreatedAccessKey, error) {
	return f.ExpectedCreatedAccessKey, f.ExpectedError
}

// ListAccessKeys implements iam.Service.
func (f *FakeService) ListAccessKeys(context.Context, iam.ListAccessKeysQuery) ([]*iam.AccessKey, error) {
	return f.ExpectedAccessKeys, f.ExpectedError
}

// GetAccessKey implements iam.Service.
func (f *FakeService) GetAccessKey(context.Context, iam.GetAccessKeyQuery) (*iam.AccessKey, error) {
	return f.ExpectedAccessKey, f.ExpectedError
}

// UpdateAccessKey implements iam.Service.
func (f *FakeService) UpdateAccessKey(context.Context, iam.UpdateAccessKeyCommand) (*iam.AccessKey, error) {
	return f.ExpectedAccessKey, f.ExpectedError
}

// DeleteAccessKey implements iam.Service.
func (f *FakeService) DeleteAccessKey(context.Context, iam.DeleteAccessKeyCommand) error {
	return f.ExpectedError
}

// Bootstrap implements iam.Service.
func (f *FakeService) Bootstrap(context.Context, iam.BootstrapConfig) (iam.BootstrapResult, error) {
	return f.ExpectedBootstrap, f.ExpectedError
}

// Authenticator is a fake api.Authenticator: every request is Principal,
// or fails with Err.
type Authenticator struct {
	Principal *reqctx.Principal
	Err       error
}

// Authenticate returns a copy of Principal, or Err.
func (a Authenticator) Authenticate(*gin.Context) (*reqctx.Principal, error) {
	if a.Err != nil {
		return nil, a.Err
	}
	p := *a.Principal
	return &p, nil
}

// Authorizer is a fake api.Authorizer: it allows everything, or fails with
// Err.
type Authorizer struct {
	Err error
}

// Authorize returns Err.
func (a Authorizer) Authorize(context.Context, *reqctx.Principal, string, string) error { return a.Err }
