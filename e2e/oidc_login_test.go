//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOIDCLogin signs in to the console through a real OpenID provider
// (mockoidc, a complete OIDC server with discovery, JWKS, PKCE and nonce)
// started here: the authorization-code flow is driven by a cookie-keeping
// HTTP client, as a browser would, against `turnpike serve`. The provider's
// "engineering" group maps to the managed policy ReadOnlyAccess and its
// "design" group to the Turnpike group "designers".
func TestOIDCLogin(t *testing.T) {
	idp, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = idp.Shutdown() })

	apiAddr := freeAddr(t)
	token := "tpk_oidc_" + randomID(12)
	base := "http://" + apiAddr
	env := []string{
		"TURNPIKE_DATA_DIR=" + t.TempDir(),
		"TURNPIKE_ADDR=" + apiAddr,
		"TURNPIKE_PUBLIC_URL=" + base,
		"TURNPIKE_GATEWAY_ADDR=off",
		"TURNPIKE_BOOTSTRAP_TOKEN=" + token,
		"DATABASE_URL=", "REDIS_URL=", "TEMPORAL_ADDRESS=",
	}
	srv := startProc(t, "oidc", turnpikeBin, env, "serve")
	srv.waitOutput(t, "console: http://", 120*time.Second)
	admin := newClient(base, token)

	cfg := idp.Config()
	var group struct {
		GroupID string `json:"groupId"`
	}
	admin.mustDo(t, 201, "POST", "/v1/iam/groups", map[string]any{"name": "designers"}, &group)
	var view map[string]any
	admin.mustDo(t, 200, "PUT", "/v1/iam/oidc", map[string]any{"issuer": cfg.Issuer, "clientId": cfg.ClientID,
		"clientSecret": cfg.ClientSecret, "groupClaim": "groups",
		"groupMappings": map[string]string{"engineering": "ReadOnlyAccess", "design": "designers"}}, &view)
	assert.Equal(t, true, view["hasClientSecret"])
	assert.NotContains(t, mustJSON(t, view), cfg.ClientSecret, "the secret is never answered")

	var ac struct {
		OIDCProviders []struct{ LoginURL string } `json:"oidcProviders"`
	}
	admin.mustDo(t, 200, "GET", "/v1/auth/config?tenant=default", nil, &ac)
	require.Len(t, ac.OIDCProviders, 1)

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}

	t.Run("authorization code flow opens a session with the mapped policy and group", func(t *testing.T) {
		idp.QueueUser(&mockoidc.MockUser{Subject: "sso-1", Email: "Sso.User@Acme.test", EmailVerified: true,
			PreferredUsername: "sso.user", Groups: []string{"engineering", "design", "unmapped"}})
		resp, err := browser.Get(base + ac.OIDCProviders[0].LoginURL + "?returnTo=/apis")
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		// The redirects went to the provider and back, then to the console.
		assert.Equal(t, "/apis", resp.Request.URL.Path)
		assert.Empty(t, resp.Request.URL.Query().Get("ssoError"))

		me := getJSON(t, browser, base+"/v1/auth/me")
		user := me["user"].(map[string]any)
		assert.Equal(t, "sso.user@acme.test", user["email"])
		assert.Empty(t, user["roles"])
		userID, _ := user["userId"].(string)
		require.NotEmpty(t, userID)
		var policies, groups struct{ Items []map[string]any }
		admin.mustDo(t, 200, "GET", "/v1/iam/users/"+userID+"/policies", nil, &policies)
		require.Len(t, policies.Items, 1)
		assert.Equal(t, "ReadOnlyAccess", policies.Items[0]["name"])
		admin.mustDo(t, 200, "GET", "/v1/iam/users/"+userID+"/groups", nil, &groups)
		require.Len(t, groups.Items, 1)
		assert.Equal(t, group.GroupID, groups.Items[0]["groupId"])
		csrf, _ := me["csrfToken"].(string)
		require.NotEmpty(t, csrf)

		// ReadOnly: reading works, changing is refused.
		resp, err = browser.Get(base + "/v1/apis")
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
		req, _ := http.NewRequest("POST", base+"/v1/apis", strings.NewReader(`{"name":"x","protocolType":"HTTP"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		resp, err = browser.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, 403, resp.StatusCode)
	})

	t.Run("a second sign-in finds the same user", func(t *testing.T) {
		idp.QueueUser(&mockoidc.MockUser{Subject: "sso-1", Email: "sso.user@acme.test", EmailVerified: true,
			Groups: []string{"engineering"}})
		resp, err := browser.Get(base + ac.OIDCProviders[0].LoginURL)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, "/", resp.Request.URL.Path)
		var users int
		var list struct{ Items []map[string]any }
		admin.mustDo(t, 200, "GET", "/v1/audit?actor=sso.user@acme.test", nil, &list)
		for _, it := range list.Items {
			if it["path"] == "/v1/auth/oidc/callback" && it["status"] == float64(302) {
				users++
			}
		}
		assert.Equal(t, 2, users, "both sign-ins are in the audit log")
	})

	t.Run("a callback without the browser's state cookie is refused", func(t *testing.T) {
		stranger := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
		resp, err := stranger.Get(base + "/v1/auth/oidc/callback?state=forged&code=stolen")
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, 401, resp.StatusCode)
	})

	t.Run("the provider's refusal lands on the sign-in page", func(t *testing.T) {
		noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
		resp, err := noFollow.Get(base + "/v1/auth/oidc/callback?error=access_denied&state=x")
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, 302, resp.StatusCode)
		assert.Equal(t, "/login?ssoError=access_denied", resp.Header.Get("Location"))
		assert.Empty(t, resp.Cookies()[0].Value, "only the state cookie is cleared; no session")
	})
}

func getJSON(t *testing.T, c *http.Client, u string) map[string]any {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, "%s: %s", u, data)
	var out map[string]any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
