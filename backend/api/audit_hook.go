package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// TxRunner runs fn with a context carrying a database transaction that is
// committed when fn returns nil and rolled back otherwise (*db.DB.RunInTx).
type TxRunner interface {
	RunInTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// auditRecord is the audit entry a request is building.
type auditRecord struct {
	entry audit.Entry
	// force records a call that is neither mutating nor refused (a GET
	// that signs in); code is the error code a handler reported itself.
	force bool
	code  string
}

func (r *auditRecord) setPrincipal(p *reqctx.Principal) {
	r.entry.TenantID, r.entry.UserID, r.entry.Email = p.TenantID, p.UserID, p.Email
	r.entry.AccessKeyID, r.entry.SessionID = p.AccessKeyID, p.SessionID
}

const auditRecordKey = "turnpike.audit"

// SetAuditActor names the caller of a public route once the handler knows
// it (sign-in, sign-up, accepting an invitation), so the audit entry
// carries its tenant and user.
func SetAuditActor(c *gin.Context, p *reqctx.Principal) {
	if v, ok := c.Get(auditRecordKey); ok {
		v.(*auditRecord).setPrincipal(p)
	}
}

// RecordAudit makes a GET route's call recorded (one that signs in), with
// the error code it answered in its own way (a redirect), if any.
func RecordAudit(c *gin.Context, errorCode string) {
	if v, ok := c.Get(auditRecordKey); ok {
		r := v.(*auditRecord)
		r.force, r.code = true, errorCode
	}
}

// beginAudit starts the entry of a request; for mutating requests it keeps
// a copy of the body (up to the bind limit) for the redacted summary.
func (s *Server) beginAudit(c *gin.Context, info RouteInfo) *auditRecord {
	r := &auditRecord{entry: audit.Entry{
		Action: info.Action, Resource: info.Resource, Method: c.Request.Method, Path: c.Request.URL.Path,
		SourceIP: c.ClientIP(), UserAgent: c.Request.UserAgent(), RequestID: reqctx.RequestID(c.Request.Context()),
	}}
	if !strings.Contains(info.Resource, "{") {
		r.entry.Resource = info.Resource
	}
	c.Set(auditRecordKey, r)
	if s.cfg.Audit == nil || !info.Mutating {
		return r
	}
	var body []byte
	if c.Request.Body != nil {
		buf, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBodyBytes+1))
		if err == nil || len(buf) > 0 {
			body = buf
		}
		// The handler reads the same bytes, then whatever was left.
		c.Request.Body = readCloser{io.MultiReader(bytes.NewReader(buf), c.Request.Body), c.Request.Body}
	}
	if len(body) > maxBodyBytes {
		body = nil
	}
	r.entry.RequestSummary = audit.Summarize(c.Request.URL.Query(), c.ContentType(), body)
	return r
}

type readCloser struct {
	io.Reader
	io.Closer
}

// refuse answers a request that failed authentication or authorization,
// and records it.
func (s *Server) refuse(c *gin.Context, r *auditRecord, err error) {
	s.writeError(c, err)
	s.recordOutside(c, r, apierr.From(err).Code)
}

// errAuthRateLimited answers an address that keeps failing to
// authenticate.
var errAuthRateLimited = apierr.TooManyRequests("auth.rate-limited",
	"Too many failed authentications from this address; try again later.")

// refuseUnauthenticated answers a request whose credentials failed. A 401
// counts against the source address; once the address is locked out its
// failures are answered 429 with Retry-After, and only the first of each
// lockout is recorded (as a summary), so a flood of bad tokens cannot fill
// the audit log.
func (s *Server) refuseUnauthenticated(c *gin.Context, r *auditRecord, err error) {
	if s.cfg.AuthFailures == nil || apierr.From(err).Status != http.StatusUnauthorized {
		s.refuse(c, r, err)
		return
	}
	d, lerr := s.cfg.AuthFailures.Attempt(c.Request.Context(), c.ClientIP())
	if lerr != nil {
		// Counting is a safeguard: without it the 401 still stands.
		s.cfg.Logger.WarnContext(c.Request.Context(), "counting failed authentication", "err", lerr)
	}
	if lerr != nil || d.Allowed {
		s.refuse(c, r, err)
		return
	}
	retry := int(math.Ceil(d.RetryAfter.Seconds()))
	c.Header("Retry-After", strconv.Itoa(max(retry, 1)))
	s.writeError(c, errAuthRateLimited.Errorf("%w", err))
	if d.Refused == 1 {
		s.cfg.Logger.WarnContext(c.Request.Context(), "address locked out after failed authentications",
			"ip", c.ClientIP(), "retryAfter", d.RetryAfter)
		r.entry.RequestSummary = fmt.Sprintf(`{"rateLimited":{"retryAfterSeconds":%d,"note":"further failures from this address are answered 429 and not recorded until then"}}`, retry)
		s.recordOutside(c, r, errAuthRateLimited.Code)
	}
}

