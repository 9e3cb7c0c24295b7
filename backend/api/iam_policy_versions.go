package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/iam"
)

// Policy version actions. Their resource is the policy, policies/{policyId},
// as in AWS; the versionId (v1, v2, ...) is in the path.
const (
	ActionCreatePolicyVersion     = "iam:CreatePolicyVersion"
	ActionListPolicyVersions      = "iam:ListPolicyVersions"
	ActionGetPolicyVersion        = "iam:GetPolicyVersion"
	ActionSetDefaultPolicyVersion = "iam:SetDefaultPolicyVersion"
	ActionDeletePolicyVersion     = "iam:DeletePolicyVersion"
)

// PolicyVersionView is one version of a policy's document; only the
// default version is enforced.
type PolicyVersionView struct {
	VersionID string `json:"versionId"`
	// Document is the policy document (a JSON object).
	Document  json.RawMessage `json:"document"`
	IsDefault bool            `json:"isDefault"`
	CreatedAt *time.Time      `json:"createdAt,omitempty"`
}

// PolicyVersionListView lists a policy's versions, newest first.
type PolicyVersionListView struct {
	Items []PolicyVersionView `json:"items"`
}

// CreatePolicyVersionRequest is the body of POST
// /v1/iam/policies/{policyId}/versions. Document is a JSON object or a
// string holding one; problems are 422s with one detail per problem. A
// policy keeps at most 5 versions (409 policy.version-limit).
type CreatePolicyVersionRequest struct {
	Document json.RawMessage `json:"document"`
	// SetAsDefault makes the new version the enforced one at once.
	SetAsDefault bool `json:"setAsDefault,omitempty"`
}

var examplePolicyVersionView = PolicyVersionView{VersionID: "v2", Document: json.RawMessage(examplePolicyDocumentForOpenAPI), IsDefault: true}

func policyVersionView(v *iam.PolicyVersion) PolicyVersionView {
	out := PolicyVersionView{VersionID: v.VersionID(), Document: json.RawMessage(v.Document), IsDefault: v.IsDefault}
	if !v.CreatedAt.IsZero() {
		at := v.CreatedAt
		out.CreatedAt = &at
	}
	return out
}

func (m *iamAdminModule) policyVersionRoutes(r *Router) {
	const get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	const base = "/iam/policies/:policyId/versions"
	r.Handle(get, base, ActionListPolicyVersions, resourcePolicy, "List a policy's versions, newest first, the default marked",
		m.listPolicyVersions, &RouteDoc{Response: PolicyVersionListView{Items: []PolicyVersionView{examplePolicyVersionView}}})
	r.Handle(post, base, ActionCreatePolicyVersion, resourcePolicy,
		"Add a version to a policy (at most 5: 409 policy.version-limit); with setAsDefault it is enforced at once "+
			"(then also needs iam:CreatePolicyVersion on each affected users/{userId})", m.createPolicyVersion,
		&RouteDoc{Request: CreatePolicyVersionRequest{Document: json.RawMessage(examplePolicyDocumentForOpenAPI), SetAsDefault: true},
			Response: examplePolicyVersionView, StatusCode: http.StatusCreated})
	r.Handle(get, base+"/:versionId", ActionGetPolicyVersion, resourcePolicy, "Get one version of a policy", m.getPolicyVersion,
		&RouteDoc{Response: examplePolicyVersionView})
	setDefault := "Make a version the enforced one; takes effect on the next call (also needs iam:SetDefaultPolicyVersion on each affected users/{userId})"
	r.Handle(post, base+"/:versionId/default", ActionSetDefaultPolicyVersion, resourcePolicy, setDefault, m.setDefaultPolicyVersion,
		&RouteDoc{Response: examplePolicyVersionView})
	r.Handle(put, base+"/:versionId/default", ActionSetDefaultPolicyVersion, resourcePolicy, setDefault, m.setDefaultPolicyVersion,
		&RouteDoc{Response: examplePolicyVersionView})
	r.Handle(del, base+"/:versionId", ActionDeletePolicyVersion, resourcePolicy,
		"Delete a version that is not the default (409 policy.version-default)", m.deletePolicyVersion,
		&RouteDoc{StatusCode: http.StatusNoContent})
}

func (m *iamAdminModule) listPolicyVersions(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	vs, err := m.dir.ListPolicyVersions(c.Request.Context(), p.TenantID, c.Param("policyId"))
	if err != nil {
		return err
	}
	out := PolicyVersionListView{Items: make([]PolicyVersionView, len(vs))}
	for i, v := range vs {
		out.Items[i] = policyVersionView(v)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *iamAdminModule) getPolicyVersion(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	v, err := m.dir.GetPolicyVersion(c.Request.Context(), p.TenantID, c.Param("policyId"), c.Param("versionId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, policyVersionView(v))
	return nil
}

func (m *iamAdminModule) createPolicyVersion(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req CreatePolicyVersionRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	id := c.Param("policyId")
	// A new default changes what the policy's users may do.
	if req.SetAsDefault {
		if err := m.guard(c, ActionCreatePolicyVersion, iam.PrincipalRef{Type: iam.PrincipalPolicyRef, ID: id}); err != nil {
			return err
		}
	}
	v, err := m.dir.CreatePolicyVersion(c.Request.Context(), iam.CreatePolicyVersionCommand{TenantID: p.TenantID, PolicyID: id,
		Document: documentText(req.Document), SetAsDefault: req.SetAsDefault})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, policyVersionView(v))
	return nil
}

func (m *iamAdminModule) setDefaultPolicyVersion(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	id, vid := c.Param("policyId"), c.Param("versionId")
	if err := m.guard(c, ActionSetDefaultPolicyVersion, iam.PrincipalRef{Type: iam.PrincipalPolicyRef, ID: id}); err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := m.dir.SetDefaultPolicyVersion(ctx, p.TenantID, id, vid); err != nil {
		return err
	}
	v, err := m.dir.GetPolicyVersion(ctx, p.TenantID, id, vid)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, policyVersionView(v))
	return nil
}

func (m *iamAdminModule) deletePolicyVersion(c *gin.Context) error {
	p, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	if err := m.dir.DeletePolicyVersion(c.Request.Context(), p.TenantID, c.Param("policyId"), c.Param("versionId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
