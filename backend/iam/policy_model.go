package iam

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
)

// Errors of users, groups, roles and policies administration.
var (
	ErrGroupNotFound         = apierr.NotFound("group.not-found", "Group not found.")
	ErrGroupNameTaken        = apierr.Conflict("group.name-taken", "A group with this name already exists.")
	ErrGroupInvalid          = apierr.Unprocessable("group.invalid", "Invalid group.")
	ErrRoleNotFound          = apierr.NotFound("role.not-found", "Role not found.")
	ErrRoleNameTaken         = apierr.Conflict("role.name-taken", "A role with this name already exists.")
	ErrRoleInvalid           = apierr.Unprocessable("role.invalid", "Invalid role.")
	ErrRoleBuiltin           = apierr.Conflict("role.builtin", "Built-in roles cannot be changed.")
	ErrPolicyNotFound        = apierr.NotFound("policy.not-found", "Policy not found.")
	ErrPolicyNameTaken       = apierr.Conflict("policy.name-taken", "A policy with this name already exists.")
	ErrPolicyInvalidInput    = apierr.Unprocessable("policy.invalid", "Invalid policy.")
	ErrPolicyManaged         = apierr.Conflict("policy.managed", "Managed policies cannot be changed or deleted.")
	ErrPolicyVersionNotFound = apierr.NotFound("policy.version-not-found", "Policy version not found.")
	ErrPolicyVersionLimit    = apierr.Conflict("policy.version-limit",
		"A policy has at most 5 versions: delete a version that is not the default, then create the new one.")
	ErrPolicyVersionDefault = apierr.Conflict("policy.version-default",
		"The default version cannot be deleted: make another version the default first, or delete the policy.")
	ErrPasswordInvalid = apierr.Unprocessable("password.invalid", "Invalid password change.")
	ErrCurrentPassword = apierr.Unauthorized("password.wrong", "The current password is incorrect.")
)

// PrincipalType is what a policy is attached to.
type PrincipalType string

// Principal types of attachments.
const (
	PrincipalUser  PrincipalType = "user"
	PrincipalGroup PrincipalType = "group"
	PrincipalRole  PrincipalType = "role"
)

// PrincipalRef names a user, group or role of a tenant.
type PrincipalRef struct {
	Type PrincipalType
	ID   string
}

// Policy is a customer-managed policy of a tenant, or a managed one (then
// TenantID is empty, ID is its name and Managed is set).
type Policy struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	Managed     bool
	// Document is the policy document as JSON: the default version's, the
	// only one enforced.
	Document string
	// Version is the default version's number (the n of vn).
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxPolicyVersions is how many versions a customer policy keeps, as in
// AWS.
const MaxPolicyVersions = 5

// PolicyVersion is one version of a policy's document. Versions are
// numbered v1, v2, ... and never renumbered; exactly one is the default.
type PolicyVersion struct {
	PolicyID string
	// Number is n of the version id vn.
	Number    int
	Document  string
	IsDefault bool
	CreatedAt time.Time
}

// VersionID is the version's id, "v" and its number.
func (v *PolicyVersion) VersionID() string { return PolicyVersionID(v.Number) }

// PolicyVersionID is the id of version n.
func PolicyVersionID(n int) string { return "v" + strconv.Itoa(n) }

// ParsePolicyVersionID reads vn; ok is false for anything else.
func ParsePolicyVersionID(id string) (n int, ok bool) {
	rest, found := strings.CutPrefix(id, "v")
	if !found || rest == "" || rest[0] == '0' || len(rest) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n > 0
}

// CreatePolicyVersionCommand adds a version to a customer policy.
type CreatePolicyVersionCommand struct {
	TenantID string
	PolicyID string
	// Document is checked by the directory (authz.ParseDocument).
	Document string
	// SetAsDefault makes the new version the enforced one.
	SetAsDefault bool
}

// Group is a set of users that policies can be attached to.
type Group struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Role is a named set of policies a user can be given. The built-in roles
// (TenantAdmin, ReadOnly) have their name as ID and fixed policies.
type Role struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	Builtin     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EffectivePolicy is a policy that applies to a user, and how.
type EffectivePolicy struct {
	Policy *Policy
	// Via is "user", "group:<name>" or "role:<name>".
	Via string
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	TenantID string
}

