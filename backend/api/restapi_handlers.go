package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/restapi"
)

// IAM actions of the REST API module, in API Gateway's vocabulary.
const (
	ActionGetResources         = "apigw:GetResources"
	ActionCreateResource       = "apigw:CreateResource"
	ActionGetResource          = "apigw:GetResource"
	ActionUpdateResource       = "apigw:UpdateResource"
	ActionDeleteResource       = "apigw:DeleteResource"
	ActionPutMethod            = "apigw:PutMethod"
	ActionGetMethod            = "apigw:GetMethod"
	ActionDeleteMethod         = "apigw:DeleteMethod"
	ActionPutIntegration       = "apigw:PutIntegration"
	ActionGetIntegration       = "apigw:GetIntegration"
	ActionDeleteIntegration    = "apigw:DeleteIntegration"
	ActionPutMethodResponse    = "apigw:PutMethodResponse"
	ActionGetMethodResponse    = "apigw:GetMethodResponse"
	ActionDeleteMethodResponse = "apigw:DeleteMethodResponse"
	ActionGetRequestValidators = "apigw:GetRequestValidators"
	ActionCreateValidator      = "apigw:CreateRequestValidator"
	ActionGetRequestValidator  = "apigw:GetRequestValidator"
	ActionDeleteValidator      = "apigw:DeleteRequestValidator"
	ActionGetModels            = "apigw:GetModels"
	ActionCreateModel          = "apigw:CreateModel"
	ActionGetModel             = "apigw:GetModel"
	ActionDeleteModel          = "apigw:DeleteModel"
	ActionGetTargetGroups      = "apigw:GetTargetGroups"
	ActionCreateTargetGroup    = "apigw:CreateTargetGroup"
	ActionGetTargetGroup       = "apigw:GetTargetGroup"
	ActionUpdateTargetGroup    = "apigw:UpdateTargetGroup"
	ActionDeleteTargetGroup    = "apigw:DeleteTargetGroup"

	resourceResource    = "apis/{apiId}/resources/{resourceId}"
	resourceValidator   = "apis/{apiId}/requestvalidators/{validatorId}"
	resourceModel       = "apis/{apiId}/models/{modelName}"
	resourceTargetGroup = "targetgroups/{targetGroupId}"
)

// RESTAPIModule serves the REST API model: resources, methods,
// integrations, method responses, request validators, models and target
// groups.
type RESTAPIModule struct {
	svc restapi.Service
}

var _ Module = (*RESTAPIModule)(nil)

// NewRESTAPIModule returns the module.
func NewRESTAPIModule(svc restapi.Service) *RESTAPIModule { return &RESTAPIModule{svc: svc} }

// ResourceListView is a list of resources.
type ResourceListView struct {
	Items []*restapi.Resource `json:"items"`
}

// ValidatorListView is a list of request validators.
type ValidatorListView struct {
	Items []*restapi.RequestValidator `json:"items"`
}

// ModelListView is a list of models.
type ModelListView struct {
	Items []*restapi.Model `json:"items"`
}

// TargetGroupListView is a list of target groups.
type TargetGroupListView struct {
	Items []*restapi.TargetGroup `json:"items"`
}

