// Package apis is the API-definition domain: APIs, their routes and stages,
// and the deployments that snapshot them onto the fleet. The Service
// interface, its commands and queries and its errors live here; the service
// and its gorm store live in apisimpl, fakes in apistest.
package apis

import (
	"context"
	"time"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/workflows/deploy"
)

// Service manages a tenant's APIs, routes, stages and deployments. Every
// method is scoped to tenantID: another tenant's resources are not found.
type Service interface {
	CreateAPI(ctx context.Context, tenantID string, cmd CreateAPICommand) (*API, error)
	GetAPI(ctx context.Context, tenantID, apiID string) (*API, error)
	ListAPIs(ctx context.Context, tenantID string) ([]*API, error)
	UpdateAPI(ctx context.Context, tenantID, apiID string, cmd UpdateAPICommand) (*API, error)
	// DeleteAPI deletes the API with its routes, stages and deployments and
	// withdraws its stages from the fleet.
	DeleteAPI(ctx context.Context, tenantID, apiID string) error

	CreateRoute(ctx context.Context, tenantID, apiID string, cmd CreateRouteCommand) (*Route, error)
	GetRoute(ctx context.Context, tenantID, apiID, routeID string) (*Route, error)
	ListRoutes(ctx context.Context, tenantID, apiID string) ([]*Route, error)
	UpdateRoute(ctx context.Context, tenantID, apiID, routeID string, cmd UpdateRouteCommand) (*Route, error)
	DeleteRoute(ctx context.Context, tenantID, apiID, routeID string) error

	CreateStage(ctx context.Context, tenantID, apiID string, cmd CreateStageCommand) (*Stage, error)
	GetStage(ctx context.Context, tenantID, apiID, stageName string) (*Stage, error)
	ListStages(ctx context.Context, tenantID, apiID string) ([]*Stage, error)
	// UpdateStage changes a stage; new stage variables of a deployed stage
	// reach the fleet at once, without a redeploy.
	UpdateStage(ctx context.Context, tenantID, apiID, stageName string, cmd UpdateStageCommand) (*Stage, error)
	// DeleteStage deletes the stage and withdraws it from the fleet.
	DeleteStage(ctx context.Context, tenantID, apiID, stageName string) error

	// CreateDeployment records a PENDING deployment of the API to a stage
	// and starts the deploy workflow.
	CreateDeployment(ctx context.Context, tenantID, apiID string, cmd CreateDeploymentCommand) (*Deployment, error)
	GetDeployment(ctx context.Context, tenantID, apiID, deploymentID string) (*Deployment, error)
	// ListDeployments returns the API's deployments, newest first.
	ListDeployments(ctx context.Context, tenantID, apiID string) ([]*Deployment, error)
}

// Starter starts the deploy workflow of one deployment; deploy.NewStarter
// returns one over a Temporal client.
type Starter = deploy.Starter

// Publisher is the part of the fleet bus the service writes to.
type Publisher interface {
	PutStage(ctx context.Context, s *gwconfig.Stage) error
	DeleteStage(ctx context.Context, apiID, stageName string) error
}

var _ Publisher = fleet.Bus(nil)

// API is an API definition.
type API struct {
	ID           string
	TenantID     string
	Name         string
	Description  string
	ProtocolType string
	// EndpointConfiguration says who may call the API (REGIONAL, PRIVATE
	// with allowed source CIDRs, or EDGE served as REGIONAL).
	EndpointConfiguration EndpointConfiguration
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// EndpointConfiguration is an API's endpoint type, as API Gateway names
// it: {"types":["PRIVATE"],"allowedSourceCidrs":["10.0.0.0/8"]}. EDGE is
// accepted and behaves as REGIONAL.
type EndpointConfiguration struct {
	Types              []string `json:"types"`
	AllowedSourceCIDRs []string `json:"allowedSourceCidrs,omitempty"`
}

// EndpointType is the configuration's one type (REGIONAL when unset).
func (e EndpointConfiguration) EndpointType() string {
	if len(e.Types) == 0 {
		return gwconfig.EndpointRegional
	}
	return e.Types[0]
}

// Route is one route of an API.
type Route struct {
	ID       string
	TenantID string
	APIID    string
	// RouteKey is canonical: gwconfig.ParseRouteKey(key).String().
	RouteKey    string
	Integration gwconfig.Integration
	// APIKeyRequired makes the gateway refuse callers without an enabled
	// API key in a usage plan for the stage (403).
	APIKeyRequired bool
	// Throttle is the route's method throttle (nil: the stage's default).
	Throttle *gwconfig.Throttle
	// AuthorizationType is NONE or AWS_IAM (the gateway's iamauth stage
	// then wants a Turnpike access key allowed execute-api:Invoke).
	AuthorizationType string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Stage is a named stage of an API, pointing at the deployment it serves.
type Stage struct {
	TenantID       string
	APIID          string
	StageName      string
	Description    string
	StageVariables map[string]string
	// Throttle is the stage's default throttle for routes without one (nil:
	// only the tenant ceiling applies).
	Throttle *gwconfig.Throttle
	// Cache is the stage's response cache (nil: none).
	Cache *gwconfig.StageCache
	// MethodSettings are cache settings by canonical route key.
	MethodSettings map[string]MethodSetting
	// AccessLog is the stage's access log (nil: none).
	AccessLog *AccessLogSettings
	// DeploymentID is the deployment the stage serves; empty until the
	// first successful deploy.
	DeploymentID string
	// LastDeploymentStatus is the status of the stage's newest deployment,
	// empty if it has none.
	LastDeploymentStatus string
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Deployment is one deploy of an API to a stage.
type Deployment struct {
	ID           string
	TenantID     string
	APIID        string
	StageName    string
	Description  string
	Status       string
	StatusReason string
	Progress     []ProgressEntry
	RouteCount   int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DeployedAt   *time.Time
}

// Terminal reports whether the deployment has finished, well or not.
func (d *Deployment) Terminal() bool {
	return d.Status == deploy.StatusDeployed || d.Status == deploy.StatusFailed
}

// ProgressEntry is one line of a deployment's progress.
type ProgressEntry struct {
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}
