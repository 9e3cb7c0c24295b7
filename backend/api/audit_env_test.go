package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/apis/apisimpl"
	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamauth"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/backend/iam/secretbox"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// platformEnv is the whole management API as serve wires it (IAM,
// tenants, audit, APIs; platform guard; per-request transactions with
// audit) over one fresh SQLite database, with: tenant "ops" (e.acme) whose admin is
// the platform operator, a read-only acme user, and tenant beta. Every
// fixture is made through the services, before any audit entry exists.
type platformEnv struct {
	t       *testing.T
	d       *db.DB
	srv     *api.Server
	iam     *iamimpl.Service
	tenants *iamimpl.TenantService
	apis    *apisimpl.Service
	bus     fleet.Bus
	audit   *audit.Store
	inline  *apistest.InlineStarter
	sso     *iamimpl.SSOService
	invites *iamimpl.InviteService
	// Tokens: admin (acme, platform operator), reader (acme, ReadOnly),
	// beta (beta's admin).
	tokens map[string]string
	// ids of fixtures by path-parameter name: apiId, routeId, stageName,
	// accessKeyId, tenantId (beta), deploymentId.
	params        map[string]string
	acme, betaTen *iam.Tenant
}

const platformAdminToken = "tpk_platformadmin0123456789abcdefghijklmnopq"

var fastParams = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func newPlatformEnv(t *testing.T) *platformEnv {
	t.Helper()
	ctx := context.Background()
	d := dbtest.SQLite(t)
	svc := iamimpl.New(d, iamimpl.Config{PasswordParams: fastParams})
	boot, err := svc.Bootstrap(ctx, iam.BootstrapConfig{TenantName: "ops", AdminEmail: "admin@acme.test",
		AdminPassword: iamTestPassword, BootstrapToken: platformAdminToken})
	require.NoError(t, err)
	require.True(t, boot.Created)
	bus := fleet.NewMemory()
	t.Cleanup(func() { _ = bus.Close() })
	ds := apisimpl.NewDeployStore(d)
	e := &platformEnv{t: t, d: d, iam: svc, bus: bus, audit: audit.NewStore(d),
		tokens: map[string]string{"admin": platformAdminToken}, params: map[string]string{}}
	e.tenants = iamimpl.NewTenantService(d, svc, bus, ds)
	inline := &apistest.InlineStarter{Store: ds, Bus: bus}
	t.Cleanup(inline.Wait)
	e.inline = inline
	e.apis = apisimpl.ProvideService(apisimpl.Deps{DB: d, Bus: bus, Starter: inline})
	box, err := secretbox.New(make([]byte, secretbox.KeySize))
	require.NoError(t, err)
	e.sso = iamimpl.NewSSOService(d, svc, nil, iamimpl.WithSecretBox(box))
	e.invites = iamimpl.NewInviteService(d, svc, e.tenants, true)
	enf, err := authz.New()
	require.NoError(t, err)
	apisModule, err := api.NewAPIsModule(api.APIsConfig{Service: e.apis, Gateways: bus, BaseDomain: "gw.test"})
	require.NoError(t, err)
	e.srv = api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: iamauth.New(svc),
		Authz: api.PlatformGuard{Next: enf, Admins: e.tenants}, Tx: d, Audit: e.audit,
		Modules: []api.Module{api.NewIAMModule(svc), api.NewTenantsModule(e.tenants), api.NewPlatformOperatorsModule(e.tenants), api.NewAuditModule(e.audit), apisModule,
			api.NewSSOModule(api.SSOConfig{SSO: e.sso, PublicURL: "https://console.test", SignupEnabled: true}),
			api.NewInviteModule(api.InviteConfig{Keys: svc, PublicURL: "https://console.test", Invitations: e.invites})}})

	e.acme, err = svc.GetTenant(ctx, iam.GetTenantQuery{TenantID: boot.TenantID})
	require.NoError(t, err)
	reader, err := svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: e.acme.ID, Email: "reader@acme.test", Name: "reader",
		Password: iamTestPassword, Roles: []string{iam.RoleReadOnly}})
	require.NoError(t, err)
	rk, err := svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: e.acme.ID, UserID: reader.ID, Name: "reader"})
	require.NoError(t, err)
	e.tokens["reader"] = rk.Token
	e.params["accessKeyId"] = rk.ID
	beta, err := e.tenants.CreateTenantWithAdmin(ctx, iam.CreateTenantWithAdminCommand{Name: "beta", AdminEmail: "admin@beta.test"})
	require.NoError(t, err)
	e.betaTen = beta.Tenant
	e.tokens["beta"] = beta.AccessKey.Token
	e.params["tenantId"] = beta.Tenant.ID

	a, err := e.apis.CreateAPI(ctx, e.acme.ID, apis.CreateAPICommand{Name: "fixture", ProtocolType: "HTTP"})
	require.NoError(t, err)
	e.params["apiId"] = a.ID
	r, err := e.apis.CreateRoute(ctx, e.acme.ID, a.ID, apis.CreateRouteCommand{RouteKey: "GET /fixture",
		Integration: gwconfig.Integration{Type: "MOCK"}})
	require.NoError(t, err)
	e.params["routeId"] = r.ID
	_, err = e.apis.CreateStage(ctx, e.acme.ID, a.ID, apis.CreateStageCommand{StageName: "prod"})
	require.NoError(t, err)
	e.params["stageName"] = "prod"
	dep, err := e.apis.CreateDeployment(ctx, e.acme.ID, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
	require.NoError(t, err)
	inline.Wait()
	e.params["deploymentId"] = dep.ID
	_, err = e.sso.PutOIDCConfig(ctx, iam.PutOIDCConfigCommand{TenantID: e.acme.ID, Issuer: "https://idp.test",
		ClientID: "turnpike", ClientSecret: "s3cret"})
	require.NoError(t, err)
	inv, err := e.invites.CreateInvitation(ctx, iam.CreateInvitationCommand{TenantID: e.acme.ID, Email: "invited@acme.test"})
	require.NoError(t, err)
	e.params["invitationId"] = inv.ID
	return e
}

// do sends a request with the named token ("" for none) and a JSON body.
func (e *platformEnv) do(method, path, token string, body any) *httptest.ResponseRecorder {
	var b string
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(e.t, err)
		b = string(raw)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(b))
	if b != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "turnpike-test")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[token])
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// auditRows reads every audit row, oldest first.
func (e *platformEnv) auditRows() []map[string]any {
	var rows []map[string]any
	require.NoError(e.t, e.d.Gorm.Table("audit_log").Order("id").Find(&rows).Error)
	return rows
}

// fill replaces every :param of a gin path with the fixture of that name
// ("x" when there is none) and reports whether all were known.
func (e *platformEnv) fill(path string) (string, bool) {
	known := true
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			v, have := e.params[name]
			if !have {
				v, known = "x", false
			}
			parts[i] = v
		}
	}
	return strings.Join(parts, "/"), known
}
