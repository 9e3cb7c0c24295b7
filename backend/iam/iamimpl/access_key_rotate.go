package iamimpl

import (
	"context"
	"fmt"
	"time"

	"github.com/turnpike/turnpike/backend/iam"
)

// MaxRotationGrace bounds how long a rotated key keeps working.
const MaxRotationGrace = 7 * 24 * time.Hour

// RotatedAccessKey is the new key (token shown once) and the old one as it
// now is.
type RotatedAccessKey struct {
	New *iam.CreatedAccessKey
	Old *iam.AccessKey
}

// RotateAccessKey replaces a key with a new one of the same user, name and
// expiry. With grace 0 the old key is deactivated at once; otherwise it
// keeps working until now+grace (or its own earlier expiry), so that
// automation can switch over.
func (s *Service) RotateAccessKey(ctx context.Context, tenantID, keyID string, grace time.Duration) (*RotatedAccessKey, error) {
	if grace < 0 || grace > MaxRotationGrace {
		return nil, iam.ErrAccessKeyInvalid.WithDetail("graceSeconds", "out_of_range", "Must be between 0 and 604800 (7 days).")
	}
	var out RotatedAccessKey
	err := s.store.withTx(ctx, func(st store) error {
		old, err := st.getAccessKey(ctx, tenantID, keyID)
		if err != nil {
			return err
		}
		if old.Status != iam.AccessKeyActive {
			return iam.ErrAccessKeyInvalid.WithMessage("Only an active access key can be rotated.")
		}
		now := s.now()
		token := newAccessKeyToken()
		k := iam.AccessKey{ID: newAccessKeyID(), TenantID: tenantID, UserID: old.UserID, Name: old.Name,
			Status: iam.AccessKeyActive, CreatedAt: now, UpdatedAt: now, ExpiresAt: old.ExpiresAt}
		if old.Expired(now) {
			k.ExpiresAt = nil
		}
		if err := st.insertAccessKey(ctx, &k, hashToken(token)); err != nil {
			return err
		}
		gs, ok := st.(*gormStore)
		if !ok {
			return fmt.Errorf("rotating access keys needs the database store")
		}
		upd := map[string]any{"updated_at": now}
		if grace == 0 {
			old.Status = iam.AccessKeyInactive
			upd["status"] = string(iam.AccessKeyInactive)
		} else if until := now.Add(grace); old.ExpiresAt == nil || until.Before(*old.ExpiresAt) {
			old.ExpiresAt = &until
			upd["expires_at"] = until
		}
		old.UpdatedAt = now
		if err := gs.db(ctx).Model(&accessKeyRow{}).Where("tenant_id = ? AND id = ?", tenantID, keyID).Updates(upd).Error; err != nil {
			return fmt.Errorf("retiring rotated access key: %w", err)
		}
		out = RotatedAccessKey{New: &iam.CreatedAccessKey{AccessKey: k, Token: token}, Old: old}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
