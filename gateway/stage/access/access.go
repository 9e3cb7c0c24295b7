// Package access is the endpoint-access stage: a PRIVATE API answers only
// callers whose source address is in its allowed CIDRs; everyone else gets
// 403 {"message":"Forbidden"}. REGIONAL and EDGE stages pass through.
package access

import (
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
			if st := ex.Match.Stage; st != nil && !st.AllowsSource(r.RemoteAddr) {
				return errForbidden
			}
			return next.ServeHTTP(w, r)
		})
	}
}
