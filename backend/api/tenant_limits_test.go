package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/reqctx"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// tokenAuthn maps bearer tokens to principals.
type tokenAuthn map[string]*reqctx.Principal

func (a tokenAuthn) Authenticate(c *gin.Context) (*reqctx.Principal, error) {
	if p, ok := a[c.GetHeader("Authorization")]; ok {
		cp := *p
		return &cp, nil
	}
	return nil, apierr.Unauthorized("auth.required", "Sign in.")
}

type allowAll struct{}

func (allowAll) Authorize(context.Context, *reqctx.Principal, string, string) error { return nil }

type operators map[string]bool

func (o operators) IsPlatformAdmin(_ context.Context, _, userID string) (bool, error) {
	return o[userID], nil
}

// fakeLimits keeps ceilings in memory.
type fakeLimits map[string]gwconfig.Throttle

func (f fakeLimits) GetTenantLimits(_ context.Context, id string) (*usage.TenantLimits, error) {
	if id == "tnt_nope" {
		return nil, usage.ErrTenantNotFound
	}
	if t, ok := f[id]; ok {
		return &usage.TenantLimits{TenantID: id, Throttle: t}, nil
	}
	return &usage.TenantLimits{TenantID: id, Throttle: gwconfig.DefaultTenantThrottle, Default: true}, nil
}

func (f fakeLimits) PutTenantLimits(_ context.Context, id string, t gwconfig.Throttle) (*usage.TenantLimits, error) {
	if err := usage.ValidateTenantThrottle(t); err != nil {
		return nil, err
	}
	f[id] = t
	return &usage.TenantLimits{TenantID: id, Throttle: t}, nil
}

func (f fakeLimits) DeleteTenantLimits(_ context.Context, id string) error {
	if id == "tnt_nope" {
		return usage.ErrTenantNotFound
	}
	delete(f, id)
	return nil
}

func TestTenantLimitsAPI(t *testing.T) {
	limits := fakeLimits{}
	srv := api.New(api.Config{
		Logger: slog.New(slog.DiscardHandler),
		Authn: tokenAuthn{
			"operator": {TenantID: "tnt_ops", UserID: "usr_op"},
			"admin":    {TenantID: "tnt_acme", UserID: "usr_admin"},
		},
		Authz:   api.PlatformGuard{Next: allowAll{}, Admins: operators{"usr_op": true}},
		Modules: []api.Module{api.NewTenantLimitsModule(limits)},
	})
	do := func(method, token, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, bytes.NewBufferString(body))
		req.Header.Set("Authorization", token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	testCases := []struct {
		desc, method, token, path, body string
		status                          int
		want                            string // JSON subset checked by field
	}{
		{desc: "a tenant admin may not read a ceiling, even its own", method: "GET", token: "admin", path: "/v1/tenants/tnt_acme/limits", status: 403},
		{desc: "a tenant admin may not set one", method: "PUT", token: "admin", path: "/v1/tenants/tnt_acme/limits",
			body: `{"rateLimit":1e6,"burstLimit":1e6}`, status: 403},
		{desc: "the default", method: "GET", token: "operator", path: "/v1/tenants/tnt_acme/limits", status: 200,
			want: `{"tenantId":"tnt_acme","rateLimit":10000,"burstLimit":5000,"isDefault":true}`},
		{desc: "unknown tenant", method: "GET", token: "operator", path: "/v1/tenants/tnt_nope/limits", status: 404},
		{desc: "missing burst", method: "PUT", token: "operator", path: "/v1/tenants/tnt_acme/limits", body: `{"rateLimit":5}`, status: 422},
		{desc: "wrong type", method: "PUT", token: "operator", path: "/v1/tenants/tnt_acme/limits", body: `{"rateLimit":"fast","burstLimit":1}`, status: 400},
		{desc: "out of range", method: "PUT", token: "operator", path: "/v1/tenants/tnt_acme/limits", body: `{"rateLimit":-1,"burstLimit":1}`, status: 422},
		{desc: "set", method: "PUT", token: "operator", path: "/v1/tenants/tnt_acme/limits", body: `{"rateLimit":20000,"burstLimit":8000}`, status: 200,
			want: `{"tenantId":"tnt_acme","rateLimit":20000,"burstLimit":8000,"isDefault":false}`},
		{desc: "read back", method: "GET", token: "operator", path: "/v1/tenants/tnt_acme/limits", status: 200,
			want: `{"tenantId":"tnt_acme","rateLimit":20000,"burstLimit":8000,"isDefault":false}`},
		{desc: "a tenant admin may not reset one", method: "DELETE", token: "admin", path: "/v1/tenants/tnt_acme/limits", status: 403},
		{desc: "reset an unknown tenant", method: "DELETE", token: "operator", path: "/v1/tenants/tnt_nope/limits", status: 404},
		{desc: "reset", method: "DELETE", token: "operator", path: "/v1/tenants/tnt_acme/limits", status: 204},
		{desc: "read back the default", method: "GET", token: "operator", path: "/v1/tenants/tnt_acme/limits", status: 200,
			want: `{"tenantId":"tnt_acme","rateLimit":10000,"burstLimit":5000,"isDefault":true}`},
		{desc: "set again", method: "PUT", token: "operator", path: "/v1/tenants/tnt_acme/limits", body: `{"rateLimit":20000,"burstLimit":8000}`, status: 200,
			want: `{"tenantId":"tnt_acme","rateLimit":20000,"burstLimit":8000,"isDefault":false}`},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			rec := do(tc.method, tc.token, tc.path, tc.body)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.want != "" {
				assert.JSONEq(t, tc.want, rec.Body.String())
			}
		})
	}
	assert.Equal(t, gwconfig.Throttle{RateLimit: 20000, BurstLimit: 8000}, limits["tnt_acme"])
}
