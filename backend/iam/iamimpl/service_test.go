package iamimpl

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/lockout/lockouttest"
)

// TestPasswordParams make hashing cheap in tests.
var testPasswordParams = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

type serviceFixture struct {
	svc    *Service
	d      *db.DB
	clock  *lockouttest.Clock
	tenant *iam.Tenant
	admin  *iam.User
}

const testPassword = "correct horse battery"

func newServiceFixture(t *testing.T, d *db.DB) *serviceFixture {
	t.Helper()
	ctx := context.Background()
	clock := lockouttest.NewClock()
	svc := New(d, Config{PasswordParams: testPasswordParams, Now: clock.Now})
	tn, err := svc.CreateTenant(ctx, iam.CreateTenantCommand{Name: "acme"})
	require.NoError(t, err)
	u, err := svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: tn.ID, Email: " Admin@Example.com ", Name: "Ada",
		Password: testPassword, Roles: []string{iam.RoleTenantAdmin}})
	require.NoError(t, err)
	return &serviceFixture{svc: svc, d: d, clock: clock, tenant: tn, admin: u}
}

func TestIntegrationServiceLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		assert.Equal(t, "admin@example.com", f.admin.Email)

		res, err := f.svc.Login(ctx, iam.LoginCommand{Email: "ADMIN@example.com", Password: testPassword, SourceIP: "192.0.2.1"})
		require.NoError(t, err)
		assert.Equal(t, f.admin.ID, res.User.ID)
		assert.Equal(t, "acme", res.Tenant.Name)
		assert.NotEmpty(t, res.CSRFToken)
		assert.Len(t, res.SessionToken, 43)

		auth, err := f.svc.AuthenticateSession(ctx, res.SessionToken)
		require.NoError(t, err)
		assert.Equal(t, f.tenant.ID, auth.Principal.TenantID)
		assert.Equal(t, []string{iam.RoleTenantAdmin}, auth.Principal.Roles)
		assert.Equal(t, res.CSRFToken, auth.CSRFToken)
		assert.NotEmpty(t, auth.Principal.SessionID)

		id, err := f.svc.GetIdentity(ctx, iam.GetIdentityQuery{TenantID: f.tenant.ID, UserID: f.admin.ID, SessionID: auth.Principal.SessionID})
		require.NoError(t, err)
		assert.Equal(t, "Ada", id.User.Name)
		assert.Equal(t, res.CSRFToken, id.CSRFToken)

		_, err = f.svc.Login(ctx, iam.LoginCommand{Email: "admin@example.com", Password: "wrong password", SourceIP: "192.0.2.1"})
		assert.ErrorIs(t, err, iam.ErrInvalidCredentials)
		_, err = f.svc.Login(ctx, iam.LoginCommand{Email: "nobody@example.com", Password: testPassword, SourceIP: "192.0.2.1"})
		assert.ErrorIs(t, err, iam.ErrInvalidCredentials)

		_, err = f.svc.Login(ctx, iam.LoginCommand{Email: "", Password: ""})
		var ae *apierr.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 422, ae.Status)
		assert.Contains(t, ae.Details, "email")
		assert.Contains(t, ae.Details, "password")

		t.Run("session expires", func(t *testing.T) {
			f.clock.Advance(13 * time.Hour)
			_, err := f.svc.AuthenticateSession(ctx, res.SessionToken)
			assert.ErrorIs(t, err, iam.ErrInvalidSession)
		})

		t.Run("logout revokes", func(t *testing.T) {
			res, err := f.svc.Login(ctx, iam.LoginCommand{Email: "admin@example.com", Password: testPassword})
			require.NoError(t, err)
			require.NoError(t, f.svc.Logout(ctx, res.SessionToken))
			_, err = f.svc.AuthenticateSession(ctx, res.SessionToken)
			assert.ErrorIs(t, err, iam.ErrInvalidSession)
			assert.NoError(t, f.svc.Logout(ctx, res.SessionToken))
			assert.NoError(t, f.svc.Logout(ctx, "unknown"))
		})

		t.Run("disabled user and suspended tenant", func(t *testing.T) {
			res, err := f.svc.Login(ctx, iam.LoginCommand{Email: "admin@example.com", Password: testPassword})
			require.NoError(t, err)
			require.NoError(t, d.Gorm.Exec("UPDATE users SET status = 'DISABLED' WHERE id = ?", f.admin.ID).Error)
			_, err = f.svc.AuthenticateSession(ctx, res.SessionToken)
			assert.ErrorIs(t, err, iam.ErrInvalidSession)
			_, err = f.svc.Login(ctx, iam.LoginCommand{Email: "admin@example.com", Password: testPassword})
			assert.ErrorIs(t, err, iam.ErrInvalidCredentials)

			require.NoError(t, d.Gorm.Exec("UPDATE users SET status = 'ACTIVE' WHERE id = ?", f.admin.ID).Error)
			require.NoError(t, d.Gorm.Exec("UPDATE tenants SET status = 'SUSPENDED' WHERE id = ?", f.tenant.ID).Error)
			// A suspended tenant is a clear 403, not an expired session.
			_, err = f.svc.AuthenticateSession(ctx, res.SessionToken)
			assert.ErrorIs(t, err, iam.ErrTenantSuspended)
			_, err = f.svc.Login(ctx, iam.LoginCommand{Email: "admin@example.com", Password: testPassword})
			assert.ErrorIs(t, err, iam.ErrTenantSuspended)
		})
	})
}

