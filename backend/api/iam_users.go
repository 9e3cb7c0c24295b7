package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam"
)

// IAM administration actions: users, groups, roles, policies and the
// policy simulator. Resources are users/{userId}, groups/{groupId},
// roles/{roleName} and policies/{policyId}.
const (
	ActionListUsers                   = "iam:ListUsers"
	ActionCreateUser                  = "iam:CreateUser"
	ActionGetUser                     = "iam:GetUser"
	ActionUpdateUser                  = "iam:UpdateUser"
	ActionDeleteUser                  = "iam:DeleteUser"
	ActionResetUserPassword           = "iam:ResetUserPassword"
	ActionListGroupsForUser           = "iam:ListGroupsForUser"
	ActionListAttachedUserPolicies    = "iam:ListAttachedUserPolicies"
	ActionListEffectiveUserPolicies   = "iam:ListEffectiveUserPolicies"
	ActionAttachUserPolicy            = "iam:AttachUserPolicy"
	ActionDetachUserPolicy            = "iam:DetachUserPolicy"
	ActionAddUserToRole               = "iam:AddUserToRole"
	ActionRemoveUserFromRole          = "iam:RemoveUserFromRole"
	ActionListGroups                  = "iam:ListGroups"
	ActionCreateGroup                 = "iam:CreateGroup"
	ActionGetGroup                    = "iam:GetGroup"
	ActionUpdateGroup                 = "iam:UpdateGroup"
	ActionDeleteGroup                 = "iam:DeleteGroup"
	ActionAddUserToGroup              = "iam:AddUserToGroup"
	ActionRemoveUserFromGroup         = "iam:RemoveUserFromGroup"
	ActionListAttachedGroupPolicies   = "iam:ListAttachedGroupPolicies"
	ActionAttachGroupPolicy           = "iam:AttachGroupPolicy"
	ActionDetachGroupPolicy           = "iam:DetachGroupPolicy"
	ActionListRoles                   = "iam:ListRoles"
	ActionCreateRole                  = "iam:CreateRole"
	ActionGetRole                     = "iam:GetRole"
	ActionUpdateRole                  = "iam:UpdateRole"
	ActionDeleteRole                  = "iam:DeleteRole"
	ActionListAttachedRolePolicies    = "iam:ListAttachedRolePolicies"
	ActionAttachRolePolicy            = "iam:AttachRolePolicy"
	ActionDetachRolePolicy            = "iam:DetachRolePolicy"
	ActionListPolicies                = "iam:ListPolicies"
	ActionCreatePolicy                = "iam:CreatePolicy"
	ActionGetPolicy                   = "iam:GetPolicy"
	ActionUpdatePolicy                = "iam:UpdatePolicy"
	ActionDeletePolicy                = "iam:DeletePolicy"
	ActionSimulatePrincipalPolicy     = "iam:SimulatePrincipalPolicy"
	resourceUsers                     = "users"
	resourceUser                      = "users/{userId}"
	resourceGroups                    = "groups"
	resourceGroup                     = "groups/{groupId}"
	resourceRoles                     = "roles"
	resourceRole                      = "roles/{roleName}"
	resourcePolicies                  = "policies"
	resourcePolicy                    = "policies/{policyId}"
	resourceSimulate                  = "simulate"
	resourceAnyUser                   = "users/*"
	errSelfDeleteMessage              = "You cannot delete or disable yourself."
	exampleUserID                     = "usr_0123456789abcdef"
	examplePolicyID                   = "pol_0123456789abcdef"
	exampleGroupID                    = "grp_0123456789abcdef"
	examplePolicyDocumentForOpenAPI   = `{"Version":"2012-10-17","Statement":[{"Sid":"DeployDev","Effect":"Allow","Action":["apigw:Get*","apigw:CreateDeployment"],"Resource":"trn:turnpike:*:apis/*/stages/dev"}]}`
	exampleSessionPolicyForOpenAPI    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"apigw:Get*","Resource":"*"}]}`
	exampleSimulateResourceForOpenAPI = "trn:turnpike:tnt_0123456789abcdef:apis/a1b2c3/stages/dev"
)

var errSelf = apierr.Conflict("user.self", errSelfDeleteMessage)

// IAMAdminConfig wires the IAM administration module.
type IAMAdminConfig struct {
	// Service creates users (and their passwords).
	Service iam.Service
	// Directory administers users, groups, roles and policies.
	Directory iam.Directory
	// Authorizer checks, beyond each route's own permission, that a change
	// to a group, role or policy is allowed on every user it affects (so
	// nobody widens their own permissions through a group), and answers
	// the simulator.
	Authorizer *authz.Authorizer
}

type iamAdminModule struct {
	svc   iam.Service
	dir   iam.Directory
	authz *authz.Authorizer
}

// NewIAMAdminModule returns the /v1/iam users, groups, roles, policies and
// simulator routes, and /v1/auth/password.
func NewIAMAdminModule(cfg IAMAdminConfig) Module {
	return &iamAdminModule{svc: cfg.Service, dir: cfg.Directory, authz: cfg.Authorizer}
}

// Routes implements Module.
func (m *iamAdminModule) Routes(r *Router) {
	const get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	noContent := &RouteDoc{StatusCode: http.StatusNoContent}
	r.Handle(post, "/auth/password", authz.ActionChangePassword, resourceSession,
		"Change the caller's password (also when an administrator required a reset)", m.changePassword,
		&RouteDoc{Request: ChangePasswordRequest{CurrentPassword: "…", NewPassword: "…"}, StatusCode: http.StatusNoContent})

	r.Handle(get, "/iam/users", ActionListUsers, resourceUsers, "List the tenant's users", m.listUsers,
		&RouteDoc{Response: UserListView{Items: []UserView{exampleUserView}}})
	r.Handle(post, "/iam/users", ActionCreateUser, resourceUsers,
		"Create a user with a password; roles and policies given here also need iam:AddUserToRole / iam:AttachUserPolicy", m.createUser,
		&RouteDoc{Request: CreateUserRequest{Email: "dev@example.com", Name: "Dev", Password: "…", Policies: []string{authz.PolicyReadOnlyAccess}},
			Response: exampleUserView, StatusCode: http.StatusCreated})
	r.Handle(get, "/iam/users/:userId", ActionGetUser, resourceUser, "Get a user", m.getUser, &RouteDoc{Response: exampleUserView})
	r.Handle(patch, "/iam/users/:userId", ActionUpdateUser, resourceUser, "Rename, disable or enable a user", m.updateUser,
		&RouteDoc{Request: UpdateUserRequest{Status: new(string(iam.UserDisabled))}, Response: exampleUserView})
	r.Handle(del, "/iam/users/:userId", ActionDeleteUser, resourceUser, "Delete a user with their access keys and sessions", m.deleteUser, noContent)
	r.Handle(post, "/iam/users/:userId/password-reset", ActionResetUserPassword, resourceUser,
		"Require the user to change their password before doing anything else", m.resetPassword, noContent)
	r.Handle(get, "/iam/users/:userId/groups", ActionListGroupsForUser, resourceUser, "List a user's groups", m.listUserGroups,
		&RouteDoc{Response: GroupListView{Items: []GroupView{exampleGroupView}}})
	r.Handle(get, "/iam/users/:userId/policies", ActionListAttachedUserPolicies, resourceUser, "List the policies attached to a user",
		m.listAttached(iam.PrincipalUser, "userId"), &RouteDoc{Response: PolicyListView{Items: []PolicyView{examplePolicyView}}})
	r.Handle(get, "/iam/users/:userId/effective-policies", ActionListEffectiveUserPolicies, resourceUser,
		"List every policy that applies to a user, directly, through a group or through a role", m.effectivePolicies,
		&RouteDoc{Response: EffectivePolicyListView{Items: []EffectivePolicyView{{Policy: examplePolicyView, Via: "group:deployers"}}}})
	r.Handle(put, "/iam/users/:userId/policies/:policyId", ActionAttachUserPolicy, resourceUser, "Attach a policy to a user",
		m.attach(iam.PrincipalUser, "userId", ActionAttachUserPolicy), noContent)
	r.Handle(del, "/iam/users/:userId/policies/:policyId", ActionDetachUserPolicy, resourceUser, "Detach a policy from a user",
		m.detach(iam.PrincipalUser, "userId", ActionDetachUserPolicy), noContent)
	r.Handle(put, "/iam/users/:userId/roles/:roleName", ActionAddUserToRole, resourceUser, "Give a user a role", m.addUserToRole, noContent)
	r.Handle(del, "/iam/users/:userId/roles/:roleName", ActionRemoveUserFromRole, resourceUser, "Take a role from a user",
		m.removeUserFromRole, noContent)

	m.groupRoutes(r)
	m.policyRoutes(r)
	r.Handle(post, "/iam/simulate", ActionSimulatePrincipalPolicy, resourceSimulate,
		"May this user or access key perform this action on this resource? Answers the decision and the deciding statement "+
			"(also needs iam:SimulatePrincipalPolicy on users/{userId})", m.simulate,
		&RouteDoc{Request: SimulateRequest{Principal: SimulatePrincipal{UserID: exampleUserID}, Action: "apigw:CreateDeployment",
			Resource: exampleSimulateResourceForOpenAPI, Context: map[string]string{authz.KeySourceIP: "10.0.0.1"}},
			Response: SimulateView{Decision: string(authz.Allowed), MatchedStatement: &authz.MatchedStatement{PolicyID: examplePolicyID,
				PolicyName: "deploy-dev", Sid: "DeployDev", Effect: authz.EffectAllow}}})
}

// UserView is a user of the tenant.
type UserView struct {
	UserID string   `json:"userId"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Status string   `json:"status"`
	Roles  []string `json:"roles"`
	// PasswordResetRequired is only filled by GET /v1/iam/users/{userId}.
	PasswordResetRequired *bool     `json:"passwordResetRequired,omitempty"`
	CreatedAt             time.Time `json:"createdAt"`
	UpdatedAt             time.Time `json:"updatedAt"`
}

