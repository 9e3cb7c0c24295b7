package app

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
)

// TestIntegrationInvitationGrants: an invitation names groups and
// policies by id or name, checked when it is made; the user who accepts
// joins and gets them.
func TestIntegrationInvitationGrants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		a, b := e.newTenant("acme"), e.newTenant("beta")
		group, err := e.app.Directory.SaveGroup(ctx, iam.SaveGroupCommand{TenantID: a.id, Name: "developers"})
		require.NoError(t, err)
		foreign, err := e.app.Directory.SaveGroup(ctx, iam.SaveGroupCommand{TenantID: b.id, Name: "beta-team"})
		require.NoError(t, err)

		status, resp := e.do(a.adminToken, http.MethodPost, "/v1/iam/invitations", []byte(`{"email":"dev@acme.test",
			"groups":["developers","`+foreign.ID+`"],"policies":["ReadOnlyAccess","missing"]}`))
		require.Equal(t, http.StatusUnprocessableEntity, status, resp)
		details := decode[apiErr](t, resp).Error.Details
		assert.Contains(t, details, "groups[1]", "another tenant's group is not found")
		assert.Contains(t, details, "policies[1]")
		assert.NotContains(t, details, "groups[0]")
		assert.Len(t, details, 2)

		status, resp = e.do(a.adminToken, http.MethodPost, "/v1/iam/invitations", []byte(`{"email":"dev@acme.test",
			"groups":["developers","`+group.ID+`"],"policies":["ReadOnlyAccess"]}`))
		require.Equal(t, http.StatusCreated, status, resp)
		inv := decode[struct {
			Groups   []string `json:"groups"`
			Policies []string `json:"policies"`
			Link     string   `json:"link"`
		}](t, resp)
		assert.Equal(t, []string{group.ID}, inv.Groups, "by name and by id: once")
		assert.Equal(t, []string{"ReadOnlyAccess"}, inv.Policies)
		link, err := url.Parse(inv.Link)
		require.NoError(t, err)

		w := call(e.app.Server.Handler(), http.MethodPost, "/v1/invitations/accept", "192.0.2.1",
			`{"token":"`+link.Query().Get("token")+`","name":"Dev","password":"password-dev"}`)
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		dev := decode[struct {
			User struct {
				UserID string `json:"userId"`
			} `json:"user"`
		}](t, w.Body.String()).User.UserID

		groups, err := e.app.Directory.ListUserGroups(ctx, a.id, dev)
		require.NoError(t, err)
		require.Len(t, groups, 1)
		assert.Equal(t, group.ID, groups[0].ID)
		pols, err := e.app.Directory.ListAttachedPolicies(ctx, a.id, iam.PrincipalRef{Type: iam.PrincipalUser, ID: dev})
		require.NoError(t, err)
		require.Len(t, pols, 1)
		assert.Equal(t, "ReadOnlyAccess", pols[0].ID)

		// The grants take effect: the new user reads, and may not write.
		key := e.key(a.id, dev)
		status, resp = e.do(key, http.MethodGet, "/v1/apis", nil)
		assert.Equal(t, http.StatusOK, status, resp)
		status, resp = e.do(key, http.MethodPost, "/v1/apis", []byte(`{"name":"x","protocolType":"HTTP"}`))
		assert.Equal(t, http.StatusForbidden, status, resp)
	})
}
