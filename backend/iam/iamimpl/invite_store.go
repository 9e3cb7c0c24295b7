package iamimpl

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
)

// inviteStore holds the invitations of migration 00022.
type inviteStore struct {
	g *gorm.DB
}

type invitationRow struct {
	ID         string `gorm:"primaryKey"`
	TenantID   string
	Email      string
	TokenHash  string
	InvitedBy  string
	Status     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	// GroupIDs and PolicyIDs are JSON arrays (migration 00065).
	GroupIDs  string
	PolicyIDs string
}

func (invitationRow) TableName() string { return "invitations" }

func (r *invitationRow) model() *iam.Invitation {
	inv := &iam.Invitation{ID: r.ID, TenantID: r.TenantID, Email: r.Email, InvitedBy: r.InvitedBy,
		Status: iam.InvitationStatus(r.Status), CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, AcceptedAt: r.AcceptedAt,
		GroupIDs: []string{}, PolicyIDs: []string{}}
	// Written by insert from string slices; an unreadable value grants nothing.
	_ = json.Unmarshal([]byte(r.GroupIDs), &inv.GroupIDs)
	_ = json.Unmarshal([]byte(r.PolicyIDs), &inv.PolicyIDs)
	return inv
}

// jsonList is ids as a JSON array, [] for none.
func jsonList(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids) // Strings always marshal.
	return string(b)
}

func (s *inviteStore) insert(ctx context.Context, inv *iam.Invitation, tokenHash string) error {
	r := invitationRow{ID: inv.ID, TenantID: inv.TenantID, Email: inv.Email, TokenHash: tokenHash, InvitedBy: inv.InvitedBy,
		Status: string(inv.Status), CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
		GroupIDs: jsonList(inv.GroupIDs), PolicyIDs: jsonList(inv.PolicyIDs)}
	if err := db.Conn(ctx, s.g).Create(&r).Error; err != nil {
		return fmt.Errorf("inserting invitation: %w", err)
	}
	return nil
}

func (s *inviteStore) list(ctx context.Context, tenantID string) ([]*iam.Invitation, error) {
	var rows []invitationRow
	if err := db.Conn(ctx, s.g).Where("tenant_id = ?", tenantID).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing invitations: %w", err)
	}
	out := make([]*iam.Invitation, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

func (s *inviteStore) revoke(ctx context.Context, tenantID, id string) error {
	res := db.Conn(ctx, s.g).Model(&invitationRow{}).Where("tenant_id = ? AND id = ? AND status = ?", tenantID, id, iam.InvitationPending).
		Update("status", string(iam.InvitationRevoked))
	if res.Error != nil {
		return fmt.Errorf("revoking invitation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return iam.ErrInvitationNotFound
	}
	return nil
}

// take marks the pending, unexpired invitation of the token hash accepted
// and returns it; a second taker gets nil.
func (s *inviteStore) take(ctx context.Context, tokenHash string, now time.Time) (*iam.Invitation, error) {
	g := db.Conn(ctx, s.g)
	res := g.Model(&invitationRow{}).Where("token_hash = ? AND status = ? AND expires_at > ?", tokenHash, iam.InvitationPending, now).
		Updates(map[string]any{"status": string(iam.InvitationAccepted), "accepted_at": now})
	if res.Error != nil {
		return nil, fmt.Errorf("accepting invitation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	var r invitationRow
	if err := g.Where("token_hash = ?", tokenHash).Take(&r).Error; err != nil {
		return nil, fmt.Errorf("loading invitation: %w", err)
	}
	return r.model(), nil
}

// pending returns the pending, unexpired invitation of the token hash, or
// nil when there is none.
func (s *inviteStore) pending(ctx context.Context, tokenHash string, now time.Time) (*iam.Invitation, error) {
	var rows []invitationRow
	err := db.Conn(ctx, s.g).Where("token_hash = ? AND status = ? AND expires_at > ?", tokenHash, iam.InvitationPending, now).
		Limit(1).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("looking up invitation: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].model(), nil
}
