package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/iam"
)

// platformOperatorsModule serves /v1/platform/operators: platform
// operators name other operators (api.PlatformGuard lets only operators
// in).
type platformOperatorsModule struct {
	svc iam.PlatformOperators
}

// NewPlatformOperatorsModule returns the operators API over svc.
func NewPlatformOperatorsModule(svc iam.PlatformOperators) Module {
	return &platformOperatorsModule{svc: svc}
}

// PlatformOperatorView is an operator: a user of some tenant.
type PlatformOperatorView struct {
	UserID     string `json:"userId"`
	TenantID   string `json:"tenantId"`
	TenantName string `json:"tenantName"`
	Email      string `json:"email"`
	Name       string `json:"name"`
}

// PlatformOperatorListView lists the operators by email.
type PlatformOperatorListView struct {
	Items []PlatformOperatorView `json:"items"`
}

var examplePlatformOperator = PlatformOperatorView{UserID: "usr_0123456789abcdef", TenantID: "tnt_0123456789abcdef",
	TenantName: "ops", Email: "ops@acme.test", Name: "Ops"}

// Routes implements Module.
func (m *platformOperatorsModule) Routes(r *Router) {
	const get, put, del = http.MethodGet, http.MethodPut, http.MethodDelete
	r.Handle(get, "/platform/operators", iam.ActionListPlatformOperators, "platform-operators",
		"List the platform operators (platform operators)", m.list,
		&RouteDoc{Response: PlatformOperatorListView{Items: []PlatformOperatorView{examplePlatformOperator}}})
	r.Handle(put, "/platform/operators/:userId", iam.ActionAddPlatformOperator, "platform-operators/{userId}",
		"Make a user of any tenant a platform operator (platform operators)", m.add,
		&RouteDoc{Response: examplePlatformOperator})
	r.Handle(del, "/platform/operators/:userId", iam.ActionRemovePlatformOperator, "platform-operators/{userId}",
		"Make a platform operator an ordinary user again; the last operator cannot be removed (409)", m.remove,
		&RouteDoc{StatusCode: http.StatusNoContent})
}

func operatorView(o *iam.PlatformOperator) PlatformOperatorView {
	return PlatformOperatorView{UserID: o.UserID, TenantID: o.TenantID, TenantName: o.TenantName, Email: o.Email, Name: o.Name}
}

func (m *platformOperatorsModule) list(c *gin.Context) error {
	ops, err := m.svc.ListPlatformOperators(c.Request.Context())
	if err != nil {
		return err
	}
	out := PlatformOperatorListView{Items: make([]PlatformOperatorView, len(ops))}
	for i, o := range ops {
		out.Items[i] = operatorView(o)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *platformOperatorsModule) add(c *gin.Context) error {
	o, err := m.svc.AddPlatformOperator(c.Request.Context(), c.Param("userId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, operatorView(o))
	return nil
}

func (m *platformOperatorsModule) remove(c *gin.Context) error {
	if err := m.svc.RemovePlatformOperator(c.Request.Context(), c.Param("userId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
