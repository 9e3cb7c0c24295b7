package iamimpl

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
	"github.com/turnpike/turnpike/migrations"
)

const (
	getApiDoc    = `{"Version":"2012-10-17","Statement":[{"Sid":"Get","Effect":"Allow","Action":"apigw:GetApi","Resource":"*"}]}`
	deleteApiDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"Delete","Effect":"Allow","Action":"apigw:DeleteApi","Resource":"*"}]}`
)

func versionIDs(vs []*iam.PolicyVersion) (ids []string, def string) {
	for _, v := range vs {
		ids = append(ids, v.VersionID())
		if v.IsDefault {
			def = v.VersionID()
		}
	}
	return ids, def
}

func TestIntegrationDirectoryPolicyVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, d)
		dir := NewDirectory(d, Config{PasswordParams: fastParams})
		ta, tb := f.ta.ID, f.tb.ID
		pol, err := dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: tb, Name: "apis", Document: getApiDoc})
		require.NoError(t, err)
		require.NoError(t, dir.AttachPolicy(ctx, tb, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.ub.ID}, pol.ID))
		require.NoError(t, dir.RemoveUserFromRole(ctx, tb, authz.RoleReadOnly, f.ub.ID))
		a := authz.NewAuthorizer(dir)
		p := &reqctx.Principal{TenantID: tb, UserID: f.ub.ID}

		vs, err := dir.ListPolicyVersions(ctx, tb, pol.ID)
		require.NoError(t, err)
		ids, def := versionIDs(vs)
		assert.Equal(t, []string{"v1"}, ids)
		assert.Equal(t, "v1", def)
		require.NoError(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/x"))

		// A non-default version changes nothing that is enforced.
		v0, err := dir.PolicyVersion(ctx, tb)
		require.NoError(t, err)
		v2, err := dir.CreatePolicyVersion(ctx, iam.CreatePolicyVersionCommand{TenantID: tb, PolicyID: pol.ID, Document: deleteApiDoc})
		require.NoError(t, err)
		assert.Equal(t, "v2", v2.VersionID())
		assert.False(t, v2.IsDefault)
		same, err := dir.PolicyVersion(ctx, tb)
		require.NoError(t, err)
		assert.Equal(t, v0, same)
		require.NoError(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/x"))
		require.ErrorIs(t, a.Authorize(ctx, p, "apigw:DeleteApi", "apis/x"), authz.ErrForbidden)

		// Switching the default takes effect on the next call.
		require.NoError(t, dir.SetDefaultPolicyVersion(ctx, tb, pol.ID, "v2"))
		require.ErrorIs(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/x"), authz.ErrForbidden)
		require.NoError(t, a.Authorize(ctx, p, "apigw:DeleteApi", "apis/x"))
		got, err := dir.GetPolicy(ctx, tb, pol.ID)
		require.NoError(t, err)
		assert.Equal(t, 2, got.Version)
		assert.Contains(t, got.Document, `"apigw:DeleteApi"`)
		require.NoError(t, dir.SetDefaultPolicyVersion(ctx, tb, pol.ID, "v1"))
		require.NoError(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/x"))

		// The default cannot be deleted; the others can, once.
		require.ErrorIs(t, dir.DeletePolicyVersion(ctx, tb, pol.ID, "v1"), iam.ErrPolicyVersionDefault)
		require.NoError(t, dir.DeletePolicyVersion(ctx, tb, pol.ID, "v2"))
		require.ErrorIs(t, dir.DeletePolicyVersion(ctx, tb, pol.ID, "v2"), iam.ErrPolicyVersionNotFound)
		_, err = dir.GetPolicyVersion(ctx, tb, pol.ID, "v2")
		require.ErrorIs(t, err, iam.ErrPolicyVersionNotFound)

		// At most five; numbers are never reused.
		for range 4 {
			_, err := dir.CreatePolicyVersion(ctx, iam.CreatePolicyVersionCommand{TenantID: tb, PolicyID: pol.ID, Document: getApiDoc})
			require.NoError(t, err)
		}
		_, err = dir.CreatePolicyVersion(ctx, iam.CreatePolicyVersionCommand{TenantID: tb, PolicyID: pol.ID, Document: getApiDoc})
		var ae *apierr.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 409, ae.Status)
		assert.Equal(t, "policy.version-limit", ae.Code)
		assert.Contains(t, ae.Message, "delete")
		vs, err = dir.ListPolicyVersions(ctx, tb, pol.ID)
		require.NoError(t, err)
		ids, def = versionIDs(vs)
		assert.Equal(t, []string{"v6", "v5", "v4", "v3", "v1"}, ids)
		assert.Equal(t, "v1", def)

		// PUT at five versions drops the oldest non-default (v3) and makes
		// the new document the default.
		upd, err := dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: tb, PolicyID: pol.ID, Name: "apis", Document: deleteApiDoc})
		require.NoError(t, err)
		assert.Equal(t, 7, upd.Version)
		vs, err = dir.ListPolicyVersions(ctx, tb, pol.ID)
		require.NoError(t, err)
		ids, def = versionIDs(vs)
		assert.Equal(t, []string{"v7", "v6", "v5", "v4", "v1"}, ids)
		assert.Equal(t, "v7", def)
		require.NoError(t, a.Authorize(ctx, p, "apigw:DeleteApi", "apis/x"))
		// Again: the oldest non-default is v1 now.
		_, err = dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: tb, PolicyID: pol.ID, Name: "apis", Document: getApiDoc})
		require.NoError(t, err)
		vs, err = dir.ListPolicyVersions(ctx, tb, pol.ID)
		require.NoError(t, err)
		ids, _ = versionIDs(vs)
		assert.Equal(t, []string{"v8", "v7", "v6", "v5", "v4"}, ids)

		// Bad documents are 422s with document details.
		_, err = dir.CreatePolicyVersion(ctx, iam.CreatePolicyVersionCommand{TenantID: tb, PolicyID: pol.ID,
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotAction":"iam:*","Resource":"*"}]}`})
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 422, ae.Status)
		assert.Contains(t, ae.Details, "document.Statement[0].NotAction")

		// Another tenant sees none of it; managed policies have one
		// read-only version.
		_, err = dir.ListPolicyVersions(ctx, ta, pol.ID)
		require.ErrorIs(t, err, iam.ErrPolicyNotFound)
		_, err = dir.GetPolicyVersion(ctx, ta, pol.ID, "v4")
		require.ErrorIs(t, err, iam.ErrPolicyNotFound)
		require.ErrorIs(t, dir.SetDefaultPolicyVersion(ctx, ta, pol.ID, "v4"), iam.ErrPolicyNotFound)
		require.ErrorIs(t, dir.DeletePolicyVersion(ctx, ta, pol.ID, "v4"), iam.ErrPolicyNotFound)
		_, err = dir.CreatePolicyVersion(ctx, iam.CreatePolicyVersionCommand{TenantID: ta, PolicyID: pol.ID, Document: getApiDoc})
		require.ErrorIs(t, err, iam.ErrPolicyNotFound)
		mv, err := dir.ListPolicyVersions(ctx, ta, authz.PolicyReadOnlyAccess)
		require.NoError(t, err)
		require.Len(t, mv, 1)
		assert.True(t, mv[0].IsDefault)
		require.ErrorIs(t, dir.SetDefaultPolicyVersion(ctx, ta, authz.PolicyReadOnlyAccess, "v1"), iam.ErrPolicyManaged)
		require.ErrorIs(t, dir.DeletePolicyVersion(ctx, ta, authz.PolicyReadOnlyAccess, "v1"), iam.ErrPolicyManaged)
		for _, bad := range []string{"1", "v0", "v01", "vx", "v"} {
			_, err = dir.GetPolicyVersion(ctx, tb, pol.ID, bad)
			require.ErrorIs(t, err, iam.ErrPolicyVersionNotFound, bad)
		}

		// Deleting the policy deletes its versions.
		require.NoError(t, dir.DeletePolicy(ctx, tb, pol.ID))
		var n int64
		require.NoError(t, d.Gorm.Model(&policyDocVersionRow{}).Where("policy_id = ?", pol.ID).Count(&n).Error)
		assert.Zero(t, n)
	})
}

