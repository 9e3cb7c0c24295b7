package api_test

import (
	"context"
	"crypto/tls"
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

// versionsEnv serves the IAM admin routes over SQLite with the real
// directory and authorizer; trusted names the proxies believed.
type versionsEnv struct {
	t      *testing.T
	srv    http.Handler
	dir    *iamimpl.Directory
	tenant string
	tokens map[string]string
	users  map[string]string
}

func newVersionsEnv(t *testing.T, trusted ...string) *versionsEnv {
	ctx := context.Background()
	d := dbtest.SQLite(t)
	cfg := iamimpl.Config{PasswordParams: &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}
	svc := iamimpl.New(d, cfg)
	dir := iamimpl.NewDirectory(d, cfg)
	az := authz.NewAuthorizer(dir)
	e := &versionsEnv{t: t, dir: dir, tokens: map[string]string{}, users: map[string]string{}}
	e.srv = api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: iamauth.New(svc), Authz: az, TrustedProxies: trusted,
		Modules: []api.Module{api.NewIAMAdminModule(api.IAMAdminConfig{Service: svc, Directory: dir, Authorizer: az})}}).Handler()
	tn, err := svc.CreateTenant(ctx, iam.CreateTenantCommand{Name: "acme"})
	require.NoError(t, err)
	e.tenant = tn.ID
	for _, name := range []string{"admin", "reader", "mgr"} {
		var roles []string
		if name == "admin" {
			roles = []string{iam.RoleTenantAdmin}
		}
		u, err := svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: tn.ID, Email: name + "@acme.test", Name: name, Password: iamTestPassword, Roles: roles})
		require.NoError(t, err)
		k, err := svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: tn.ID, UserID: u.ID, Name: name})
		require.NoError(t, err)
		e.tokens[name], e.users[name] = k.Token, u.ID
	}
	return e
}

func (e *versionsEnv) do(who, method, path, body string, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	for _, f := range edit {
		f(req)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

func (e *versionsEnv) attach(policyID, who string) {
	require.NoError(e.t, e.dir.AttachPolicy(context.Background(), e.tenant, iam.PrincipalRef{Type: iam.PrincipalUser, ID: e.users[who]}, policyID))
}

func decodeBody[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), rec.Body.String())
	return v
}

type errBody struct {
	Error struct {
		Code    string                    `json:"code"`
		Message string                    `json:"message"`
		Details map[string]map[string]any `json:"details"`
	} `json:"error"`
}

