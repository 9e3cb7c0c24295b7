package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// env is the assembled server over a database with two tenants.
type env struct {
	t   *testing.T
	d   *db.DB
	app *App
}

// tenant is one tenant with an administrator and an access key.
type tenant struct {
	id, adminID, adminToken string
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	a, err := New(Config{DB: d, Bus: fleet.NewMemory(), Starter: &apistest.FakeStarter{},
		IAM: iamimpl.Config{PasswordParams: fastParams}})
	require.NoError(t, err)
	return &env{t: t, d: d, app: a}
}

func (e *env) newTenant(name string) *tenant {
	e.t.Helper()
	ctx := context.Background()
	tn, err := e.app.IAM.CreateTenant(ctx, iam.CreateTenantCommand{Name: name})
	require.NoError(e.t, err)
	u, err := e.app.IAM.CreateUser(ctx, iam.CreateUserCommand{TenantID: tn.ID, Email: "admin@" + name + ".test", Name: "Admin",
		Password: "password-" + name, Roles: []string{iam.RoleTenantAdmin}})
	require.NoError(e.t, err)
	return &tenant{id: tn.ID, adminID: u.ID, adminToken: e.key(tn.ID, u.ID)}
}

func (e *env) key(tenantID, userID string) string {
	e.t.Helper()
	k, err := e.app.IAM.CreateAccessKey(context.Background(), iam.CreateAccessKeyCommand{TenantID: tenantID, UserID: userID, Name: "k"})
	require.NoError(e.t, err)
	return k.Token
}

func (e *env) user(tenantID, email string, roles ...string) string {
	e.t.Helper()
	u, err := e.app.IAM.CreateUser(context.Background(), iam.CreateUserCommand{TenantID: tenantID, Email: email, Name: "U",
		Password: "password-123", Roles: roles})
	require.NoError(e.t, err)
	return u.ID
}

// do calls the server with token and body (nil for none).
func (e *env) do(token, method, path string, body []byte) (int, string) {
	var r *http.Request
	if body != nil {
		r = httptest.NewRequest(method, path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.app.Server.Handler().ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// fingerprint digests every row of the tenant in every table that has a
// tenant_id column (and the tenant's own row), leaving out audit tables
// and access-key bookkeeping (last use, which also moves updated_at).
func (e *env) fingerprint(tenantID string) map[string]string {
	e.t.Helper()
	var tables []string
	require.NoError(e.t, e.d.Gorm.Raw(`SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'tenant_id' ORDER BY table_name`).Scan(&tables).Error)
	require.NotEmpty(e.t, tables)
	out := map[string]string{}
	for _, tb := range append(tables, "tenants") {
		if strings.Contains(tb, "audit") {
			continue
		}
		col := "tenant_id"
		if tb == "tenants" {
			col = "id"
		}
		// Recording a key's use also moves its updated_at (gorm).
		drop := "'last_used_at' - 'last_used_ip'"
		if tb == "access_keys" {
			drop += " - 'updated_at'"
		}
		var row struct {
			N int
			H string
		}
		require.NoError(e.t, e.d.Gorm.Raw(fmt.Sprintf(`SELECT count(*) AS n, coalesce(md5(string_agg(
			(to_jsonb(t) - %[1]s)::text, '|' ORDER BY (to_jsonb(t) - %[1]s)::text)), '') AS h
			FROM %[2]q t WHERE %[3]s = ?`, drop, tb, col), tenantID).Scan(&row).Error)
		out[tb] = fmt.Sprintf("%d:%s", row.N, row.H)
	}
	return out
}

// seedA gives tenant A one of every resource and returns the path
// parameter values naming them.
func (e *env) seedA(a *tenant) map[string]string {
	e.t.Helper()
	ctx := context.Background()
	api, err := e.app.APIs.CreateAPI(ctx, a.id, apis.CreateAPICommand{Name: "pets", ProtocolType: "HTTP"})
	require.NoError(e.t, err)
	route, err := e.app.APIs.CreateRoute(ctx, a.id, api.ID, apis.CreateRouteCommand{RouteKey: "GET /pets",
		Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock, MockBody: "ok"}})
	require.NoError(e.t, err)
	_, err = e.app.APIs.CreateStage(ctx, a.id, api.ID, apis.CreateStageCommand{StageName: "dev"})
	require.NoError(e.t, err)
	dep, err := e.app.APIs.CreateDeployment(ctx, a.id, api.ID, apis.CreateDeploymentCommand{StageName: "dev"})
	require.NoError(e.t, err)
	other := e.user(a.id, "other@a.test", iam.RoleReadOnly)
	k, err := e.app.IAM.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: a.id, UserID: other, Name: "other"})
	require.NoError(e.t, err)
	dir := e.app.Directory
	g, err := dir.SaveGroup(ctx, iam.SaveGroupCommand{TenantID: a.id, Name: "devs"})
	require.NoError(e.t, err)
	require.NoError(e.t, dir.AddUserToGroup(ctx, a.id, g.ID, other))
	pol, err := dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: a.id, Name: "p", Document: deployDevDoc})
	require.NoError(e.t, err)
	require.NoError(e.t, dir.AttachPolicy(ctx, a.id, iam.PrincipalRef{Type: iam.PrincipalGroup, ID: g.ID}, pol.ID))
	require.NoError(e.t, dir.AttachPolicy(ctx, a.id, iam.PrincipalRef{Type: iam.PrincipalUser, ID: other}, pol.ID))
	role, err := dir.SaveRole(ctx, iam.SaveRoleCommand{TenantID: a.id, Name: "a-only-role"})
	require.NoError(e.t, err)
	require.NoError(e.t, dir.AttachPolicy(ctx, a.id, iam.PrincipalRef{Type: iam.PrincipalRole, ID: role.Name}, pol.ID))
	require.NoError(e.t, dir.AddUserToRole(ctx, a.id, role.Name, other))
	return map[string]string{
		"apiId": api.ID, "routeId": route.ID, "stageName": "dev", "deploymentId": dep.ID, "accessKeyId": k.ID,
		"userId": other, "groupId": g.ID, "roleName": role.Name, "policyId": pol.ID, "tenantId": a.id,
	}
}

const deployDevDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"Dev","Effect":"Allow","Action":"apigw:CreateDeployment","Resource":"trn:turnpike:*:apis/*/stages/dev"}]}`

var paramRE = regexp.MustCompile(`:([A-Za-z]+)`)

// fill puts the values of ids into the route's path; a parameter the seed
// does not know gets a value no tenant has.
func fill(path string, ids map[string]string) (string, bool) {
	hasParam := false
	out := paramRE.ReplaceAllStringFunc(path, func(m string) string {
		hasParam = true
		if v, ok := ids[m[1:]]; ok {
			return v
		}
		if v, ok := validUnknown[m[1:]]; ok {
			return v
		}
		return "zz-unknown"
	})
	return out, hasParam
}

// validUnknown are well-formed values for parameters that are not ids, so
// that validation does not answer before the tenant check.
var validUnknown = map[string]string{"httpMethod": "GET", "statusCode": "200"}

// walkQuery is sent with every GET: report routes need a date range.
const walkQuery = "?startDate=2026-01-01&endDate=2026-01-02"

// exampleIDs are the ids the route table's examples use; request bodies
// get tenant A's ids in their place.
var exampleIDs = map[string]string{
	"usr_0123456789abcdef": "userId", "pol_0123456789abcdef": "policyId", "grp_0123456789abcdef": "groupId",
	"tnt_0123456789abcdef": "tenantId",
}

// body is the route's example request with tenant A's ids, or {}.
func body(t *testing.T, doc any, ids map[string]string) ([]byte, bool) {
	if doc == nil {
		return []byte(`{}`), false
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	s, named := string(b), false
	for ex, param := range exampleIDs {
		if strings.Contains(s, ex) {
			s, named = strings.ReplaceAll(s, ex, ids[param]), true
		}
	}
	return []byte(s), named
}

// TestIntegrationRouteWalkIsolation walks every route the server
// registers: tenant B's administrator naming tenant A's resources gets 404
// or 403, and a principal of tenant A whose policies allow nothing gets
// 403; neither changes any of tenant A's rows.
func TestIntegrationRouteWalkIsolation(t *testing.T) {
	d := dbtest.Postgres(t)
	e := newEnv(t, d)
	a, b := e.newTenant("a"), e.newTenant("b")
	ids := e.seedA(a)
	nobody := e.key(a.id, e.user(a.id, "nobody@a.test"))
	// First uses of the keys are recorded outside the fingerprint anyway;
	// make them before the walk.
	e.do(b.adminToken, http.MethodGet, "/v1/auth/me", nil)
	e.do(nobody, http.MethodGet, "/v1/auth/me", nil)

	routes := e.app.Server.Routes()
	require.NotEmpty(t, routes)
	walked := 0
	before := e.fingerprint(a.id)
	for _, rt := range routes {
		if rt.Public {
			continue
		}
		path, hasParam := fill(rt.Path, ids)
		if rt.Method == http.MethodGet {
			path += walkQuery
		}
		var reqDoc any
		if rt.Doc != nil {
			reqDoc = rt.Doc.Request
		}
		var raw []byte
		named := false
		if rt.Mutating {
			raw, named = body(t, reqDoc, ids)
		}
		t.Run("foreign "+rt.Method+" "+rt.Path, func(t *testing.T) {
			status, resp := e.do(b.adminToken, rt.Method, path, raw)
			if hasParam || named {
				assert.Contains(t, []int{http.StatusNotFound, http.StatusForbidden}, status, resp)
			}
			assert.Equal(t, before, e.fingerprint(a.id), "tenant A's rows changed")
		})
		selfService := slices.ContainsFunc(authz.SelfServiceActions, func(s string) bool { return strings.EqualFold(s, rt.Action) })
		if selfService {
			continue
		}
		t.Run("unprivileged "+rt.Method+" "+rt.Path, func(t *testing.T) {
			status, resp := e.do(nobody, rt.Method, path, raw)
			assert.Equal(t, http.StatusForbidden, status, resp)
			assert.Equal(t, before, e.fingerprint(a.id), "tenant A's rows changed")
		})
		walked++
	}
	assert.Greater(t, walked, 40, "the walk covers the route table")
}
