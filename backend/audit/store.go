package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/db"
)

// Store is the audit log over the audit_log table (migration 00020).
type Store struct {
	g   *gorm.DB
	now func() time.Time
}

var _ Log = (*Store)(nil)

// NewStore returns the audit log over a migrated database.
func NewStore(d *db.DB) *Store {
	return &Store{g: d.Gorm, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

type entryRow struct {
	ID             string `gorm:"primaryKey"`
	TenantID       *string
	At             time.Time
	UserID         string
	Email          string
	AccessKeyID    string
	SessionID      string
	Action         string
	Resource       string
	Method         string
	Path           string
	RequestSummary string
	SourceIP       string `gorm:"column:source_ip"`
	UserAgent      string
	Status         int
	ErrorCode      string
	RequestID      string
}

func (entryRow) TableName() string { return "audit_log" }

// Record implements Log.
func (s *Store) Record(ctx context.Context, e *Entry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if e.ID == "" {
		e.ID = NewID(e.At)
	}
	r := entryRow{ID: e.ID, At: e.At, UserID: e.UserID, Email: e.Email, AccessKeyID: e.AccessKeyID,
		SessionID: e.SessionID, Action: e.Action, Resource: e.Resource, Method: e.Method, Path: e.Path,
		RequestSummary: e.RequestSummary, SourceIP: e.SourceIP, UserAgent: truncate(e.UserAgent, 512),
		Status: e.Status, ErrorCode: e.ErrorCode, RequestID: e.RequestID}
	if e.TenantID != "" {
		r.TenantID = &e.TenantID
	}
	if err := db.Conn(ctx, s.g).Create(&r).Error; err != nil {
		return fmt.Errorf("writing audit entry: %w", err)
	}
	return nil
}

// List implements Log.
func (s *Store) List(ctx context.Context, q Query) ([]*Entry, string, error) {
	if err := q.Validate(); err != nil {
		return nil, "", err
	}
	tx := db.Conn(ctx, s.g).Where("tenant_id = ?", q.TenantID)
	if q.From != nil {
		tx = tx.Where("at >= ?", q.From.UTC())
	}
	if q.To != nil {
		tx = tx.Where("at < ?", q.To.UTC())
	}
	if q.Actor != "" {
		tx = tx.Where("(user_id = ? OR email = ? OR access_key_id = ?)", q.Actor, strings.ToLower(q.Actor), q.Actor)
	}
	if q.Action != "" {
		tx = likeOrEqual(tx, "action", q.Action)
	}
	if q.Resource != "" {
		tx = likeOrEqual(tx, "resource", q.Resource)
	}
	switch q.Result {
	case ResultSuccess:
		tx = tx.Where("status < 400")
	case ResultDenied:
		tx = tx.Where("status IN (401, 403)")
	case ResultFailure:
		tx = tx.Where("status >= 400")
	}
	if q.Cursor != "" {
		tx = tx.Where("id < ?", q.Cursor)
	}
	var rows []entryRow
	if err := tx.Order("id DESC").Limit(q.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("listing audit entries: %w", err)
	}
	next := ""
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
		next = rows[len(rows)-1].ID
	}
	out := make([]*Entry, len(rows))
	for i, r := range rows {
		e := &Entry{ID: r.ID, At: r.At.UTC(), UserID: r.UserID, Email: r.Email, AccessKeyID: r.AccessKeyID,
			SessionID: r.SessionID, Action: r.Action, Resource: r.Resource, Method: r.Method, Path: r.Path,
			RequestSummary: r.RequestSummary, SourceIP: r.SourceIP, UserAgent: r.UserAgent, Status: r.Status,
			ErrorCode: r.ErrorCode, RequestID: r.RequestID}
		if r.TenantID != nil {
			e.TenantID = *r.TenantID
		}
		out[i] = e
	}
	return out, next, nil
}

// likeOrEqual matches col exactly, or by prefix when pattern ends with "*".
func likeOrEqual(tx *gorm.DB, col, pattern string) *gorm.DB {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(p)
		return tx.Where(col+` LIKE ? ESCAPE '\'`, esc+"%")
	}
	return tx.Where(col+" = ?", pattern)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
