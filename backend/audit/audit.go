// Package audit is the audit log: one entry per mutating call and per
// denied call of the management API, with who, what, when, from where and
// the result. The API server writes entries of successful changes in the
// transaction of the change (the store obtains its connection with
// db.Conn), and entries of failed or refused calls on their own.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
)

// Entry is one audit record.
type Entry struct {
	ID string
	// TenantID is empty for calls refused before the caller was known.
	TenantID    string
	At          time.Time
	UserID      string
	Email       string
	AccessKeyID string
	SessionID   string
	// Action and Resource are the IAM action and the expanded resource of
	// the route; Resource carries the tenant prefix trn:turnpike:<tenant>:.
	Action   string
	Resource string
	Method   string
	Path     string
	// RequestSummary is JSON of the request's query and body with every
	// secret redacted (see Summarize).
	RequestSummary string
	SourceIP       string
	UserAgent      string
	Status         int
	ErrorCode      string
	RequestID      string
}

// Result classes of the "result" filter.
const (
	ResultSuccess = "success" // status below 400
	ResultDenied  = "denied"  // 401 or 403
	ResultFailure = "failure" // any status from 400
)

// Query selects entries of one tenant, newest first.
type Query struct {
	TenantID string
	From, To *time.Time
	// Actor matches a user id, an email or an access key id.
	Actor string
	// Action matches exactly, or as a prefix when it ends with "*".
	Action string
	// Resource matches exactly, or as a prefix when it ends with "*".
	Resource string
	// Result is "", ResultSuccess, ResultDenied or ResultFailure.
	Result string
	// Limit is 1..1000; default 100.
	Limit int
	// Cursor is the id of the last entry of the previous page.
	Cursor string
}

// MaxLimit bounds one page.
const MaxLimit = 1000

// ErrQueryInvalid is a bad filter.
var ErrQueryInvalid = apierr.BadRequest("audit.invalid-query", "Invalid audit log query.")

// Validate checks and defaults the query.
func (q *Query) Validate() error {
	e := ErrQueryInvalid
	bad := false
	if q.TenantID == "" {
		return fmt.Errorf("audit query without tenant")
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	if q.Limit < 1 || q.Limit > MaxLimit {
		e, bad = e.WithDetail("limit", "out_of_range", "Must be between 1 and 1000."), true
	}
	switch q.Result {
	case "", ResultSuccess, ResultDenied, ResultFailure:
	default:
		e, bad = e.WithDetail("result", "invalid", "Must be success, denied or failure."), true
	}
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		e, bad = e.WithDetail("to", "invalid", "Must not be before from."), true
	}
	if q.Cursor != "" && !strings.HasPrefix(q.Cursor, idPrefix) {
		e, bad = e.WithDetail("cursor", "invalid", "Not a cursor of this log."), true
	}
	if bad {
		return e
	}
	return nil
}

// Log records and reads entries.
type Log interface {
	// Record inserts e, assigning its ID (and At when zero). Inside a
	// transaction carried by ctx it writes in that transaction.
	Record(ctx context.Context, e *Entry) error
	// List returns one page of entries, newest first, and the cursor of
	// the next page ("" at the end).
	List(ctx context.Context, q Query) ([]*Entry, string, error)
}

const idPrefix = "aud_"

// NewID returns an id that sorts by time: 16 hex digits of the Unix time in
// nanoseconds and 8 random hex digits.
func NewID(at time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%016x%s", idPrefix, at.UnixNano(), hex.EncodeToString(b[:]))
}
