package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func (e *platformEnv) published(tenantID string) int {
	stages, err := e.bus.Stages(context.Background())
	require.NoError(e.t, err)
	n := 0
	for _, s := range stages {
		if s.TenantID == tenantID {
			n++
		}
	}
	return n
}

func errorCode(t *testing.T, body []byte) string {
	var v struct {
		Error struct{ Code string } `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &v))
	return v.Error.Code
}

func TestTenantsAPI(t *testing.T) {
	e := newPlatformEnv(t)
	ctx := context.Background()
	// beta has a deployed stage on the fleet.
	a, err := e.apis.CreateAPI(ctx, e.betaTen.ID, apis.CreateAPICommand{Name: "b", ProtocolType: "HTTP"})
	require.NoError(t, err)
	_, err = e.apis.CreateRoute(ctx, e.betaTen.ID, a.ID, apis.CreateRouteCommand{RouteKey: "GET /b", Integration: gwconfig.Integration{Type: "MOCK"}})
	require.NoError(t, err)
	_, err = e.apis.CreateStage(ctx, e.betaTen.ID, a.ID, apis.CreateStageCommand{StageName: "live"})
	require.NoError(t, err)
	_, err = e.apis.CreateDeployment(ctx, e.betaTen.ID, a.ID, apis.CreateDeploymentCommand{StageName: "live"})
	require.NoError(t, err)
	e.inline.Wait()
	require.Equal(t, 1, e.published(e.betaTen.ID))
	beta := "/v1/tenants/" + e.betaTen.ID

	t.Run("create answers the admin's access key once", func(t *testing.T) {
		rec := e.do(http.MethodPost, "/v1/tenants", "admin", map[string]string{"name": "acme", "adminEmail": "ops@acme.test"})
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		var out struct {
			TenantID  string `json:"tenantId"`
			Admin     struct{ Password string }
			AccessKey struct {
				AccessKeyID string `json:"accessKeyId"`
				Token       string `json:"token"`
			} `json:"accessKey"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		assert.NotEmpty(t, out.TenantID)
		assert.NotEmpty(t, out.Admin.Password)
		e.tokens["acme"] = out.AccessKey.Token
		me := e.do(http.MethodGet, "/v1/auth/me", "acme", nil)
		require.Equal(t, http.StatusOK, me.Code)
		assert.Contains(t, me.Body.String(), `"name":"acme"`)
		assert.Contains(t, me.Body.String(), "ops@acme.test")
		// The new tenant's admin is no platform operator.
		assert.Equal(t, http.StatusForbidden, e.do(http.MethodGet, "/v1/tenants", "acme", nil).Code)
	})

	t.Run("create is all or nothing", func(t *testing.T) {
		// The email is taken: neither tenant nor user nor key remains.
		rec := e.do(http.MethodPost, "/v1/tenants", "admin", map[string]string{"name": "delta", "adminEmail": "admin@beta.test"})
		require.Equal(t, http.StatusConflict, rec.Code)
		var n int64
		require.NoError(t, e.d.Gorm.Table("tenants").Where("name = ?", "delta").Count(&n).Error)
		assert.Zero(t, n)
	})

	tests := []struct {
		desc, method, path, token string
		body                      any
		wantStatus                int
		wantCode                  string
	}{
		{desc: "tenant admins cannot list tenants", method: http.MethodGet, path: "/v1/tenants", token: "beta",
			wantStatus: http.StatusForbidden, wantCode: "platform.forbidden"},
		{desc: "tenant admins cannot create tenants", method: http.MethodPost, path: "/v1/tenants", token: "beta",
			body: map[string]string{"name": "evil", "adminEmail": "e@evil.test"}, wantStatus: http.StatusForbidden, wantCode: "platform.forbidden"},
		{desc: "invalid tenant", method: http.MethodPost, path: "/v1/tenants", token: "admin",
			body: map[string]string{"name": "", "adminEmail": "nope"}, wantStatus: http.StatusUnprocessableEntity, wantCode: "tenant.invalid"},
		{desc: "operators cannot suspend their own tenant", method: http.MethodPost, path: "/v1/tenants/" + e.acme.ID + "/suspend",
			token: "admin", wantStatus: http.StatusConflict, wantCode: "tenant.own"},
		{desc: "unknown tenant", method: http.MethodGet, path: "/v1/tenants/tnt_nope", token: "admin",
			wantStatus: http.StatusNotFound, wantCode: "tenant.not-found"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rec := e.do(tt.method, tt.path, tt.token, tt.body)
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			assert.Equal(t, tt.wantCode, errorCode(t, rec.Body.Bytes()))
		})
	}

	t.Run("suspend stops management calls and gateway traffic", func(t *testing.T) {
		rec := e.do(http.MethodPost, beta+"/suspend", "admin", nil)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Contains(t, rec.Body.String(), `"status":"SUSPENDED"`)
		assert.Zero(t, e.published(e.betaTen.ID))
		// The other tenant's stage stays.
		assert.Equal(t, 1, e.published(e.acme.ID))
		rec = e.do(http.MethodGet, "/v1/apis", "beta", nil)
		require.Equal(t, http.StatusForbidden, rec.Code)
		assert.Equal(t, "tenant.suspended", errorCode(t, rec.Body.Bytes()))
		rec = e.do(http.MethodPost, "/v1/auth/login", "", map[string]string{"email": "admin@beta.test", "password": "wrong password!"})
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
	})

	t.Run("resume republishes", func(t *testing.T) {
		rec := e.do(http.MethodPost, beta+"/resume", "admin", nil)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Equal(t, 1, e.published(e.betaTen.ID))
		assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/v1/apis", "beta", nil).Code)
	})

	t.Run("list and get", func(t *testing.T) {
		rec := e.do(http.MethodGet, "/v1/tenants", "admin", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		var list struct {
			Items []struct{ Name, Status string }
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
		var names []string
		for _, it := range list.Items {
			names = append(names, it.Name)
		}
		assert.Equal(t, []string{"ops", "beta", "acme"}, names)
		assert.Equal(t, http.StatusOK, e.do(http.MethodGet, beta, "admin", nil).Code)
	})

	t.Run("delete withdraws and removes everything", func(t *testing.T) {
		require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, beta, "admin", nil).Code)
		assert.Zero(t, e.published(e.betaTen.ID))
		assert.Equal(t, http.StatusNotFound, e.do(http.MethodGet, beta, "admin", nil).Code)
		assert.Equal(t, http.StatusUnauthorized, e.do(http.MethodGet, "/v1/apis", "beta", nil).Code)
		var n int64
		require.NoError(t, e.d.Gorm.Table("apis").Where("tenant_id = ?", e.betaTen.ID).Count(&n).Error)
		assert.Zero(t, n)
	})
}