var (
	exampleResource = &restapi.Resource{ID: "r1b2c3d4e5", APIID: "a1b2c3d4e5", ParentID: "root000001",
		PathPart: "{petId}", Path: "/pets/{petId}"}
	exampleMethod = restapi.PutMethodCommand{AuthorizationType: "NONE", APIKeyRequired: false,
		RequestParameters:  map[string]bool{"method.request.querystring.owner": true},
		RequestValidatorID: "v1a2b3", RequestModels: map[string]string{"application/json": "Pet"}, OperationName: "UpdatePet"}
	exampleIntegration = restapi.Integration{Type: "HTTP_PROXY", URI: "http://pets.internal/pets/{id}", HTTPMethod: "ANY",
		TimeoutInMillis: 29000, RequestParameters: map[string]string{
			"integration.request.path.id":        "method.request.path.petId",
			"integration.request.header.X-Owner": "method.request.querystring.owner"},
		ResponseParameters: map[string]string{"method.response.header.X-Served-By": "'turnpike'"}}
	exampleMethodResponse = restapi.MethodResponse{StatusCode: "200",
		ResponseParameters: map[string]bool{"method.response.header.X-Served-By": false},
		ResponseModels:     map[string]string{"application/json": "Pet"}}
	exampleValidator   = &restapi.RequestValidator{ID: "v1a2b3", Name: "body-and-params", ValidateRequestBody: true, ValidateRequestParameters: true}
	exampleModel       = &restapi.Model{ID: "m1a2b3", Name: "Pet", ContentType: "application/json", Schema: json.RawMessage(`{"type":"object","required":["name"]}`)}
	exampleTargetGroup = restapi.TargetGroupCommand{Name: "pets-backend", Targets: []restapi.Target{{Address: "10.0.0.5:8080"}},
		HealthCheck:   restapi.HealthCheck{Path: "/health", IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 2},
		LoadBalancing: "ROUND_ROBIN"}
)