// Migration 00060 moves each existing document to v1 and makes it the
// default.
func TestIntegrationPolicyVersionsMigration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, d)
		sqlDB, err := d.SQL()
		require.NoError(t, err)
		sub, err := fs.Sub(migrations.FS, string(d.Dialect))
		require.NoError(t, err)
		dialect := goose.DialectPostgres
		if d.Dialect == db.SQLite {
			dialect = goose.DialectSQLite3
		}
		prov, err := goose.NewProvider(dialect, sqlDB, sub, goose.WithAllowOutofOrder(true))
		require.NoError(t, err)
		_, err = prov.ApplyVersion(ctx, 60, false)
		require.NoError(t, err)
		require.NoError(t, d.Gorm.Exec(`INSERT INTO iam_policies (id, tenant_id, name, description, document, version, created_at, updated_at)
			VALUES ('pol_old', ?, 'old', '', ?, 3, ?, ?)`, f.ta.ID, getApiDoc, f.now, f.now).Error)
		_, err = prov.ApplyVersion(ctx, 60, true)
		require.NoError(t, err)

		dir := NewDirectory(d, Config{PasswordParams: fastParams})
		vs, err := dir.ListPolicyVersions(ctx, f.ta.ID, "pol_old")
		require.NoError(t, err)
		require.Len(t, vs, 1)
		assert.Equal(t, "v1", vs[0].VersionID())
		assert.True(t, vs[0].IsDefault)
		assert.Equal(t, getApiDoc, vs[0].Document)
		v, err := dir.CreatePolicyVersion(ctx, iam.CreatePolicyVersionCommand{TenantID: f.ta.ID, PolicyID: "pol_old", Document: deleteApiDoc})
		require.NoError(t, err)
		assert.Equal(t, "v2", v.VersionID())
	})
}

// Concurrent additions count versions one after the other: exactly enough
// succeed to reach the limit, the rest are told to delete one.
func TestIntegrationPolicyVersionsConcurrentCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, d)
		dir := NewDirectory(d, Config{PasswordParams: fastParams})
		pol, err := dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: f.ta.ID, Name: "race", Document: getApiDoc})
		require.NoError(t, err)
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := dir.CreatePolicyVersion(ctx, iam.CreatePolicyVersionCommand{TenantID: f.ta.ID, PolicyID: pol.ID, Document: deleteApiDoc})
				errs <- err
			}()
		}
		ok, limited := 0, 0
		for range n {
			err := <-errs
			switch {
			case err == nil:
				ok++
			case errors.Is(err, iam.ErrPolicyVersionLimit):
				limited++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		assert.Equal(t, iam.MaxPolicyVersions-1, ok)
		assert.Equal(t, n-iam.MaxPolicyVersions+1, limited)
		vs, err := dir.ListPolicyVersions(ctx, f.ta.ID, pol.ID)
		require.NoError(t, err)
		assert.Len(t, vs, iam.MaxPolicyVersions)
	})
}
