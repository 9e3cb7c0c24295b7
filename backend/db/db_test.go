package db

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSQLiteMigrateTwiceKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	d, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, d.Migrate(ctx, slog.New(slog.DiscardHandler)))
	require.NoError(t, d.Gorm.Exec("INSERT INTO tenants (id, name, status, created_at, updated_at) VALUES ('t1','a','ACTIVE',CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)").Error)
	require.NoError(t, d.Close())

	d, err = Open(ctx, "sqlite:"+path)
	require.NoError(t, err)
	defer d.Close()
	require.NoError(t, d.Migrate(ctx, slog.New(slog.DiscardHandler)))
	var n int64
	require.NoError(t, d.Gorm.Table("tenants").Count(&n).Error)
	require.EqualValues(t, 1, n)
	v, err := d.Version(ctx)
	require.NoError(t, err)
	require.Positive(t, v)
}