// Routes implements Module. Each line names the permission the route needs.
func (m *RESTAPIModule) Routes(r *Router) {
	const (
		get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	)
	const res = "/apis/:apiId/resources"
	const meth = res + "/:resourceId/methods/:httpMethod"
	r.Handle(get, res, ActionGetResources, "apis/{apiId}/resources", "List a REST API's resources with their methods",
		m.listResources, &RouteDoc{Response: ResourceListView{Items: []*restapi.Resource{exampleResource}}})
	r.Handle(post, res, ActionCreateResource, "apis/{apiId}/resources", "Add a child resource to a REST API", m.createResource,
		&RouteDoc{Request: restapi.CreateResourceCommand{ParentID: "root000001", PathPart: "{petId}"}, Response: exampleResource,
			StatusCode: http.StatusCreated})
	r.Handle(get, res+"/:resourceId", ActionGetResource, resourceResource, "Get a resource with its methods", m.getResource,
		&RouteDoc{Response: exampleResource})
	r.Handle(patch, res+"/:resourceId", ActionUpdateResource, resourceResource, "Rename a resource's path part",
		m.updateResource, &RouteDoc{Request: restapi.UpdateResourceCommand{PathPart: ptr("{id}")}, Response: exampleResource})
	r.Handle(del, res+"/:resourceId", ActionDeleteResource, resourceResource,
		"Delete a resource with its child resources and all their methods", m.deleteResource, &RouteDoc{StatusCode: http.StatusNoContent})

	r.Handle(put, meth, ActionPutMethod, resourceResource, "Create or replace a method's request settings", m.putMethod,
		&RouteDoc{Request: exampleMethod, Response: restapi.Method{HTTPMethod: "PUT", ResourceID: "r1b2c3d4e5", PutMethodCommand: exampleMethod}})
	r.Handle(get, meth, ActionGetMethod, resourceResource, "Get a method with its integration and responses", m.getMethod,
		&RouteDoc{Response: restapi.Method{HTTPMethod: "PUT", ResourceID: "r1b2c3d4e5", PutMethodCommand: exampleMethod,
			MethodIntegration: &exampleIntegration}})
	r.Handle(del, meth, ActionDeleteMethod, resourceResource, "Delete a method", m.deleteMethod, &RouteDoc{StatusCode: http.StatusNoContent})
	r.Handle(put, meth+"/integration", ActionPutIntegration, resourceResource, "Create or replace a method's integration",
		m.putIntegration, &RouteDoc{Request: exampleIntegration, Response: exampleIntegration})
	r.Handle(get, meth+"/integration", ActionGetIntegration, resourceResource, "Get a method's integration", m.getIntegration,
		&RouteDoc{Response: exampleIntegration})
	r.Handle(del, meth+"/integration", ActionDeleteIntegration, resourceResource, "Delete a method's integration",
		m.deleteIntegration, &RouteDoc{StatusCode: http.StatusNoContent})
	r.Handle(put, meth+"/responses/:statusCode", ActionPutMethodResponse, resourceResource, "Declare a method response",
		m.putMethodResponse, &RouteDoc{Request: exampleMethodResponse, Response: exampleMethodResponse})
	r.Handle(get, meth+"/responses/:statusCode", ActionGetMethodResponse, resourceResource, "Get a method response",
		m.getMethodResponse, &RouteDoc{Response: exampleMethodResponse})
	r.Handle(del, meth+"/responses/:statusCode", ActionDeleteMethodResponse, resourceResource, "Delete a method response",
		m.deleteMethodResponse, &RouteDoc{StatusCode: http.StatusNoContent})

	r.Handle(get, "/apis/:apiId/requestvalidators", ActionGetRequestValidators, "apis/{apiId}/requestvalidators",
		"List a REST API's request validators", m.listValidators, &RouteDoc{Response: ValidatorListView{Items: []*restapi.RequestValidator{exampleValidator}}})
	r.Handle(post, "/apis/:apiId/requestvalidators", ActionCreateValidator, "apis/{apiId}/requestvalidators",
		"Add a request validator", m.createValidator, &RouteDoc{Request: exampleValidator, Response: exampleValidator, StatusCode: http.StatusCreated})
	r.Handle(get, "/apis/:apiId/requestvalidators/:validatorId", ActionGetRequestValidator, resourceValidator,
		"Get a request validator", m.getValidator, &RouteDoc{Response: exampleValidator})
	r.Handle(del, "/apis/:apiId/requestvalidators/:validatorId", ActionDeleteValidator, resourceValidator,
		"Delete a request validator no method uses", m.deleteValidator, &RouteDoc{StatusCode: http.StatusNoContent})

	r.Handle(get, "/apis/:apiId/models", ActionGetModels, "apis/{apiId}/models", "List a REST API's models", m.listModels,
		&RouteDoc{Response: ModelListView{Items: []*restapi.Model{exampleModel}}})
	r.Handle(post, "/apis/:apiId/models", ActionCreateModel, "apis/{apiId}/models", "Add a JSON Schema (draft-04) model",
		m.createModel, &RouteDoc{Request: exampleModel, Response: exampleModel, StatusCode: http.StatusCreated})
	r.Handle(get, "/apis/:apiId/models/:modelName", ActionGetModel, resourceModel, "Get a model", m.getModel,
		&RouteDoc{Response: exampleModel})
	r.Handle(del, "/apis/:apiId/models/:modelName", ActionDeleteModel, resourceModel, "Delete a model no method uses",
		m.deleteModel, &RouteDoc{StatusCode: http.StatusNoContent})

	tg := &restapi.TargetGroup{ID: "tg-a1b2c3d4", TargetGroupCommand: exampleTargetGroup}
	r.Handle(get, "/targetgroups", ActionGetTargetGroups, "targetgroups", "List your target groups", m.listTargetGroups,
		&RouteDoc{Response: TargetGroupListView{Items: []*restapi.TargetGroup{tg}}})
	r.Handle(post, "/targetgroups", ActionCreateTargetGroup, "targetgroups",
		"Create a target group for private (VPC_LINK) integrations", m.createTargetGroup,
		&RouteDoc{Request: exampleTargetGroup, Response: tg, StatusCode: http.StatusCreated})
	r.Handle(get, "/targetgroups/:targetGroupId", ActionGetTargetGroup, resourceTargetGroup, "Get a target group",
		m.getTargetGroup, &RouteDoc{Response: tg})
	r.Handle(put, "/targetgroups/:targetGroupId", ActionUpdateTargetGroup, resourceTargetGroup,
		"Replace a target group (deployed stages pick it up on their next deployment)", m.updateTargetGroup,
		&RouteDoc{Request: exampleTargetGroup, Response: tg})
	r.Handle(del, "/targetgroups/:targetGroupId", ActionDeleteTargetGroup, resourceTargetGroup,
		"Delete a target group no integration uses", m.deleteTargetGroup, &RouteDoc{StatusCode: http.StatusNoContent})
}

