package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/audit"
)

// Audit actions.
const (
	ActionListAuditEvents   = "audit:ListEvents"
	ActionExportAuditEvents = "audit:ExportEvents"
)

// auditModule serves /v1/audit.
type auditModule struct {
	log audit.Log
}

// NewAuditModule returns the audit log API over log.
func NewAuditModule(log audit.Log) Module { return &auditModule{log: log} }

// AuditEventView is one audit entry.
type AuditEventView struct {
	EventID     string          `json:"eventId"`
	At          time.Time       `json:"at"`
	TenantID    string          `json:"tenantId,omitempty"`
	UserID      string          `json:"userId,omitempty"`
	Email       string          `json:"email,omitempty"`
	AccessKeyID string          `json:"accessKeyId,omitempty"`
	SessionID   string          `json:"sessionId,omitempty"`
	Action      string          `json:"action,omitempty"`
	Resource    string          `json:"resource,omitempty"`
	Method      string          `json:"method"`
	Path        string          `json:"path"`
	Request     json.RawMessage `json:"request,omitempty"`
	SourceIP    string          `json:"sourceIp,omitempty"`
	UserAgent   string          `json:"userAgent,omitempty"`
	Status      int             `json:"status"`
	ErrorCode   string          `json:"errorCode,omitempty"`
	RequestID   string          `json:"requestId,omitempty"`
}

// AuditEventListView is one page of audit entries, newest first.
type AuditEventListView struct {
	Items []AuditEventView `json:"items"`
	// NextCursor fetches the next (older) page; absent at the end.
	NextCursor string `json:"nextCursor,omitempty"`
}

var exampleAuditEvent = AuditEventView{EventID: "aud_18a2b3c4d5e6f70812345678", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	TenantID: "tnt_0123456789abcdef", UserID: "usr_0123456789abcdef", Email: "admin@acme.test",
	AccessKeyID: "TPAK0123456789ABCDEF", Action: "apigw:CreateApi", Resource: "apis", Method: "POST", Path: "/v1/apis",
	Request: json.RawMessage(`{"body":{"name":"pets"}}`), SourceIP: "192.0.2.10", UserAgent: "curl/8.5.0", Status: 201}

// Routes implements Module.
func (m *auditModule) Routes(r *Router) {
	r.Handle(http.MethodGet, "/audit", ActionListAuditEvents, "audit",
		"Search the tenant's audit log (every change and every refused call), newest first: "+
			"?from=&to= (RFC 3339), actor (user id, email or access key id), action and resource (exact, or prefix ending in *), "+
			"result (success, denied, failure), limit (1-1000, default 100), cursor",
		m.list, &RouteDoc{Response: AuditEventListView{Items: []AuditEventView{exampleAuditEvent}}})
	r.Handle(http.MethodGet, "/audit/export", ActionExportAuditEvents, "audit",
		"Export the audit log as JSON lines (application/x-ndjson), with the filters of GET /v1/audit (no limit)",
		m.export, &RouteDoc{Response: exampleAuditEvent})
}

var errAuditTime = apierr.BadRequest("audit.invalid-query", "Invalid audit log query.")

// auditQuery reads the filters of the query string.
func auditQuery(c *gin.Context) (audit.Query, error) {
	p, err := iamPrincipal(c)
	if err != nil {
		return audit.Query{}, err
	}
	q := audit.Query{TenantID: p.TenantID, Actor: c.Query("actor"), Action: c.Query("action"),
		Resource: c.Query("resource"), Result: c.Query("result"), Cursor: c.Query("cursor")}
	for name, dst := range map[string]**time.Time{"from": &q.From, "to": &q.To} {
		if v := c.Query(name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return q, errAuditTime.WithDetail(name, "invalid", "Must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z.")
			}
			*dst = &t
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return q, errAuditTime.WithDetail("limit", "invalid", "Must be a number between 1 and 1000.")
		}
		q.Limit = n
	}
	return q, nil
}

func auditEventView(e *audit.Entry) AuditEventView {
	v := AuditEventView{EventID: e.ID, At: e.At, TenantID: e.TenantID, UserID: e.UserID, Email: e.Email,
		AccessKeyID: e.AccessKeyID, SessionID: e.SessionID, Action: e.Action, Resource: e.Resource, Method: e.Method,
		Path: e.Path, SourceIP: e.SourceIP, UserAgent: e.UserAgent, Status: e.Status, ErrorCode: e.ErrorCode,
		RequestID: e.RequestID}
	if e.RequestSummary != "" && json.Valid([]byte(e.RequestSummary)) {
		v.Request = json.RawMessage(e.RequestSummary)
	}
	return v
}

func (m *auditModule) list(c *gin.Context) error {
	q, err := auditQuery(c)
	if err != nil {
		return err
	}
	entries, next, err := m.log.List(c.Request.Context(), q)
	if err != nil {
		return err
	}
	out := AuditEventListView{Items: make([]AuditEventView, len(entries)), NextCursor: next}
	for i, e := range entries {
		out.Items[i] = auditEventView(e)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// export streams every matching entry, page by page, as JSON lines.
func (m *auditModule) export(c *gin.Context) error {
	q, err := auditQuery(c)
	if err != nil {
		return err
	}
	q.Limit = audit.MaxLimit
	ctx := c.Request.Context()
	entries, next, err := m.log.List(ctx, q)
	if err != nil {
		return err
	}
	c.Header("Content-Type", "application/x-ndjson")
	c.Header("Content-Disposition", `attachment; filename="turnpike-audit.jsonl"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	enc := json.NewEncoder(c.Writer)
	for {
		for _, e := range entries {
			if err := enc.Encode(auditEventView(e)); err != nil {
				return nil // The client has gone.
			}
		}
		if next == "" || ctx.Err() != nil {
			return nil
		}
		q.Cursor = next
		if entries, next, err = m.log.List(ctx, q); err != nil {
			// The status line is out: end the stream; the cause is logged.
			_ = c.Error(err)
			return nil
		}
	}
}
