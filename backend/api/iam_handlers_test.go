package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamauth"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
)

const iamTestPassword = "correct horse battery"

// iamEnv is a server with the IAM module over a fresh SQLite database with
// two tenants: acme (an admin, a read-only user) and beta (an admin).
type iamEnv struct {
	t   *testing.T
	svc *iamimpl.Service
	srv http.Handler
	// Tokens of access keys: acme admin, acme reader, beta admin, and an
	// INACTIVE key of the acme admin; keyIDs has their ids by the same names.
	tokens, keyIDs map[string]string
	// Session of the acme admin.
	cookie, csrf string
}

func newIAMEnv(t *testing.T) *iamEnv {
	t.Helper()
	ctx := context.Background()
	d := dbtest.SQLite(t)
	svc := iamimpl.New(d, iamimpl.Config{PasswordParams: &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	enf, err := authz.New()
	require.NoError(t, err)
	e := &iamEnv{t: t, svc: svc, tokens: map[string]string{}, keyIDs: map[string]string{}}
	e.srv = api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: iamauth.New(svc), Authz: enf,
		Modules: []api.Module{api.NewIAMModule(svc)}}).Handler()

	user := func(tenant, email string, roles ...string) *iam.User {
		u, err := svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: tenant, Email: email, Name: strings.Split(email, "@")[0],
			Password: iamTestPassword, Roles: roles})
		require.NoError(t, err)
		return u
	}
	key := func(name string, u *iam.User) {
		k, err := svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: u.TenantID, UserID: u.ID, Name: name})
		require.NoError(t, err)
		e.tokens[name], e.keyIDs[name] = k.Token, k.ID
	}
	acme, err := svc.CreateTenant(ctx, iam.CreateTenantCommand{Name: "acme"})
	require.NoError(t, err)
	beta, err := svc.CreateTenant(ctx, iam.CreateTenantCommand{Name: "beta"})
	require.NoError(t, err)
	admin := user(acme.ID, "admin@acme.test", iam.RoleTenantAdmin)
	key("acme", admin)
	key("reader", user(acme.ID, "reader@acme.test", iam.RoleReadOnly))
	key("beta", user(beta.ID, "admin@beta.test", iam.RoleTenantAdmin))
	key("inactive", admin)
	_, err = svc.UpdateAccessKey(ctx, iam.UpdateAccessKeyCommand{TenantID: acme.ID, AccessKeyID: e.keyIDs["inactive"],
		Status: new(iam.AccessKeyInactive)})
	require.NoError(t, err)

	login, err := svc.Login(ctx, iam.LoginCommand{Email: "admin@acme.test", Password: iamTestPassword})
	require.NoError(t, err)
	e.cookie, e.csrf = login.SessionToken, login.CSRFToken
	return e
}

// expand fills {token:name}, {key:name} and {csrf} in s.
func (e *iamEnv) expand(s string) string {
	for name, tok := range e.tokens {
		s = strings.ReplaceAll(s, "{token:"+name+"}", tok)
		s = strings.ReplaceAll(s, "{key:"+name+"}", e.keyIDs[name])
	}
	return strings.ReplaceAll(s, "{csrf}", e.csrf)
}

// iamRequest is one request; Headers values are expanded, and Cookie sends
// the acme admin's session.
type iamRequest struct {
	Method, Path, Body string
	Headers            map[string]string
	Cookie             bool
}

