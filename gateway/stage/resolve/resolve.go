// Package resolve finds the stage and route of a request in the current
// router and records them in the request's Exchange.
package resolve

import (
	"net/http"

	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// New returns the resolve stage. current returns the router to use; it is
// read once per request, so a request is served by one router throughout.
func New(current func() *router.Router) pipeline.Stage {
	return func(next pipeline.Handler) pipeline.Handler {
		return pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			rt := current()
			if rt == nil {
				return pipeline.Errorf(http.StatusNotFound, pipeline.CodeNotFound, "no config loaded yet")
			}
			ex := pipeline.ExchangeFrom(r.Context())
			if miss := rt.Lookup(&ex.Match, r.Host, r.URL.EscapedPath(), r.Method); miss != router.Matched {
				return &pipeline.HandlerError{Status: http.StatusNotFound, Code: pipeline.CodeNotFound, Err: missError(miss)}
			}
			return next.ServeHTTP(w, r)
		})
	}
}

// missError is a preallocated error per miss kind, so a flood of 404s does
// not allocate.
type missError router.Miss

func (e missError) Error() string { return router.Miss(e).String() }