// run calls the handler. A mutating route runs in a transaction with its
// audit entry: both commit, or neither does and a failure entry is
// written on its own. The response is held back until the commit, so a
// caller never sees a success that was rolled back.
func (s *Server) run(c *gin.Context, r *auditRecord, info RouteInfo, h HandlerFunc) {
	if !info.Mutating || info.NoTx || s.cfg.Tx == nil || s.cfg.Audit == nil {
		code := ""
		if err := h(c); err != nil {
			s.writeError(c, err)
			code = apierr.From(err).Code
		}
		if code == "" {
			code = r.code
		}
		if info.Mutating || r.force || denied(c.Writer.Status()) {
			s.recordOutside(c, r, code)
		}
		return
	}
	orig, req := c.Writer, c.Request
	header := maps.Clone(orig.Header())
	bw := &bufferedWriter{ResponseWriter: orig, status: http.StatusOK}
	c.Writer = bw
	defer func() { c.Writer, c.Request = orig, req }()
	err := s.cfg.Tx.RunInTx(req.Context(), func(ctx context.Context) error {
		c.Request = req.WithContext(ctx)
		if err := h(c); err != nil {
			return err
		}
		e := r.entry
		e.Status = bw.status
		return s.cfg.Audit.Record(ctx, &e)
	})
	c.Writer, c.Request = orig, req
	if err != nil {
		// Nothing of the handler's answer goes out, headers included.
		clear(orig.Header())
		maps.Copy(orig.Header(), header)
		if info.Public {
			// A failed sign-in (401) counts against its address like a
			// bad token, so guessing emails cannot flood the log either.
			s.refuseUnauthenticated(c, r, err)
			return
		}
		s.writeError(c, err)
		s.recordOutside(c, r, apierr.From(err).Code)
		return
	}
	bw.flush()
}

// recordOutside writes the entry of a failed or non-transactional call on
// its own; a failure to record is logged, the answer stands.
func (s *Server) recordOutside(c *gin.Context, r *auditRecord, code string) {
	if s.cfg.Audit == nil {
		return
	}
	e := r.entry
	e.Status, e.ErrorCode = c.Writer.Status(), code
	ctx := context.WithoutCancel(c.Request.Context())
	if err := s.cfg.Audit.Record(ctx, &e); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "writing audit entry failed", "requestId", e.RequestID, "err", err)
	}
}

func denied(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden
}

// bufferedWriter holds a handler's response until its transaction commits.
type bufferedWriter struct {
	gin.ResponseWriter
	status  int
	written bool
	buf     bytes.Buffer
}

func (w *bufferedWriter) WriteHeader(code int) {
	if code > 0 && !w.written {
		w.status = code
	}
}
func (w *bufferedWriter) WriteHeaderNow()             { w.written = true }
func (w *bufferedWriter) Write(b []byte) (int, error) { w.written = true; return w.buf.Write(b) }
func (w *bufferedWriter) WriteString(s string) (int, error) {
	w.written = true
	return w.buf.WriteString(s)
}
func (w *bufferedWriter) Status() int   { return w.status }
func (w *bufferedWriter) Written() bool { return w.written }
func (w *bufferedWriter) Flush()        {}

func (w *bufferedWriter) Size() int {
	if !w.written {
		return -1
	}
	return w.buf.Len()
}

// flush sends the held response.
func (w *bufferedWriter) flush() {
	w.ResponseWriter.WriteHeader(w.status)
	if w.buf.Len() == 0 {
		w.ResponseWriter.WriteHeaderNow()
		return
	}
	_, _ = w.ResponseWriter.Write(w.buf.Bytes())
}
