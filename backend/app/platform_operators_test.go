package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
)

// TestIntegrationPlatformOperators: an operator makes another user an
// operator, who then manages tenants and operators; the last operator
// cannot be removed; non-operators are refused; every change is audited.
func TestIntegrationPlatformOperators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		opsToken := "tpk_" + "operatorsoperatorsoperatorsoperators1234"
		boot, err := e.app.IAM.Bootstrap(context.Background(), iam.BootstrapConfig{TenantName: "ops", AdminEmail: "root@ops.test",
			AdminPassword: "password-ops", BootstrapToken: opsToken})
		require.NoError(t, err)
		acme := e.newTenant("acme")
		type listView struct {
			Items []struct {
				UserID     string `json:"userId"`
				TenantName string `json:"tenantName"`
			} `json:"items"`
		}
		list := func() listView {
			t.Helper()
			status, resp := e.do(opsToken, http.MethodGet, "/v1/platform/operators", nil)
			require.Equal(t, http.StatusOK, status, resp)
			return decode[listView](t, resp)
		}
		ops := list()
		require.Len(t, ops.Items, 1)
		root := ops.Items[0].UserID

		// A tenant administrator is not an operator.
		status, resp := e.do(acme.adminToken, http.MethodPut, "/v1/platform/operators/"+acme.adminID, nil)
		assert.Equal(t, http.StatusForbidden, status, resp)
		status, resp = e.do(acme.adminToken, http.MethodGet, "/v1/platform/operators", nil)
		assert.Equal(t, http.StatusForbidden, status, resp)

		status, resp = e.do(opsToken, http.MethodPut, "/v1/platform/operators/usr_nobody", nil)
		assert.Equal(t, http.StatusNotFound, status, resp)
		status, resp = e.do(opsToken, http.MethodPut, "/v1/platform/operators/"+acme.adminID, nil)
		require.Equal(t, http.StatusOK, status, resp)
		assert.Contains(t, resp, `"tenantName":"acme"`)
		status, _ = e.do(opsToken, http.MethodPut, "/v1/platform/operators/"+acme.adminID, nil)
		assert.Equal(t, http.StatusOK, status, "adding an operator again is no error")
		assert.Len(t, list().Items, 2)

		// The new operator manages tenants and operators.
		status, resp = e.do(acme.adminToken, http.MethodGet, "/v1/tenants", nil)
		assert.Equal(t, http.StatusOK, status, resp)
		status, resp = e.do(acme.adminToken, http.MethodDelete, "/v1/platform/operators/"+root, nil)
		require.Equal(t, http.StatusNoContent, status, resp)
		status, resp = e.do(acme.adminToken, http.MethodDelete, "/v1/platform/operators/"+root, nil)
		assert.Equal(t, http.StatusNotFound, status, resp)

		// The last operator stays.
		status, resp = e.do(acme.adminToken, http.MethodDelete, "/v1/platform/operators/"+acme.adminID, nil)
		assert.Equal(t, http.StatusConflict, status, resp)
		assert.Contains(t, resp, "platform.last-operator")
		status, resp = e.do(opsToken, http.MethodGet, "/v1/platform/operators", nil)
		assert.Equal(t, http.StatusForbidden, status, "the removed operator is refused: "+resp)

		var audited []struct {
			TenantID string
			Action   string
			Status   int
		}
		require.NoError(t, d.Gorm.Raw(`SELECT tenant_id, action, status FROM audit_log WHERE action LIKE 'platform:%Operator' ORDER BY id`).
			Scan(&audited).Error)
		require.Len(t, audited, 7)
		assert.Equal(t, "platform:AddPlatformOperator", audited[0].Action)
		assert.Equal(t, http.StatusForbidden, audited[0].Status)
		assert.Equal(t, acme.id, audited[0].TenantID)
		assert.Equal(t, boot.TenantID, audited[1].TenantID)
		assert.Equal(t, "platform:RemovePlatformOperator", audited[6].Action)
		assert.Equal(t, http.StatusConflict, audited[6].Status)
	})
}
