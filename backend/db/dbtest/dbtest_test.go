package dbtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db"
)

func TestIntegrationEachDialectMigrates(t *testing.T) {
	Each(t, func(t *testing.T, d *db.DB) {
		var n int64
		require.NoError(t, d.Gorm.Table("tenants").Count(&n).Error)
		require.Zero(t, n)
	})
}
