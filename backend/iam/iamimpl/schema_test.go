package iamimpl

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
)

// The migrations of both dialects create exactly the columns the store's
// row types map.
func TestIntegrationSchemaMatchesRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		for _, row := range []any{&tenantRow{}, &userRow{}, &userRoleRow{}, &sessionRow{}, &accessKeyRow{}, &invitationRow{}} {
			stmt := &gorm.Statement{DB: d.Gorm}
			require.NoError(t, stmt.Parse(row))
			want := append([]string(nil), stmt.Schema.DBNames...)
			cols, err := d.Gorm.Migrator().ColumnTypes(row)
			require.NoError(t, err)
			var got []string
			for _, c := range cols {
				got = append(got, c.Name())
			}
			sort.Strings(want)
			sort.Strings(got)
			assert.Equal(t, want, got, stmt.Schema.Table)
		}
	})
}
