package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
)

// iamManagerDoc may do anything in IAM except to its own user.
const iamManagerDoc = `{"Version":"2012-10-17","Statement":[
	{"Sid":"ManageIAM","Effect":"Allow","Action":["iam:*","apigw:Get*"],"Resource":"*"},
	{"Sid":"NotMyself","Effect":"Deny","Action":"iam:*","Resource":"trn:turnpike:*:users/${turnpike:PrincipalId}"}]}`

// TestIntegrationPrivilegeEscalation: a user who may edit the IAM
// settings of others but not their own cannot give themselves more, by
// any route: attaching to themselves, to a group or role they hold,
// joining a more powerful group, taking a role, or editing or deleting a
// policy that applies to them. Each attempt is a 403 and changes nothing;
// the same change aimed at another user succeeds.
func TestIntegrationPrivilegeEscalation(t *testing.T) {
	e := newEnv(t, dbtest.Postgres(t))
	ctx := context.Background()
	a := e.newTenant("acme")
	dir := e.app.Directory
	mgr := e.user(a.id, "mgr@acme.test")
	other := e.user(a.id, "other@acme.test")
	pol, err := dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: a.id, Name: "iam-manager", Document: iamManagerDoc})
	require.NoError(t, err)
	require.NoError(t, dir.AttachPolicy(ctx, a.id, iam.PrincipalRef{Type: iam.PrincipalUser, ID: mgr}, pol.ID))
	mine, err := dir.SaveGroup(ctx, iam.SaveGroupCommand{TenantID: a.id, Name: "mine"})
	require.NoError(t, err)
	require.NoError(t, dir.AddUserToGroup(ctx, a.id, mine.ID, mgr))
	admins, err := dir.SaveGroup(ctx, iam.SaveGroupCommand{TenantID: a.id, Name: "admins"})
	require.NoError(t, err)
	require.NoError(t, dir.AttachPolicy(ctx, a.id, iam.PrincipalRef{Type: iam.PrincipalGroup, ID: admins.ID}, authz.PolicyAdministratorAccess))
	role, err := dir.SaveRole(ctx, iam.SaveRoleCommand{TenantID: a.id, Name: "myrole"})
	require.NoError(t, err)
	require.NoError(t, dir.AddUserToRole(ctx, a.id, role.Name, mgr))
	token := e.key(a.id, mgr)

	adminDoc := []byte(`{"name":"iam-manager","document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}`)
	attempts := []struct {
		desc, method, path string
		body               []byte
	}{
		{"attach AdministratorAccess to myself", http.MethodPut, "/v1/iam/users/" + mgr + "/policies/AdministratorAccess", nil},
		{"detach the policy that restrains me", http.MethodDelete, "/v1/iam/users/" + mgr + "/policies/" + pol.ID, nil},
		{"attach AdministratorAccess to my group", http.MethodPut, "/v1/iam/groups/" + mine.ID + "/policies/AdministratorAccess", nil},
		{"attach AdministratorAccess to my role", http.MethodPut, "/v1/iam/roles/" + role.Name + "/policies/AdministratorAccess", nil},
		{"join the admins group", http.MethodPut, "/v1/iam/groups/" + admins.ID + "/members/" + mgr, nil},
		{"take the TenantAdmin role", http.MethodPut, "/v1/iam/users/" + mgr + "/roles/TenantAdmin", nil},
		{"rewrite my own policy to allow everything", http.MethodPut, "/v1/iam/policies/" + pol.ID, adminDoc},
		{"delete my own policy (and its deny)", http.MethodDelete, "/v1/iam/policies/" + pol.ID, nil},
		{"delete my group", http.MethodDelete, "/v1/iam/groups/" + mine.ID, nil},
		{"create a user as TenantAdmin", http.MethodPost, "/v1/iam/users", []byte(`{"email":"sock@acme.test","name":"Sock","password":"password-123","roles":["TenantAdmin"]}`)},
	}
	before := e.fingerprint(a.id)
	for _, at := range attempts {
		t.Run(at.desc, func(t *testing.T) {
			status, resp := e.do(token, at.method, at.path, at.body)
			assert.Equal(t, http.StatusForbidden, status, resp)
			assert.Contains(t, resp, "auth.forbidden")
			assert.Equal(t, before, e.fingerprint(a.id), "nothing changed")
		})
	}
	status, resp := e.do(token, http.MethodDelete, "/v1/apis/x", nil)
	assert.Equal(t, http.StatusForbidden, status, "still no more than before: %s", resp)

	// The same powers aimed at another user work.
	status, resp = e.do(token, http.MethodPut, "/v1/iam/users/"+other+"/policies/AdministratorAccess", nil)
	require.Equal(t, http.StatusNoContent, status, resp)
	status, resp = e.do(token, http.MethodPut, "/v1/iam/groups/"+admins.ID+"/members/"+other, nil)
	require.Equal(t, http.StatusNoContent, status, resp)
	otherToken := e.key(a.id, other)
	status, resp = e.do(otherToken, http.MethodGet, "/v1/iam/users", nil)
	require.Equal(t, http.StatusOK, status, resp)
}
