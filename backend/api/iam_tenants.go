package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// tenantsModule serves /v1/tenants, the platform operators' API.
type tenantsModule struct {
	svc iam.TenantAdmin
}

// NewTenantsModule returns the platform operators' tenant API over svc.
func NewTenantsModule(svc iam.TenantAdmin) Module { return &tenantsModule{svc: svc} }

const (
	resourceTenants = "tenants"
	resourceTenant  = "tenants/{tenantId}"
)

// TenantView is a tenant as operators see it.
type TenantView struct {
	TenantID  string    `json:"tenantId"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// TenantListView is a list of tenants.
type TenantListView struct {
	Items []TenantView `json:"items"`
}

// CreateTenantRequest is the body of POST /v1/tenants.
type CreateTenantRequest struct {
	Name       string `json:"name"`
	AdminEmail string `json:"adminEmail"`
	// AdminPassword is optional: without it a random one is answered once.
	AdminPassword string `json:"adminPassword,omitempty"`
}

// CreatedTenantView answers POST /v1/tenants: the tenant, its
// administrator and the administrator's first access key, whose token (and
// a generated password) are shown only here.
type CreatedTenantView struct {
	TenantID  string               `json:"tenantId"`
	Tenant    TenantView           `json:"tenant"`
	Admin     CreatedTenantAdmin   `json:"admin"`
	AccessKey CreatedAccessKeyView `json:"accessKey"`
}

// CreatedTenantAdmin is a new tenant's administrator.
type CreatedTenantAdmin struct {
	UserID   string `json:"userId"`
	Email    string `json:"email"`
	Password string `json:"password,omitempty"`
}

var exampleTenantView = TenantView{TenantID: "tnt_0123456789abcdef", Name: "acme", Status: string(iam.TenantActive),
	CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}

// Routes implements Module.
func (m *tenantsModule) Routes(r *Router) {
	const get, post, del = http.MethodGet, http.MethodPost, http.MethodDelete
	r.Handle(post, "/tenants", iam.ActionCreateTenant, resourceTenants,
		"Create a tenant with its administrator and the administrator's first access key (platform operators)",
		m.create, &RouteDoc{Request: CreateTenantRequest{Name: "acme", AdminEmail: "ops@acme.test"},
			Response: CreatedTenantView{TenantID: exampleTenantView.TenantID, Tenant: exampleTenantView,
				Admin:     CreatedTenantAdmin{UserID: "usr_0123456789abcdef", Email: "ops@acme.test", Password: "…"},
				AccessKey: CreatedAccessKeyView{AccessKeyView: exampleAccessKeyView, Token: "tpk_" + strings.Repeat("x", 40)}},
			StatusCode: http.StatusCreated})
	r.Handle(get, "/tenants", iam.ActionListTenants, resourceTenants, "List every tenant (platform operators)", m.list,
		&RouteDoc{Response: TenantListView{Items: []TenantView{exampleTenantView}}})
	r.Handle(get, "/tenants/:tenantId", iam.ActionGetTenant, resourceTenant, "Get a tenant (platform operators)", m.get,
		&RouteDoc{Response: exampleTenantView})
	r.Handle(post, "/tenants/:tenantId/suspend", iam.ActionSuspendTenant, resourceTenant,
		"Suspend a tenant: its management calls answer 403 tenant.suspended and its stages leave the gateways",
		m.suspend, &RouteDoc{Response: exampleTenantView})
	r.Handle(post, "/tenants/:tenantId/resume", iam.ActionResumeTenant, resourceTenant,
		"Resume a suspended tenant and republish its deployed stages", m.resume, &RouteDoc{Response: exampleTenantView})
	r.Handle(del, "/tenants/:tenantId", iam.ActionDeleteTenant, resourceTenant,
		"Delete a tenant with everything it owns and withdraw its stages", m.delete,
		&RouteDoc{StatusCode: http.StatusNoContent})
}

func tenantView(t *iam.Tenant) TenantView {
	return TenantView{TenantID: t.ID, Name: t.Name, Status: string(t.Status), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func (m *tenantsModule) create(c *gin.Context) error {
	var req CreateTenantRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	res, err := m.svc.CreateTenantWithAdmin(c.Request.Context(), iam.CreateTenantWithAdminCommand{
		Name: req.Name, AdminEmail: req.AdminEmail, AdminPassword: req.AdminPassword})
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, CreatedTenantView{
		TenantID:  res.Tenant.ID,
		Tenant:    tenantView(res.Tenant),
		Admin:     CreatedTenantAdmin{UserID: res.Admin.ID, Email: res.Admin.Email, Password: res.Password},
		AccessKey: CreatedAccessKeyView{AccessKeyView: accessKeyView(&res.AccessKey.AccessKey), Token: res.AccessKey.Token},
	})
	return nil
}

func (m *tenantsModule) list(c *gin.Context) error {
	ts, err := m.svc.ListTenants(c.Request.Context())
	if err != nil {
		return err
	}
	out := TenantListView{Items: make([]TenantView, len(ts))}
	for i, t := range ts {
		out.Items[i] = tenantView(t)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *tenantsModule) get(c *gin.Context) error {
	t, err := m.svc.GetTenant(c.Request.Context(), iam.GetTenantQuery{TenantID: c.Param("tenantId")})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, tenantView(t))
	return nil
}

func (m *tenantsModule) suspend(c *gin.Context) error {
	t, err := m.svc.SuspendTenant(c.Request.Context(), c.Param("tenantId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, tenantView(t))
	return nil
}

func (m *tenantsModule) resume(c *gin.Context) error {
	t, err := m.svc.ResumeTenant(c.Request.Context(), c.Param("tenantId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, tenantView(t))
	return nil
}

func (m *tenantsModule) delete(c *gin.Context) error {
	if err := m.svc.DeleteTenant(c.Request.Context(), c.Param("tenantId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// PlatformAdmins tells whether a user is a platform operator.
type PlatformAdmins interface {
	IsPlatformAdmin(ctx context.Context, tenantID, userID string) (bool, error)
}

// PlatformGuard decides the platform:* actions itself: they are allowed to
// platform operators only, whatever any tenant policy says, and every other
// action goes to next.
type PlatformGuard struct {
	Next   Authorizer
	Admins PlatformAdmins
}

// Authorize implements Authorizer.
func (g PlatformGuard) Authorize(ctx context.Context, p *reqctx.Principal, action, resource string) error {
	if !strings.HasPrefix(action, "platform:") {
		return g.Next.Authorize(ctx, p, action, resource)
	}
	ok, err := g.Admins.IsPlatformAdmin(ctx, p.TenantID, p.UserID)
	if err != nil {
		return err
	}
	if !ok {
		return iam.ErrNotPlatformAdmin.Errorf("%s on %s by user %s", action, resource, p.UserID)
	}
	return nil
}
