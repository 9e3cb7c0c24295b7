// Package apierr is the management API's error model: package-level bases
// with a stable code, a status and a public message; causes are wrapped with
// Errorf and only logged. One writer turns any error into the JSON shape
// {"error":{"code","message","details","requestId"}}.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a public API error. Its Message and Details are shown to callers;
// its cause is only logged.
type Error struct {
	Status  int
	Code    string
	Message string
	// Details holds per-field problems: field → {code, message}.
	Details map[string]FieldDetail
	cause   error
}

// FieldDetail is one field's problem.
type FieldDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.cause != nil {
		return e.Code + ": " + e.cause.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.cause }

// Is matches errors with the same code, so errors.Is(err, errBase) works on
// wrapped copies.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// Errorf returns a copy of the base error carrying a cause for the logs.
func (e *Error) Errorf(format string, args ...any) *Error {
	c := *e
	c.cause = fmt.Errorf(format, args...)
	return &c
}

// WithMessage returns a copy with a more specific public message.
func (e *Error) WithMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// WithDetail returns a copy with one more field detail.
func (e *Error) WithDetail(field, code, message string) *Error {
	c := *e
	c.Details = make(map[string]FieldDetail, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[field] = FieldDetail{Code: code, Message: message}
	return &c
}

func newErr(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// BadRequest is 400: the request cannot be read (malformed JSON, unknown field).
func BadRequest(code, msg string) *Error { return newErr(http.StatusBadRequest, code, msg) }

// Unauthorized is 401: no or bad credentials.
func Unauthorized(code, msg string) *Error { return newErr(http.StatusUnauthorized, code, msg) }

// Forbidden is 403: authenticated but not allowed.
func Forbidden(code, msg string) *Error { return newErr(http.StatusForbidden, code, msg) }

// NotFound is 404, also for other tenants' resources.
func NotFound(code, msg string) *Error { return newErr(http.StatusNotFound, code, msg) }

// Conflict is 409: the change clashes with current state.
func Conflict(code, msg string) *Error { return newErr(http.StatusConflict, code, msg) }

// Unprocessable is 422: well-formed but semantically invalid.
func Unprocessable(code, msg string) *Error { return newErr(http.StatusUnprocessableEntity, code, msg) }

// TooManyRequests is 429.
func TooManyRequests(code, msg string) *Error { return newErr(http.StatusTooManyRequests, code, msg) }

// Unavailable is 503: a dependency (Temporal, Redis) is down.
func Unavailable(code, msg string) *Error { return newErr(http.StatusServiceUnavailable, code, msg) }

// Internal is the answer for every unknown error; its cause is only logged.
var Internal = newErr(http.StatusInternalServerError, "internal", "Internal server error.")

// From returns err as an *Error, or Internal wrapping it.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal.Errorf("%w", err)
}

// Body is the JSON answer for an error.
type Body struct {
	Error BodyError `json:"error"`
}

// BodyError is the inner object of Body.
type BodyError struct {
	Code      string                 `json:"code"`
	Message   string                 `json:"message"`
	Details   map[string]FieldDetail `json:"details,omitempty"`
	RequestID string                 `json:"requestId,omitempty"`
}

// ToBody renders e for the wire.
func (e *Error) ToBody(requestID string) Body {
	return Body{Error: BodyError{Code: e.Code, Message: e.Message, Details: e.Details, RequestID: requestID}}
}
