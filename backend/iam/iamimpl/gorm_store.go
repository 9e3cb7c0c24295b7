package iamimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
)

// gormStore implements store over the migrated tables of 00001 and 00002.
type gormStore struct {
	g *gorm.DB
}

var _ store = (*gormStore)(nil)

func newGormStore(d *db.DB) *gormStore { return &gormStore{g: d.Gorm} }

type tenantRow struct {
	ID        string `gorm:"primaryKey"`
	Name      string
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (tenantRow) TableName() string { return "tenants" }

type userRow struct {
	ID           string `gorm:"primaryKey"`
	TenantID     string
	Email        string
	Name         string
	PasswordHash string
	Status       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// IsPlatformAdmin is set by tenant administration (tenant_store.go).
	IsPlatformAdmin bool
}

func (userRow) TableName() string { return "users" }

type userRoleRow struct {
	TenantID  string
	UserID    string `gorm:"primaryKey"`
	Role      string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (userRoleRow) TableName() string { return "user_roles" }

type sessionRow struct {
	ID        string `gorm:"primaryKey"`
	TenantID  string
	UserID    string
	TokenHash string
	CSRFToken string `gorm:"column:csrf_token"`
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

func (sessionRow) TableName() string { return "sessions" }

type accessKeyRow struct {
	ID         string `gorm:"primaryKey"`
	TenantID   string
	UserID     string
	Name       string
	TokenHash  string
	Status     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	LastUsedAt *time.Time
	LastUsedIP *string `gorm:"column:last_used_ip"`
	ExpiresAt  *time.Time
}

func (accessKeyRow) TableName() string { return "access_keys" }

// db is the store's handle: the transaction ctx carries, if any.
func (s *gormStore) db(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.g) }

func (s *gormStore) withTx(ctx context.Context, fn func(s store) error) error {
	return db.WithTx(ctx, s.g, func(tx *gorm.DB) error { return fn(&gormStore{g: tx}) })
}

func (s *gormStore) countTenants(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db(ctx).Model(&tenantRow{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("counting tenants: %w", err)
	}
	return n, nil
}

func (s *gormStore) insertTenant(ctx context.Context, t *iam.Tenant) error {
	r := tenantRow{ID: t.ID, Name: t.Name, Status: string(t.Status), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	if err := s.db(ctx).Create(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return iam.ErrTenantNameTaken.Errorf("inserting tenant %s: %w", t.ID, err)
		}
		return fmt.Errorf("inserting tenant: %w", err)
	}
	return nil
}

func (s *gormStore) getTenant(ctx context.Context, tenantID string) (*iam.Tenant, error) {
	var r tenantRow
	if err := s.db(ctx).Where("id = ?", tenantID).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrTenantNotFound, "tenant")
	}
	return &iam.Tenant{ID: r.ID, Name: r.Name, Status: iam.TenantStatus(r.Status), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}

func (s *gormStore) insertUser(ctx context.Context, u *iam.User) error {
	return s.withTx(ctx, func(st store) error {
		tx := st.(*gormStore).db(ctx)
		r := userRow{ID: u.ID, TenantID: u.TenantID, Email: u.Email, Name: u.Name, PasswordHash: u.PasswordHash,
			Status: string(u.Status), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
		if err := tx.Create(&r).Error; err != nil {
			switch {
			case errors.Is(err, gorm.ErrDuplicatedKey):
				return iam.ErrUserEmailTaken.Errorf("inserting user: %w", err)
			case errors.Is(err, gorm.ErrForeignKeyViolated):
				return iam.ErrTenantNotFound.Errorf("inserting user: %w", err)
			}
			return fmt.Errorf("inserting user: %w", err)
		}
		for _, role := range u.Roles {
			rr := userRoleRow{TenantID: u.TenantID, UserID: u.ID, Role: role, CreatedAt: u.CreatedAt}
			if err := tx.Create(&rr).Error; err != nil {
				return fmt.Errorf("inserting role %s of user: %w", role, err)
			}
		}
		return nil
	})
}

func (s *gormStore) getUser(ctx context.Context, tenantID, userID string) (*iam.User, error) {
	var r userRow
	if err := s.db(ctx).Where("tenant_id = ? AND id = ?", tenantID, userID).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrUserNotFound, "user")
	}
	return s.withRoles(ctx, &r)
}

func (s *gormStore) getUserByEmail(ctx context.Context, email string) (*iam.User, error) {
	var r userRow
	if err := s.db(ctx).Where("email = ?", email).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrUserNotFound, "user")
	}
	return s.withRoles(ctx, &r)
}

func (s *gormStore) withRoles(ctx context.Context, r *userRow) (*iam.User, error) {
	var roles []string
	if err := s.db(ctx).Model(&userRoleRow{}).Where("tenant_id = ? AND user_id = ?", r.TenantID, r.ID).
		Order("role").Pluck("role", &roles).Error; err != nil {
		return nil, fmt.Errorf("loading roles of user: %w", err)
	}
	return &iam.User{ID: r.ID, TenantID: r.TenantID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash,
		Status: iam.UserStatus(r.Status), Roles: roles, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}

func (s *gormStore) insertSession(ctx context.Context, ses *iam.Session, tokenHash string) error {
	r := sessionRow{ID: ses.ID, TenantID: ses.TenantID, UserID: ses.UserID, TokenHash: tokenHash, CSRFToken: ses.CSRFToken,
		CreatedAt: ses.CreatedAt, ExpiresAt: ses.ExpiresAt}
	if err := s.db(ctx).Create(&r).Error; err != nil {
		return fmt.Errorf("inserting session: %w", err)
	}
	return nil
}

func (s *gormStore) getSessionByTokenHash(ctx context.Context, tokenHash string) (*iam.Session, error) {
	var r sessionRow
	if err := s.db(ctx).Where("token_hash = ?", tokenHash).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrInvalidSession, "session")
	}
	return r.model(), nil
}

