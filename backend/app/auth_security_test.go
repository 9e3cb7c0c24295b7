package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/redistest"
)

// call sends a JSON body without credentials from ip.
func call(h http.Handler, method, path, ip, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = ip + ":1234"
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

type auditRow struct {
	TenantID  *string
	UserID    string
	Status    int
	ErrorCode string
}

func auditRows(t *testing.T, d *db.DB, path string) []auditRow {
	t.Helper()
	var rows []auditRow
	require.NoError(t, d.Gorm.Raw(`SELECT tenant_id, user_id, status, error_code FROM audit_log WHERE path = ? ORDER BY id`, path).
		Scan(&rows).Error)
	return rows
}

// TestIntegrationLoginAuditTenant: sign-ins, refused or not, are in the
// account's tenant's audit log; an unknown email has no tenant.
func TestIntegrationLoginAuditTenant(t *testing.T) {
	d := dbtest.SQLite(t)
	e := newEnv(t, d)
	a := e.newTenant("acme")
	h := e.app.Server.Handler()

	w := call(h, http.MethodPost, "/v1/auth/login", "192.0.2.1", `{"email":"admin@acme.test","password":"password-acme"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	w = call(h, http.MethodPost, "/v1/auth/login", "192.0.2.1", `{"email":"admin@acme.test","password":"wrong"}`)
	require.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
	w = call(h, http.MethodPost, "/v1/auth/login", "192.0.2.1", `{"email":"nobody@acme.test","password":"wrong"}`)
	require.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())

	rows := auditRows(t, d, "/v1/auth/login")
	require.Len(t, rows, 3)
	for i, want := range []struct {
		tenant string
		status int
		code   string
	}{{a.id, 200, ""}, {a.id, 401, "auth.invalid-credentials"}, {"", 401, "auth.invalid-credentials"}} {
		got := ""
		if rows[i].TenantID != nil {
			got = *rows[i].TenantID
		}
		assert.Equal(t, want.tenant, got, "row %d", i)
		assert.Equal(t, want.status, rows[i].Status, "row %d", i)
		assert.Equal(t, want.code, rows[i].ErrorCode, "row %d", i)
	}
	assert.Equal(t, a.adminID, rows[0].UserID)
	assert.Equal(t, a.adminID, rows[1].UserID)

	// The tenant's own audit API shows both of its sign-ins.
	status, resp := e.do(a.adminToken, http.MethodGet, "/v1/audit?limit=100", nil)
	require.Equal(t, http.StatusOK, status, resp)
	assert.Equal(t, 2, strings.Count(resp, `"/v1/auth/login"`), resp)
}

// TestIntegrationAuthFailureFlood: after the limit of 401s per minute from
// one address, the next failures are 429 with Retry-After and only the
// first of them is recorded; other addresses and valid keys still work.
func TestIntegrationAuthFailureFlood(t *testing.T) {
	d := dbtest.SQLite(t)
	a, err := New(Config{DB: d, Bus: fleet.NewMemory(), Starter: &apistest.FakeStarter{},
		IAM: iamimpl.Config{PasswordParams: fastParams}, AuthFailureLimit: 5})
	require.NoError(t, err)
	e := &env{t: t, d: d, app: a}
	acme := e.newTenant("acme")
	h := a.Server.Handler()

	codes := map[int]int{}
	for range 50 {
		w := call(h, http.MethodGet, "/v1/apis", "198.51.100.7", "", "Authorization", "Bearer tpk_bad")
		codes[w.Code]++
		if w.Code == http.StatusTooManyRequests {
			assert.Contains(t, w.Body.String(), `"code":"auth.rate-limited"`)
			assert.NotEmpty(t, w.Header().Get("Retry-After"))
		}
	}
	assert.Equal(t, map[int]int{401: 5, 429: 45}, codes)
	rows := auditRows(t, d, "/v1/apis")
	require.Len(t, rows, 6, "five 401s and one summary")
	assert.Equal(t, 429, rows[5].Status)
	assert.Equal(t, "auth.rate-limited", rows[5].ErrorCode)

	// A valid key from the flooding address still works; another address
	// is not limited.
	w := call(h, http.MethodGet, "/v1/apis", "198.51.100.7", "", "Authorization", "Bearer "+acme.adminToken)
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
	w = call(h, http.MethodGet, "/v1/apis", "198.51.100.8", "", "Authorization", "Bearer tpk_bad")
	assert.Equal(t, http.StatusUnauthorized, w.Code)

	// Failed sign-ins with ever new emails count the same way.
	codes = map[int]int{}
	for i := range 12 {
		w := call(h, http.MethodPost, "/v1/auth/login", "198.51.100.9", fmt.Sprintf(`{"email":"guess%d@acme.test","password":"x"}`, i))
		codes[w.Code]++
	}
	assert.Equal(t, map[int]int{401: 5, 429: 7}, codes)
	assert.Len(t, auditRows(t, d, "/v1/auth/login"), 6)
}

// TestIntegrationSharedLockout: two servers over one database and one
// Redis share the sign-in lockout and the failed-authentication count.
func TestIntegrationSharedLockout(t *testing.T) {
	d := dbtest.SQLite(t)
	prefix := redistest.Prefix(t)
	rdb := redistest.Connect(t, prefix)
	newServer := func() *App {
		a, err := New(Config{DB: d, Bus: fleet.NewMemory(), Starter: &apistest.FakeStarter{},
			IAM: iamimpl.Config{PasswordParams: fastParams}, Redis: rdb, RedisPrefix: prefix, AuthFailureLimit: 6})
		require.NoError(t, err)
		return a
	}
	one, two := newServer(), newServer()
	e := &env{t: t, d: d, app: one}
	e.newTenant("acme")

	for range 5 {
		w := call(one.Server.Handler(), http.MethodPost, "/v1/auth/login", "192.0.2.9", `{"email":"admin@acme.test","password":"wrong"}`)
		require.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
	}
	// The right password on the other server is refused: the pair is locked out.
	w := call(two.Server.Handler(), http.MethodPost, "/v1/auth/login", "192.0.2.9", `{"email":"admin@acme.test","password":"password-acme"}`)
	assert.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), "auth.too-many-attempts")
	// Without Redis the second server would not know.
	solo, err := New(Config{DB: d, Bus: fleet.NewMemory(), Starter: &apistest.FakeStarter{},
		IAM: iamimpl.Config{PasswordParams: fastParams}})
	require.NoError(t, err)
	w = call(solo.Server.Handler(), http.MethodPost, "/v1/auth/login", "192.0.2.9", `{"email":"admin@acme.test","password":"password-acme"}`)
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())

	// Failed authentications count across servers too.
	for _, srv := range []*App{one, two, one, two, one, two} {
		w := call(srv.Server.Handler(), http.MethodGet, "/v1/apis", "192.0.2.10", "", "Authorization", "Bearer tpk_bad")
		require.Equal(t, http.StatusUnauthorized, w.Code)
	}
	w = call(two.Server.Handler(), http.MethodGet, "/v1/apis", "192.0.2.10", "", "Authorization", "Bearer tpk_bad")
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
}
