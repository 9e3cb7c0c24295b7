package iam

import (
	"context"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
)

// Invitation and sign-up actions.
const (
	ActionCreateInvitation = "iam:CreateInvitation"
	ActionListInvitations  = "iam:ListInvitations"
	ActionDeleteInvitation = "iam:DeleteInvitation"
	ActionRotateAccessKey  = "iam:RotateAccessKey"
)

// Errors of invitations and sign-up.
var (
	ErrInvitationInvalid  = apierr.Unprocessable("invitation.invalid", "Invalid invitation.")
	ErrInvitationNotFound = apierr.NotFound("invitation.not-found", "Invitation not found.")
	// ErrInvitationUnusable is the one answer to an unknown, used, revoked
	// or expired invitation token.
	ErrInvitationUnusable = &apierr.Error{Status: http.StatusGone, Code: "invitation.unusable",
		Message: "This invitation link is invalid, has expired, was revoked or was already used. Ask for a new one."}
	ErrSignupDisabled = apierr.NotFound("signup.disabled", "Self-service sign-up is not enabled on this platform.")
	ErrSignupLimited  = apierr.TooManyRequests("signup.too-many", "Too many sign-ups from this address; try again later.")
)

// InvitationStatus is PENDING, ACCEPTED or REVOKED.
type InvitationStatus string

// Invitation statuses.
const (
	InvitationPending  InvitationStatus = "PENDING"
	InvitationAccepted InvitationStatus = "ACCEPTED"
	InvitationRevoked  InvitationStatus = "REVOKED"
)

// Invitation invites an email into a tenant by a single-use link; only a
// hash of its token is stored.
type Invitation struct {
	ID         string
	TenantID   string
	Email      string
	InvitedBy  string
	Status     InvitationStatus
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	// GroupIDs and PolicyIDs are what the invited user gets on accepting.
	GroupIDs  []string
	PolicyIDs []string
}

// CreatedInvitation carries the token, shown once (in the link).
type CreatedInvitation struct {
	Invitation
	Token string
}

// CreateInvitationCommand invites an email.
type CreateInvitationCommand struct {
	TenantID  string
	InvitedBy string
	Email     string
	// ExpiresInHours is 1..720; default 72.
	ExpiresInHours int
	// Groups and Policies name (by id or name) groups and policies of the
	// tenant the invited user joins and gets on accepting; at most 20
	// each.
	Groups   []string
	Policies []string
}

// maxInvitationGrants bounds the groups and the policies of an invitation.
const maxInvitationGrants = 20

// Validate checks and normalises the command.
func (c *CreateInvitationCommand) Validate() error {
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	if c.ExpiresInHours == 0 {
		c.ExpiresInHours = 72
	}
	f := newFieldErrors(ErrInvitationInvalid)
	_, err := mail.ParseAddress(c.Email)
	f.check(c.Email != "" && err == nil && len(c.Email) <= 254, "email", "invalid", "Must be an email address.")
	f.check(c.ExpiresInHours >= 1 && c.ExpiresInHours <= 720, "expiresInHours", "out_of_range", "Must be between 1 and 720.")
	f.check(len(c.Groups) <= maxInvitationGrants, "groups", "too-many", "At most 20 groups.")
	f.check(len(c.Policies) <= maxInvitationGrants, "policies", "too-many", "At most 20 policies.")
	return f.result()
}

// AcceptInvitationCommand turns an invitation into a user.
type AcceptInvitationCommand struct {
	Token, Name, Password, SourceIP string
}

// SignupCommand creates a tenant and its administrator.
type SignupCommand struct {
	TenantName, Email, Password, SourceIP string
}

// Invitations is inviting users by link, and self-service sign-up.
type Invitations interface {
	CreateInvitation(ctx context.Context, cmd CreateInvitationCommand) (*CreatedInvitation, error)
	ListInvitations(ctx context.Context, tenantID string) ([]*Invitation, error)
	// RevokeInvitation makes a pending invitation unusable.
	RevokeInvitation(ctx context.Context, tenantID, invitationID string) error
	// AcceptInvitation creates the invited user with the password and opens
	// a console session; the invitation cannot be used again.
	AcceptInvitation(ctx context.Context, cmd AcceptInvitationCommand) (*LoginResult, error)
	// Signup creates a tenant with the caller as its administrator and
	// opens a console session.
	Signup(ctx context.Context, cmd SignupCommand) (*LoginResult, error)
	// LookupInvitation shows what a pending, unexpired invitation token
	// invites to, so the accept page can say it before a password is
	// chosen. Any other token is ErrInvitationNotFound, whatever the
	// reason, so a caller learns nothing about dead links.
	LookupInvitation(ctx context.Context, token string) (*InvitationPreview, error)
}

// InvitationPreview is what an invitation link offers, shown to whoever
// holds the link.
type InvitationPreview struct {
	TenantName string
	Email      string
	ExpiresAt  time.Time
	Status     InvitationStatus
}
