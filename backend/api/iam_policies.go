package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/iam"
)

// GroupView is a group; Members is filled by GET /v1/iam/groups/{groupId}.
type GroupView struct {
	GroupID     string     `json:"groupId"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Members     []UserView `json:"members,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
}

// GroupListView is a list of groups.
type GroupListView struct {
	Items []GroupView `json:"items"`
}

// SaveGroupRequest is the body of POST /v1/iam/groups and PATCH
// /v1/iam/groups/{groupId}.
type SaveGroupRequest struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// RoleView is a role: built-in (TenantAdmin, ReadOnly) or the tenant's.
type RoleView struct {
	RoleName    string     `json:"roleName"`
	Description string     `json:"description"`
	Builtin     bool       `json:"builtin"`
	CreatedAt   *time.Time `json:"createdAt,omitempty"`
}

// RoleListView is a list of roles.
type RoleListView struct {
	Items []RoleView `json:"items"`
}

// SaveRoleRequest is the body of POST /v1/iam/roles (name and
// description) and PATCH /v1/iam/roles/{roleName} (description).
type SaveRoleRequest struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// PolicyView is a managed or customer policy.
type PolicyView struct {
	PolicyID    string `json:"policyId"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Managed     bool   `json:"managed"`
	// Document is the policy document (a JSON object).
	Document json.RawMessage `json:"document"`
	// Version is the default version's number; DefaultVersionID its id
	// (v1, v2, ...). Only the default version is enforced.
	Version          int        `json:"version"`
	DefaultVersionID string     `json:"defaultVersionId"`
	CreatedAt        *time.Time `json:"createdAt,omitempty"`
	UpdatedAt        *time.Time `json:"updatedAt,omitempty"`
}

// PolicyListView is a list of policies.
type PolicyListView struct {
	Items []PolicyView `json:"items"`
}

// EffectivePolicyView is a policy that applies to a user and how: "user",
// "group:<name>" or "role:<name>".
type EffectivePolicyView struct {
	Policy PolicyView `json:"policy"`
	Via    string     `json:"via"`
}

// EffectivePolicyListView is a list of effective policies.
type EffectivePolicyListView struct {
	Items []EffectivePolicyView `json:"items"`
}

// SavePolicyRequest is the body of POST /v1/iam/policies and PUT
// /v1/iam/policies/{policyId}. Document is the policy document as a JSON
// object, or as a string holding one (what an editor has); problems are
// answered 422 with one detail per problem (document.Statement[0].Effect).
type SavePolicyRequest struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Document    json.RawMessage `json:"document"`
}

var (
	exampleGroupView  = GroupView{GroupID: exampleGroupID, Name: "deployers", Description: "Deploy to dev", CreatedAt: exampleUserView.CreatedAt, UpdatedAt: exampleUserView.UpdatedAt}
	examplePolicyView = PolicyView{PolicyID: examplePolicyID, Name: "deploy-dev", Description: "Deploy to dev stages",
		Document: json.RawMessage(examplePolicyDocumentForOpenAPI), Version: 1, DefaultVersionID: "v1"}
)

func groupView(g *iam.Group) GroupView {
	return GroupView{GroupID: g.ID, Name: g.Name, Description: g.Description, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

func groupListView(groups []*iam.Group) GroupListView {
	out := GroupListView{Items: make([]GroupView, len(groups))}
	for i, g := range groups {
		out.Items[i] = groupView(g)
	}
	return out
}

func roleView(r *iam.Role) RoleView {
	v := RoleView{RoleName: r.Name, Description: r.Description, Builtin: r.Builtin}
	if !r.Builtin {
		at := r.CreatedAt
		v.CreatedAt = &at
	}
	return v
}

func policyView(p *iam.Policy) PolicyView {
	v := PolicyView{PolicyID: p.ID, Name: p.Name, Description: p.Description, Managed: p.Managed,
		Document: json.RawMessage(p.Document), Version: p.Version, DefaultVersionID: iam.PolicyVersionID(p.Version)}
	if !p.Managed {
		c, u := p.CreatedAt, p.UpdatedAt
		v.CreatedAt, v.UpdatedAt = &c, &u
	}
	return v
}

func policyListView(ps []*iam.Policy) PolicyListView {
	out := PolicyListView{Items: make([]PolicyView, len(ps))}
	for i, p := range ps {
		out.Items[i] = policyView(p)
	}
	return out
}

// documentText is the document of a request: a JSON string's content, or
// the raw object.
func documentText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return string(raw)
}

func (m *iamAdminModule) groupRoutes(r *Router) {
	const get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	noContent := &RouteDoc{StatusCode: http.StatusNoContent}
	r.Handle(get, "/iam/groups", ActionListGroups, resourceGroups, "List the tenant's groups", m.listGroups,
		&RouteDoc{Response: GroupListView{Items: []GroupView{exampleGroupView}}})
	r.Handle(post, "/iam/groups", ActionCreateGroup, resourceGroups, "Create a group", m.saveGroup(false),
		&RouteDoc{Request: SaveGroupRequest{Name: "deployers"}, Response: exampleGroupView, StatusCode: http.StatusCreated})
	r.Handle(get, "/iam/groups/:groupId", ActionGetGroup, resourceGroup, "Get a group with its members", m.getGroup,
		&RouteDoc{Response: exampleGroupView})
	r.Handle(patch, "/iam/groups/:groupId", ActionUpdateGroup, resourceGroup, "Rename a group or change its description",
		m.saveGroup(true), &RouteDoc{Request: SaveGroupRequest{Name: "deployers"}, Response: exampleGroupView})
	r.Handle(del, "/iam/groups/:groupId", ActionDeleteGroup, resourceGroup,
		"Delete a group (also needs iam:DeleteGroup on each member's users/{userId})", m.deleteGroup, noContent)
	r.Handle(put, "/iam/groups/:groupId/members/:userId", ActionAddUserToGroup, resourceGroup,
		"Add a user to a group (also needs iam:AddUserToGroup on users/{userId})", m.addMember, noContent)
	r.Handle(del, "/iam/groups/:groupId/members/:userId", ActionRemoveUserFromGroup, resourceGroup,
		"Remove a user from a group (also needs iam:RemoveUserFromGroup on users/{userId})", m.removeMember, noContent)
	r.Handle(get, "/iam/groups/:groupId/policies", ActionListAttachedGroupPolicies, resourceGroup,
		"List the policies attached to a group", m.listAttached(iam.PrincipalGroup, "groupId"),
		&RouteDoc{Response: PolicyListView{Items: []PolicyView{examplePolicyView}}})
	r.Handle(put, "/iam/groups/:groupId/policies/:policyId", ActionAttachGroupPolicy, resourceGroup,
		"Attach a policy to a group (also needs iam:AttachGroupPolicy on each member's users/{userId})",
		m.attach(iam.PrincipalGroup, "groupId", ActionAttachGroupPolicy), noContent)
	r.Handle(del, "/iam/groups/:groupId/policies/:policyId", ActionDetachGroupPolicy, resourceGroup,
		"Detach a policy from a group (also needs iam:DetachGroupPolicy on each member's users/{userId})",
		m.detach(iam.PrincipalGroup, "groupId", ActionDetachGroupPolicy), noContent)

	r.Handle(get, "/iam/roles", ActionListRoles, resourceRoles, "List the built-in and the tenant's roles", m.listRoles,
		&RouteDoc{Response: RoleListView{Items: []RoleView{{RoleName: "TenantAdmin", Description: "Built-in: AdministratorAccess.", Builtin: true}}}})
	r.Handle(post, "/iam/roles", ActionCreateRole, resourceRoles, "Create a role (a named set of policies users can be given)",
		m.createRole, &RouteDoc{Request: SaveRoleRequest{Name: "deployer"}, Response: RoleView{RoleName: "deployer"}, StatusCode: http.StatusCreated})
	r.Handle(get, "/iam/roles/:roleName", ActionGetRole, resourceRole, "Get a role", m.getRole, &RouteDoc{Response: RoleView{RoleName: "deployer"}})
	r.Handle(patch, "/iam/roles/:roleName", ActionUpdateRole, resourceRole, "Change a role's description", m.updateRole,
		&RouteDoc{Request: SaveRoleRequest{Description: "Deploys"}, Response: RoleView{RoleName: "deployer"}})
	r.Handle(del, "/iam/roles/:roleName", ActionDeleteRole, resourceRole,
		"Delete a role (also needs iam:DeleteRole on each holder's users/{userId})", m.deleteRole, noContent)
	r.Handle(get, "/iam/roles/:roleName/policies", ActionListAttachedRolePolicies, resourceRole,
		"List the policies of a role", m.listAttached(iam.PrincipalRole, "roleName"),
		&RouteDoc{Response: PolicyListView{Items: []PolicyView{examplePolicyView}}})
	r.Handle(put, "/iam/roles/:roleName/policies/:policyId", ActionAttachRolePolicy, resourceRole,
		"Attach a policy to a role (also needs iam:AttachRolePolicy on each holder's users/{userId})",
		m.attach(iam.PrincipalRole, "roleName", ActionAttachRolePolicy), noContent)
	r.Handle(del, "/iam/roles/:roleName/policies/:policyId", ActionDetachRolePolicy, resourceRole,
		"Detach a policy from a role (also needs iam:DetachRolePolicy on each holder's users/{userId})",
		m.detach(iam.PrincipalRole, "roleName", ActionDetachRolePolicy), noContent)
}

func (m *iamAdminModule) policyRoutes(r *Router) {
	const get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	doc := json.RawMessage(examplePolicyDocumentForOpenAPI)
	r.Handle(get, "/iam/policies", ActionListPolicies, resourcePolicies, "List the managed and the tenant's policies", m.listPolicies,
		&RouteDoc{Response: PolicyListView{Items: []PolicyView{examplePolicyView}}})
	r.Handle(post, "/iam/policies", ActionCreatePolicy, resourcePolicies, "Create a policy; the document is validated (422 with details)",
		m.savePolicy(false), &RouteDoc{Request: SavePolicyRequest{Name: "deploy-dev", Document: doc}, Response: examplePolicyView, StatusCode: http.StatusCreated})
	r.Handle(get, "/iam/policies/:policyId", ActionGetPolicy, resourcePolicy, "Get a policy", m.getPolicy, &RouteDoc{Response: examplePolicyView})
	r.Handle(put, "/iam/policies/:policyId", ActionUpdatePolicy, resourcePolicy,
		"Rename a policy and make the document its new default version; at 5 versions the oldest non-default one is deleted "+
			"(also needs iam:UpdatePolicy on each affected users/{userId})",
		m.savePolicy(true), &RouteDoc{Request: SavePolicyRequest{Name: "deploy-dev", Document: doc}, Response: examplePolicyView})
	r.Handle(del, "/iam/policies/:policyId", ActionDeletePolicy, resourcePolicy,
		"Delete a policy and its attachments (also needs iam:DeletePolicy on each affected users/{userId})", m.deletePolicy,
		&RouteDoc{StatusCode: http.StatusNoContent})
	m.policyVersionRoutes(r)
}

func (m *iamAdminModule) listGroups(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	groups, err := m.dir.ListGroups(c.Request.Context(), p.TenantID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, groupListView(groups))
	return nil
}

func (m *iamAdminModule) getGroup(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	g, err := m.dir.GetGroup(ctx, p.TenantID, c.Param("groupId"))
	if err != nil {
		return err
	}
	members, err := m.dir.ListGroupMembers(ctx, p.TenantID, g.ID)
	if err != nil {
		return err
	}
	v := groupView(g)
	v.Members = make([]UserView, len(members))
	for i, u := range members {
		v.Members[i] = userView(u)
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (m *iamAdminModule) saveGroup(update bool) HandlerFunc {
	return func(c *gin.Context) error {
		p, err := iamPrincipal(c)
		if err != nil {
			return err
		}
		var req SaveGroupRequest
		if err := BindJSON(c, &req); err != nil {
			return err
		}
		cmd := iam.SaveGroupCommand{TenantID: p.TenantID, Name: req.Name, Description: req.Description}
		status := http.StatusCreated
		if update {
			cmd.GroupID, status = c.Param("groupId"), http.StatusOK
		}
		g, err := m.dir.SaveGroup(c.Request.Context(), cmd)
		if err != nil {
			return err
		}
		c.JSON(status, groupView(g))
		return nil
	}
}

func (m *iamAdminModule) deleteGroup(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	ref := iam.PrincipalRef{Type: iam.PrincipalGroup, ID: c.Param("groupId")}
	if err := m.guard(c, ActionDeleteGroup, ref); err != nil {
		return err
	}
	if err := m.dir.DeleteGroup(c.Request.Context(), p.TenantID, ref.ID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *iamAdminModule) addMember(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := m.authz.Authorize(ctx, p, ActionAddUserToGroup, "users/"+c.Param("userId")); err != nil {
		return err
	}
	if err := m.dir.AddUserToGroup(ctx, p.TenantID, c.Param("groupId"), c.Param("userId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *iamAdminModule) removeMember(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := m.authz.Authorize(ctx, p, ActionRemoveUserFromGroup, "users/"+c.Param("userId")); err != nil {
		return err
	}
	if err := m.dir.RemoveUserFromGroup(ctx, p.TenantID, c.Param("groupId"), c.Param("userId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *iamAdminModule) listAttached(t iam.PrincipalType, param string) HandlerFunc {
	return func(c *gin.Context) error {
		p, err := iamPrincipal(c)
		if err != nil {
			return err
		}
		ps, err := m.dir.ListAttachedPolicies(c.Request.Context(), p.TenantID, iam.PrincipalRef{Type: t, ID: c.Param(param)})
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, policyListView(ps))
		return nil
	}
}

func (m *iamAdminModule) attach(t iam.PrincipalType, param, action string) HandlerFunc {
	return func(c *gin.Context) error {
		p, err := iamPrincipal(c)
		if err != nil {
			return err
		}
		ref := iam.PrincipalRef{Type: t, ID: c.Param(param)}
		if err := m.guard(c, action, ref); err != nil {
			return err
		}
		if err := m.dir.AttachPolicy(c.Request.Context(), p.TenantID, ref, c.Param("policyId")); err != nil {
			return err
		}
		c.Status(http.StatusNoContent)
		return nil
	}
}

func (m *iamAdminModule) detach(t iam.PrincipalType, param, action string) HandlerFunc {
	return func(c *gin.Context) error {
		p, err := iamPrincipal(c)
		if err != nil {
			return err
		}
		ref := iam.PrincipalRef{Type: t, ID: c.Param(param)}
		if err := m.guard(c, action, ref); err != nil {
			return err
		}
		if err := m.dir.DetachPolicy(c.Request.Context(), p.TenantID, ref, c.Param("policyId")); err != nil {
			return err
		}
		c.Status(http.StatusNoContent)
		return nil
	}
}

func (m *iamAdminModule) listRoles(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	roles, err := m.dir.ListRoles(c.Request.Context(), p.TenantID)
	if err != nil {
		return err
	}
	out := RoleListView{Items: make([]RoleView, len(roles))}
	for i, r := range roles {
		out.Items[i] = roleView(r)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *iamAdminModule) createRole(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req SaveRoleRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	r, err := m.dir.SaveRole(c.Request.Context(), iam.SaveRoleCommand{TenantID: p.TenantID, Name: req.Name, Description: req.Description})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, roleView(r))
	return nil
}

func (m *iamAdminModule) getRole(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	r, err := m.dir.GetRole(c.Request.Context(), p.TenantID, c.Param("roleName"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, roleView(r))
	return nil
}

func (m *iamAdminModule) updateRole(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req SaveRoleRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	name := c.Param("roleName")
	r, err := m.dir.SaveRole(c.Request.Context(), iam.SaveRoleCommand{TenantID: p.TenantID, RoleID: name, Name: name, Description: req.Description})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, roleView(r))
	return nil
}

func (m *iamAdminModule) deleteRole(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	ref := iam.PrincipalRef{Type: iam.PrincipalRole, ID: c.Param("roleName")}
	if err := m.guard(c, ActionDeleteRole, ref); err != nil {
		return err
	}
	if err := m.dir.DeleteRole(c.Request.Context(), p.TenantID, ref.ID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *iamAdminModule) listPolicies(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	ps, err := m.dir.ListPolicies(c.Request.Context(), p.TenantID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, policyListView(ps))
	return nil
}

func (m *iamAdminModule) getPolicy(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	pol, err := m.dir.GetPolicy(c.Request.Context(), p.TenantID, c.Param("policyId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, policyView(pol))
	return nil
}

func (m *iamAdminModule) savePolicy(update bool) HandlerFunc {
	return func(c *gin.Context) error {
		p, err := iamPrincipal(c)
		if err != nil {
			return err
		}
		var req SavePolicyRequest
		if err := BindJSON(c, &req); err != nil {
			return err
		}
		cmd := iam.SavePolicyCommand{TenantID: p.TenantID, Name: req.Name, Description: req.Description, Document: documentText(req.Document)}
		status := http.StatusCreated
		if update {
			cmd.PolicyID, status = c.Param("policyId"), http.StatusOK
			// The policy's users are affected by the new document.
			if err := m.guard(c, ActionUpdatePolicy, iam.PrincipalRef{Type: iam.PrincipalPolicyRef, ID: cmd.PolicyID}); err != nil {
				return err
			}
		}
		pol, err := m.dir.SavePolicy(c.Request.Context(), cmd)
		if err != nil {
			return err
		}
		c.JSON(status, policyView(pol))
		return nil
	}
}

func (m *iamAdminModule) deletePolicy(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	id := c.Param("policyId")
	if err := m.guard(c, ActionDeletePolicy, iam.PrincipalRef{Type: iam.PrincipalPolicyRef, ID: id}); err != nil {
		return err
	}
	if err := m.dir.DeletePolicy(c.Request.Context(), p.TenantID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
