package usageimpl

import (
	"context"
	"time"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

var _ usage.TenantLimitsService = (*Service)(nil)

// tenantThrottleOf is the tenant's ceiling: its override, else the
// platform's default.
func (s *Service) tenantThrottleOf(ctx context.Context, tenantID string) (*usage.TenantLimits, error) {
	t, at, ok, err := s.limits.tenantLimits(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &usage.TenantLimits{TenantID: tenantID, Throttle: s.tenantThrottle, Default: true}, nil
	}
	return &usage.TenantLimits{TenantID: tenantID, Throttle: t, UpdatedAt: &at}, nil
}

func (s *Service) mustExist(ctx context.Context, tenantID string) error {
	ok, err := s.limits.tenantExists(ctx, tenantID)
	if err != nil {
		return err
	}
	if !ok {
		return usage.ErrTenantNotFound
	}
	return nil
}

// GetTenantLimits implements usage.TenantLimitsService.
func (s *Service) GetTenantLimits(ctx context.Context, tenantID string) (*usage.TenantLimits, error) {
	if err := s.mustExist(ctx, tenantID); err != nil {
		return nil, err
	}
	return s.tenantThrottleOf(ctx, tenantID)
}

// PutTenantLimits implements usage.TenantLimitsService: it stores the
// override and publishes it after the transaction commits.
func (s *Service) PutTenantLimits(ctx context.Context, tenantID string, t gwconfig.Throttle) (*usage.TenantLimits, error) {
	if err := usage.ValidateTenantThrottle(t); err != nil {
		return nil, err
	}
	if err := s.mustExist(ctx, tenantID); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if err := s.limits.putTenantLimits(ctx, tenantID, t, now); err != nil {
		return nil, err
	}
	s.publishTenantLimitsAfterCommit(ctx, tenantID, t, now)
	return &usage.TenantLimits{TenantID: tenantID, Throttle: t, UpdatedAt: &now}, nil
}

// DeleteTenantLimits implements usage.TenantLimitsService: it removes the
// override and, after the transaction commits, publishes the default so
// the gateways stop enforcing the old ceiling.
func (s *Service) DeleteTenantLimits(ctx context.Context, tenantID string) error {
	if err := s.mustExist(ctx, tenantID); err != nil {
		return err
	}
	if err := s.limits.deleteTenantLimits(ctx, tenantID); err != nil {
		return err
	}
	s.publishTenantLimitsAfterCommit(ctx, tenantID, s.tenantThrottle, s.now())
	return nil
}

// publishTenantLimitsAfterCommit sends the ceiling to the fleet once the
// caller's transaction commits, never for a rolled back change.
func (s *Service) publishTenantLimitsAfterCommit(ctx context.Context, tenantID string, t gwconfig.Throttle, at time.Time) {
	l := &gwconfig.TenantLimits{TenantID: tenantID, Throttle: t, Revision: at.UnixNano()}
	db.AfterCommit(ctx, func() {
		if err := s.bus.PutTenantLimits(context.WithoutCancel(ctx), l); err != nil {
			// Reconcile at the next start carries it; say so loudly now.
			s.log.ErrorContext(ctx, "publishing tenant limits", "tenant", tenantID, "error", err)
		}
	})
}
