package iamimpl

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
)

// tenantStore holds the tenant-administration queries. Every method goes
// through db.Conn, so it joins the transaction ctx carries.
type tenantStore struct {
	g *gorm.DB
}

func (s *tenantStore) listTenants(ctx context.Context) ([]*iam.Tenant, error) {
	var rows []tenantRow
	if err := db.Conn(ctx, s.g).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing tenants: %w", err)
	}
	out := make([]*iam.Tenant, len(rows))
	for i, r := range rows {
		out[i] = &iam.Tenant{ID: r.ID, Name: r.Name, Status: iam.TenantStatus(r.Status), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

func (s *tenantStore) setTenantStatus(ctx context.Context, t *iam.Tenant) error {
	res := db.Conn(ctx, s.g).Model(&tenantRow{}).Where("id = ?", t.ID).
		Updates(map[string]any{"status": string(t.Status), "updated_at": t.UpdatedAt})
	if res.Error != nil {
		return fmt.Errorf("updating tenant status: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return iam.ErrTenantNotFound
	}
	return nil
}

func (s *tenantStore) deleteTenant(ctx context.Context, tenantID string) error {
	res := db.Conn(ctx, s.g).Where("id = ?", tenantID).Delete(&tenantRow{})
	if res.Error != nil {
		return fmt.Errorf("deleting tenant: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return iam.ErrTenantNotFound
	}
	return nil
}

func (s *tenantStore) isPlatformAdmin(ctx context.Context, tenantID, userID string) (bool, error) {
	var n int64
	err := db.Conn(ctx, s.g).Table("users").Where("tenant_id = ? AND id = ? AND is_platform_admin = ?", tenantID, userID, true).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("checking platform admin: %w", err)
	}
	return n > 0, nil
}

// markPlatformAdmin makes the user a platform operator; a store that is not
// the gorm store (a test fake) ignores it.
func markPlatformAdmin(ctx context.Context, st store, userID string) error {
	gs, ok := st.(*gormStore)
	if !ok {
		return nil
	}
	if err := gs.db(ctx).Table("users").Where("id = ?", userID).Update("is_platform_admin", true).Error; err != nil {
		return fmt.Errorf("marking platform admin: %w", err)
	}
	return nil
}
