package executeapi

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/db"
)

// Key is an access key that can authenticate at now: the key ACTIVE and
// unexpired, its user and tenant ACTIVE.
type Key struct {
	ID        string
	TenantID  string
	UserID    string
	Email     string
	TokenHash string
	ExpiresAt *time.Time
}

// Store reads the access keys to publish. It reads the IAM tables
// (migration 00002) and never writes them.
type Store interface {
	// ActiveKeys lists the tenant's keys that can authenticate at now,
	// by id.
	ActiveKeys(ctx context.Context, tenantID string, now time.Time) ([]Key, error)
	// Tenants lists every tenant's id.
	Tenants(ctx context.Context) ([]string, error)
}

// NewStore returns the gorm Store.
func NewStore(d *db.DB) Store { return &gormStore{g: d.Gorm} }

type gormStore struct{ g *gorm.DB }

func (s *gormStore) ActiveKeys(ctx context.Context, tenantID string, now time.Time) ([]Key, error) {
	var rows []Key
	err := db.Conn(ctx, s.g).Table("access_keys AS k").
		Select("k.id, k.tenant_id, k.user_id, u.email, k.token_hash, k.expires_at").
		Joins("JOIN users u ON u.id = k.user_id AND u.tenant_id = k.tenant_id").
		Joins("JOIN tenants t ON t.id = k.tenant_id").
		Where("k.tenant_id = ? AND k.status = ? AND u.status = ? AND t.status = ?", tenantID, "ACTIVE", "ACTIVE", "ACTIVE").
		Where("k.expires_at IS NULL OR k.expires_at > ?", now).
		Order("k.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("listing active access keys of %s: %w", tenantID, err)
	}
	return rows, nil
}

func (s *gormStore) Tenants(ctx context.Context) ([]string, error) {
	var ids []string
	if err := db.Conn(ctx, s.g).Table("tenants").Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("listing tenants: %w", err)
	}
	return ids, nil
}

// MemoryStore is an in-process Store for tests and tools without a
// database.
type MemoryStore struct {
	// Keys are every tenant's keys with their user's and tenant's state.
	Keys []MemoryKey
}

// MemoryKey is a key of a MemoryStore.
type MemoryKey struct {
	Key
	Active bool // the key, its user and its tenant are ACTIVE
}

// ActiveKeys implements Store.
func (m *MemoryStore) ActiveKeys(_ context.Context, tenantID string, now time.Time) ([]Key, error) {
	var out []Key
	for _, k := range m.Keys {
		if k.TenantID == tenantID && k.Active && (k.ExpiresAt == nil || k.ExpiresAt.After(now)) {
			out = append(out, k.Key)
		}
	}
	return out, nil
}

// Tenants implements Store.
func (m *MemoryStore) Tenants(context.Context) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, k := range m.Keys {
		if !seen[k.TenantID] {
			seen[k.TenantID] = true
			out = append(out, k.TenantID)
		}
	}
	return out, nil
}