// UpdateUserCommand changes a user; nil fields stay as they are.
type UpdateUserCommand struct {
	TenantID string
	UserID   string
	Name     *string
	Status   *UserStatus
}

// Validate checks the command.
func (c *UpdateUserCommand) Validate() error {
	v := newFieldErrors(ErrUserInvalid)
	if c.Name != nil {
		n := strings.TrimSpace(*c.Name)
		c.Name = &n
		checkName(v, "name", n, maxNameLen)
	}
	if c.Status != nil {
		v.check(*c.Status == UserActive || *c.Status == UserDisabled, "status", "invalid", "Must be ACTIVE or DISABLED.")
	}
	v.check(c.Name != nil || c.Status != nil, "status", "required", "Give a name or a status to change.")
	return v.result()
}

// ChangePasswordCommand changes the caller's own password.
type ChangePasswordCommand struct {
	TenantID        string
	UserID          string
	CurrentPassword string
	NewPassword     string
}

// Validate checks the command.
func (c *ChangePasswordCommand) Validate() error {
	v := newFieldErrors(ErrPasswordInvalid)
	v.check(c.CurrentPassword != "", "currentPassword", "required", "Cannot be blank.")
	v.check(len([]rune(c.NewPassword)) >= MinPasswordLen, "newPassword", "too-short", "Must be at least 8 characters.")
	v.check(len(c.NewPassword) <= maxPasswordLen, "newPassword", "too-long", "Must be at most 256 bytes.")
	v.check(c.NewPassword == "" || c.NewPassword != c.CurrentPassword, "newPassword", "unchanged", "Must differ from the current password.")
	return v.result()
}

// SaveGroupCommand creates or renames a group.
type SaveGroupCommand struct {
	TenantID    string
	GroupID     string // empty to create
	Name        string
	Description string
}