func TestIntegrationServiceLoginLockout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		bad := iam.LoginCommand{Email: "admin@example.com", Password: "wrong password", SourceIP: "192.0.2.1"}
		for range 5 {
			_, err := f.svc.Login(ctx, bad)
			require.ErrorIs(t, err, iam.ErrInvalidCredentials)
		}
		good := iam.LoginCommand{Email: "admin@example.com", Password: testPassword, SourceIP: "192.0.2.1"}
		_, err := f.svc.Login(ctx, good)
		assert.ErrorIs(t, err, iam.ErrTooManyAttempts)

		// Another address is not locked out.
		other := good
		other.SourceIP = "192.0.2.2"
		_, err = f.svc.Login(ctx, other)
		assert.NoError(t, err)

		f.clock.Advance(61 * time.Second)
		_, err = f.svc.Login(ctx, good)
		assert.NoError(t, err)
	})
}

func TestIntegrationServiceAccessKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		other, err := f.svc.CreateTenant(ctx, iam.CreateTenantCommand{Name: "other"})
		require.NoError(t, err)

		created, err := f.svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: f.tenant.ID, UserID: f.admin.ID, Name: " ci "})
		require.NoError(t, err)
		assert.Regexp(t, `^TPAK[0-9A-Z]{16}$`, created.ID)
		assert.Regexp(t, `^tpk_[0-9A-Za-z]{40}$`, created.Token)
		assert.Equal(t, "ci", created.Name)
		assert.Equal(t, iam.AccessKeyActive, created.Status)

		p, err := f.svc.AuthenticateAccessKey(ctx, created.Token, "192.0.2.7")
		require.NoError(t, err)
		assert.Equal(t, f.tenant.ID, p.TenantID)
		assert.Equal(t, f.admin.ID, p.UserID)
		assert.Equal(t, created.ID, p.AccessKeyID)
		assert.Equal(t, []string{iam.RoleTenantAdmin}, p.Roles)

		t.Run("last use is written at most once a minute", func(t *testing.T) {
			k, err := f.svc.GetAccessKey(ctx, iam.GetAccessKeyQuery{TenantID: f.tenant.ID, AccessKeyID: created.ID})
			require.NoError(t, err)
			require.NotNil(t, k.LastUsedAt)
			first := *k.LastUsedAt
			assert.Equal(t, "192.0.2.7", k.LastUsedIP)

			f.clock.Advance(30 * time.Second)
			_, err = f.svc.AuthenticateAccessKey(ctx, created.Token, "192.0.2.8")
			require.NoError(t, err)
			k, err = f.svc.GetAccessKey(ctx, iam.GetAccessKeyQuery{TenantID: f.tenant.ID, AccessKeyID: created.ID})
			require.NoError(t, err)
			assert.True(t, first.Equal(*k.LastUsedAt))

			f.clock.Advance(31 * time.Second)
			_, err = f.svc.AuthenticateAccessKey(ctx, created.Token, "192.0.2.8")
			require.NoError(t, err)
			k, err = f.svc.GetAccessKey(ctx, iam.GetAccessKeyQuery{TenantID: f.tenant.ID, AccessKeyID: created.ID})
			require.NoError(t, err)
			assert.True(t, k.LastUsedAt.After(first))
			assert.Equal(t, "192.0.2.8", k.LastUsedIP)
		})

		t.Run("tenant scoping", func(t *testing.T) {
			_, err := f.svc.GetAccessKey(ctx, iam.GetAccessKeyQuery{TenantID: other.ID, AccessKeyID: created.ID})
			assert.ErrorIs(t, err, iam.ErrAccessKeyNotFound)
			st := iam.AccessKeyInactive
			_, err = f.svc.UpdateAccessKey(ctx, iam.UpdateAccessKeyCommand{TenantID: other.ID, AccessKeyID: created.ID, Status: &st})
			assert.ErrorIs(t, err, iam.ErrAccessKeyNotFound)
			err = f.svc.DeleteAccessKey(ctx, iam.DeleteAccessKeyCommand{TenantID: other.ID, AccessKeyID: created.ID})
			assert.ErrorIs(t, err, iam.ErrAccessKeyNotFound)
			keys, err := f.svc.ListAccessKeys(ctx, iam.ListAccessKeysQuery{TenantID: other.ID})
			require.NoError(t, err)
			assert.Empty(t, keys)
			// A user of another tenant cannot be given a key here.
			_, err = f.svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: other.ID, UserID: f.admin.ID, Name: "x"})
			assert.ErrorIs(t, err, iam.ErrUserNotFound)
		})

		t.Run("inactive key is rejected", func(t *testing.T) {
			st := iam.AccessKeyInactive
			k, err := f.svc.UpdateAccessKey(ctx, iam.UpdateAccessKeyCommand{TenantID: f.tenant.ID, AccessKeyID: created.ID, Status: &st})
			require.NoError(t, err)
			assert.Equal(t, iam.AccessKeyInactive, k.Status)
			_, err = f.svc.AuthenticateAccessKey(ctx, created.Token, "")
			assert.ErrorIs(t, err, iam.ErrInvalidToken)
		})

		t.Run("expired key is rejected", func(t *testing.T) {
			exp := f.clock.Now().Add(time.Hour)
			k, err := f.svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: f.tenant.ID, UserID: f.admin.ID, Name: "short", ExpiresAt: &exp})
			require.NoError(t, err)
			_, err = f.svc.AuthenticateAccessKey(ctx, k.Token, "")
			require.NoError(t, err)
			f.clock.Advance(time.Hour)
			_, err = f.svc.AuthenticateAccessKey(ctx, k.Token, "")
			assert.ErrorIs(t, err, iam.ErrInvalidToken)
		})

		t.Run("unknown and empty tokens", func(t *testing.T) {
			_, err := f.svc.AuthenticateAccessKey(ctx, "tpk_unknown", "")
			assert.ErrorIs(t, err, iam.ErrInvalidToken)
			_, err = f.svc.AuthenticateAccessKey(ctx, "", "")
			assert.ErrorIs(t, err, iam.ErrInvalidToken)
		})

		t.Run("validation", func(t *testing.T) {
			_, err := f.svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: f.tenant.ID, UserID: f.admin.ID, Name: strings.Repeat("x", 65)})
			var ae *apierr.Error
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, 422, ae.Status)
			assert.Equal(t, "too-long", ae.Details["name"].Code)

			bad := iam.AccessKeyStatus("DELETED")
			_, err = f.svc.UpdateAccessKey(ctx, iam.UpdateAccessKeyCommand{TenantID: f.tenant.ID, AccessKeyID: created.ID, Status: &bad})
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "invalid", ae.Details["status"].Code)
		})

		t.Run("delete", func(t *testing.T) {
			require.NoError(t, f.svc.DeleteAccessKey(ctx, iam.DeleteAccessKeyCommand{TenantID: f.tenant.ID, AccessKeyID: created.ID}))
			_, err := f.svc.GetAccessKey(ctx, iam.GetAccessKeyQuery{TenantID: f.tenant.ID, AccessKeyID: created.ID})
			assert.ErrorIs(t, err, iam.ErrAccessKeyNotFound)
		})
	})
}

func TestIntegrationServiceCreateUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		_, err := f.svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: f.tenant.ID, Email: "admin@EXAMPLE.com", Name: "Dup", Password: testPassword})
		assert.ErrorIs(t, err, iam.ErrUserEmailTaken)

		_, err = f.svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: f.tenant.ID, Email: "not an email", Name: "", Password: "short", Roles: []string{"Root"}})
		var ae *apierr.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 422, ae.Status)
		for _, field := range []string{"email", "name", "password", "roles"} {
			assert.Contains(t, ae.Details, field)
		}

		_, err = f.svc.CreateTenant(ctx, iam.CreateTenantCommand{Name: "acme"})
		assert.ErrorIs(t, err, iam.ErrTenantNameTaken)
	})
}

func TestIntegrationBootstrap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := New(d, Config{PasswordParams: testPasswordParams})
		const token = "ci-bootstrap-token-0123456789"

		res, err := svc.Bootstrap(ctx, iam.BootstrapConfig{BootstrapToken: token})
		require.NoError(t, err)
		assert.True(t, res.Created)
		assert.Equal(t, DefaultBootstrapEmail, res.Email)
		assert.Regexp(t, `^[0-9A-Za-z]{20}$`, res.Password)

		login, err := svc.Login(ctx, iam.LoginCommand{Email: res.Email, Password: res.Password})
		require.NoError(t, err)
		assert.Equal(t, DefaultBootstrapTenant, login.Tenant.Name)
		assert.Equal(t, []string{iam.RoleTenantAdmin}, login.User.Roles)

		p, err := svc.AuthenticateAccessKey(ctx, token, "")
		require.NoError(t, err)
		assert.Equal(t, res.TenantID, p.TenantID)

		again, err := svc.Bootstrap(ctx, iam.BootstrapConfig{BootstrapToken: token})
		require.NoError(t, err)
		assert.Equal(t, iam.BootstrapResult{}, again)
		keys, err := svc.ListAccessKeys(ctx, iam.ListAccessKeysQuery{TenantID: res.TenantID})
		require.NoError(t, err)
		assert.Len(t, keys, 1)
	})
}

func TestIntegrationBootstrapGivenPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := New(d, Config{PasswordParams: testPasswordParams})
		res, err := svc.Bootstrap(ctx, iam.BootstrapConfig{TenantName: "acme", AdminEmail: "Root@Acme.test", AdminPassword: "s3cret-password"})
		require.NoError(t, err)
		assert.True(t, res.Created)
		assert.Equal(t, "root@acme.test", res.Email)
		assert.Empty(t, res.Password)
		_, err = svc.Login(ctx, iam.LoginCommand{Email: "root@acme.test", Password: "s3cret-password"})
		require.NoError(t, err)
		keys, err := svc.ListAccessKeys(ctx, iam.ListAccessKeysQuery{TenantID: res.TenantID})
		require.NoError(t, err)
		assert.Empty(t, keys)
	})
}

func TestRandomString(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := newAccessKeyToken()
		require.Regexp(t, `^tpk_[0-9A-Za-z]{40}$`, s)
		require.False(t, seen[s])
		seen[s] = true
	}
	assert.Len(t, hashToken("x"), 64)
}
