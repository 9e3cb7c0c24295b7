package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/iam/iamauth"
	"github.com/turnpike/turnpike/backend/iam/lockout"
)

// invite creates an invitation of acme for email and returns its id and
// token.
func (e *platformEnv) invite(email string) (id, token string) {
	e.t.Helper()
	rec := e.do(http.MethodPost, "/v1/iam/invitations", "admin", map[string]any{"email": email})
	require.Equal(e.t, http.StatusCreated, rec.Code, rec.Body.String())
	var inv struct{ InvitationID, Link string }
	require.NoError(e.t, json.Unmarshal(rec.Body.Bytes(), &inv))
	u, err := url.Parse(inv.Link)
	require.NoError(e.t, err)
	return inv.InvitationID, u.Query().Get("token")
}

func TestLookupInvitation(t *testing.T) {
	e := newPlatformEnv(t)
	_, valid := e.invite("valid@acme.test")
	expiredID, expired := e.invite("expired@acme.test")
	require.NoError(t, e.d.Gorm.Table("invitations").Where("id = ?", expiredID).
		Update("expires_at", time.Now().Add(-time.Minute)).Error)
	_, accepted := e.invite("accepted@acme.test")
	require.Equal(t, http.StatusCreated, e.do(http.MethodPost, "/v1/invitations/accept", "",
		map[string]string{"token": accepted, "name": "A", "password": "long enough password"}).Code)
	revokedID, revoked := e.invite("revoked@acme.test")
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/v1/iam/invitations/"+revokedID, "admin", nil).Code)

	tests := []struct {
		desc       string
		token      string
		wantStatus int
		wantEmail  string
	}{
		{desc: "valid", token: valid, wantStatus: http.StatusOK, wantEmail: "valid@acme.test"},
		{desc: "unknown", token: "tpi_nosuchtoken", wantStatus: http.StatusNotFound},
		{desc: "empty", token: "", wantStatus: http.StatusNotFound},
		{desc: "expired", token: expired, wantStatus: http.StatusNotFound},
		{desc: "accepted", token: accepted, wantStatus: http.StatusNotFound},
		{desc: "revoked", token: revoked, wantStatus: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rec := e.do(http.MethodPost, "/v1/invitations/lookup", "", map[string]string{"token": tt.token})
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			if tt.wantStatus != http.StatusOK {
				// One answer for every dead link: nothing says which.
				assert.Equal(t, "invitation.not-found", errorCode(t, rec.Body.Bytes()))
				assert.NotContains(t, rec.Body.String(), "@acme.test")
				return
			}
			var got api.InvitationPreviewView
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			assert.Equal(t, e.acme.Name, got.TenantName)
			assert.Equal(t, tt.wantEmail, got.Email)
			assert.Equal(t, "PENDING", got.Status)
			assert.True(t, got.ExpiresAt.After(time.Now()))
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
		})
	}

	t.Run("looking up does not use the invitation", func(t *testing.T) {
		rec := e.do(http.MethodPost, "/v1/invitations/accept", "", map[string]string{"token": valid, "name": "V",
			"password": "long enough password"})
		assert.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	})
	t.Run("the token is not in the audit log", func(t *testing.T) {
		for _, row := range e.auditRows() {
			for _, v := range row {
				if s, ok := v.(string); ok {
					assert.NotContains(t, s, valid)
				}
			}
		}
	})
}

// TestLookupInvitationFlood: unknown tokens count against the address like
// failed authentications; once locked out, they are answered 429 with
// Retry-After, while a valid token still works.
func TestLookupInvitationFlood(t *testing.T) {
	e := newPlatformEnv(t)
	_, valid := e.invite("flood@acme.test")
	srv := api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: iamauth.New(e.iam),
		Modules: []api.Module{api.NewInviteModule(api.InviteConfig{Invitations: e.invites, Keys: e.iam,
			Failures: lockout.New(nil, "", "authn", lockout.Policy{Max: 3, Window: time.Minute, Lockout: time.Minute}, nil)})}})
	lookup := func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/invitations/lookup", strings.NewReader(`{"token":"`+token+`"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	for range 3 {
		require.Equal(t, http.StatusNotFound, lookup("guess").Code)
	}
	rec := lookup("guess")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "auth.rate-limited", errorCode(t, rec.Body.Bytes()))
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	assert.Equal(t, http.StatusOK, lookup(valid).Code)
}
