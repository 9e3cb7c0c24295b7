package iamimpl

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/secretbox"
)

// oidcStore holds the single sign-on tables of migration 00023.
type oidcStore struct {
	g *gorm.DB
	// box encrypts client secrets; nil (no key) refuses to store one and
	// reads only those stored in the clear before encryption existed.
	box *secretbox.Box
}

type oidcConfigRow struct {
	TenantID      string `gorm:"primaryKey"`
	Issuer        string
	ClientID      string
	ClientSecret  string
	GroupClaim    string
	GroupMappings string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (oidcConfigRow) TableName() string { return "oidc_configs" }

type oidcLoginRow struct {
	StateHash    string `gorm:"primaryKey"`
	TenantID     string
	Nonce        string
	CodeVerifier string
	ReturnTo     string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

func (oidcLoginRow) TableName() string { return "oidc_logins" }

func (s *oidcStore) putConfig(ctx context.Context, c *iam.OIDCConfig) error {
	m, err := json.Marshal(c.GroupMappings)
	if err != nil {
		return err
	}
	secret, err := s.seal(c.TenantID, c.ClientSecret)
	if err != nil {
		return err
	}
	r := oidcConfigRow{TenantID: c.TenantID, Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: secret,
		GroupClaim: c.GroupClaim, GroupMappings: string(m), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	err = db.Conn(ctx, s.g).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"issuer", "client_id", "client_secret", "group_claim", "group_mappings", "updated_at"})}).
		Create(&r).Error
	if err != nil {
		return fmt.Errorf("saving oidc config: %w", err)
	}
	return nil
}

func (s *oidcStore) getConfig(ctx context.Context, tenantID string) (*iam.OIDCConfig, error) {
	var r oidcConfigRow
	if err := db.Conn(ctx, s.g).Where("tenant_id = ?", tenantID).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrOIDCNotConfigured, "oidc config")
	}
	secret, err := s.open(r.TenantID, r.ClientSecret)
	if err != nil {
		return nil, err
	}
	c := &iam.OIDCConfig{TenantID: r.TenantID, Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: secret,
		GroupClaim: r.GroupClaim, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal([]byte(r.GroupMappings), &c.GroupMappings); err != nil {
		return nil, fmt.Errorf("decoding group mappings: %w", err)
	}
	return c, nil
}

// secretContext binds a sealed client secret to its tenant's row.
func secretContext(tenantID string) string { return "oidc_configs/" + tenantID }

func (s *oidcStore) seal(tenantID, secret string) (string, error) {
	if secret == "" {
		return "", nil
	}
	if s.box == nil {
		return "", iam.ErrSecretKeyMissing
	}
	return s.box.Seal(secret, secretContext(tenantID)), nil
}

func (s *oidcStore) open(tenantID, stored string) (string, error) {
	if !secretbox.Sealed(stored) {
		// Stored before encryption; sealPlainSecrets encrypts it on start.
		return stored, nil
	}
	if s.box == nil {
		return "", iam.ErrSecretKeyMissing.Errorf("client secret of tenant %s is encrypted and there is no key", tenantID)
	}
	secret, err := s.box.Open(stored, secretContext(tenantID))
	if err != nil {
		return "", fmt.Errorf("client secret of tenant %s: %w", tenantID, err)
	}
	return secret, nil
}

// sealPlainSecrets encrypts every client secret still stored in the clear
// and returns how many; without a key it only counts them.
func (s *oidcStore) sealPlainSecrets(ctx context.Context) (int, error) {
	var rows []oidcConfigRow
	if err := db.Conn(ctx, s.g).Where("client_secret <> '' AND client_secret NOT LIKE ?", "tpenc:%").Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("finding plain-text client secrets: %w", err)
	}
	if s.box == nil {
		return len(rows), nil
	}
	for _, r := range rows {
		if secretbox.Sealed(r.ClientSecret) {
			continue
		}
		sealed, err := s.seal(r.TenantID, r.ClientSecret)
		if err != nil {
			return 0, err
		}
		// Only if still the plain text read, so a concurrent save wins.
		if err := db.Conn(ctx, s.g).Model(&oidcConfigRow{}).Where("tenant_id = ? AND client_secret = ?", r.TenantID, r.ClientSecret).
			Update("client_secret", sealed).Error; err != nil {
			return 0, fmt.Errorf("encrypting client secret: %w", err)
		}
	}
	return len(rows), nil
}

func (s *oidcStore) deleteConfig(ctx context.Context, tenantID string) error {
	res := db.Conn(ctx, s.g).Where("tenant_id = ?", tenantID).Delete(&oidcConfigRow{})
	if res.Error != nil {
		return fmt.Errorf("deleting oidc config: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return iam.ErrOIDCNotConfigured
	}
	return nil
}

func (s *oidcStore) tenantByName(ctx context.Context, name string) (*iam.Tenant, error) {
	var r tenantRow
	if err := db.Conn(ctx, s.g).Where("name = ?", name).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrTenantNotFound, "tenant")
	}
	return &iam.Tenant{ID: r.ID, Name: r.Name, Status: iam.TenantStatus(r.Status), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}

func (s *oidcStore) insertLogin(ctx context.Context, r *oidcLoginRow) error {
	g := db.Conn(ctx, s.g)
	// Forget abandoned sign-ins as new ones begin.
	if err := g.Where("expires_at < ?", r.CreatedAt).Delete(&oidcLoginRow{}).Error; err != nil {
		return fmt.Errorf("pruning oidc logins: %w", err)
	}
	if err := g.Create(r).Error; err != nil {
		return fmt.Errorf("saving oidc login: %w", err)
	}
	return nil
}

// takeLogin returns and deletes the sign-in of the state hash, so that it is
// used once; nil when there is none.
func (s *oidcStore) takeLogin(ctx context.Context, stateHash string) (*oidcLoginRow, error) {
	var out *oidcLoginRow
	err := db.WithTx(ctx, s.g, func(tx *gorm.DB) error {
		var r oidcLoginRow
		if err := tx.Where("state_hash = ?", stateHash).Take(&r).Error; err != nil {
			if err == gorm.ErrRecordNotFound {
				return nil
			}
			return err
		}
		res := tx.Where("state_hash = ?", stateHash).Delete(&oidcLoginRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			out = &r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("taking oidc login: %w", err)
	}
	return out, nil
}

// grantRole gives a built-in role to a user, if not held yet.
func (s *oidcStore) grantRole(ctx context.Context, tenantID, userID, role string, at time.Time) error {
	r := userRoleRow{TenantID: tenantID, UserID: userID, Role: role, CreatedAt: at}
	if err := db.Conn(ctx, s.g).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
		return fmt.Errorf("granting role %s: %w", role, err)
	}
	return nil
}