// reply runs fn with the caller's tenant and writes its result.
func reply[T any](c *gin.Context, status int, fn func(tenant string) (T, error)) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	out, err := fn(tenant)
	if err != nil {
		return err
	}
	c.JSON(status, out)
	return nil
}

// replyBody binds the JSON body into a fresh B, then runs fn.
func replyBody[B, T any](c *gin.Context, status int, fn func(tenant string, body B) (T, error)) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var body B
	if err := BindJSON(c, &body); err != nil {
		return err
	}
	out, err := fn(tenant, body)
	if err != nil {
		return err
	}
	c.JSON(status, out)
	return nil
}

// noContent runs fn with the caller's tenant and answers 204.
func noContent(c *gin.Context, fn func(tenant string) error) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	if err := fn(tenant); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *RESTAPIModule) listResources(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (ResourceListView, error) {
		l, err := m.svc.ListResources(c.Request.Context(), t, c.Param("apiId"))
		return ResourceListView{Items: l}, err
	})
}

func (m *RESTAPIModule) createResource(c *gin.Context) error {
	return replyBody(c, http.StatusCreated, func(t string, b restapi.CreateResourceCommand) (*restapi.Resource, error) {
		return m.svc.CreateResource(c.Request.Context(), t, c.Param("apiId"), b)
	})
}

func (m *RESTAPIModule) getResource(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (*restapi.Resource, error) {
		return m.svc.GetResource(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"))
	})
}

func (m *RESTAPIModule) updateResource(c *gin.Context) error {
	return replyBody(c, http.StatusOK, func(t string, b restapi.UpdateResourceCommand) (*restapi.Resource, error) {
		return m.svc.UpdateResource(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), b)
	})
}