func (s *gormStore) getSession(ctx context.Context, tenantID, sessionID string) (*iam.Session, error) {
	var r sessionRow
	if err := s.db(ctx).Where("tenant_id = ? AND id = ?", tenantID, sessionID).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrInvalidSession, "session")
	}
	return r.model(), nil
}

func (r *sessionRow) model() *iam.Session {
	return &iam.Session{ID: r.ID, TenantID: r.TenantID, UserID: r.UserID, CSRFToken: r.CSRFToken,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt}
}

func (s *gormStore) revokeSession(ctx context.Context, tenantID, sessionID string, at time.Time) error {
	err := s.db(ctx).Model(&sessionRow{}).Where("tenant_id = ? AND id = ? AND revoked_at IS NULL", tenantID, sessionID).
		Update("revoked_at", at).Error
	if err != nil {
		return fmt.Errorf("revoking session: %w", err)
	}
	return nil
}

func (s *gormStore) deleteSessionsBefore(ctx context.Context, at time.Time) (int64, error) {
	res := s.db(ctx).Where("expires_at < ? OR revoked_at < ?", at, at).Delete(&sessionRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("purging sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}

func (s *gormStore) insertAccessKey(ctx context.Context, k *iam.AccessKey, tokenHash string) error {
	r := accessKeyRow{ID: k.ID, TenantID: k.TenantID, UserID: k.UserID, Name: k.Name, TokenHash: tokenHash,
		Status: string(k.Status), CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt, ExpiresAt: k.ExpiresAt}
	if err := s.db(ctx).Create(&r).Error; err != nil {
		switch {
		case errors.Is(err, gorm.ErrDuplicatedKey):
			return iam.ErrAccessKeyConflict.Errorf("inserting access key: %w", err)
		case errors.Is(err, gorm.ErrForeignKeyViolated):
			return iam.ErrUserNotFound.Errorf("inserting access key: %w", err)
		}
		return fmt.Errorf("inserting access key: %w", err)
	}
	return nil
}

func (s *gormStore) getAccessKeyByTokenHash(ctx context.Context, tokenHash string) (*iam.AccessKey, error) {
	var r accessKeyRow
	if err := s.db(ctx).Where("token_hash = ?", tokenHash).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrInvalidToken, "access key")
	}
	return r.model(), nil
}

func (s *gormStore) getAccessKey(ctx context.Context, tenantID, keyID string) (*iam.AccessKey, error) {
	var r accessKeyRow
	if err := s.db(ctx).Where("tenant_id = ? AND id = ?", tenantID, keyID).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrAccessKeyNotFound, "access key")
	}
	return r.model(), nil
}

func (s *gormStore) listAccessKeys(ctx context.Context, tenantID string) ([]*iam.AccessKey, error) {
	var rows []accessKeyRow
	if err := s.db(ctx).Where("tenant_id = ?", tenantID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing access keys: %w", err)
	}
	keys := make([]*iam.AccessKey, len(rows))
	for i := range rows {
		keys[i] = rows[i].model()
	}
	return keys, nil
}

func (r *accessKeyRow) model() *iam.AccessKey {
	k := &iam.AccessKey{ID: r.ID, TenantID: r.TenantID, UserID: r.UserID, Name: r.Name, Status: iam.AccessKeyStatus(r.Status),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, LastUsedAt: r.LastUsedAt, ExpiresAt: r.ExpiresAt}
	if r.LastUsedIP != nil {
		k.LastUsedIP = *r.LastUsedIP
	}
	return k
}

func (s *gormStore) updateAccessKey(ctx context.Context, k *iam.AccessKey) error {
	res := s.db(ctx).Model(&accessKeyRow{}).Where("tenant_id = ? AND id = ?", k.TenantID, k.ID).
		Updates(map[string]any{"name": k.Name, "status": string(k.Status), "updated_at": k.UpdatedAt})
	if res.Error != nil {
		return fmt.Errorf("updating access key: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return iam.ErrAccessKeyNotFound
	}
	return nil
}

func (s *gormStore) deleteAccessKey(ctx context.Context, tenantID, keyID string) error {
	res := s.db(ctx).Where("tenant_id = ? AND id = ?", tenantID, keyID).Delete(&accessKeyRow{})
	if res.Error != nil {
		return fmt.Errorf("deleting access key: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return iam.ErrAccessKeyNotFound
	}
	return nil
}

func (s *gormStore) touchAccessKey(ctx context.Context, tenantID, keyID string, at time.Time, ip string) error {
	err := s.db(ctx).Model(&accessKeyRow{}).Where("tenant_id = ? AND id = ?", tenantID, keyID).
		Updates(map[string]any{"last_used_at": at, "last_used_ip": ip}).Error
	if err != nil {
		return fmt.Errorf("recording access key use: %w", err)
	}
	return nil
}

// notFound maps gorm's record-not-found to base and wraps anything else.
func notFound(err error, base *apierr.Error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return base.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("loading %s: %w", what, err)
}
