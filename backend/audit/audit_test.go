package audit_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
)

func TestSummarizeRedactsSecrets(t *testing.T) {
	tests := []struct {
		desc        string
		query       url.Values
		body        string
		want        string
		wantMissing string
	}{
		{desc: "password", body: `{"email":"a@b.test","password":"hunter2"}`,
			want: `{"body":{"email":"a@b.test","password":"[REDACTED]"}}`, wantMissing: "hunter2"},
		{desc: "nested secret", body: `{"issuer":"https://i","clientSecret":"s3","m":[{"apiToken":"t"}]}`,
			want: `{"body":{"clientSecret":"[REDACTED]","issuer":"https://i","m":[{"apiToken":"[REDACTED]"}]}}`, wantMissing: "s3"},
		{desc: "query token", query: url.Values{"token": {"abc"}, "wait": {"true"}},
			want: `{"query":{"token":"[REDACTED]","wait":"true"}}`, wantMissing: "abc"},
		{desc: "not JSON is described by size", body: "password=hunter2",
			want: `{"body":{"bytes":16,"contentType":"text/plain"}}`, wantMissing: "hunter2"},
		{desc: "nothing", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got := audit.Summarize(tt.query, "text/plain", []byte(tt.body))
			assert.Equal(t, tt.want, got)
			if tt.wantMissing != "" {
				assert.NotContains(t, got, tt.wantMissing)
			}
		})
	}
}

func TestIntegrationStoreList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		require.NoError(t, d.Gorm.Exec("INSERT INTO tenants (id, name, status, created_at, updated_at) VALUES ('t1','one','ACTIVE',CURRENT_TIMESTAMP,CURRENT_TIMESTAMP), ('t2','two','ACTIVE',CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)").Error)
		s := audit.NewStore(d)
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		add := func(tenant string, minute int, email, action, resource string, status int) {
			require.NoError(t, s.Record(ctx, &audit.Entry{TenantID: tenant, At: base.Add(time.Duration(minute) * time.Minute),
				Email: email, UserID: "u-" + email, Action: action, Resource: resource, Method: "POST", Path: "/v1/x", Status: status}))
		}
		add("t1", 1, "a@t1", "apigw:CreateApi", "apis", 201)
		add("t1", 2, "b@t1", "apigw:DeleteApi", "apis/x1", 403)
		add("t1", 3, "a@t1", "iam:CreateAccessKey", "access-keys", 201)
		add("t1", 4, "a@t1", "apigw:CreateRoute", "apis/x1/routes", 422)
		add("t2", 2, "z@t2", "apigw:CreateApi", "apis", 201)
		add("", 5, "", "", "", 401)

		ids := func(es []*audit.Entry) []int {
			var out []int
			for _, e := range es {
				out = append(out, e.At.Minute())
			}
			return out
		}
		from, to := base.Add(2*time.Minute), base.Add(4*time.Minute)
		tests := []struct {
			desc string
			q    audit.Query
			want []int
		}{
			{desc: "tenant only, newest first", q: audit.Query{TenantID: "t1"}, want: []int{4, 3, 2, 1}},
			{desc: "time range", q: audit.Query{TenantID: "t1", From: &from, To: &to}, want: []int{3, 2}},
			{desc: "actor by email", q: audit.Query{TenantID: "t1", Actor: "b@t1"}, want: []int{2}},
			{desc: "action prefix", q: audit.Query{TenantID: "t1", Action: "apigw:*"}, want: []int{4, 2, 1}},
			{desc: "resource prefix", q: audit.Query{TenantID: "t1", Resource: "apis/x1*"}, want: []int{4, 2}},
			{desc: "denied", q: audit.Query{TenantID: "t1", Result: audit.ResultDenied}, want: []int{2}},
			{desc: "failure", q: audit.Query{TenantID: "t1", Result: audit.ResultFailure}, want: []int{4, 2}},
			{desc: "another tenant", q: audit.Query{TenantID: "t2"}, want: []int{2}},
		}
		for _, tt := range tests {
			t.Run(tt.desc, func(t *testing.T) {
				got, next, err := s.List(ctx, tt.q)
				require.NoError(t, err)
				assert.Equal(t, tt.want, ids(got))
				assert.Empty(t, next)
			})
		}

		t.Run("pages with a cursor", func(t *testing.T) {
			page1, next, err := s.List(ctx, audit.Query{TenantID: "t1", Limit: 3})
			require.NoError(t, err)
			assert.Equal(t, []int{4, 3, 2}, ids(page1))
			require.NotEmpty(t, next)
			page2, next, err := s.List(ctx, audit.Query{TenantID: "t1", Limit: 3, Cursor: next})
			require.NoError(t, err)
			assert.Equal(t, []int{1}, ids(page2))
			assert.Empty(t, next)
		})

		t.Run("bad queries", func(t *testing.T) {
			_, _, err := s.List(ctx, audit.Query{TenantID: "t1", Limit: 5000, Result: "maybe", Cursor: "x"})
			require.ErrorIs(t, err, audit.ErrQueryInvalid)
		})
	})
}
