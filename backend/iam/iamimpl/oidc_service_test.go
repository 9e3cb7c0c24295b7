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

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/secretbox"
)

func testBox(t *testing.T) *secretbox.Box {
	t.Helper()
	b, err := secretbox.New([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	return b
}

func storedSecret(t *testing.T, d *db.DB, tenantID string) string {
	t.Helper()
	var s string
	require.NoError(t, d.Gorm.Raw(`SELECT client_secret FROM oidc_configs WHERE tenant_id = ?`, tenantID).Scan(&s).Error)
	return s
}

// TestIntegrationOIDCSecretEncrypted: the client secret is sealed in its
// row, read back for the provider, kept when a save omits it, and refused
// without a key.
func TestIntegrationOIDCSecretEncrypted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		sso := NewSSOService(d, f.svc, nil, WithSecretBox(testBox(t)))
		put := iam.PutOIDCConfigCommand{TenantID: f.tenant.ID, Issuer: "https://idp.test", ClientID: "turnpike", ClientSecret: "s3cret-value"}
		_, err := sso.PutOIDCConfig(ctx, put)
		require.NoError(t, err)
		stored := storedSecret(t, d, f.tenant.ID)
		assert.True(t, secretbox.Sealed(stored))
		assert.NotContains(t, stored, "s3cret")
		c, err := sso.GetOIDCConfig(ctx, f.tenant.ID)
		require.NoError(t, err)
		assert.Equal(t, "s3cret-value", c.ClientSecret)

		put.ClientSecret = ""
		put.ClientID = "other"
		_, err = sso.PutOIDCConfig(ctx, put)
		require.NoError(t, err)
		c, err = sso.GetOIDCConfig(ctx, f.tenant.ID)
		require.NoError(t, err)
		assert.Equal(t, "s3cret-value", c.ClientSecret, "omitted: kept")
		assert.True(t, secretbox.Sealed(storedSecret(t, d, f.tenant.ID)))

		keyless := NewSSOService(d, f.svc, nil)
		put.ClientSecret = "new"
		_, err = keyless.PutOIDCConfig(ctx, put)
		assert.ErrorIs(t, err, iam.ErrSecretKeyMissing)
		_, err = keyless.GetOIDCConfig(ctx, f.tenant.ID)
		assert.ErrorIs(t, err, iam.ErrSecretKeyMissing)
	})
}

// TestIntegrationSealStoredSecrets: secrets saved in the clear before
// encryption are sealed on start, once; without a key they are counted
// and keep working.
func TestIntegrationSealStoredSecrets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		keyless := NewSSOService(d, f.svc, nil)
		_, err := keyless.PutOIDCConfig(ctx, iam.PutOIDCConfigCommand{TenantID: f.tenant.ID, Issuer: "https://idp.test", ClientID: "turnpike"})
		require.NoError(t, err)
		require.NoError(t, d.Gorm.Exec(`UPDATE oidc_configs SET client_secret = 'plain-secret' WHERE tenant_id = ?`, f.tenant.ID).Error)

		n, err := keyless.SealStoredSecrets(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, "plain-secret", storedSecret(t, d, f.tenant.ID))
		c, err := keyless.GetOIDCConfig(ctx, f.tenant.ID)
		require.NoError(t, err)
		assert.Equal(t, "plain-secret", c.ClientSecret)

		sso := NewSSOService(d, f.svc, nil, WithSecretBox(testBox(t)))
		n, err = sso.SealStoredSecrets(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.True(t, secretbox.Sealed(storedSecret(t, d, f.tenant.ID)))
		c, err = sso.GetOIDCConfig(ctx, f.tenant.ID)
		require.NoError(t, err)
		assert.Equal(t, "plain-secret", c.ClientSecret)

		n, err = sso.SealStoredSecrets(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

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
	sso := NewSSOService(f.d, f.svc, nil, WithSecretBox(testBox(t)))
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
