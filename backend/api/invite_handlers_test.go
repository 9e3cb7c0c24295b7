package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvitations(t *testing.T) {
	e := newPlatformEnv(t)
	rec := e.do(http.MethodPost, "/v1/iam/invitations", "admin", map[string]any{"email": "New.Dev@acme.test", "expiresInHours": 2})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var inv struct {
		InvitationID, Email, Status, Link string
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &inv))
	assert.Equal(t, "new.dev@acme.test", inv.Email)
	require.True(t, strings.HasPrefix(inv.Link, "https://console.test/accept-invite?token="), inv.Link)
	u, err := url.Parse(inv.Link)
	require.NoError(t, err)
	token := u.Query().Get("token")
	assert.NotContains(t, e.do(http.MethodGet, "/v1/iam/invitations", "admin", nil).Body.String(), token, "the token is shown once")

	tests := []struct {
		desc       string
		body       map[string]string
		wantStatus int
		wantCode   string
	}{
		{desc: "unknown token", body: map[string]string{"token": "nope", "name": "Dev", "password": "long enough password"},
			wantStatus: http.StatusGone, wantCode: "invitation.unusable"},
		{desc: "short password keeps the invitation", body: map[string]string{"token": token, "name": "Dev", "password": "short"},
			wantStatus: http.StatusUnprocessableEntity, wantCode: "user.invalid"},
		{desc: "accept creates the user and signs in", body: map[string]string{"token": token, "name": "Dev", "password": "long enough password"},
			wantStatus: http.StatusCreated},
		{desc: "single use", body: map[string]string{"token": token, "name": "Dev", "password": "long enough password"},
			wantStatus: http.StatusGone, wantCode: "invitation.unusable"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rec := e.do(http.MethodPost, "/v1/invitations/accept", "", tt.body)
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			if tt.wantCode != "" {
				assert.Equal(t, tt.wantCode, errorCode(t, rec.Body.Bytes()))
				return
			}
			assert.Contains(t, rec.Body.String(), `"email":"new.dev@acme.test"`)
			assert.Contains(t, rec.Header().Get("Set-Cookie"), "turnpike_session=")
		})
	}

	t.Run("revoked invitations cannot be used", func(t *testing.T) {
		rec := e.do(http.MethodPost, "/v1/iam/invitations", "admin", map[string]any{"email": "other@acme.test"})
		require.Equal(t, http.StatusCreated, rec.Code)
		var other struct{ InvitationID, Link string }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &other))
		require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/v1/iam/invitations/"+other.InvitationID, "admin", nil).Code)
		u, _ := url.Parse(other.Link)
		rec = e.do(http.MethodPost, "/v1/invitations/accept", "", map[string]string{"token": u.Query().Get("token"),
			"name": "O", "password": "long enough password"})
		assert.Equal(t, http.StatusGone, rec.Code)
		// Another tenant cannot revoke it (or see it).
		assert.Equal(t, http.StatusNotFound, e.do(http.MethodDelete, "/v1/iam/invitations/"+other.InvitationID, "beta", nil).Code)
		assert.NotContains(t, e.do(http.MethodGet, "/v1/iam/invitations", "beta", nil).Body.String(), other.InvitationID)
	})
}

func TestSignup(t *testing.T) {
	e := newPlatformEnv(t)
	body := map[string]string{"tenantName": "newco", "email": "founder@newco.test", "password": "long enough password"}
	rec := e.do(http.MethodPost, "/v1/signup", "", body)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `"name":"newco"`)
	assert.Contains(t, rec.Header().Get("Set-Cookie"), "turnpike_session=")
	rec = e.do(http.MethodPost, "/v1/signup", "", body)
	assert.Equal(t, http.StatusConflict, rec.Code)
	// Five sign-ups per address and hour.
	for i := range 10 {
		body["tenantName"] = "spam" + string(rune('a'+i))
		body["email"] = body["tenantName"] + "@spam.test"
		rec = e.do(http.MethodPost, "/v1/signup", "", body)
	}
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
}

func TestRotateAccessKey(t *testing.T) {
	tests := []struct {
		desc        string
		grace       int
		oldWorks    bool
		wantOldStat string
	}{
		{desc: "immediately", grace: 0, oldWorks: false, wantOldStat: "INACTIVE"},
		{desc: "with a grace period", grace: 3600, oldWorks: true, wantOldStat: "ACTIVE"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := newPlatformEnv(t)
			id := e.params["accessKeyId"]
			rec := e.do(http.MethodPost, "/v1/iam/access-keys/"+id+"/rotate", "admin", map[string]int{"graceSeconds": tt.grace})
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var out struct {
				AccessKey struct{ AccessKeyID, Token, Name string } `json:"accessKey"`
				Previous  struct {
					Status    string
					ExpiresAt *string `json:"expiresAt"`
				} `json:"previous"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
			assert.Equal(t, "reader", out.AccessKey.Name)
			assert.Equal(t, tt.wantOldStat, out.Previous.Status)
			assert.Equal(t, tt.grace > 0, out.Previous.ExpiresAt != nil)
			e.tokens["new"] = out.AccessKey.Token
			assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/v1/auth/me", "new", nil).Code)
			old := e.do(http.MethodGet, "/v1/auth/me", "reader", nil).Code
			assert.Equal(t, tt.oldWorks, old == http.StatusOK, old)
		})
	}
	t.Run("another tenant's key is not found", func(t *testing.T) {
		e := newPlatformEnv(t)
		rec := e.do(http.MethodPost, "/v1/iam/access-keys/"+e.params["accessKeyId"]+"/rotate", "beta", map[string]int{})
		assert.Equal(t, http.StatusNotFound, rec.Code)
	})
}
