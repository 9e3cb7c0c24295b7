package app

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/gateway/fleet"
)

// TestIntegrationSSOSecretNeverShown: the client secret is in no answer,
// no audit row, no log line (at debug) and not in clear in its row.
func TestIntegrationSSOSecretNeverShown(t *testing.T) {
	const secret = "very-s3cret-client-value"
	d := dbtest.SQLite(t)
	var logs bytes.Buffer
	a, err := New(Config{DB: d, Bus: fleet.NewMemory(), Starter: &apistest.FakeStarter{},
		IAM:       iamimpl.Config{PasswordParams: fastParams},
		Logger:    slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		SecretKey: []byte("0123456789abcdef0123456789abcdef"), PublicURL: "http://console.test"})
	require.NoError(t, err)
	e := &env{t: t, d: d, app: a}
	acme := e.newTenant("acme")

	var answers []string
	status, resp := e.do(acme.adminToken, http.MethodPut, "/v1/iam/oidc",
		[]byte(`{"issuer":"http://127.0.0.1:1","clientId":"turnpike","clientSecret":"`+secret+`"}`))
	require.Equal(t, http.StatusOK, status, resp)
	answers = append(answers, resp)
	status, resp = e.do(acme.adminToken, http.MethodGet, "/v1/iam/oidc", nil)
	require.Equal(t, http.StatusOK, status, resp)
	assert.Contains(t, resp, `"hasClientSecret":true`)
	answers = append(answers, resp)
	// A sign-in that fails at the provider logs its cause.
	w := call(a.Server.Handler(), http.MethodGet, "/v1/auth/oidc/acme/login", "192.0.2.1", "")
	answers = append(answers, w.Body.String(), w.Header().Get("Location"))
	status, resp = e.do(acme.adminToken, http.MethodGet, "/v1/audit?limit=100", nil)
	require.Equal(t, http.StatusOK, status, resp)
	answers = append(answers, resp)

	for _, s := range answers {
		assert.NotContains(t, s, secret)
	}
	require.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), secret)
	var stored, summaries string
	require.NoError(t, d.Gorm.Raw(`SELECT client_secret FROM oidc_configs`).Scan(&stored).Error)
	assert.True(t, strings.HasPrefix(stored, "tpenc:v1:"), stored)
	require.NoError(t, d.Gorm.Raw(`SELECT group_concat(request_summary) FROM audit_log`).Scan(&summaries).Error)
	assert.NotContains(t, summaries, secret)
	assert.Contains(t, summaries, "clientSecret", "the field is recorded, redacted")
}
