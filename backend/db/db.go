// Package db opens the control plane's database — Postgres when a URL is
// given, an SQLite file otherwise — and applies the versioned migrations.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libtnb/sqlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/turnpike/turnpike/migrations"
)

// Dialect names the SQL flavour of a database.
type Dialect string

// Supported dialects; each has its own migrations directory.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is an open database with its dialect.
type DB struct {
	Gorm    *gorm.DB
	Dialect Dialect
}

// Open connects to url: "postgres://..." or "postgresql://..." opens
// Postgres; "sqlite:PATH", "file:PATH" or a bare path opens SQLite (the
// directory is created). Foreign keys and WAL are enabled on SQLite.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg := &gorm.Config{Logger: logger.Discard, TranslateError: true, NowFunc: func() time.Time { return time.Now().UTC() }}
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		g, err := gorm.Open(postgres.Open(url), cfg)
		if err != nil {
			return nil, fmt.Errorf("opening postgres: %w", err)
		}
		if err := ping(ctx, g); err != nil {
			return nil, fmt.Errorf("connecting to postgres: %w", err)
		}
		return &DB{Gorm: g, Dialect: Postgres}, nil
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		if path == "" {
			return nil, fmt.Errorf("empty database path")
		}
		if path != ":memory:" && !strings.HasPrefix(path, "file::memory:") {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, fmt.Errorf("creating database directory: %w", err)
			}
		}
		dsn := path
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)"
		g, err := gorm.Open(sqlite.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("opening sqlite %s: %w", path, err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, err
		}
		// One writer at a time is what SQLite supports; a single connection
		// also keeps an in-memory database alive and shared.
		sqlDB.SetMaxOpenConns(1)
		if err := ping(ctx, g); err != nil {
			return nil, fmt.Errorf("opening sqlite %s: %w", path, err)
		}
		return &DB{Gorm: g, Dialect: SQLite}, nil
	}
}

func ping(ctx context.Context, g *gorm.DB) error {
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return sqlDB.PingContext(ctx)
}

// Close closes the connection pool.
func (d *DB) Close() error {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// SQL returns the underlying *sql.DB.
func (d *DB) SQL() (*sql.DB, error) { return d.Gorm.DB() }

// Migrate applies every pending migration of the database's dialect, each in
// its own transaction, and logs what it applied.
func (d *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return err
	}
	sub, err := fs.Sub(migrations.FS, string(d.Dialect))
	if err != nil {
		return fmt.Errorf("migrations for %s: %w", d.Dialect, err)
	}
	dialect := goose.DialectPostgres
	if d.Dialect == SQLite {
		dialect = goose.DialectSQLite3
	}
	// Parallel branches number their migrations in separate ranges, so a
	// database may meet a lower number after a higher one.
	p, err := goose.NewProvider(dialect, sqlDB, sub, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("loading migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "duration", r.Duration)
	}
	return nil
}

// Version returns the newest applied migration version.
func (d *DB) Version(ctx context.Context) (int64, error) {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return 0, err
	}
	sub, err := fs.Sub(migrations.FS, string(d.Dialect))
	if err != nil {
		return 0, err
	}
	dialect := goose.DialectPostgres
	if d.Dialect == SQLite {
		dialect = goose.DialectSQLite3
	}
	p, err := goose.NewProvider(dialect, sqlDB, sub)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}
