package iam

import "github.com/turnpike/turnpike/backend/apierr"

// Errors of the identity domain. Wrap a cause with Errorf; compare with
// errors.Is.
var (
	ErrTenantNotFound    = apierr.NotFound("tenant.not-found", "Tenant not found.")
	ErrTenantNameTaken   = apierr.Conflict("tenant.name-taken", "A tenant with this name already exists.")
	ErrTenantInvalid     = apierr.Unprocessable("tenant.invalid", "Invalid tenant.")
	ErrUserNotFound      = apierr.NotFound("user.not-found", "User not found.")
	ErrUserEmailTaken    = apierr.Conflict("user.email-taken", "A user with this email already exists.")
	ErrUserInvalid       = apierr.Unprocessable("user.invalid", "Invalid user.")
	ErrAccessKeyNotFound = apierr.NotFound("access-key.not-found", "Access key not found.")
	ErrAccessKeyConflict = apierr.Conflict("access-key.conflict", "An access key with this token already exists.")
	ErrAccessKeyInvalid  = apierr.Unprocessable("access-key.invalid", "Invalid access key.")
	ErrLoginInvalid      = apierr.Unprocessable("auth.invalid", "Invalid sign-in request.")
	// ErrInvalidCredentials is the one answer to a wrong email or a wrong
	// password, so that callers cannot probe which emails exist.
	ErrInvalidCredentials = apierr.Unauthorized("auth.invalid-credentials", "The email or password is incorrect.")
	ErrTooManyAttempts    = apierr.TooManyRequests("auth.too-many-attempts", "Too many failed sign-in attempts; try again in a minute.")
	ErrAuthRequired       = apierr.Unauthorized("auth.required", "Authentication is required: send an access key as a bearer token or sign in.")
	ErrInvalidToken       = apierr.Unauthorized("auth.invalid-token", "The access key is invalid, inactive or expired.")
	ErrInvalidSession     = apierr.Unauthorized("auth.invalid-session", "The session has expired or was signed out; sign in again.")
	ErrCSRF               = apierr.Forbidden("auth.csrf", "The X-CSRF-Token header is missing or does not match the session.")
)

// fieldErrors collects per-field validation problems into one 422.
type fieldErrors struct {
	base *apierr.Error
	err  *apierr.Error
}

func newFieldErrors(base *apierr.Error) *fieldErrors { return &fieldErrors{base: base} }

// check records a problem with field unless ok.
func (f *fieldErrors) check(ok bool, field, code, message string) {
	if ok {
		return
	}
	if f.err == nil {
		f.err = f.base
	}
	if _, seen := f.err.Details[field]; seen {
		return
	}
	f.err = f.err.WithDetail(field, code, message)
}

// result returns the collected error, or nil.
func (f *fieldErrors) result() error {
	if f.err == nil {
		return nil
	}
	return f.err
}

// AccountError is a refused sign-in of an account that exists: it names
// the account's tenant and user, so that the audit entry of the attempt
// lands in that tenant's log. It unwraps to the answer
// (ErrInvalidCredentials, ErrTooManyAttempts, ErrTenantSuspended).
type AccountError struct {
	TenantID, UserID, Email string
	Err                     error
}

func (e *AccountError) Error() string { return e.Err.Error() }

// Unwrap returns the answer.
func (e *AccountError) Unwrap() error { return e.Err }