// UserListView is a list of users.
type UserListView struct {
	Items []UserView `json:"items"`
}

// CreateUserRequest is the body of POST /v1/iam/users.
type CreateUserRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
	// Roles are role names (built-in TenantAdmin, ReadOnly, or the
	// tenant's).
	Roles []string `json:"roles,omitempty"`
	// Policies are policy ids to attach (managed names or pol_...).
	Policies []string `json:"policies,omitempty"`
	// Groups are group ids to join.
	Groups []string `json:"groups,omitempty"`
	// PasswordResetRequired makes the user choose a new password at first
	// sign-in.
	PasswordResetRequired bool `json:"passwordResetRequired,omitempty"`
}

// UpdateUserRequest is the body of PATCH /v1/iam/users/{userId}.
type UpdateUserRequest struct {
	Name *string `json:"name,omitempty"`
	// Status is ACTIVE or DISABLED; a disabled user cannot sign in or use
	// access keys.
	Status *string `json:"status,omitempty"`
}

// ChangePasswordRequest is the body of POST /v1/auth/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

var exampleUserView = UserView{UserID: exampleUserID, Email: "dev@example.com", Name: "Dev", Status: string(iam.UserActive),
	Roles: []string{}, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}

func userView(u *iam.User) UserView {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return UserView{UserID: u.ID, Email: u.Email, Name: u.Name, Status: string(u.Status), Roles: roles,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (m *iamAdminModule) changePassword(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req ChangePasswordRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	if err := m.dir.ChangePassword(c.Request.Context(), iam.ChangePasswordCommand{TenantID: p.TenantID, UserID: p.UserID,
		CurrentPassword: req.CurrentPassword, NewPassword: req.NewPassword}); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *iamAdminModule) listUsers(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	users, err := m.dir.ListUsers(c.Request.Context(), p.TenantID)
	if err != nil {
		return err
	}
	out := UserListView{Items: make([]UserView, len(users))}
	for i, u := range users {
		out.Items[i] = userView(u)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *iamAdminModule) createUser(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req CreateUserRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	// Giving the new user permissions is the same as attaching them later.
	if len(req.Roles) > 0 {
		if err := m.authz.Authorize(ctx, p, ActionAddUserToRole, resourceAnyUser); err != nil {
			return err
		}
	}
	if len(req.Policies) > 0 {
		if err := m.authz.Authorize(ctx, p, ActionAttachUserPolicy, resourceAnyUser); err != nil {
			return err
		}
	}
	for _, g := range req.Groups {
		if err := m.authz.Authorize(ctx, p, ActionAddUserToGroup, "groups/"+g); err != nil {
			return err
		}
	}
	var builtin, custom []string
	for _, r := range req.Roles {
		if _, ok := authz.BuiltinRoles[r]; ok {
			builtin = append(builtin, r)
		} else {
			custom = append(custom, r)
		}
	}
	u, err := m.svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: p.TenantID, Email: req.Email, Name: req.Name,
		Password: req.Password, Roles: builtin})
	if err != nil {
		return err
	}
	for _, r := range custom {
		if err := m.dir.AddUserToRole(ctx, p.TenantID, r, u.ID); err != nil {
			return m.undoCreate(c, u, err)
		}
		u.Roles = append(u.Roles, r)
	}
	for _, pol := range req.Policies {
		if err := m.dir.AttachPolicy(ctx, p.TenantID, iam.PrincipalRef{Type: iam.PrincipalUser, ID: u.ID}, pol); err != nil {
			return m.undoCreate(c, u, err)
		}
	}
	for _, g := range req.Groups {
		if err := m.dir.AddUserToGroup(ctx, p.TenantID, g, u.ID); err != nil {
			return m.undoCreate(c, u, err)
		}
	}
	if req.PasswordResetRequired {
		if err := m.dir.ForcePasswordReset(ctx, p.TenantID, u.ID); err != nil {
			return m.undoCreate(c, u, err)
		}
	}
	c.JSON(http.StatusCreated, userView(u))
	return nil
}

// undoCreate deletes a user whose creation failed half-way (outside a
// request transaction) and returns the cause.
func (m *iamAdminModule) undoCreate(c *gin.Context, u *iam.User, cause error) error {
	_ = m.dir.DeleteUser(c.Request.Context(), u.TenantID, u.ID)
	return cause
}

func (m *iamAdminModule) getUser(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, err := m.svc.GetUser(ctx, iam.GetUserQuery{TenantID: p.TenantID, UserID: c.Param("userId")})
	if err != nil {
		return err
	}
	reset, err := m.dir.PasswordResetRequired(ctx, p.TenantID, u.ID)
	if err != nil {
		return err
	}
	v := userView(u)
	v.PasswordResetRequired = &reset
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *iamAdminModule) updateUser(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req UpdateUserRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	cmd := iam.UpdateUserCommand{TenantID: p.TenantID, UserID: c.Param("userId"), Name: req.Name}
	if req.Status != nil {
		st := iam.UserStatus(*req.Status)
		cmd.Status = &st
		if st == iam.UserDisabled && cmd.UserID == p.UserID {
			return errSelf
		}
	}
	u, err := m.dir.UpdateUser(c.Request.Context(), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, userView(u))
	return nil
}

func (m *iamAdminModule) deleteUser(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	if c.Param("userId") == p.UserID {
		return errSelf
	}
	if err := m.dir.DeleteUser(c.Request.Context(), p.TenantID, c.Param("userId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *iamAdminModule) resetPassword(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	if err := m.dir.ForcePasswordReset(c.Request.Context(), p.TenantID, c.Param("userId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *iamAdminModule) listUserGroups(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	groups, err := m.dir.ListUserGroups(c.Request.Context(), p.TenantID, c.Param("userId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, groupListView(groups))
	return nil
}

func (m *iamAdminModule) effectivePolicies(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	eff, err := m.dir.EffectivePolicies(c.Request.Context(), p.TenantID, c.Param("userId"))
	if err != nil {
		return err
	}
	out := EffectivePolicyListView{Items: make([]EffectivePolicyView, len(eff))}
	for i, e := range eff {
		out.Items[i] = EffectivePolicyView{Policy: policyView(e.Policy), Via: e.Via}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *iamAdminModule) addUserToRole(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	if err := m.dir.AddUserToRole(c.Request.Context(), p.TenantID, c.Param("roleName"), c.Param("userId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *iamAdminModule) removeUserFromRole(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	if err := m.dir.RemoveUserFromRole(c.Request.Context(), p.TenantID, c.Param("roleName"), c.Param("userId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// guard authorizes action on every user a change to ref would affect: the
// route's own permission names a group, role or policy, and this makes
// sure the caller may also change each of its users, themselves included.
func (m *iamAdminModule) guard(c *gin.Context, action string, ref iam.PrincipalRef) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	users, err := m.dir.AffectedUsers(ctx, p.TenantID, ref)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := m.authz.Authorize(ctx, p, action, "users/"+u); err != nil {
			return err
		}
	}
	return nil
}
