package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every mutating route of the server, taken from its route table so that a
// new route cannot be forgotten, writes exactly one audit row when it is
// called (with its documented example body) and exactly one when it is
// refused: without credentials (401) and, for authenticated routes, with a
// read-only user's key (403).
func TestAuditCompleteness(t *testing.T) {
	// Refused calls change nothing, so one environment serves them all.
	refusals := newPlatformEnv(t)
	routes := refusals.srv.Routes()
	mutating := 0
	for _, r := range routes {
		if !r.Mutating {
			continue
		}
		mutating++
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			e := newPlatformEnv(t)
			path, known := e.fill(r.Path)
			var body any
			if r.Doc != nil && r.Doc.Request != nil {
				body = r.Doc.Request
			}
			if b, ok := auditBodies[r.Method+" "+r.Path]; ok {
				body = b
			}
			before := len(e.auditRows())
			rec := e.do(r.Method, path, "admin", body)
			require.Less(t, rec.Code, 500, rec.Body.String())
			if known && !r.Public {
				assert.Less(t, rec.Code, 300, rec.Body.String())
			}
			rows := e.auditRows()
			require.Len(t, rows, before+1)
			last := rows[len(rows)-1]
			assert.EqualValues(t, rec.Code, last["status"])
			assert.Equal(t, r.Method, last["method"])
			assert.Equal(t, path, last["path"])
			assert.Equal(t, r.Action, last["action"])
			if r.Public {
				return
			}
			assert.Equal(t, e.acme.ID, last["tenant_id"])

			for _, who := range []string{"", "reader"} {
				e := refusals
				before := len(e.auditRows())
				rec := e.do(r.Method, path, who, body)
				want := http.StatusForbidden
				if who == "" {
					want = http.StatusUnauthorized
				}
				require.Equal(t, want, rec.Code, rec.Body.String())
				rows := e.auditRows()
				require.Len(t, rows, before+1, who)
				last := rows[len(rows)-1]
				assert.EqualValues(t, want, last["status"])
				assert.NotEmpty(t, last["error_code"])
			}
		})
	}
	assert.Positive(t, mutating)
}

// auditBodies replace documented examples that clash with the fixtures.
var auditBodies = map[string]any{
	// The fixture API already has the example's stage "prod", which the
	// deployment example needs.
	"POST /v1/apis/:apiId/stages": map[string]string{"stageName": "qa"},
}

// A denied read is recorded too; an allowed read is not.
func TestAuditReads(t *testing.T) {
	e := newPlatformEnv(t)
	before := len(e.auditRows())
	require.Equal(t, http.StatusOK, e.do(http.MethodGet, "/v1/apis", "admin", nil).Code)
	assert.Len(t, e.auditRows(), before)
	require.Equal(t, http.StatusForbidden, e.do(http.MethodGet, "/v1/tenants", "reader", nil).Code)
	rows := e.auditRows()
	require.Len(t, rows, before+1)
	assert.Equal(t, "platform.forbidden", rows[len(rows)-1]["error_code"])
}

// No secret of a request reaches the audit log.
func TestAuditRedactsSecrets(t *testing.T) {
	e := newPlatformEnv(t)
	rec := e.do(http.MethodPost, "/v1/auth/login", "", map[string]string{"email": "admin@acme.test", "password": iamTestPassword})
	require.Equal(t, http.StatusOK, rec.Code)
	rec = e.do(http.MethodPost, "/v1/tenants", "admin", map[string]string{"name": "gamma", "adminEmail": "a@gamma.test",
		"adminPassword": "gamma secret pw"})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var created struct {
		AccessKey struct{ Token string } `json:"accessKey"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	require.NotEmpty(t, created.AccessKey.Token)

	rows := e.auditRows()
	require.GreaterOrEqual(t, len(rows), 2)
	all, err := json.Marshal(rows)
	require.NoError(t, err)
	for _, secret := range []string{iamTestPassword, "gamma secret pw", created.AccessKey.Token, platformAdminToken} {
		assert.NotContains(t, string(all), secret)
	}
	login := rows[len(rows)-2]
	assert.Equal(t, "/v1/auth/login", login["path"])
	assert.Contains(t, login["request_summary"], "admin@acme.test")
	assert.Contains(t, login["request_summary"], "[REDACTED]")
	assert.True(t, strings.Contains(rows[len(rows)-1]["request_summary"].(string), `"name":"gamma"`))
}
