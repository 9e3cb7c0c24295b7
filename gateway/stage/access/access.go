// Package access is the endpoint-access stage: a PRIVATE API answers only
// callers on the gateway's private listener and callers whose source
// address is in its allowed CIDRs; everyone else gets 403
// {"message":"Forbidden"}. REGIONAL and EDGE stages pass through.
package access

import (
	"context"
	"net/http"

	"github.com/turnpike/turnpike/gateway/pipeline"
)

// CodeForbidden labels refused callers in logs.
const CodeForbidden = "forbidden_source"

var errForbidden = &pipeline.HandlerError{Status: http.StatusForbidden, Code: CodeForbidden}

// New returns the endpoint-access stage; it runs right after resolve.
func New() pipeline.Stage {
	return func(next pipeline.Handler) pipeline.Handler {
		return pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			ex := pipeline.ExchangeFrom(r.Context())
			if st := ex.Match.Stage; st != nil && st.Private && !FromPrivateListener(r.Context()) && !st.AllowsSource(r.RemoteAddr) {
				return errForbidden
			}
			return next.ServeHTTP(w, r)
		})
	}
}

type privateKey struct{}

// WithPrivateListener marks ctx as the base context of the gateway's
// private listener: its requests may call PRIVATE APIs whatever their
// source address.
func WithPrivateListener(ctx context.Context) context.Context {
	return context.WithValue(ctx, privateKey{}, true)
}

// FromPrivateListener reports whether the request came in on the private
// listener.
func FromPrivateListener(ctx context.Context) bool {
	v, _ := ctx.Value(privateKey{}).(bool)
	return v
}
