package iamimpl

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
)

// TestIntegrationRemoveOperatorsAtOnce: two operators removing each other
// at the same time leave one.
func TestIntegrationRemoveOperatorsAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		ts := NewTenantService(d, f.svc, nil, nil)
		other, err := f.svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: f.tenant.ID, Email: "bob@example.com", Name: "Bob",
			Password: testPassword})
		require.NoError(t, err)
		for _, id := range []string{f.admin.ID, other.ID} {
			_, err := ts.AddPlatformOperator(ctx, id)
			require.NoError(t, err)
		}
		for range 5 {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, id := range []string{f.admin.ID, other.ID} {
				wg.Go(func() { errs[i] = ts.RemovePlatformOperator(ctx, id) })
			}
			wg.Wait()
			ops, err := ts.ListPlatformOperators(ctx)
			require.NoError(t, err)
			require.Len(t, ops, 1, "errors: %v", errs)
			failed := errs[0]
			if failed == nil {
				failed = errs[1]
			}
			assert.ErrorIs(t, failed, iam.ErrLastOperator)
			_, err = ts.AddPlatformOperator(ctx, f.admin.ID)
			require.NoError(t, err)
			_, err = ts.AddPlatformOperator(ctx, other.ID)
			require.NoError(t, err)
		}
	})
}