func (e *iamEnv) do(r iamRequest) *httptest.ResponseRecorder {
	var body *strings.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(r.Method, e.expand(r.Path), body)
	if r.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.Headers {
		req.Header.Set(k, e.expand(v))
	}
	if r.Cookie {
		req.AddCookie(&http.Cookie{Name: iamauth.SessionCookie, Value: e.cookie})
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

// keyCount is how many access keys the acme tenant has.
func (e *iamEnv) keyCount() int {
	rec := e.do(iamRequest{Method: http.MethodGet, Path: "/v1/iam/access-keys", Headers: bearer("acme")})
	require.Equal(e.t, http.StatusOK, rec.Code)
	var out api.AccessKeyListView
	require.NoError(e.t, json.Unmarshal(rec.Body.Bytes(), &out))
	return len(out.Items)
}

func bearer(name string) map[string]string {
	return map[string]string{"Authorization": "Bearer {token:" + name + "}"}
}

func TestIAMHandlersScenarios(t *testing.T) {
	const (
		get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
		keys                  = "/v1/iam/access-keys"
	)
	withCSRF := map[string]string{iamauth.CSRFHeader: "{csrf}"}
	scenarios := []struct {
		desc            string
		before          func(t *testing.T, e *iamEnv)
		req             iamRequest
		wantStatus      int
		wantContains    []string
		wantNotContains []string
		after           func(t *testing.T, e *iamEnv, rec *httptest.ResponseRecorder)
	}{
		{
			desc:         "login",
			req:          iamRequest{Method: post, Path: "/v1/auth/login", Body: `{"email":"Admin@Acme.test","password":"` + iamTestPassword + `"}`},
			wantStatus:   http.StatusOK,
			wantContains: []string{`"email":"admin@acme.test"`, `"name":"acme"`, `"csrfToken":"`, `"roles":["TenantAdmin"]`},
			after: func(t *testing.T, e *iamEnv, rec *httptest.ResponseRecorder) {
				c := rec.Result().Cookies()
				require.Len(t, c, 1)
				assert.Equal(t, iamauth.SessionCookie, c[0].Name)
				assert.True(t, c[0].HttpOnly)
				assert.False(t, c[0].Secure)
				assert.Equal(t, http.SameSiteLaxMode, c[0].SameSite)
				assert.Equal(t, "/", c[0].Path)
				assert.Positive(t, c[0].MaxAge)
				assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
				// The new cookie and CSRF token work together.
				var s api.SessionView
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &s))
				e.cookie, e.csrf = c[0].Value, s.CSRFToken
				before := e.keyCount()
				r := e.do(iamRequest{Method: post, Path: keys, Body: `{"name":"x"}`, Cookie: true, Headers: withCSRF})
				assert.Equal(t, http.StatusCreated, r.Code)
				assert.Equal(t, before+1, e.keyCount())
			},
		},
		{
			desc: "login behind a TLS proxy sets a Secure cookie",
			req: iamRequest{Method: post, Path: "/v1/auth/login", Body: `{"email":"admin@acme.test","password":"` + iamTestPassword + `"}`,
				Headers: map[string]string{"X-Forwarded-Proto": "https"}},
			wantStatus: http.StatusOK,
			after: func(t *testing.T, _ *iamEnv, rec *httptest.ResponseRecorder) {
				c := rec.Result().Cookies()
				require.Len(t, c, 1)
				assert.True(t, c[0].Secure)
			},
		},
		{
			desc:            "login with a wrong password",
			req:             iamRequest{Method: post, Path: "/v1/auth/login", Body: `{"email":"admin@acme.test","password":"nope-nope"}`},
			wantStatus:      http.StatusUnauthorized,
			wantContains:    []string{`"code":"auth.invalid-credentials"`},
			wantNotContains: []string{"Set-Cookie"},
			after: func(t *testing.T, _ *iamEnv, rec *httptest.ResponseRecorder) {
				assert.Empty(t, rec.Result().Cookies())
			},
		},
		{
			desc:         "login with an unknown email answers the same",
			req:          iamRequest{Method: post, Path: "/v1/auth/login", Body: `{"email":"ghost@acme.test","password":"nope-nope"}`},
			wantStatus:   http.StatusUnauthorized,
			wantContains: []string{`"code":"auth.invalid-credentials"`, `"message":"The email or password is incorrect."`},
		},
		{
			desc: "login is locked out after 5 failures",
			before: func(t *testing.T, e *iamEnv) {
				for range 5 {
					rec := e.do(iamRequest{Method: post, Path: "/v1/auth/login", Body: `{"email":"reader@acme.test","password":"wrong-password"}`})
					require.Equal(t, http.StatusUnauthorized, rec.Code)
				}
			},
			req:          iamRequest{Method: post, Path: "/v1/auth/login", Body: `{"email":"reader@acme.test","password":"` + iamTestPassword + `"}`},
			wantStatus:   http.StatusTooManyRequests,
			wantContains: []string{`"code":"auth.too-many-attempts"`},
		},
		{
			desc:         "login with missing fields",
			req:          iamRequest{Method: post, Path: "/v1/auth/login", Body: `{"email":" "}`},
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"email":{"code":"required"`, `"password":{"code":"required"`},
		},
		{
			desc:         "login with an unknown field",
			req:          iamRequest{Method: post, Path: "/v1/auth/login", Body: `{"email":"admin@acme.test","password":"x","remember":true}`},
			wantStatus:   http.StatusBadRequest,
			wantContains: []string{`"code":"request.unknown-field"`},
		},
		{
			desc:         "me with the session cookie",
			req:          iamRequest{Method: get, Path: "/v1/auth/me", Cookie: true},
			wantStatus:   http.StatusOK,
			wantContains: []string{`"email":"admin@acme.test"`, `"csrfToken":"{csrf}"`, `"tenantId":"tnt_`},
		},
		{
			desc:         "me with an access key has no CSRF token",
			req:          iamRequest{Method: get, Path: "/v1/auth/me", Headers: bearer("reader")},
			wantStatus:   http.StatusOK,
			wantContains: []string{`"email":"reader@acme.test"`, `"csrfToken":""`, `"roles":["ReadOnly"]`},
		},
		{
			desc:         "me without credentials",
			req:          iamRequest{Method: get, Path: "/v1/auth/me"},
			wantStatus:   http.StatusUnauthorized,
			wantContains: []string{`"code":"auth.required"`},
		},
		{
			desc:         "me with a garbage cookie",
			req:          iamRequest{Method: get, Path: "/v1/auth/me", Headers: map[string]string{"Cookie": iamauth.SessionCookie + "=garbage"}},
			wantStatus:   http.StatusUnauthorized,
			wantContains: []string{`"code":"auth.invalid-session"`},
		},
		{
			desc:       "logout revokes the session and clears the cookie",
			req:        iamRequest{Method: post, Path: "/v1/auth/logout", Cookie: true},
			wantStatus: http.StatusNoContent,
			after: func(t *testing.T, e *iamEnv, rec *httptest.ResponseRecorder) {
				c := rec.Result().Cookies()
				require.Len(t, c, 1)
				assert.Equal(t, "", c[0].Value)
				assert.Negative(t, c[0].MaxAge)
				r := e.do(iamRequest{Method: get, Path: "/v1/auth/me", Cookie: true})
				assert.Equal(t, http.StatusUnauthorized, r.Code)
			},
		},
		{
			desc:       "logout without a session",
			req:        iamRequest{Method: post, Path: "/v1/auth/logout"},
			wantStatus: http.StatusNoContent,
		},
		{
			desc:         "cookie request without CSRF token changes nothing",
			req:          iamRequest{Method: post, Path: keys, Body: `{"name":"sneaky"}`, Cookie: true},
			wantStatus:   http.StatusForbidden,
			wantContains: []string{`"code":"auth.csrf"`},
			after: func(t *testing.T, e *iamEnv, _ *httptest.ResponseRecorder) {
				assert.Equal(t, 4-1, e.keyCount()) // acme has three keys.
			},
		},
		{
			desc:         "cookie request with a wrong CSRF token",
			req:          iamRequest{Method: del, Path: keys + "/{key:acme}", Cookie: true, Headers: map[string]string{iamauth.CSRFHeader: "nope"}},
			wantStatus:   http.StatusForbidden,
			wantContains: []string{`"code":"auth.csrf"`},
		},
		{
			desc:         "create an access key with the session and CSRF token",
			req:          iamRequest{Method: post, Path: keys, Body: `{"name":"deploy bot"}`, Cookie: true, Headers: withCSRF},
			wantStatus:   http.StatusCreated,
			wantContains: []string{`"name":"deploy bot"`, `"status":"ACTIVE"`, `"token":"tpk_`, `"accessKeyId":"TPAK`},
			after: func(t *testing.T, e *iamEnv, rec *httptest.ResponseRecorder) {
				var k api.CreatedAccessKeyView
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &k))
				e.tokens["new"] = k.Token
				r := e.do(iamRequest{Method: get, Path: "/v1/auth/me", Headers: bearer("new")})
				assert.Equal(t, http.StatusOK, r.Code)
				r = e.do(iamRequest{Method: get, Path: keys + "/" + k.AccessKeyID, Headers: bearer("acme")})
				assert.Equal(t, http.StatusOK, r.Code)
				assert.NotContains(t, r.Body.String(), k.Token)
			},
		},
		{
			desc:         "create an access key with a bearer key",
			req:          iamRequest{Method: post, Path: keys, Body: `{"name":"ci"}`, Headers: bearer("acme")},
			wantStatus:   http.StatusCreated,
			wantContains: []string{`"name":"ci"`},
		},
		{
			desc:         "create with an unknown field",
			req:          iamRequest{Method: post, Path: keys, Body: `{"name":"ci","admin":true}`, Headers: bearer("acme")},
			wantStatus:   http.StatusBadRequest,
			wantContains: []string{`"code":"request.unknown-field"`, `"admin"`},
		},
		{
			desc:         "create with malformed JSON",
			req:          iamRequest{Method: post, Path: keys, Body: `{"name":`, Headers: bearer("acme")},
			wantStatus:   http.StatusBadRequest,
			wantContains: []string{`"code":"request.malformed"`},
		},
		{
			desc:         "create without a name",
			req:          iamRequest{Method: post, Path: keys, Body: `{"name":"  "}`, Headers: bearer("acme")},
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"access-key.invalid"`, `"name":{"code":"required","message":"Cannot be blank."}`},
		},
		{
			desc:         "create with an expiry in the past",
			req:          iamRequest{Method: post, Path: keys, Body: `{"name":"old","expiresAt":"2001-01-01T00:00:00Z"}`, Headers: bearer("acme")},
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"expiresAt":{"code":"past"`},
		},
		{
			desc:         "read-only user cannot create a key",
			req:          iamRequest{Method: post, Path: keys, Body: `{"name":"x"}`, Headers: bearer("reader")},
			wantStatus:   http.StatusForbidden,
			wantContains: []string{`"code":"auth.forbidden"`, `You are not allowed to perform iam:CreateAccessKey on trn:turnpike:tnt_`},
		},
		{
			desc:         "read-only user cannot deactivate a key",
			req:          iamRequest{Method: patch, Path: keys + "/{key:acme}", Body: `{"status":"INACTIVE"}`, Headers: bearer("reader")},
			wantStatus:   http.StatusForbidden,
			wantContains: []string{`iam:UpdateAccessKey`},
		},
		{
			desc:            "read-only user lists the tenant's keys",
			req:             iamRequest{Method: get, Path: keys, Headers: bearer("reader")},
			wantStatus:      http.StatusOK,
			wantContains:    []string{`"accessKeyId":"{key:acme}"`, `"accessKeyId":"{key:reader}"`, `"accessKeyId":"{key:inactive}"`, `"status":"INACTIVE"`},
			wantNotContains: []string{"{key:beta}", "tpk_", `"token"`},
		},
		{
			desc: "get a key records its last use",
			before: func(t *testing.T, e *iamEnv) {
				e.do(iamRequest{Method: get, Path: "/v1/auth/me", Headers: bearer("reader")})
			},
			req:          iamRequest{Method: get, Path: keys + "/{key:reader}", Headers: bearer("acme")},
			wantStatus:   http.StatusOK,
			wantContains: []string{`"accessKeyId":"{key:reader}"`, `"lastUsedAt":"`, `"lastUsedIp":"192.0.2.1"`},
		},
		{
			desc:         "another tenant's key cannot be seen",
			req:          iamRequest{Method: get, Path: keys + "/{key:acme}", Headers: bearer("beta")},
			wantStatus:   http.StatusNotFound,
			wantContains: []string{`"code":"access-key.not-found"`},
		},
		{
			desc:       "another tenant's key cannot be changed",
			req:        iamRequest{Method: patch, Path: keys + "/{key:acme}", Body: `{"status":"INACTIVE"}`, Headers: bearer("beta")},
			wantStatus: http.StatusNotFound,
			after: func(t *testing.T, e *iamEnv, _ *httptest.ResponseRecorder) {
				r := e.do(iamRequest{Method: get, Path: "/v1/auth/me", Headers: bearer("acme")})
				assert.Equal(t, http.StatusOK, r.Code)
			},
		},
		{
			desc:       "another tenant's key cannot be deleted",
			req:        iamRequest{Method: del, Path: keys + "/{key:acme}", Headers: bearer("beta")},
			wantStatus: http.StatusNotFound,
			after: func(t *testing.T, e *iamEnv, _ *httptest.ResponseRecorder) {
				assert.Equal(t, 3, e.keyCount())
			},
		},
		{
			desc:            "another tenant lists only its own keys",
			req:             iamRequest{Method: get, Path: keys, Headers: bearer("beta")},
			wantStatus:      http.StatusOK,
			wantContains:    []string{`"accessKeyId":"{key:beta}"`},
			wantNotContains: []string{"{key:acme}"},
		},
		{
			desc:         "an inactive key is refused",
			req:          iamRequest{Method: get, Path: keys, Headers: bearer("inactive")},
			wantStatus:   http.StatusUnauthorized,
			wantContains: []string{`"code":"auth.invalid-token"`, `"message":"The access key is invalid, inactive or expired."`},
		},
		{
			desc:         "an unknown key is refused",
			req:          iamRequest{Method: get, Path: keys, Headers: map[string]string{"Authorization": "Bearer tpk_nope"}},
			wantStatus:   http.StatusUnauthorized,
			wantContains: []string{`"code":"auth.invalid-token"`},
		},
		{
			desc:         "deactivating a key revokes it",
			req:          iamRequest{Method: patch, Path: keys + "/{key:reader}", Body: `{"status":"INACTIVE","name":"old reader"}`, Headers: bearer("acme")},
			wantStatus:   http.StatusOK,
			wantContains: []string{`"status":"INACTIVE"`, `"name":"old reader"`},
			after: func(t *testing.T, e *iamEnv, _ *httptest.ResponseRecorder) {
				r := e.do(iamRequest{Method: get, Path: "/v1/auth/me", Headers: bearer("reader")})
				assert.Equal(t, http.StatusUnauthorized, r.Code)
				r = e.do(iamRequest{Method: patch, Path: keys + "/{key:reader}", Body: `{"status":"ACTIVE"}`, Headers: bearer("acme")})
				assert.Equal(t, http.StatusOK, r.Code)
				r = e.do(iamRequest{Method: get, Path: "/v1/auth/me", Headers: bearer("reader")})
				assert.Equal(t, http.StatusOK, r.Code)
			},
		},
		{
			desc:         "update with an invalid status",
			req:          iamRequest{Method: patch, Path: keys + "/{key:reader}", Body: `{"status":"DELETED"}`, Headers: bearer("acme")},
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"status":{"code":"invalid"`},
		},
		{
			desc:         "update with nothing to change",
			req:          iamRequest{Method: patch, Path: keys + "/{key:reader}", Body: `{}`, Headers: bearer("acme")},
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"access-key.invalid"`},
		},
		{
			desc:       "delete a key",
			req:        iamRequest{Method: del, Path: keys + "/{key:reader}", Headers: bearer("acme")},
			wantStatus: http.StatusNoContent,
			after: func(t *testing.T, e *iamEnv, _ *httptest.ResponseRecorder) {
				r := e.do(iamRequest{Method: get, Path: keys + "/{key:reader}", Headers: bearer("acme")})
				assert.Equal(t, http.StatusNotFound, r.Code)
				r = e.do(iamRequest{Method: get, Path: "/v1/auth/me", Headers: bearer("reader")})
				assert.Equal(t, http.StatusUnauthorized, r.Code)
			},
		},
		{
			desc:         "get an unknown key",
			req:          iamRequest{Method: get, Path: keys + "/TPAK0000000000000000", Headers: bearer("acme")},
			wantStatus:   http.StatusNotFound,
			wantContains: []string{`"code":"access-key.not-found"`},
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.desc, func(t *testing.T) {
			e := newIAMEnv(t)
			if sc.before != nil {
				sc.before(t, e)
			}
			rec := e.do(sc.req)
			assert.Equal(t, sc.wantStatus, rec.Code, rec.Body.String())
			for _, s := range sc.wantContains {
				assert.Contains(t, rec.Body.String(), e.expand(s))
			}
			for _, s := range sc.wantNotContains {
				assert.NotContains(t, rec.Body.String(), e.expand(s))
			}
			if sc.after != nil {
				sc.after(t, e, rec)
			}
		})
	}
}

func TestIAMRoutesDeclarePermissions(t *testing.T) {
	srv := api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Modules: []api.Module{api.NewIAMModule(nil)}})
	got := map[string]string{}
	for _, r := range srv.Routes() {
		got[r.Method+" "+r.Path] = r.Action + " " + r.Resource
		assert.NotNil(t, r.Doc, r.Path)
	}
	assert.Equal(t, map[string]string{
		"POST /v1/auth/login":                     " ",
		"POST /v1/auth/logout":                    " ",
		"GET /v1/auth/me":                         "iam:GetSession session",
		"GET /v1/iam/access-keys":                 "iam:ListAccessKeys access-keys",
		"POST /v1/iam/access-keys":                "iam:CreateAccessKey access-keys",
		"GET /v1/iam/access-keys/:accessKeyId":    "iam:GetAccessKey access-keys/{accessKeyId}",
		"PATCH /v1/iam/access-keys/:accessKeyId":  "iam:UpdateAccessKey access-keys/{accessKeyId}",
		"DELETE /v1/iam/access-keys/:accessKeyId": "iam:DeleteAccessKey access-keys/{accessKeyId}",
	}, got)
}
