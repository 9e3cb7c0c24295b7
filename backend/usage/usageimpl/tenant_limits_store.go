package usageimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// limitsStore keeps operators' overrides of tenants' ceilings (migration
// 00070).
type limitsStore interface {
	// tenantLimits returns the tenant's override; ok is false when it has
	// none.
	tenantLimits(ctx context.Context, tenantID string) (t gwconfig.Throttle, at time.Time, ok bool, err error)
	putTenantLimits(ctx context.Context, tenantID string, t gwconfig.Throttle, at time.Time) error
	// deleteTenantLimits removes the override; none is not an error.
	deleteTenantLimits(ctx context.Context, tenantID string) error
	tenantExists(ctx context.Context, tenantID string) (bool, error)
}

var _ limitsStore = (*sqlStore)(nil)

type tenantLimitsRow struct {
	TenantID   string `gorm:"primaryKey"`
	RateLimit  float64
	BurstLimit int
	UpdatedAt  time.Time
}

func (tenantLimitsRow) TableName() string { return "tenant_limits" }

func (s *sqlStore) tenantLimits(ctx context.Context, tenantID string) (gwconfig.Throttle, time.Time, bool, error) {
	var r tenantLimitsRow
	err := s.q(ctx).Where("tenant_id = ?", tenantID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return gwconfig.Throttle{}, time.Time{}, false, nil
	}
	if err != nil {
		return gwconfig.Throttle{}, time.Time{}, false, fmt.Errorf("loading limits of tenant %s: %w", tenantID, err)
	}
	return gwconfig.Throttle{RateLimit: r.RateLimit, BurstLimit: r.BurstLimit}, r.UpdatedAt, true, nil
}

func (s *sqlStore) putTenantLimits(ctx context.Context, tenantID string, t gwconfig.Throttle, at time.Time) error {
	err := s.q(ctx).Exec(`INSERT INTO tenant_limits (tenant_id, rate_limit, burst_limit, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET rate_limit = excluded.rate_limit, burst_limit = excluded.burst_limit, updated_at = excluded.updated_at`,
		tenantID, t.RateLimit, t.BurstLimit, at).Error
	if err != nil {
		return fmt.Errorf("storing limits of tenant %s: %w", tenantID, err)
	}
	return nil
}

func (s *sqlStore) deleteTenantLimits(ctx context.Context, tenantID string) error {
	if err := s.q(ctx).Where("tenant_id = ?", tenantID).Delete(&tenantLimitsRow{}).Error; err != nil {
		return fmt.Errorf("deleting limits of tenant %s: %w", tenantID, err)
	}
	return nil
}

func (s *sqlStore) tenantExists(ctx context.Context, tenantID string) (bool, error) {
	var n int64
	if err := s.q(ctx).Table("tenants").Where("id = ?", tenantID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("finding tenant %s: %w", tenantID, err)
	}
	return n > 0, nil
}
