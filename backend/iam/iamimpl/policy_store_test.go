package iamimpl

import (
	"context"
	"sort"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
)

var fastParams = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

const deployDevDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"Dev","Effect":"Allow","Action":"apigw:CreateDeployment","Resource":"trn:turnpike:*:apis/*/stages/dev"}]}`

func TestIntegrationPolicySchemaMatchesRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		for _, row := range []any{&policyRow{}, &groupRow{}, &groupMemberRow{}, &roleRow{}, &attachmentRow{},
			&sessionPolicyRow{}, &policyVersionRow{}, &passwordResetRow{}, &policyDocVersionRow{}} {
			stmt := &gorm.Statement{DB: d.Gorm}
			require.NoError(t, stmt.Parse(row))
			want := append([]string(nil), stmt.Schema.DBNames...)
			cols, err := d.Gorm.Migrator().ColumnTypes(row)
			require.NoError(t, err)
			var got []string
			for _, c := range cols {
				got = append(got, c.Name())
			}
			sort.Strings(want)
			sort.Strings(got)
			assert.Equal(t, want, got, stmt.Schema.Table)
		}
	})
}

func TestIntegrationDirectoryPolicies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, d)
		dir := NewDirectory(d, Config{PasswordParams: fastParams})
		ta, tb := f.ta.ID, f.tb.ID

		// Validation: a bad document is a 422 naming each problem.
		_, err := dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: ta, Name: "bad",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps","Action":"x","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.0.0.1"}}}]}`})
		var ae *apierr.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 422, ae.Status)
		assert.Contains(t, ae.Details, "document.Statement[0].Effect")
		assert.Contains(t, ae.Details, "document.Statement[0].Action")
		assert.Contains(t, ae.Details, "document.Statement[0].Condition.IpAddress.aws:SourceIp")
		_, err = dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: ta, Name: "AdministratorAccess", Document: deployDevDoc})
		require.ErrorIs(t, err, iam.ErrPolicyNameTaken)

		v0, err := dir.PolicyVersion(ctx, ta)
		require.NoError(t, err)
		pol, err := dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: ta, Name: "deploy-dev", Document: deployDevDoc})
		require.NoError(t, err)
		assert.Equal(t, 1, pol.Version)
		_, err = dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: ta, Name: "deploy-dev", Document: deployDevDoc})
		require.ErrorIs(t, err, iam.ErrPolicyNameTaken)

		// Another tenant sees none of it.
		_, err = dir.GetPolicy(ctx, tb, pol.ID)
		require.ErrorIs(t, err, iam.ErrPolicyNotFound)
		err = dir.AttachPolicy(ctx, tb, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.ub.ID}, pol.ID)
		require.ErrorIs(t, err, iam.ErrPolicyNotFound)
		err = dir.AttachPolicy(ctx, tb, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.ua.ID}, authz.PolicyReadOnlyAccess)
		require.ErrorIs(t, err, iam.ErrUserNotFound)
		list, err := dir.ListPolicies(ctx, tb)
		require.NoError(t, err)
		assert.Len(t, list, len(authz.ManagedPolicies))

		// Group with the policy; the user joins it.
		grp, err := dir.SaveGroup(ctx, iam.SaveGroupCommand{TenantID: ta, Name: "deployers"})
		require.NoError(t, err)
		require.NoError(t, dir.AttachPolicy(ctx, ta, iam.PrincipalRef{Type: iam.PrincipalGroup, ID: grp.ID}, pol.ID))
		require.NoError(t, dir.AddUserToGroup(ctx, ta, grp.ID, f.ua.ID))
		require.ErrorIs(t, dir.AddUserToGroup(ctx, tb, grp.ID, f.ub.ID), iam.ErrGroupNotFound)
		require.ErrorIs(t, dir.AddUserToGroup(ctx, ta, grp.ID, f.ub.ID), iam.ErrUserNotFound)

		// A custom role with the billing policy.
		role, err := dir.SaveRole(ctx, iam.SaveRoleCommand{TenantID: ta, Name: "billing"})
		require.NoError(t, err)
		require.NoError(t, dir.AttachPolicy(ctx, ta, iam.PrincipalRef{Type: iam.PrincipalRole, ID: role.Name}, authz.PolicyBillingReadOnly))
		require.NoError(t, dir.AddUserToRole(ctx, ta, role.Name, f.ua.ID))
		require.ErrorIs(t, dir.AttachPolicy(ctx, ta, iam.PrincipalRef{Type: iam.PrincipalRole, ID: authz.RoleReadOnly}, pol.ID), iam.ErrRoleBuiltin)

		eff, err := dir.EffectivePolicies(ctx, ta, f.ua.ID)
		require.NoError(t, err)
		via := map[string]string{}
		for _, e := range eff {
			via[e.Policy.ID] = e.Via
		}
		assert.Equal(t, map[string]string{
			authz.PolicyReadOnlyAccess: "role:ReadOnly", authz.PolicyAdministratorAccess: "role:TenantAdmin",
			authz.PolicyBillingReadOnly: "role:billing", pol.ID: "group:deployers",
		}, via)

		affected, err := dir.AffectedUsers(ctx, ta, iam.PrincipalRef{Type: iam.PrincipalPolicyRef, ID: pol.ID})
		require.NoError(t, err)
		assert.Equal(t, []string{f.ua.ID}, affected)

		v1, err := dir.PolicyVersion(ctx, ta)
		require.NoError(t, err)
		assert.NotEqual(t, v0, v1)
		vb, err := dir.PolicyVersion(ctx, tb)
		require.NoError(t, err)
		assert.Equal(t, int64(0), vb, "tenant B's version is untouched")

		// Update bumps the policy's version and the tenant's.
		pol2, err := dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: ta, PolicyID: pol.ID, Name: "deploy-dev", Description: "dev only", Document: deployDevDoc})
		require.NoError(t, err)
		assert.Equal(t, 2, pol2.Version)
		v2, err := dir.PolicyVersion(ctx, ta)
		require.NoError(t, err)
		assert.NotEqual(t, v1, v2)

		// Deleting the group removes its policy from the user.
		require.NoError(t, dir.DeleteGroup(ctx, ta, grp.ID))
		eff, err = dir.EffectivePolicies(ctx, ta, f.ua.ID)
		require.NoError(t, err)
		for _, e := range eff {
			assert.NotEqual(t, pol.ID, e.Policy.ID)
		}
		// Deleting the policy removes its attachments.
		require.NoError(t, dir.AttachPolicy(ctx, ta, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.ua.ID}, pol.ID))
		require.NoError(t, dir.DeletePolicy(ctx, ta, pol.ID))
		att, err := dir.ListAttachedPolicies(ctx, ta, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.ua.ID})
		require.NoError(t, err)
		assert.Empty(t, att)
		require.ErrorIs(t, dir.DeletePolicy(ctx, ta, authz.PolicyAdministratorAccess), iam.ErrPolicyManaged)
		require.NoError(t, dir.DeleteRole(ctx, ta, role.Name))
		u, err := dir.getUser(ctx, d.Gorm, ta, f.ua.ID)
		require.NoError(t, err)
		assert.NotContains(t, u.Roles, "billing")
	})
}

