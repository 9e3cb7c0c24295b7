package iamimpl

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
)

// storeFixture is two tenants with one user each.
type storeFixture struct {
	st     *gormStore
	now    time.Time
	ta, tb *iam.Tenant
	ua, ub *iam.User
}

func newStoreFixture(t *testing.T, d *db.DB) *storeFixture {
	t.Helper()
	ctx := context.Background()
	f := &storeFixture{st: newGormStore(d), now: time.Now().UTC().Truncate(time.Microsecond)}
	f.ta = &iam.Tenant{ID: newTenantID(), Name: "a", Status: iam.TenantActive, CreatedAt: f.now, UpdatedAt: f.now}
	f.tb = &iam.Tenant{ID: newTenantID(), Name: "b", Status: iam.TenantActive, CreatedAt: f.now, UpdatedAt: f.now}
	require.NoError(t, f.st.insertTenant(ctx, f.ta))
	require.NoError(t, f.st.insertTenant(ctx, f.tb))
	f.ua = &iam.User{ID: newUserID(), TenantID: f.ta.ID, Email: "a@example.com", Name: "A", PasswordHash: "h",
		Status: iam.UserActive, Roles: []string{iam.RoleReadOnly, iam.RoleTenantAdmin}, CreatedAt: f.now, UpdatedAt: f.now}
	f.ub = &iam.User{ID: newUserID(), TenantID: f.tb.ID, Email: "b@example.com", Name: "B", PasswordHash: "h",
		Status: iam.UserActive, Roles: []string{iam.RoleReadOnly}, CreatedAt: f.now, UpdatedAt: f.now}
	require.NoError(t, f.st.insertUser(ctx, f.ua))
	require.NoError(t, f.st.insertUser(ctx, f.ub))
	return f
}

func (f *storeFixture) key(tenant *iam.Tenant, user *iam.User, name string) *iam.AccessKey {
	return &iam.AccessKey{ID: newAccessKeyID(), TenantID: tenant.ID, UserID: user.ID, Name: name,
		Status: iam.AccessKeyActive, CreatedAt: f.now, UpdatedAt: f.now}
}

func TestIntegrationStoreTenantsAndUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, d)

		n, err := f.st.countTenants(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(2), n)

		got, err := f.st.getTenant(ctx, f.ta.ID)
		require.NoError(t, err)
		assert.Equal(t, f.ta.Name, got.Name)
		assert.Equal(t, iam.TenantActive, got.Status)
		assert.True(t, f.now.Equal(got.CreatedAt))

		_, err = f.st.getTenant(ctx, "tnt_missing")
		assert.ErrorIs(t, err, iam.ErrTenantNotFound)

		dup := *f.ta
		dup.ID = newTenantID()
		assert.ErrorIs(t, f.st.insertTenant(ctx, &dup), iam.ErrTenantNameTaken)

		u, err := f.st.getUser(ctx, f.ta.ID, f.ua.ID)
		require.NoError(t, err)
		assert.Equal(t, "a@example.com", u.Email)
		assert.Equal(t, []string{iam.RoleReadOnly, iam.RoleTenantAdmin}, u.Roles)
		assert.Equal(t, iam.UserActive, u.Status)

		u, err = f.st.getUserByEmail(ctx, "b@example.com")
		require.NoError(t, err)
		assert.Equal(t, f.ub.ID, u.ID)
		assert.Equal(t, f.tb.ID, u.TenantID)

		_, err = f.st.getUser(ctx, f.tb.ID, f.ua.ID)
		assert.ErrorIs(t, err, iam.ErrUserNotFound)
		_, err = f.st.getUserByEmail(ctx, "nobody@example.com")
		assert.ErrorIs(t, err, iam.ErrUserNotFound)

		other := *f.ua
		other.ID, other.TenantID, other.Roles = newUserID(), f.tb.ID, nil
		assert.ErrorIs(t, f.st.insertUser(ctx, &other), iam.ErrUserEmailTaken)

		orphan := *f.ua
		orphan.ID, orphan.TenantID, orphan.Email = newUserID(), "tnt_missing", "orphan@example.com"
		assert.ErrorIs(t, f.st.insertUser(ctx, &orphan), iam.ErrTenantNotFound)
	})
}

func TestIntegrationStoreAccessKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, d)
		ka := f.key(f.ta, f.ua, "ci")
		exp := f.now.Add(time.Hour)
		ka.ExpiresAt = &exp
		require.NoError(t, f.st.insertAccessKey(ctx, ka, hashToken("token-a")))
		kb := f.key(f.tb, f.ub, "b")
		require.NoError(t, f.st.insertAccessKey(ctx, kb, hashToken("token-b")))

		t.Run("get and list are tenant scoped", func(t *testing.T) {
			got, err := f.st.getAccessKey(ctx, f.ta.ID, ka.ID)
			require.NoError(t, err)
			assert.Equal(t, "ci", got.Name)
			assert.Equal(t, f.ua.ID, got.UserID)
			require.NotNil(t, got.ExpiresAt)
			assert.True(t, exp.Equal(*got.ExpiresAt))
			assert.Nil(t, got.LastUsedAt)

			_, err = f.st.getAccessKey(ctx, f.tb.ID, ka.ID)
			assert.ErrorIs(t, err, iam.ErrAccessKeyNotFound)

			list, err := f.st.listAccessKeys(ctx, f.ta.ID)
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.Equal(t, ka.ID, list[0].ID)
		})

		t.Run("lookup by token hash returns the tenant", func(t *testing.T) {
			got, err := f.st.getAccessKeyByTokenHash(ctx, hashToken("token-b"))
			require.NoError(t, err)
			assert.Equal(t, kb.ID, got.ID)
			assert.Equal(t, f.tb.ID, got.TenantID)
			_, err = f.st.getAccessKeyByTokenHash(ctx, hashToken("nope"))
			assert.ErrorIs(t, err, iam.ErrInvalidToken)
		})

		t.Run("token hash is unique", func(t *testing.T) {
			err := f.st.insertAccessKey(ctx, f.key(f.tb, f.ub, "dup"), hashToken("token-a"))
			assert.ErrorIs(t, err, iam.ErrAccessKeyConflict)
		})

		t.Run("unknown user", func(t *testing.T) {
			k := f.key(f.ta, f.ua, "x")
			k.UserID = "usr_missing"
			assert.ErrorIs(t, f.st.insertAccessKey(ctx, k, hashToken("x")), iam.ErrUserNotFound)
		})

		t.Run("update and touch", func(t *testing.T) {
			k := *ka
			k.Name, k.Status, k.UpdatedAt = "renamed", iam.AccessKeyInactive, f.now.Add(time.Second)
			require.NoError(t, f.st.updateAccessKey(ctx, &k))
			at := f.now.Add(2 * time.Second)
			require.NoError(t, f.st.touchAccessKey(ctx, f.ta.ID, ka.ID, at, "192.0.2.1"))
			got, err := f.st.getAccessKey(ctx, f.ta.ID, ka.ID)
			require.NoError(t, err)
			assert.Equal(t, "renamed", got.Name)
			assert.Equal(t, iam.AccessKeyInactive, got.Status)
			require.NotNil(t, got.LastUsedAt)
			assert.True(t, at.Equal(*got.LastUsedAt))
			assert.Equal(t, "192.0.2.1", got.LastUsedIP)
		})

		t.Run("cross-tenant update and delete are not found", func(t *testing.T) {
			k := *ka
			k.TenantID = f.tb.ID
			assert.ErrorIs(t, f.st.updateAccessKey(ctx, &k), iam.ErrAccessKeyNotFound)
			assert.ErrorIs(t, f.st.deleteAccessKey(ctx, f.tb.ID, ka.ID), iam.ErrAccessKeyNotFound)
			_, err := f.st.getAccessKey(ctx, f.ta.ID, ka.ID)
			assert.NoError(t, err)
		})

		t.Run("delete", func(t *testing.T) {
			require.NoError(t, f.st.deleteAccessKey(ctx, f.ta.ID, ka.ID))
			_, err := f.st.getAccessKey(ctx, f.ta.ID, ka.ID)
			assert.ErrorIs(t, err, iam.ErrAccessKeyNotFound)
			assert.ErrorIs(t, f.st.deleteAccessKey(ctx, f.ta.ID, ka.ID), iam.ErrAccessKeyNotFound)
		})
	})
}

func TestIntegrationStoreSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, d)
		ses := &iam.Session{ID: newSessionID(), TenantID: f.ta.ID, UserID: f.ua.ID, CSRFToken: "csrf",
			CreatedAt: f.now, ExpiresAt: f.now.Add(time.Hour)}
		require.NoError(t, f.st.insertSession(ctx, ses, hashToken("cookie")))

		got, err := f.st.getSessionByTokenHash(ctx, hashToken("cookie"))
		require.NoError(t, err)
		assert.Equal(t, ses.ID, got.ID)
		assert.Equal(t, "csrf", got.CSRFToken)
		assert.True(t, ses.ExpiresAt.Equal(got.ExpiresAt))
		assert.Nil(t, got.RevokedAt)

		_, err = f.st.getSession(ctx, f.tb.ID, ses.ID)
		assert.ErrorIs(t, err, iam.ErrInvalidSession)

		// Revoking through another tenant changes nothing.
		require.NoError(t, f.st.revokeSession(ctx, f.tb.ID, ses.ID, f.now))
		got, err = f.st.getSession(ctx, f.ta.ID, ses.ID)
		require.NoError(t, err)
		assert.Nil(t, got.RevokedAt)

		require.NoError(t, f.st.revokeSession(ctx, f.ta.ID, ses.ID, f.now.Add(time.Minute)))
		got, err = f.st.getSession(ctx, f.ta.ID, ses.ID)
		require.NoError(t, err)
		require.NotNil(t, got.RevokedAt)
		assert.False(t, got.Valid(f.now.Add(2*time.Minute)))

		_, err = f.st.getSessionByTokenHash(ctx, hashToken("other"))
		assert.ErrorIs(t, err, iam.ErrInvalidSession)
	})
}
