package iamimpl

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
)

// testProvider is an OpenID provider that counts discovery fetches and
// refuses every code.
func testProvider(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var discoveries atomic.Int32
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		discoveries.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize", "token_endpoint": srv.URL + "/token",
			"jwks_uri": srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
	})
	return srv, &discoveries
}

// TestIntegrationOIDCDiscoveryCached: sign-ins reuse the provider's
// discovery for ProviderTTL; a failed exchange or the TTL reads it again.
func TestIntegrationOIDCDiscoveryCached(t *testing.T) {
	ctx := context.Background()
	f := newServiceFixture(t, dbtest.SQLite(t))
	srv, discoveries := testProvider(t)
	sso := NewSSOService(f.d, f.svc, nil)
	_, err := sso.PutOIDCConfig(ctx, iam.PutOIDCConfigCommand{TenantID: f.tenant.ID, Issuer: srv.URL, ClientID: "turnpike",
		ClientSecret: "s3cret"})
	require.NoError(t, err)
	begin := func() string {
		t.Helper()
		authURL, state, err := sso.BeginOIDCLogin(ctx, iam.BeginOIDCLoginCommand{TenantName: "acme",
			RedirectURL: "https://console.test/v1/auth/oidc/callback"})
		require.NoError(t, err)
		assert.Contains(t, authURL, srv.URL+"/authorize?")
		return state
	}

	begin()
	state := begin()
	assert.EqualValues(t, 1, discoveries.Load(), "two sign-ins, one discovery")

	// A refused code: the next sign-in discovers again.
	_, _, err = sso.FinishOIDCLogin(ctx, iam.FinishOIDCLoginCommand{State: state, CookieState: state, Code: "bad",
		RedirectURL: "https://console.test/v1/auth/oidc/callback"})
	require.ErrorIs(t, err, iam.ErrOIDCLoginFailed)
	assert.EqualValues(t, 1, discoveries.Load(), "finishing reused the cache, then forgot it")
	begin()
	assert.EqualValues(t, 2, discoveries.Load())
	begin()
	assert.EqualValues(t, 2, discoveries.Load())

	f.clock.Advance(time.Hour)
	begin()
	assert.EqualValues(t, 3, discoveries.Load(), "stale after ProviderTTL")
}
