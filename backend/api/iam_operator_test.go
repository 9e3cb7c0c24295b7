package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam/iamauth"
)

// operatorsFunc is a fake api.PlatformAdmins.
type operatorsFunc func(ctx context.Context, tenantID, userID string) (bool, error)

func (f operatorsFunc) IsPlatformAdmin(ctx context.Context, tenantID, userID string) (bool, error) {
	return f(ctx, tenantID, userID)
}

// TestSessionPlatformOperator checks that login and /v1/auth/me tell the
// console whether the caller operates the platform.
func TestSessionPlatformOperator(t *testing.T) {
	adminOnly := operatorsFunc(func(_ context.Context, _, userID string) (bool, error) {
		return userID != "", nil
	})
	for _, tc := range []struct {
		desc     string
		opts     []api.IAMOption
		req      iamRequest
		status   int
		operator bool
	}{
		{desc: "me of an operator by access key", opts: []api.IAMOption{api.WithPlatformOperators(adminOnly)},
			req: iamRequest{Method: http.MethodGet, Path: "/v1/auth/me", Headers: bearer("acme")}, status: http.StatusOK, operator: true},
		{desc: "me of an operator by session", opts: []api.IAMOption{api.WithPlatformOperators(adminOnly)},
			req: iamRequest{Method: http.MethodGet, Path: "/v1/auth/me", Cookie: true}, status: http.StatusOK, operator: true},
		{desc: "login of an operator", opts: []api.IAMOption{api.WithPlatformOperators(adminOnly)},
			req: iamRequest{Method: http.MethodPost, Path: "/v1/auth/login",
				Body: `{"email":"admin@acme.test","password":"` + iamTestPassword + `"}`}, status: http.StatusOK, operator: true},
		{desc: "not an operator", opts: []api.IAMOption{api.WithPlatformOperators(operatorsFunc(
			func(context.Context, string, string) (bool, error) { return false, nil }))},
			req: iamRequest{Method: http.MethodGet, Path: "/v1/auth/me", Headers: bearer("reader")}, status: http.StatusOK},
		{desc: "no operator lookup wired", req: iamRequest{Method: http.MethodGet, Path: "/v1/auth/me", Headers: bearer("acme")},
			status: http.StatusOK},
		{desc: "lookup failure is a server error, not a wrong answer", opts: []api.IAMOption{api.WithPlatformOperators(operatorsFunc(
			func(context.Context, string, string) (bool, error) { return false, errors.New("db down") }))},
			req: iamRequest{Method: http.MethodGet, Path: "/v1/auth/me", Headers: bearer("acme")}, status: http.StatusInternalServerError},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			e := newIAMEnv(t)
			enf, err := authz.New()
			require.NoError(t, err)
			e.srv = api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: iamauth.New(e.svc), Authz: enf,
				Modules: []api.Module{api.NewIAMModule(e.svc, tc.opts...)}}).Handler()
			rec := e.do(tc.req)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.status != http.StatusOK {
				return
			}
			var v map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
			assert.Equal(t, tc.operator, v["platformOperator"])
		})
	}
}