const (
	listUsersDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`
	getUserDoc   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
)

func TestPolicyVersionsAPI(t *testing.T) {
	e := newVersionsEnv(t)
	rec := e.do("admin", http.MethodPost, "/v1/iam/policies", `{"name":"users","document":`+listUsersDoc+`}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	pol := decodeBody[api.PolicyView](t, rec)
	assert.Equal(t, "v1", pol.DefaultVersionID)
	e.attach(pol.PolicyID, "reader")
	base := "/v1/iam/policies/" + pol.PolicyID + "/versions"

	require.Equal(t, http.StatusOK, e.do("reader", http.MethodGet, "/v1/iam/users", "").Code)

	// v2 is not enforced until it is the default.
	rec = e.do("admin", http.MethodPost, base, `{"document":`+getUserDoc+`}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	v2 := decodeBody[api.PolicyVersionView](t, rec)
	assert.Equal(t, "v2", v2.VersionID)
	assert.False(t, v2.IsDefault)
	require.Equal(t, http.StatusOK, e.do("reader", http.MethodGet, "/v1/iam/users", "").Code)

	rec = e.do("admin", http.MethodGet, base, "")
	require.Equal(t, http.StatusOK, rec.Code)
	list := decodeBody[api.PolicyVersionListView](t, rec)
	require.Len(t, list.Items, 2)
	assert.Equal(t, "v2", list.Items[0].VersionID)
	assert.True(t, list.Items[1].IsDefault)
	rec = e.do("admin", http.MethodGet, base+"/v2", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "iam:GetUser")
	assert.Equal(t, http.StatusNotFound, e.do("admin", http.MethodGet, base+"/v9", "").Code)

	// Switching the default takes effect on the next call, both ways.
	for _, method := range []string{http.MethodPut, http.MethodPost} {
		rec = e.do("admin", method, base+"/v2/default", "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.True(t, decodeBody[api.PolicyVersionView](t, rec).IsDefault)
	}
	assert.Equal(t, http.StatusForbidden, e.do("reader", http.MethodGet, "/v1/iam/users", "").Code)
	assert.Equal(t, http.StatusOK, e.do("reader", http.MethodGet, "/v1/iam/users/"+e.users["admin"], "").Code)
	rec = e.do("admin", http.MethodGet, "/v1/iam/policies/"+pol.PolicyID, "")
	assert.Equal(t, "v2", decodeBody[api.PolicyView](t, rec).DefaultVersionID)
	require.Equal(t, http.StatusOK, e.do("admin", http.MethodPost, base+"/v1/default", "").Code)
	assert.Equal(t, http.StatusOK, e.do("reader", http.MethodGet, "/v1/iam/users", "").Code)

	// The default cannot go; a full policy says to delete one.
	rec = e.do("admin", http.MethodDelete, base+"/v1", "")
	require.Equal(t, http.StatusConflict, rec.Code)
	assert.Equal(t, "policy.version-default", decodeBody[errBody](t, rec).Error.Code)
	for range 3 {
		require.Equal(t, http.StatusCreated, e.do("admin", http.MethodPost, base, `{"document":`+getUserDoc+`}`).Code)
	}
	rec = e.do("admin", http.MethodPost, base, `{"document":`+getUserDoc+`}`)
	require.Equal(t, http.StatusConflict, rec.Code)
	eb := decodeBody[errBody](t, rec)
	assert.Equal(t, "policy.version-limit", eb.Error.Code)
	assert.Contains(t, eb.Error.Message, "delete")
	require.Equal(t, http.StatusNoContent, e.do("admin", http.MethodDelete, base+"/v2", "").Code)
	assert.Equal(t, http.StatusNotFound, e.do("admin", http.MethodDelete, base+"/v2", "").Code)

	// Bad documents: 422 with one detail per problem.
	rec = e.do("admin", http.MethodPost, base, `{"document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotAction":"iam:*",`+
		`"Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"},"StringEquals":{"aws:Nope":"x"}}}]}}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	eb = decodeBody[errBody](t, rec)
	assert.Contains(t, eb.Error.Details, "document.Statement[0].NotAction")
	assert.Contains(t, eb.Error.Details, "document.Statement[0].Condition.DateLessThan.aws:CurrentTime")
	assert.Contains(t, eb.Error.Details, "document.Statement[0].Condition.StringEquals.aws:Nope")

	// Managed policies have one read-only version.
	rec = e.do("admin", http.MethodGet, "/v1/iam/policies/ReadOnlyAccess/versions", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Len(t, decodeBody[api.PolicyVersionListView](t, rec).Items, 1)
	assert.Equal(t, http.StatusConflict, e.do("admin", http.MethodPost, "/v1/iam/policies/ReadOnlyAccess/versions", `{"document":`+getUserDoc+`}`).Code)

	// The reader may do none of it.
	assert.Equal(t, http.StatusForbidden, e.do("reader", http.MethodGet, base, "").Code)
	assert.Equal(t, http.StatusForbidden, e.do("reader", http.MethodPost, base+"/v1/default", "").Code)
}

