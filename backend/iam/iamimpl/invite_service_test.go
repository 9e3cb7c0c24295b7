package iamimpl

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
)

// failingAttach is the directory with AttachPolicy failing.
type failingAttach struct{ *Directory }

func (failingAttach) AttachPolicy(context.Context, string, iam.PrincipalRef, string) error {
	return errors.New("attach failed")
}

// TestIntegrationAcceptInvitationAtomic: when a grant fails, accepting
// creates no user and leaves no membership, and the link still works.
func TestIntegrationAcceptInvitationAtomic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		dir := NewDirectory(d, Config{})
		g, err := dir.SaveGroup(ctx, iam.SaveGroupCommand{TenantID: f.tenant.ID, Name: "devs"})
		require.NoError(t, err)
		failing := NewInviteService(d, f.svc, nil, false, WithInviteDirectory(failingAttach{dir}))
		inv, err := failing.CreateInvitation(ctx, iam.CreateInvitationCommand{TenantID: f.tenant.ID, Email: "dev@example.com",
			Groups: []string{"devs"}, Policies: []string{"ReadOnlyAccess"}})
		require.NoError(t, err)
		assert.Equal(t, []string{g.ID}, inv.GroupIDs)

		accept := iam.AcceptInvitationCommand{Token: inv.Token, Name: "Dev", Password: "password-dev"}
		_, err = failing.AcceptInvitation(ctx, accept)
		require.ErrorContains(t, err, "attach failed")
		_, err = f.svc.store.getUserByEmail(ctx, "dev@example.com")
		assert.ErrorIs(t, err, iam.ErrUserNotFound)
		members, err := dir.ListGroupMembers(ctx, f.tenant.ID, g.ID)
		require.NoError(t, err)
		assert.Empty(t, members)

		working := NewInviteService(d, f.svc, nil, false, WithInviteDirectory(dir))
		res, err := working.AcceptInvitation(ctx, accept)
		require.NoError(t, err)
		members, err = dir.ListGroupMembers(ctx, f.tenant.ID, g.ID)
		require.NoError(t, err)
		require.Len(t, members, 1)
		assert.Equal(t, res.User.ID, members[0].ID)

		// Without a directory, naming a group is refused up front.
		_, err = NewInviteService(d, f.svc, nil, false).CreateInvitation(ctx, iam.CreateInvitationCommand{TenantID: f.tenant.ID,
			Email: "x@example.com", Groups: []string{"devs"}})
		assert.ErrorIs(t, err, iam.ErrInvitationInvalid)
	})
}

// TestIntegrationLookupInvitation: only a pending, unexpired token shows
// its tenant and email; every other token is the same not-found.
func TestIntegrationLookupInvitation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		s := NewInviteService(d, f.svc, nil, false)
		invite := func(email string) *iam.CreatedInvitation {
			inv, err := s.CreateInvitation(ctx, iam.CreateInvitationCommand{TenantID: f.tenant.ID, Email: email})
			require.NoError(t, err)
			return inv
		}
		valid, expired, accepted, revoked := invite("valid@example.com"), invite("expired@example.com"),
			invite("accepted@example.com"), invite("revoked@example.com")
		require.NoError(t, d.Gorm.Table("invitations").Where("id = ?", expired.ID).
			Update("expires_at", f.svc.now().Add(-time.Second)).Error)
		_, err := s.AcceptInvitation(ctx, iam.AcceptInvitationCommand{Token: accepted.Token, Name: "A", Password: "password-acc"})
		require.NoError(t, err)
		require.NoError(t, s.RevokeInvitation(ctx, f.tenant.ID, revoked.ID))

		tests := []struct {
			desc  string
			token string
			want  string
		}{
			{desc: "valid", token: valid.Token, want: "valid@example.com"},
			{desc: "empty", token: ""},
			{desc: "unknown", token: "no-such-token"},
			{desc: "expired", token: expired.Token},
			{desc: "accepted", token: accepted.Token},
			{desc: "revoked", token: revoked.Token},
		}
		for _, tt := range tests {
			t.Run(tt.desc, func(t *testing.T) {
				got, err := s.LookupInvitation(ctx, tt.token)
				if tt.want == "" {
					assert.ErrorIs(t, err, iam.ErrInvitationNotFound)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, f.tenant.Name, got.TenantName)
				assert.Equal(t, tt.want, got.Email)
				assert.Equal(t, iam.InvitationPending, got.Status)
				assert.WithinDuration(t, valid.ExpiresAt, got.ExpiresAt, time.Millisecond)
			})
		}
	})
}

// TestIntegrationInvitationOfSuspendedTenant: a suspended tenant's link
// can neither be looked up nor accepted (403 tenant.suspended), creates no
// user, and works again once the tenant is resumed.
func TestIntegrationInvitationOfSuspendedTenant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		s := NewInviteService(d, f.svc, nil, false)
		inv, err := s.CreateInvitation(ctx, iam.CreateInvitationCommand{TenantID: f.tenant.ID, Email: "late@example.com"})
		require.NoError(t, err)
		setStatus := func(st iam.TenantStatus) {
			t.Helper()
			require.NoError(t, d.Gorm.Table("tenants").Where("id = ?", f.tenant.ID).Update("status", st).Error)
		}
		accept := iam.AcceptInvitationCommand{Token: inv.Token, Name: "Late", Password: "password-late"}

		setStatus(iam.TenantSuspended)
		calls := []struct {
			desc string
			call func() error
		}{
			{desc: "lookup", call: func() error { _, err := s.LookupInvitation(ctx, inv.Token); return err }},
			{desc: "accept", call: func() error { _, err := s.AcceptInvitation(ctx, accept); return err }},
		}
		for _, tc := range calls {
			t.Run(tc.desc, func(t *testing.T) {
				err := tc.call()
				require.ErrorIs(t, err, iam.ErrTenantSuspended)
				e, ok := errors.AsType[*apierr.Error](err)
				require.True(t, ok)
				assert.Equal(t, http.StatusForbidden, e.Status)
				assert.Equal(t, "tenant.suspended", e.Code)
			})
		}
		_, err = f.svc.store.getUserByEmail(ctx, "late@example.com")
		assert.ErrorIs(t, err, iam.ErrUserNotFound)

		setStatus(iam.TenantActive)
		got, err := s.LookupInvitation(ctx, inv.Token)
		require.NoError(t, err)
		assert.Equal(t, "late@example.com", got.Email)
		res, err := s.AcceptInvitation(ctx, accept)
		require.NoError(t, err)
		assert.Equal(t, "late@example.com", res.User.Email)
	})
}
