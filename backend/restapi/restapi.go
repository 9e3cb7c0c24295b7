// Package restapi is the REST API model of API Gateway: the resource tree
// of a REST API, the methods of each resource with their integrations and
// method responses, request validators and models, and the tenant's target
// groups for private (VPC_LINK) integrations. The service and its gorm
// store live in restapiimpl. A deployment compiles the tree into the same
// snapshot routes as HTTP APIs: method M on resource path P is route "M P".
//
// The domain structs are also the JSON shapes of /v1 (camelCase, as API
// Gateway's control plane names them).
package restapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
)

// Service manages REST API resources, methods, validators, models and
// target groups. Every method is scoped to tenantID: another tenant's
// objects are not found.
type Service interface {
	ListResources(ctx context.Context, tenantID, apiID string) ([]*Resource, error)
	CreateResource(ctx context.Context, tenantID, apiID string, cmd CreateResourceCommand) (*Resource, error)
	GetResource(ctx context.Context, tenantID, apiID, resourceID string) (*Resource, error)
	UpdateResource(ctx context.Context, tenantID, apiID, resourceID string, cmd UpdateResourceCommand) (*Resource, error)
	// DeleteResource deletes the resource with its descendants and all
	// their methods. The root resource cannot be deleted.
	DeleteResource(ctx context.Context, tenantID, apiID, resourceID string) error

	PutMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string, cmd PutMethodCommand) (*Method, error)
	GetMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) (*Method, error)
	DeleteMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) error
	PutIntegration(ctx context.Context, tenantID, apiID, resourceID, httpMethod string, cmd Integration) (*Integration, error)
	GetIntegration(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) (*Integration, error)
	DeleteIntegration(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) error
	PutMethodResponse(ctx context.Context, tenantID, apiID, resourceID, httpMethod, statusCode string, cmd MethodResponse) (*MethodResponse, error)
	GetMethodResponse(ctx context.Context, tenantID, apiID, resourceID, httpMethod, statusCode string) (*MethodResponse, error)
	DeleteMethodResponse(ctx context.Context, tenantID, apiID, resourceID, httpMethod, statusCode string) error

	ListValidators(ctx context.Context, tenantID, apiID string) ([]*RequestValidator, error)
	CreateValidator(ctx context.Context, tenantID, apiID string, cmd RequestValidator) (*RequestValidator, error)
	GetValidator(ctx context.Context, tenantID, apiID, validatorID string) (*RequestValidator, error)
	DeleteValidator(ctx context.Context, tenantID, apiID, validatorID string) error

	ListModels(ctx context.Context, tenantID, apiID string) ([]*Model, error)
	CreateModel(ctx context.Context, tenantID, apiID string, cmd Model) (*Model, error)
	GetModel(ctx context.Context, tenantID, apiID, modelName string) (*Model, error)
	DeleteModel(ctx context.Context, tenantID, apiID, modelName string) error

	ListTargetGroups(ctx context.Context, tenantID string) ([]*TargetGroup, error)
	CreateTargetGroup(ctx context.Context, tenantID string, cmd TargetGroupCommand) (*TargetGroup, error)
	GetTargetGroup(ctx context.Context, tenantID, id string) (*TargetGroup, error)
	UpdateTargetGroup(ctx context.Context, tenantID, id string, cmd TargetGroupCommand) (*TargetGroup, error)
	DeleteTargetGroup(ctx context.Context, tenantID, id string) error
}

// Resource is one node of a REST API's resource tree.
type Resource struct {
	ID       string `json:"id"`
	APIID    string `json:"apiId"`
	ParentID string `json:"parentId,omitempty"`
	// PathPart is the last segment: "pets", "{petId}" or "{proxy+}"; empty
	// for the root.
	PathPart string `json:"pathPart"`
	// Path is the full path, "/" for the root.
	Path string `json:"path"`
	// ResourceMethods are the resource's methods, by HTTP method (filled in
	// by ListResources and GetResource).
	ResourceMethods map[string]*Method `json:"resourceMethods,omitempty"`
	CreatedAt       time.Time          `json:"createdAt"`
	UpdatedAt       time.Time          `json:"updatedAt"`
	TenantID        string             `json:"-"`
}