func TestIntegrationDirectoryPrincipalPolicies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, d)
		dir := NewDirectory(d, Config{PasswordParams: fastParams})
		k := f.key(f.tb, f.ub, "ci")
		require.NoError(t, f.st.insertAccessKey(ctx, k, "hash-ci"))
		require.NoError(t, dir.SetSessionPolicy(ctx, f.tb.ID, k.ID, deployDevDoc))

		a := authz.NewAuthorizer(dir)
		user := &reqctx.Principal{TenantID: f.tb.ID, UserID: f.ub.ID, Roles: f.ub.Roles}
		viaKey := &reqctx.Principal{TenantID: f.tb.ID, UserID: f.ub.ID, AccessKeyID: k.ID, Roles: f.ub.Roles}
		require.NoError(t, a.Authorize(ctx, user, "apigw:GetApi", "apis/x"))
		// The key is narrowed to deploying dev, which its user may not do.
		require.ErrorIs(t, a.Authorize(ctx, viaKey, "apigw:GetApi", "apis/x"), authz.ErrForbidden)
		require.ErrorIs(t, a.Authorize(ctx, viaKey, "apigw:CreateDeployment", "apis/x/stages/dev"), authz.ErrForbidden)

		// A detach (here: of the built-in role) takes effect on the next call.
		require.NoError(t, dir.RemoveUserFromRole(ctx, f.tb.ID, authz.RoleReadOnly, f.ub.ID))
		require.ErrorIs(t, a.Authorize(ctx, user, "apigw:GetApi", "apis/x"), authz.ErrForbidden)
		require.NoError(t, dir.AttachPolicy(ctx, f.tb.ID, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.ub.ID}, authz.PolicyDeveloperAccess))
		require.NoError(t, a.Authorize(ctx, viaKey, "apigw:CreateDeployment", "apis/x/stages/dev"))
		require.NoError(t, dir.DetachPolicy(ctx, f.tb.ID, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.ub.ID}, authz.PolicyDeveloperAccess))
		require.ErrorIs(t, a.Authorize(ctx, viaKey, "apigw:CreateDeployment", "apis/x/stages/dev"), authz.ErrForbidden)

		// Password reset: everything but self-service is refused until the
		// password changes.
		hash, err := argon2id.CreateHash("old-password", fastParams)
		require.NoError(t, err)
		require.NoError(t, d.Gorm.Model(&userRow{}).Where("id = ?", f.ua.ID).Update("password_hash", hash).Error)
		admin := &reqctx.Principal{TenantID: f.ta.ID, UserID: f.ua.ID}
		require.NoError(t, a.Authorize(ctx, admin, "apigw:GetApi", "apis/x"))
		require.NoError(t, dir.ForcePasswordReset(ctx, f.ta.ID, f.ua.ID))
		require.ErrorIs(t, a.Authorize(ctx, admin, "apigw:GetApi", "apis/x"), authz.ErrPasswordResetRequired)
		require.NoError(t, a.Authorize(ctx, admin, authz.ActionChangePassword, "session"))
		err = dir.ChangePassword(ctx, iam.ChangePasswordCommand{TenantID: f.ta.ID, UserID: f.ua.ID, CurrentPassword: "wrong-password", NewPassword: "new-password"})
		require.ErrorIs(t, err, iam.ErrCurrentPassword)
		require.NoError(t, dir.ChangePassword(ctx, iam.ChangePasswordCommand{TenantID: f.ta.ID, UserID: f.ua.ID, CurrentPassword: "old-password", NewPassword: "new-password"}))
		require.NoError(t, a.Authorize(ctx, admin, "apigw:GetApi", "apis/x"))
		reset, err := dir.PasswordResetRequired(ctx, f.ta.ID, f.ua.ID)
		require.NoError(t, err)
		assert.False(t, reset)
		require.ErrorIs(t, dir.ForcePasswordReset(ctx, f.tb.ID, f.ua.ID), iam.ErrUserNotFound)

		// Disable and delete.
		st := iam.UserDisabled
		u, err := dir.UpdateUser(ctx, iam.UpdateUserCommand{TenantID: f.tb.ID, UserID: f.ub.ID, Status: &st})
		require.NoError(t, err)
		assert.Equal(t, iam.UserDisabled, u.Status)
		_, err = dir.UpdateUser(ctx, iam.UpdateUserCommand{TenantID: f.ta.ID, UserID: f.ub.ID, Status: &st})
		require.ErrorIs(t, err, iam.ErrUserNotFound)
		users, err := dir.ListUsers(ctx, f.ta.ID)
		require.NoError(t, err)
		require.Len(t, users, 1)
		require.ErrorIs(t, dir.DeleteUser(ctx, f.ta.ID, f.ub.ID), iam.ErrUserNotFound)
		require.NoError(t, dir.DeleteUser(ctx, f.tb.ID, f.ub.ID))
		doc, err := dir.GetSessionPolicy(ctx, f.tb.ID, k.ID)
		require.NoError(t, err)
		assert.Empty(t, doc, "the key and its session policy went with the user")
	})
}
