package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Platform actions on a tenant's ceiling; PlatformGuard allows them to
// platform operators only.
const (
	ActionGetTenantLimits    = "platform:GetTenantLimits"
	ActionPutTenantLimits    = "platform:PutTenantLimits"
	ActionDeleteTenantLimits = "platform:DeleteTenantLimits"
)

// tenantLimitsModule serves /v1/tenants/{tenantId}/limits: a tenant's
// ceiling (the throttle before stage, plan and method throttles), which
// platform operators may raise or lower without a redeploy.
type tenantLimitsModule struct {
	svc usage.TenantLimitsService
}

// NewTenantLimitsModule returns the operators' tenant limits API.
func NewTenantLimitsModule(svc usage.TenantLimitsService) Module {
	return &tenantLimitsModule{svc: svc}
}

// TenantLimitsView is a tenant's ceiling.
type TenantLimitsView struct {
	TenantID   string  `json:"tenantId"`
	RateLimit  float64 `json:"rateLimit"`
	BurstLimit int     `json:"burstLimit"`
	// IsDefault is true while no operator has set the tenant's ceiling.
	IsDefault bool       `json:"isDefault"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

// PutTenantLimitsRequest is the body of PUT /v1/tenants/{tenantId}/limits.
type PutTenantLimitsRequest struct {
	RateLimit  *float64 `json:"rateLimit"`
	BurstLimit *int     `json:"burstLimit"`
}

var exampleTenantLimitsView = TenantLimitsView{TenantID: exampleTenantView.TenantID, RateLimit: 2000, BurstLimit: 1000,
	UpdatedAt: &exampleTenantView.UpdatedAt}

// Routes implements Module.
func (m *tenantLimitsModule) Routes(r *Router) {
	r.Handle(http.MethodGet, "/tenants/:tenantId/limits", ActionGetTenantLimits, resourceTenant,
		"Get a tenant's ceiling: rate and burst applied to all its traffic before stage, plan and method throttles (platform operators)",
		m.get, &RouteDoc{Response: exampleTenantLimitsView})
	r.Handle(http.MethodPut, "/tenants/:tenantId/limits", ActionPutTenantLimits, resourceTenant,
		"Set a tenant's ceiling; the gateways enforce it within seconds, without a redeploy (platform operators)",
		m.put, &RouteDoc{Request: PutTenantLimitsRequest{RateLimit: new(2000.0), BurstLimit: new(1000)}, Response: exampleTenantLimitsView})
	r.Handle(http.MethodDelete, "/tenants/:tenantId/limits", ActionDeleteTenantLimits, resourceTenant,
		"Reset a tenant's ceiling to the platform's default (10,000 rps, burst 5,000); the gateways enforce it within seconds (platform operators)",
		m.delete, &RouteDoc{StatusCode: http.StatusNoContent})
}

func tenantLimitsView(l *usage.TenantLimits) TenantLimitsView {
	return TenantLimitsView{TenantID: l.TenantID, RateLimit: l.Throttle.RateLimit, BurstLimit: l.Throttle.BurstLimit,
		IsDefault: l.Default, UpdatedAt: l.UpdatedAt}
}

func (m *tenantLimitsModule) get(c *gin.Context) error {
	l, err := m.svc.GetTenantLimits(c.Request.Context(), c.Param("tenantId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, tenantLimitsView(l))
	return nil
}

func (m *tenantLimitsModule) put(c *gin.Context) error {
	var req PutTenantLimitsRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	e := usage.ErrTenantLimitsInvalid
	if req.RateLimit == nil {
		e = e.WithDetail("rateLimit", "required", "Cannot be blank.")
	}
	if req.BurstLimit == nil {
		e = e.WithDetail("burstLimit", "required", "Cannot be blank.")
	}
	if len(e.Details) > 0 {
		return e
	}
	l, err := m.svc.PutTenantLimits(c.Request.Context(), c.Param("tenantId"),
		gwconfig.Throttle{RateLimit: *req.RateLimit, BurstLimit: *req.BurstLimit})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, tenantLimitsView(l))
	return nil
}

func (m *tenantLimitsModule) delete(c *gin.Context) error {
	if err := m.svc.DeleteTenantLimits(c.Request.Context(), c.Param("tenantId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