// CreateResourceCommand adds a child resource.
type CreateResourceCommand struct {
	ParentID string `json:"parentId"`
	PathPart string `json:"pathPart"`
}

// UpdateResourceCommand renames a resource's path part (its descendants'
// paths follow).
type UpdateResourceCommand struct {
	PathPart *string `json:"pathPart,omitempty"`
}

// Method is one HTTP method of a resource.
type Method struct {
	HTTPMethod string `json:"httpMethod"`
	ResourceID string `json:"resourceId"`
	PutMethodCommand
	// MethodIntegration is the method's integration, nil until put.
	MethodIntegration *Integration `json:"methodIntegration,omitempty"`
	// MethodResponses are the declared responses, by status code.
	MethodResponses map[string]*MethodResponse `json:"methodResponses,omitempty"`
	CreatedAt       time.Time                  `json:"createdAt"`
	UpdatedAt       time.Time                  `json:"updatedAt"`
}

// PutMethodCommand creates or replaces a method's request settings.
type PutMethodCommand struct {
	// AuthorizationType is NONE or AWS_IAM: the caller presents an IAM
	// access key of the tenant (Authorization: Bearer) whose policies
	// allow execute-api:Invoke on the request (gateway/gwconfig/iam.go).
	AuthorizationType string `json:"authorizationType"`
	// AuthorizerID is stored for later authorizer support.
	AuthorizerID   string `json:"authorizerId,omitempty"`
	APIKeyRequired bool   `json:"apiKeyRequired"`
	OperationName  string `json:"operationName,omitempty"`
	// RequestParameters mark method request parameters
	// ("method.request.querystring.x") as required (true) or optional.
	RequestParameters map[string]bool `json:"requestParameters,omitempty"`
	// RequestValidatorID names one of the API's request validators.
	RequestValidatorID string `json:"requestValidatorId,omitempty"`
	// RequestModels map a content type to a model name
	// ({"application/json":"Pet"}).
	RequestModels map[string]string `json:"requestModels,omitempty"`
}

// Integration is a method's integration.
type Integration struct {
	// Type is HTTP_PROXY, HTTP or MOCK.
	Type string `json:"type"`
	URI  string `json:"uri,omitempty"`
	// HTTPMethod is the upstream method (empty or ANY: the caller's).
	HTTPMethod      string `json:"httpMethod,omitempty"`
	TimeoutInMillis int    `json:"timeoutInMillis,omitempty"`
	// RequestParameters map integration.request.* targets to sources;
	// ResponseParameters map method.response.header.* targets to
	// integration.response.header.* or 'static' values.
	RequestParameters  map[string]string `json:"requestParameters,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	// RequestTemplates are stored for the mapping-template issue; a MOCK
	// integration reads its status from {"statusCode": N} in the
	// application/json template, as API Gateway does.
	RequestTemplates map[string]string `json:"requestTemplates,omitempty"`
	TLSConfig        *TLSConfig        `json:"tlsConfig,omitempty"`
	// ConnectionType is INTERNET (default) or VPC_LINK; ConnectionID is then
	// a target group id of the tenant.
	ConnectionType string `json:"connectionType,omitempty"`
	ConnectionID   string `json:"connectionId,omitempty"`
	// MockStatusCode, MockBody and MockHeaders are what a MOCK integration
	// answers (a Turnpike extension; statusCode in the request template
	// also works).
	MockStatusCode int               `json:"mockStatusCode,omitempty"`
	MockBody       string            `json:"mockBody,omitempty"`
	MockHeaders    map[string]string `json:"mockHeaders,omitempty"`
}

// TLSConfig is an integration's TLS settings.
type TLSConfig struct {
	InsecureSkipVerification bool `json:"insecureSkipVerification"`
}

// MethodResponse is a declared response of a method (stored and shown).
type MethodResponse struct {
	StatusCode string `json:"statusCode"`
	// ResponseParameters declare response headers
	// ("method.response.header.x": required).
	ResponseParameters map[string]bool `json:"responseParameters,omitempty"`
	// ResponseModels map a content type to a model name.
	ResponseModels map[string]string `json:"responseModels,omitempty"`
}

// RequestValidator says what the gateway validates for the methods that
// use it.
type RequestValidator struct {
	ID                        string `json:"id"`
	Name                      string `json:"name"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

// Model is a JSON Schema (draft-04) of a payload.
type Model struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	ContentType string          `json:"contentType"`
	Schema      json.RawMessage `json:"schema"`
}