func (m *RESTAPIModule) deleteResource(c *gin.Context) error {
	return noContent(c, func(t string) error {
		return m.svc.DeleteResource(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"))
	})
}

func (m *RESTAPIModule) putMethod(c *gin.Context) error {
	return replyBody(c, http.StatusOK, func(t string, b restapi.PutMethodCommand) (*restapi.Method, error) {
		return m.svc.PutMethod(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"), b)
	})
}

func (m *RESTAPIModule) getMethod(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (*restapi.Method, error) {
		return m.svc.GetMethod(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"))
	})
}

func (m *RESTAPIModule) deleteMethod(c *gin.Context) error {
	return noContent(c, func(t string) error {
		return m.svc.DeleteMethod(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"))
	})
}

func (m *RESTAPIModule) putIntegration(c *gin.Context) error {
	return replyBody(c, http.StatusOK, func(t string, b restapi.Integration) (*restapi.Integration, error) {
		return m.svc.PutIntegration(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"), b)
	})
}

func (m *RESTAPIModule) getIntegration(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (*restapi.Integration, error) {
		return m.svc.GetIntegration(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"))
	})
}

func (m *RESTAPIModule) deleteIntegration(c *gin.Context) error {
	return noContent(c, func(t string) error {
		return m.svc.DeleteIntegration(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"))
	})
}

func (m *RESTAPIModule) putMethodResponse(c *gin.Context) error {
	return replyBody(c, http.StatusOK, func(t string, b restapi.MethodResponse) (*restapi.MethodResponse, error) {
		return m.svc.PutMethodResponse(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"),
			c.Param("statusCode"), b)
	})
}

func (m *RESTAPIModule) getMethodResponse(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (*restapi.MethodResponse, error) {
		return m.svc.GetMethodResponse(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"),
			c.Param("statusCode"))
	})
}

func (m *RESTAPIModule) deleteMethodResponse(c *gin.Context) error {
	return noContent(c, func(t string) error {
		return m.svc.DeleteMethodResponse(c.Request.Context(), t, c.Param("apiId"), c.Param("resourceId"), c.Param("httpMethod"),
			c.Param("statusCode"))
	})
}

func (m *RESTAPIModule) listValidators(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (ValidatorListView, error) {
		l, err := m.svc.ListValidators(c.Request.Context(), t, c.Param("apiId"))
		return ValidatorListView{Items: l}, err
	})
}

func (m *RESTAPIModule) createValidator(c *gin.Context) error {
	return replyBody(c, http.StatusCreated, func(t string, b restapi.RequestValidator) (*restapi.RequestValidator, error) {
		return m.svc.CreateValidator(c.Request.Context(), t, c.Param("apiId"), b)
	})
}

func (m *RESTAPIModule) getValidator(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (*restapi.RequestValidator, error) {
		return m.svc.GetValidator(c.Request.Context(), t, c.Param("apiId"), c.Param("validatorId"))
	})
}

func (m *RESTAPIModule) deleteValidator(c *gin.Context) error {
	return noContent(c, func(t string) error {
		return m.svc.DeleteValidator(c.Request.Context(), t, c.Param("apiId"), c.Param("validatorId"))
	})
}

func (m *RESTAPIModule) listModels(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (ModelListView, error) {
		l, err := m.svc.ListModels(c.Request.Context(), t, c.Param("apiId"))
		return ModelListView{Items: l}, err
	})
}

func (m *RESTAPIModule) createModel(c *gin.Context) error {
	return replyBody(c, http.StatusCreated, func(t string, b restapi.Model) (*restapi.Model, error) {
		return m.svc.CreateModel(c.Request.Context(), t, c.Param("apiId"), b)
	})
}

func (m *RESTAPIModule) getModel(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (*restapi.Model, error) {
		return m.svc.GetModel(c.Request.Context(), t, c.Param("apiId"), c.Param("modelName"))
	})
}

func (m *RESTAPIModule) deleteModel(c *gin.Context) error {
	return noContent(c, func(t string) error {
		return m.svc.DeleteModel(c.Request.Context(), t, c.Param("apiId"), c.Param("modelName"))
	})
}

func (m *RESTAPIModule) listTargetGroups(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (TargetGroupListView, error) {
		l, err := m.svc.ListTargetGroups(c.Request.Context(), t)
		return TargetGroupListView{Items: l}, err
	})
}

func (m *RESTAPIModule) createTargetGroup(c *gin.Context) error {
	return replyBody(c, http.StatusCreated, func(t string, b restapi.TargetGroupCommand) (*restapi.TargetGroup, error) {
		return m.svc.CreateTargetGroup(c.Request.Context(), t, b)
	})
}

func (m *RESTAPIModule) getTargetGroup(c *gin.Context) error {
	return reply(c, http.StatusOK, func(t string) (*restapi.TargetGroup, error) {
		return m.svc.GetTargetGroup(c.Request.Context(), t, c.Param("targetGroupId"))
	})
}

func (m *RESTAPIModule) updateTargetGroup(c *gin.Context) error {
	return replyBody(c, http.StatusOK, func(t string, b restapi.TargetGroupCommand) (*restapi.TargetGroup, error) {
		return m.svc.UpdateTargetGroup(c.Request.Context(), t, c.Param("targetGroupId"), b)
	})
}

func (m *RESTAPIModule) deleteTargetGroup(c *gin.Context) error {
	return noContent(c, func(t string) error {
		return m.svc.DeleteTargetGroup(c.Request.Context(), t, c.Param("targetGroupId"))
	})
}