var iamNameRE = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`)

// Validate checks the command.
func (c *SaveGroupCommand) Validate() error {
	return validateIAMName(ErrGroupInvalid, &c.Name, &c.Description)
}

// SaveRoleCommand creates or updates a role.
type SaveRoleCommand struct {
	TenantID    string
	RoleID      string // empty to create
	Name        string
	Description string
}

// Validate checks the command.
func (c *SaveRoleCommand) Validate() error {
	return validateIAMName(ErrRoleInvalid, &c.Name, &c.Description)
}

// SavePolicyCommand creates or updates a customer-managed policy.
type SavePolicyCommand struct {
	TenantID    string
	PolicyID    string // empty to create
	Name        string
	Description string
	// Document is checked by the service (authz.ParseDocument).
	Document string
}

// Validate checks the name and description; the document is parsed by the
// service.
func (c *SavePolicyCommand) Validate() error {
	return validateIAMName(ErrPolicyInvalidInput, &c.Name, &c.Description)
}

func validateIAMName(base *apierr.Error, name, desc *string) error {
	*name = strings.TrimSpace(*name)
	*desc = strings.TrimSpace(*desc)
	v := newFieldErrors(base)
	v.check(*name != "", "name", "required", "Cannot be blank.")
	v.check(len(*name) <= maxNameLen, "name", "too-long", "Must be at most 128 characters.")
	v.check(*name == "" || iamNameRE.MatchString(*name), "name", "invalid", "Letters, digits and +=,.@_- only.")
	v.check(len(*desc) <= 1000, "description", "too-long", "Must be at most 1000 characters.")
	return v.result()
}

// Directory administers a tenant's users, groups, roles and policies.
// Every method takes the tenant explicitly; another tenant's ids are not
// found.
type Directory interface {
	ListUsers(ctx context.Context, tenantID string) ([]*User, error)
	UpdateUser(ctx context.Context, cmd UpdateUserCommand) (*User, error)
	DeleteUser(ctx context.Context, tenantID, userID string) error
	// ForcePasswordReset makes the user change their password before doing
	// anything else, and signs them out everywhere.
	ForcePasswordReset(ctx context.Context, tenantID, userID string) error
	// ChangePassword changes the caller's password and clears the reset
	// flag.
	ChangePassword(ctx context.Context, cmd ChangePasswordCommand) error
	// PasswordResetRequired reports the user's flag.
	PasswordResetRequired(ctx context.Context, tenantID, userID string) (bool, error)

	ListGroups(ctx context.Context, tenantID string) ([]*Group, error)
	GetGroup(ctx context.Context, tenantID, groupID string) (*Group, error)
	SaveGroup(ctx context.Context, cmd SaveGroupCommand) (*Group, error)
	DeleteGroup(ctx context.Context, tenantID, groupID string) error
	ListGroupMembers(ctx context.Context, tenantID, groupID string) ([]*User, error)
	AddUserToGroup(ctx context.Context, tenantID, groupID, userID string) error
	RemoveUserFromGroup(ctx context.Context, tenantID, groupID, userID string) error
	ListUserGroups(ctx context.Context, tenantID, userID string) ([]*Group, error)

	// ListRoles lists the built-in roles, then the tenant's.
	ListRoles(ctx context.Context, tenantID string) ([]*Role, error)
	GetRole(ctx context.Context, tenantID, roleName string) (*Role, error)
	SaveRole(ctx context.Context, cmd SaveRoleCommand) (*Role, error)
	DeleteRole(ctx context.Context, tenantID, roleName string) error
	AddUserToRole(ctx context.Context, tenantID, roleName, userID string) error
	RemoveUserFromRole(ctx context.Context, tenantID, roleName, userID string) error

	// ListPolicies lists the managed policies, then the tenant's.
	ListPolicies(ctx context.Context, tenantID string) ([]*Policy, error)
	GetPolicy(ctx context.Context, tenantID, policyID string) (*Policy, error)
	SavePolicy(ctx context.Context, cmd SavePolicyCommand) (*Policy, error)
	// DeletePolicy deletes a customer policy and its attachments.
	DeletePolicy(ctx context.Context, tenantID, policyID string) error

	// ListPolicyVersions lists a policy's versions, newest first; a
	// managed policy has one, v1.
	ListPolicyVersions(ctx context.Context, tenantID, policyID string) ([]*PolicyVersion, error)
	GetPolicyVersion(ctx context.Context, tenantID, policyID, versionID string) (*PolicyVersion, error)
	// CreatePolicyVersion adds a version; at MaxPolicyVersions it answers
	// ErrPolicyVersionLimit.
	CreatePolicyVersion(ctx context.Context, cmd CreatePolicyVersionCommand) (*PolicyVersion, error)
	// SetDefaultPolicyVersion makes a version the enforced one.
	SetDefaultPolicyVersion(ctx context.Context, tenantID, policyID, versionID string) error
	// DeletePolicyVersion deletes a version that is not the default.
	DeletePolicyVersion(ctx context.Context, tenantID, policyID, versionID string) error

	AttachPolicy(ctx context.Context, tenantID string, to PrincipalRef, policyID string) error
	DetachPolicy(ctx context.Context, tenantID string, from PrincipalRef, policyID string) error
	ListAttachedPolicies(ctx context.Context, tenantID string, of PrincipalRef) ([]*Policy, error)
	// EffectivePolicies lists every policy that applies to a user.
	EffectivePolicies(ctx context.Context, tenantID, userID string) ([]EffectivePolicy, error)
	// AffectedUsers lists the users whose permissions a change to the
	// principal (or, with Type "policy", to the policy) would change.
	AffectedUsers(ctx context.Context, tenantID string, ref PrincipalRef) ([]string, error)

	// SetSessionPolicy stores the session policy of an access key.
	SetSessionPolicy(ctx context.Context, tenantID, accessKeyID, document string) error
	// GetSessionPolicy returns an access key's session policy, or "".
	GetSessionPolicy(ctx context.Context, tenantID, accessKeyID string) (string, error)
}

// PrincipalPolicyRef is the Type of AffectedUsers for a policy.
const PrincipalPolicyRef PrincipalType = "policy"
