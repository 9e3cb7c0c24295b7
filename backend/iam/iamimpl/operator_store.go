package iamimpl

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
)

// operatorStore holds the platform operator queries over users'
// is_platform_admin (migration 00021); it joins the transaction ctx
// carries.
type operatorStore struct {
	d *db.DB
}

type operatorRow struct {
	UserID     string
	TenantID   string
	TenantName string
	Email      string
	Name       string
}

func (r *operatorRow) model() *iam.PlatformOperator {
	return &iam.PlatformOperator{UserID: r.UserID, TenantID: r.TenantID, TenantName: r.TenantName, Email: r.Email, Name: r.Name}
}

func (s *operatorStore) list(ctx context.Context, userID string) ([]*iam.PlatformOperator, error) {
	q := db.Conn(ctx, s.d.Gorm).Table("users u").
		Select("u.id AS user_id, u.tenant_id, t.name AS tenant_name, u.email, u.name").
		Joins("JOIN tenants t ON t.id = u.tenant_id").Where("u.is_platform_admin = ?", true)
	if userID != "" {
		q = q.Where("u.id = ?", userID)
	}
	var rows []operatorRow
	if err := q.Order("u.email").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing platform operators: %w", err)
	}
	out := make([]*iam.PlatformOperator, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// set marks or unmarks the user; it reports whether the user exists.
func (s *operatorStore) set(ctx context.Context, userID string, operator bool) (bool, error) {
	res := db.Conn(ctx, s.d.Gorm).Table("users").Where("id = ?", userID).Update("is_platform_admin", operator)
	if res.Error != nil {
		return false, fmt.Errorf("updating platform operator: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

// removeUnlessLast unmarks an operator unless it is the last one, in one
// statement; on Postgres the operators' rows are locked first, so two
// removals at once cannot both see the other still there (SQLite runs one
// writer at a time). It reports whether the user was an operator and the
// number of operators before.
func (s *operatorStore) removeUnlessLast(ctx context.Context, userID string) (wasOperator bool, before int64, err error) {
	g := db.Conn(ctx, s.d.Gorm)
	if s.d.Dialect == db.Postgres {
		var ids []string
		if err := g.Table("users").Where("is_platform_admin = ?", true).Clauses(clause.Locking{Strength: "UPDATE"}).
			Pluck("id", &ids).Error; err != nil {
			return false, 0, fmt.Errorf("locking platform operators: %w", err)
		}
	}
	if err := g.Table("users").Where("is_platform_admin = ?", true).Count(&before).Error; err != nil {
		return false, 0, fmt.Errorf("counting platform operators: %w", err)
	}
	res := g.Exec(`UPDATE users SET is_platform_admin = ? WHERE id = ? AND is_platform_admin = ?
		AND (SELECT count(*) FROM users WHERE is_platform_admin = ?) > 1`, false, userID, true, true)
	if res.Error != nil {
		return false, 0, fmt.Errorf("removing platform operator: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		return true, before, nil
	}
	var n int64
	if err := g.Table("users").Where("id = ? AND is_platform_admin = ?", userID, true).Count(&n).Error; err != nil {
		return false, 0, fmt.Errorf("checking platform operator: %w", err)
	}
	return n > 0, before, nil
}
