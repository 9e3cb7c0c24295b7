// Package recovery is the outermost pipeline stage: it turns a panic in a
// later stage into a 500 instead of a dropped connection.
package recovery

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/turnpike/turnpike/gateway/pipeline"
)

// New returns the recover stage. The panic and its stack are logged here;
// the entry point writes the 500.
func New(logger *slog.Logger) pipeline.Stage {
	logger = logger.With("stage", "recover")
	return func(next pipeline.Handler) pipeline.Handler {
		return pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) (err error) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				// ErrAbortHandler is how net/http (and ReverseProxy, when an
				// upstream body breaks mid-copy) aborts a response on
				// purpose: let the server see it.
				if e, ok := v.(error); ok && errors.Is(e, http.ErrAbortHandler) {
					panic(v)
				}
				logger.ErrorContext(r.Context(), "panic serving request",
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()),
					"requestId", pipeline.ExchangeFrom(r.Context()).RequestID)
				err = &pipeline.HandlerError{Status: http.StatusInternalServerError, Code: pipeline.CodeInternal, Err: fmt.Errorf("panic: %v", v)}
			}()
			return next.ServeHTTP(w, r)
		})
	}
}
