// Package iamauth authenticates management API requests: an access key as
// a bearer token, or a console session cookie with a CSRF token on mutating
// requests. Authenticator satisfies api.Authenticator structurally, so this
// package does not import backend/api.
package iamauth

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
)

const (
	// SessionCookie holds the console session token.
	SessionCookie = "turnpike_session"
	// CSRFHeader must carry the session's CSRF token on cookie-authenticated
	// requests other than GET and HEAD.
	CSRFHeader = "X-CSRF-Token"
)

// Authenticator finds the principal of a request.
type Authenticator struct {
	svc iam.Service
}

// New returns an Authenticator over svc.
func New(svc iam.Service) *Authenticator { return &Authenticator{svc: svc} }

// Authenticate returns the principal of the request, or a 401 (no, bad,
// inactive or expired credentials) or 403 (missing or wrong CSRF token)
// error. A bearer token wins over a cookie: automation never needs CSRF
// protection, and a bad token is never silently replaced by a cookie.
func (a *Authenticator) Authenticate(c *gin.Context) (*reqctx.Principal, error) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, iam.ErrInvalidToken.WithMessage("The Authorization header must be \"Bearer <access key token>\".")
		}
		return a.svc.AuthenticateAccessKey(ctx, token, c.ClientIP())
	}
	cookie, err := c.Cookie(SessionCookie)
	if err != nil || cookie == "" {
		return nil, iam.ErrAuthRequired
	}
	auth, err := a.svc.AuthenticateSession(ctx, cookie)
	if err != nil {
		return nil, err
	}
	if m := c.Request.Method; m != http.MethodGet && m != http.MethodHead {
		got := c.GetHeader(CSRFHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(auth.CSRFToken)) != 1 {
			return nil, iam.ErrCSRF
		}
	}
	return auth.Principal, nil
}
