package iamimpl

import (
	"context"
	"fmt"

	"github.com/turnpike/turnpike/backend/iam"
)

// insertSessionPolicy stores a new access key's session policy in the
// key's transaction, so that a key never exists without the narrowing it
// was created with. (No policy version bump: nothing can have cached a
// key that did not exist.)
func insertSessionPolicy(ctx context.Context, st store, k *iam.AccessKey, doc string) error {
	gs, ok := st.(*gormStore)
	if !ok {
		return fmt.Errorf("session policies need the gorm store, got %T", st)
	}
	if err := gs.db(ctx).Create(&sessionPolicyRow{AccessKeyID: k.ID, TenantID: k.TenantID, Document: doc}).Error; err != nil {
		return fmt.Errorf("storing session policy: %w", err)
	}
	return nil
}
