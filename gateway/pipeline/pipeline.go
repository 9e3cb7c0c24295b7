// Package pipeline defines the gateway's request pipeline: handlers that
// return errors, stages that wrap them, and the per-request Exchange the
// stages share through the request context.
package pipeline

import (
	"fmt"
	"net/http"
	"slices"
)

// Handler serves one request. A handler that stops the request returns an
// error (usually a *HandlerError) and writes nothing; only the entry point
// writes error bodies.
type Handler interface {
	ServeHTTP(w http.ResponseWriter, r *http.Request) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) error { return f(w, r) }

// Stage wraps the rest of the pipeline. A terminal stage (an integration)
// does not call next.
type Stage func(next Handler) Handler

// Chain folds stages into one handler; the first stage runs first. The
// innermost next, reached only if the last stage calls it, answers 500.
func Chain(stages ...Stage) Handler {
	var h Handler = HandlerFunc(func(http.ResponseWriter, *http.Request) error {
		return Errorf(http.StatusInternalServerError, CodeInternal, "pipeline has no terminal stage")
	})
	for _, s := range slices.Backward(stages) {
		h = s(h)
	}
	return h
}

// Error codes of HandlerError. They label logs; the response body is the
// API Gateway style message for the status.
const (
	CodeNotFound       = "not_found"
	CodeInternal       = "internal"
	CodeBadGateway     = "bad_gateway"
	CodeTimeout        = "integration_timeout"
	CodeClientGone     = "client_closed_request"
	CodeBadRequest     = "bad_request"
	StatusClientClosed = 499
)

// HandlerError stops a request with a status. Err is the cause; it is
// logged, never sent to the caller.
type HandlerError struct {
	Status int
	Code   string
	Err    error
	// Body, when set, is the JSON answer instead of the standard message
	// for the status (a validation failure's details, say).
	Body []byte
}

// Errorf builds a *HandlerError with a formatted cause.
func Errorf(status int, code, format string, args ...any) *HandlerError {
	return &HandlerError{Status: status, Code: code, Err: fmt.Errorf(format, args...)}
}

func (e *HandlerError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%d %s", e.Status, e.Code)
	}
	return fmt.Sprintf("%d %s: %v", e.Status, e.Code, e.Err)
}

func (e *HandlerError) Unwrap() error { return e.Err }
