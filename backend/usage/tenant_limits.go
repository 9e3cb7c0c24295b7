package usage

import (
	"context"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Errors of tenant limits.
var (
	ErrTenantLimitsInvalid = apierr.Unprocessable("tenantlimits.invalid", "Invalid tenant limits.")
	ErrTenantNotFound      = apierr.NotFound("tenant.not-found", "Tenant not found.")
)

// Bounds of a tenant's ceiling an operator may set.
const (
	MaxTenantRateLimit  = 1_000_000
	MaxTenantBurstLimit = 1_000_000
)

// TenantLimits is a tenant's ceiling: the throttle applied to all its
// traffic before stage, plan and method throttles.
type TenantLimits struct {
	TenantID string
	Throttle gwconfig.Throttle
	// Default is true when no operator has set the tenant's ceiling (it is
	// the platform's default).
	Default   bool
	UpdatedAt *time.Time
}

// TenantLimitsService lets platform operators read and set a tenant's
// ceiling; every change reaches the fleet after its transaction commits.
type TenantLimitsService interface {
	GetTenantLimits(ctx context.Context, tenantID string) (*TenantLimits, error)
	PutTenantLimits(ctx context.Context, tenantID string, t gwconfig.Throttle) (*TenantLimits, error)
	// DeleteTenantLimits removes the operator's override, so the tenant
	// falls back to the platform's default ceiling.
	DeleteTenantLimits(ctx context.Context, tenantID string) error
}

// ValidateTenantThrottle checks a ceiling an operator sets.
func ValidateTenantThrottle(t gwconfig.Throttle) error {
	e := ErrTenantLimitsInvalid
	bad := false
	if t.RateLimit <= 0 || t.RateLimit > MaxTenantRateLimit {
		e, bad = e.WithDetail("rateLimit", "out_of_range", "Must be more than 0 and at most 1000000."), true
	}
	if t.BurstLimit < 1 || t.BurstLimit > MaxTenantBurstLimit {
		e, bad = e.WithDetail("burstLimit", "out_of_range", "Must be between 1 and 1000000."), true
	}
	if bad {
		return e
	}
	return nil
}