// A manager who may change everyone's IAM settings but their own cannot
// widen a policy that applies to them through its versions.
func TestPolicyVersionsNoEscalation(t *testing.T) {
	e := newVersionsEnv(t)
	const mgrDoc = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Effect":"Deny","Action":"iam:*","Resource":"trn:turnpike:*:users/${turnpike:PrincipalId}"}]}`
	pol, err := e.dir.SavePolicy(context.Background(), iam.SavePolicyCommand{TenantID: e.tenant, Name: "mgr", Document: mgrDoc})
	require.NoError(t, err)
	e.attach(pol.ID, "mgr")
	base := "/v1/iam/policies/" + pol.ID + "/versions"
	const all = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

	rec := e.do("mgr", http.MethodPost, base, `{"document":`+all+`,"setAsDefault":true}`)
	assert.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
	// Drafting a version changes nothing; making it the default would.
	rec = e.do("mgr", http.MethodPost, base, `{"document":`+all+`}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, http.StatusForbidden, e.do("mgr", http.MethodPut, base+"/v2/default", "").Code)
	got, err := e.dir.GetPolicy(context.Background(), e.tenant, pol.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, got.Version)
}

func TestSecureTransportCondition(t *testing.T) {
	const tlsOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`
	tlsConn := func(r *http.Request) { r.TLS = &tls.ConnectionState{} }
	forwarded := func(r *http.Request) { r.Header.Set("X-Forwarded-Proto", "https") }
	testCases := []struct {
		desc    string
		trusted []string
		edit    func(*http.Request)
		want    int
	}{
		{desc: "plain http", want: http.StatusForbidden},
		{desc: "tls to the server", edit: tlsConn, want: http.StatusOK},
		{desc: "X-Forwarded-Proto from anyone", edit: forwarded, want: http.StatusForbidden},
		{desc: "X-Forwarded-Proto from a trusted proxy", trusted: []string{"192.0.2.0/24"}, edit: forwarded, want: http.StatusOK},
		{desc: "X-Forwarded-Proto from a trusted address", trusted: []string{"192.0.2.1"}, edit: forwarded, want: http.StatusOK},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			e := newVersionsEnv(t, test.trusted...)
			pol, err := e.dir.SavePolicy(context.Background(), iam.SavePolicyCommand{TenantID: e.tenant, Name: "tls", Document: tlsOnly})
			require.NoError(t, err)
			e.attach(pol.ID, "reader")
			var edits []func(*http.Request)
			if test.edit != nil {
				edits = append(edits, test.edit)
			}
			assert.Equal(t, test.want, e.do("reader", http.MethodGet, "/v1/iam/users", "", edits...).Code)
		})
	}
}

func TestSimulateContextOverrideAPI(t *testing.T) {
	e := newVersionsEnv(t)
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"apigw:GetApi","Resource":"*","Condition":{
		"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"ForAnyValue:StringEquals":{"turnpike:PrincipalGroups":"ops"}}}]}`
	pol, err := e.dir.SavePolicy(context.Background(), iam.SavePolicyCommand{TenantID: e.tenant, Name: "ops", Document: doc})
	require.NoError(t, err)
	e.attach(pol.ID, "reader")
	sim := func(ctx string) *httptest.ResponseRecorder {
		return e.do("admin", http.MethodPost, "/v1/iam/simulate", `{"principal":{"userId":"`+e.users["reader"]+`"},"action":"apigw:GetApi","resource":"apis/a","context":`+ctx+`}`)
	}
	testCases := []struct {
		desc, ctx, want string
		status          int
	}{
		{desc: "not in ops", ctx: `{}`, want: "implicitDeny", status: 200},
		{desc: "in ops, now", ctx: `{"turnpike:PrincipalGroups":["dev","ops"]}`, want: "allowed", status: 200},
		{desc: "in ops, in 2031", ctx: `{"turnpike:PrincipalGroups":["ops"],"aws:EpochTime":"1924992000"}`, want: "implicitDeny", status: 200},
		{desc: "unknown key", ctx: `{"aws:Nope":"x"}`, status: 422},
		{desc: "bad date", ctx: `{"aws:CurrentTime":"later"}`, status: 422},
		{desc: "array for a single key", ctx: `{"aws:SourceIp":["10.0.0.1","10.0.0.2"]}`, status: 422},
		{desc: "not strings", ctx: `{"aws:SourceIp":1}`, status: 400},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			rec := sim(test.ctx)
			require.Equal(t, test.status, rec.Code, rec.Body.String())
			if test.want != "" {
				assert.Equal(t, test.want, decodeBody[api.SimulateView](t, rec).Decision)
			}
		})
	}
}
