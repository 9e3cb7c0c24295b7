package api_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamauth"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// txModule creates an access key, then fails when ?fail=handler.
type txModule struct{ svc iam.Service }

func (m txModule) Routes(r *api.Router) {
	r.Handle(http.MethodPost, "/test/keys", authz.ActionCreateAccessKey, "access-keys", "test", func(c *gin.Context) error {
		p, _ := reqctx.PrincipalFrom(c.Request.Context())
		k, err := m.svc.CreateAccessKey(c.Request.Context(), iam.CreateAccessKeyCommand{TenantID: p.TenantID, UserID: p.UserID, Name: "tx"})
		if err != nil {
			return err
		}
		if c.Query("fail") == "handler" {
			return apierr.Conflict("test.failed", "Failed after the change.")
		}
		c.Header("X-Key", k.ID)
		c.JSON(http.StatusCreated, gin.H{"accessKeyId": k.ID})
		return nil
	})
}

// failingLog fails every Record inside a transaction.
type failingLog struct{ audit.Log }

func (f failingLog) Record(ctx context.Context, e *audit.Entry) error {
	if e.Status < 400 {
		return errors.New("disk full")
	}
	return f.Log.Record(ctx, e)
}

// A change and its audit row commit together: a handler that fails after
// changing leaves no change and one failure row; an audit row that cannot
// be written undoes the change and answers 500.
func TestAuditSameTransaction(t *testing.T) {
	tests := []struct {
		desc       string
		query      string
		log        func(*audit.Store) audit.Log
		wantStatus int
		wantKeys   int
		wantCode   string
	}{
		{desc: "success commits both", wantStatus: http.StatusCreated, wantKeys: 1},
		{desc: "handler error rolls back the change", query: "?fail=handler", wantStatus: http.StatusConflict,
			wantCode: "test.failed"},
		{desc: "audit failure rolls back the change", log: func(s *audit.Store) audit.Log { return failingLog{s} },
			wantStatus: http.StatusInternalServerError, wantCode: "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := newPlatformEnv(t)
			var log audit.Log = e.audit
			if tt.log != nil {
				log = tt.log(e.audit)
			}
			srv := api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: iamauth.New(e.iam),
				Authz: authzAllow{}, Tx: e.d, Audit: log, Modules: []api.Module{txModule{svc: e.iam}}})
			keysBefore := e.countKeys()
			rowsBefore := len(e.auditRows())

			req := httptest.NewRequest(http.MethodPost, "/v1/test/keys"+tt.query, strings.NewReader(""))
			req.Header.Set("Authorization", "Bearer "+e.tokens["admin"])
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)

			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			assert.Equal(t, keysBefore+tt.wantKeys, e.countKeys())
			rows := e.auditRows()
			require.Len(t, rows, rowsBefore+1)
			assert.EqualValues(t, tt.wantStatus, rows[len(rows)-1]["status"])
			assert.Equal(t, tt.wantCode, rows[len(rows)-1]["error_code"])
			if tt.wantStatus >= 400 {
				assert.Empty(t, rec.Header().Get("X-Key"))
			}
		})
	}
}

type authzAllow struct{}

func (authzAllow) Authorize(context.Context, *reqctx.Principal, string, string) error { return nil }

func (e *platformEnv) countKeys() int {
	var n int64
	require.NoError(e.t, e.d.Gorm.Table("access_keys").Count(&n).Error)
	return int(n)
}
