package iamauth

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamtest"
	"github.com/turnpike/turnpike/backend/reqctx"
)

func TestAuthenticate(t *testing.T) {
	keyPrincipal := &reqctx.Principal{TenantID: "t1", UserID: "u1", AccessKeyID: "TPAK1"}
	sessionAuth := &iam.SessionAuth{Principal: &reqctx.Principal{TenantID: "t1", UserID: "u1", SessionID: "s1"}, CSRFToken: "csrf-1"}

	testCases := []struct {
		desc     string
		svc      *iamtest.FakeService
		method   string
		header   map[string]string
		cookie   string
		wantErr  error
		wantUser bool
	}{
		{desc: "no credentials", svc: &iamtest.FakeService{}, method: http.MethodGet, wantErr: iam.ErrAuthRequired},
		{desc: "bearer token", svc: &iamtest.FakeService{ExpectedPrincipal: keyPrincipal}, method: http.MethodPost,
			header: map[string]string{"Authorization": "Bearer tpk_x"}, wantUser: true},
		{desc: "bearer scheme is case-insensitive", svc: &iamtest.FakeService{ExpectedPrincipal: keyPrincipal}, method: http.MethodGet,
			header: map[string]string{"Authorization": "bearer tpk_x"}, wantUser: true},
		{desc: "unknown token", svc: &iamtest.FakeService{ExpectedError: iam.ErrInvalidToken}, method: http.MethodGet,
			header: map[string]string{"Authorization": "Bearer tpk_x"}, wantErr: iam.ErrInvalidToken},
		{desc: "basic scheme", svc: &iamtest.FakeService{ExpectedPrincipal: keyPrincipal}, method: http.MethodGet,
			header: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, wantErr: iam.ErrInvalidToken},
		{desc: "empty bearer", svc: &iamtest.FakeService{ExpectedPrincipal: keyPrincipal}, method: http.MethodGet,
			header: map[string]string{"Authorization": "Bearer "}, wantErr: iam.ErrInvalidToken},
		{desc: "bad bearer is not replaced by a cookie", svc: &iamtest.FakeService{ExpectedError: iam.ErrInvalidToken, ExpectedSessionAuth: sessionAuth},
			method: http.MethodGet, header: map[string]string{"Authorization": "Bearer nope"}, cookie: "c", wantErr: iam.ErrInvalidToken},
		{desc: "cookie on GET", svc: &iamtest.FakeService{ExpectedSessionAuth: sessionAuth}, method: http.MethodGet, cookie: "c", wantUser: true},
		{desc: "cookie on POST without CSRF", svc: &iamtest.FakeService{ExpectedSessionAuth: sessionAuth}, method: http.MethodPost, cookie: "c", wantErr: iam.ErrCSRF},
		{desc: "cookie on DELETE with wrong CSRF", svc: &iamtest.FakeService{ExpectedSessionAuth: sessionAuth}, method: http.MethodDelete, cookie: "c",
			header: map[string]string{CSRFHeader: "csrf-2"}, wantErr: iam.ErrCSRF},
		{desc: "cookie on PATCH with CSRF", svc: &iamtest.FakeService{ExpectedSessionAuth: sessionAuth}, method: http.MethodPatch, cookie: "c",
			header: map[string]string{CSRFHeader: "csrf-1"}, wantUser: true},
		{desc: "expired session", svc: &iamtest.FakeService{ExpectedError: iam.ErrInvalidSession}, method: http.MethodGet, cookie: "c", wantErr: iam.ErrInvalidSession},
		{desc: "empty cookie", svc: &iamtest.FakeService{ExpectedSessionAuth: sessionAuth}, method: http.MethodGet, cookie: "", wantErr: iam.ErrAuthRequired},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			c.Request = httptest.NewRequest(test.method, "/v1/x", nil)
			for k, v := range test.header {
				c.Request.Header.Set(k, v)
			}
			if test.cookie != "" {
				c.Request.AddCookie(&http.Cookie{Name: SessionCookie, Value: test.cookie})
			}
			p, err := New(test.svc).Authenticate(c)
			if test.wantErr != nil {
				assert.ErrorIs(t, err, test.wantErr)
				assert.Nil(t, p)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "u1", p.UserID)
		})
	}
}
