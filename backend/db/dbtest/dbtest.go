// Package dbtest gives tests a fresh, migrated database of each dialect, so
// one store test suite runs against SQLite and Postgres alike.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/turnpike/turnpike/backend/db"
)

// DefaultPostgresURL is where `make test` expects Postgres.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL is TEST_DATABASE_URL or the default.
func PostgresURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// SQLite returns a fresh migrated SQLite database in a temp dir.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("opening sqlite: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrating sqlite: %v", err)
	}
	return d
}

// Postgres returns a migrated Postgres database in a fresh schema that is
// dropped when the test ends. It fails (never skips) when Postgres is down,
// saying how to start it; callers skip under -short themselves.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	base := PostgresURL()
	admin, err := db.Open(ctx, base)
	if err != nil {
		t.Fatalf("Postgres is not reachable at %s: %v\nStart it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n(or set TEST_DATABASE_URL)", base, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if err := admin.Gorm.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Gorm.Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	d, err := db.Open(ctx, base+sep+"search_path="+schema)
	if err != nil {
		t.Fatalf("opening postgres schema %s: %v", schema, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrating postgres: %v", err)
	}
	return d
}

// Each runs fn against a fresh SQLite database and, unless -short, a fresh
// Postgres schema, as subtests named by dialect.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		if testing.Short() {
			t.Skip("postgres store tests skipped under -short")
		}
		fn(t, Postgres(t))
	})
}

// Describe is a helper for failure messages.
func Describe(d *db.DB) string { return fmt.Sprintf("%s database", d.Dialect) }