// TargetGroup is a named set of upstreams for VPC_LINK integrations.
type TargetGroup struct {
	ID string `json:"id"`
	TargetGroupCommand
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	TenantID  string    `json:"-"`
}

// TargetGroupCommand creates or replaces a target group.
type TargetGroupCommand struct {
	Name          string      `json:"name"`
	Targets       []Target    `json:"targets"`
	HealthCheck   HealthCheck `json:"healthCheck"`
	LoadBalancing string      `json:"loadBalancing,omitempty"`
}

// Target is one upstream address ("host:port").
type Target struct {
	Address string `json:"address"`
}

// HealthCheck is a target group's active health check.
type HealthCheck struct {
	Path               string `json:"path,omitempty"`
	IntervalSeconds    int    `json:"intervalSeconds,omitempty"`
	TimeoutSeconds     int    `json:"timeoutSeconds,omitempty"`
	HealthyThreshold   int    `json:"healthyThreshold,omitempty"`
	UnhealthyThreshold int    `json:"unhealthyThreshold,omitempty"`
}

// Errors of the domain.
var (
	ErrNotREST            = apierr.Conflict("restapi.not-rest", "This API is not a REST API; HTTP APIs have routes.")
	ErrResourceNotFound   = apierr.NotFound("resource.not-found", "Resource not found.")
	ErrMethodNotFound     = apierr.NotFound("method.not-found", "Method not found.")
	ErrIntegrationMissing = apierr.NotFound("integration.not-found", "The method has no integration.")
	ErrResponseNotFound   = apierr.NotFound("method-response.not-found", "Method response not found.")
	ErrValidatorNotFound  = apierr.NotFound("validator.not-found", "Request validator not found.")
	ErrModelNotFound      = apierr.NotFound("model.not-found", "Model not found.")
	ErrTargetGroupMissing = apierr.NotFound("targetgroup.not-found", "Target group not found.")

	ErrResourceInvalid    = apierr.Unprocessable("resource.invalid", "Invalid resource.")
	ErrMethodInvalid      = apierr.Unprocessable("method.invalid", "Invalid method.")
	ErrIntegrationInvalid = apierr.Unprocessable("integration.invalid", "Invalid integration.")
	ErrResponseInvalid    = apierr.Unprocessable("method-response.invalid", "Invalid method response.")
	ErrValidatorInvalid   = apierr.Unprocessable("validator.invalid", "Invalid request validator.")
	ErrModelInvalid       = apierr.Unprocessable("model.invalid", "Invalid model.")
	ErrTargetGroupInvalid = apierr.Unprocessable("targetgroup.invalid", "Invalid target group.")

	ErrResourceExists    = apierr.Conflict("resource.duplicate", "The parent already has a child with this path part.")
	ErrRootResource      = apierr.Conflict("resource.root", "The root resource cannot be changed or deleted.")
	ErrValidatorExists   = apierr.Conflict("validator.duplicate", "The API already has a request validator with this name.")
	ErrModelExists       = apierr.Conflict("model.duplicate", "The API already has a model with this name.")
	ErrModelInUse        = apierr.Conflict("model.in-use", "A method uses this model; change the method first.")
	ErrValidatorInUse    = apierr.Conflict("validator.in-use", "A method uses this request validator; change the method first.")
	ErrTargetGroupExists = apierr.Conflict("targetgroup.duplicate", "You already have a target group with this name.")
	ErrTargetGroupInUse  = apierr.Conflict("targetgroup.in-use", "An integration uses this target group; change it first.")

	// ErrNotDeployable fails a deployment whose tree cannot be compiled
	// (a method without integration, a missing target group).
	ErrNotDeployable = apierr.Unprocessable("restapi.not-deployable", "The REST API cannot be deployed.")
)
