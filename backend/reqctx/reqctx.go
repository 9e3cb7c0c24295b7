// Package reqctx carries the request's principal and id through context
// behind typed accessors, so that stores and services never take them from
// anywhere else.
package reqctx

import "context"

type ctxKey int

const (
	principalKey ctxKey = iota
	requestIDKey
)

// Principal is who is calling: a user through a console session, or a user
// through one of their access keys.
type Principal struct {
	TenantID   string
	TenantName string
	UserID     string
	Email      string
	// AccessKeyID is set when the call authenticated with an access key.
	AccessKeyID string
	// SessionID is set when the call authenticated with a console session.
	SessionID string
	// Roles are the principal's role names within the tenant.
	Roles []string
	// SourceIP is the caller's address as the server saw it.
	SourceIP string
}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFrom returns the principal of ctx, if any.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey).(*Principal)
	return p, ok && p != nil
}

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id of ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
