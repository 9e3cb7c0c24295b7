package api

import (
	"net/url"
	"time"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// The JSON shapes of docs/rest-contract.md. They are exported so that the
// OpenAPI document can name their schemas (the "View" suffix is dropped).

// APIView is an API as the REST API shows it.
type APIView struct {
	APIID        string `json:"apiId"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	ProtocolType string `json:"protocolType"`
	// EndpointConfiguration is the API's endpoint type (REGIONAL, PRIVATE
	// with allowed source CIDRs, or EDGE, served as REGIONAL).
	EndpointConfiguration apis.EndpointConfiguration `json:"endpointConfiguration"`
	// APIEndpoint is the API's invoke host: stages are paths below it.
	APIEndpoint string    `json:"apiEndpoint"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// APIListView is a list of APIs.
type APIListView struct {
	Items []APIView `json:"items"`
}

// IntegrationView is a route's integration with every field present.
type IntegrationView struct {
	Type            string            `json:"type"`
	URI             string            `json:"uri"`
	HTTPMethod      string            `json:"httpMethod"`
	TimeoutInMillis int               `json:"timeoutInMillis"`
	MockStatusCode  int               `json:"mockStatusCode"`
	MockBody        string            `json:"mockBody"`
	MockHeaders     map[string]string `json:"mockHeaders,omitempty"`
}

// RouteView is a route.
type RouteView struct {
	RouteID     string          `json:"routeId"`
	RouteKey    string          `json:"routeKey"`
	Integration IntegrationView `json:"integration"`
	// APIKeyRequired makes callers send an API key of a usage plan.
	APIKeyRequired bool `json:"apiKeyRequired"`
	// Throttle is the method throttle, absent when the stage's applies.
	Throttle *gwconfig.Throttle `json:"throttle,omitempty"`
	// AuthorizationType is NONE or AWS_IAM (callers send Authorization:
	// Bearer <Turnpike access key> allowed execute-api:Invoke).
	AuthorizationType string    `json:"authorizationType"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
}

// RouteListView is a list of routes.
type RouteListView struct {
	Items []RouteView `json:"items"`
}

// StageView is a stage.
type StageView struct {
	StageName      string            `json:"stageName"`
	Description    string            `json:"description"`
	StageVariables map[string]string `json:"stageVariables"`
	// Throttle is the stage's default throttle, absent when none.
	Throttle *gwconfig.Throttle `json:"throttle,omitempty"`
	// CacheClusterEnabled is whether the stage's cache is on.
	CacheClusterEnabled bool `json:"cacheClusterEnabled"`
	// CacheClusterSize is the cache's memory in MB ("0.5"), absent when
	// no cache is set up.
	CacheClusterSize string `json:"cacheClusterSize,omitempty"`
	// CacheTTLInSeconds is the default time to live of cached answers.
	CacheTTLInSeconds int `json:"cacheTtlInSeconds,omitempty"`
	// RequireAuthorizationForCacheControl and
	// UnauthorizedCacheControlHeaderStrategy govern Cache-Control:
	// max-age=0 from callers.
	RequireAuthorizationForCacheControl    bool   `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
	// XCacheHeader adds X-Cache: Hit or Miss to cacheable answers.
	XCacheHeader bool `json:"xCacheHeader"`
	// MethodSettings are route keys' cache settings.
	MethodSettings map[string]apis.MethodSetting `json:"methodSettings"`
	// AccessLogSettings is the stage's access log, absent when none.
	AccessLogSettings *apis.AccessLogSettings `json:"accessLogSettings,omitempty"`
	// DeploymentID is the deployment the stage serves; empty until its
	// first successful deploy.
	DeploymentID string `json:"deploymentId"`
	// InvokeURL is where callers reach the stage.
	InvokeURL string `json:"invokeUrl"`
	// LastDeploymentStatus is the status of the stage's newest deployment.
	LastDeploymentStatus string    `json:"lastDeploymentStatus"`
	CreatedAt            time.Time `json:"createdAt"`
	UpdatedAt            time.Time `json:"updatedAt"`
}

// StageListView is a list of stages.
type StageListView struct {
	Items []StageView `json:"items"`
}

// DeploymentView is a deployment.
type DeploymentView struct {
	DeploymentID string `json:"deploymentId"`
	StageName    string `json:"stageName"`
	Description  string `json:"description"`
	// Status is PENDING, IN_PROGRESS, DEPLOYED or FAILED.
	Status       string               `json:"status"`
	StatusReason string               `json:"statusReason"`
	Progress     []apis.ProgressEntry `json:"progress"`
	RouteCount   int                  `json:"routeCount"`
	CreatedAt    time.Time            `json:"createdAt"`
	UpdatedAt    time.Time            `json:"updatedAt"`
	DeployedAt   *time.Time           `json:"deployedAt,omitempty"`
}

// DeploymentListView is a list of deployments, newest first.
type DeploymentListView struct {
	Items []DeploymentView `json:"items"`
}

// GatewayView is a live gateway of the fleet, with the tenant's stages it
// serves.
type GatewayView struct {
	GatewayID string    `json:"gatewayId"`
	Addr      string    `json:"addr"`
	StartedAt time.Time `json:"startedAt"`
	SeenAt    time.Time `json:"seenAt"`
	// Stages maps "apiId/stageName" to the deployment id served there.
	Stages map[string]string `json:"stages"`
}

// GatewayListView is a list of gateways.
type GatewayListView struct {
	Items []GatewayView `json:"items"`
}

// endpoints builds invoke URLs: {scheme}://{apiId}.execute-api.{baseDomain}{:port}.
type endpoints struct {
	scheme, baseDomain, port string
}

func newEndpoints(baseDomain, gatewayURL string) (endpoints, error) {
	if baseDomain == "" {
		baseDomain = "localhost"
	}
	if gatewayURL == "" {
		gatewayURL = "http://localhost:8081"
	}
	u, err := url.Parse(gatewayURL)
	if err != nil {
		return endpoints{}, err
	}
	e := endpoints{scheme: u.Scheme, baseDomain: baseDomain, port: u.Port()}
	if e.scheme == "" {
		e.scheme = "http"
	}
	if (e.scheme == "http" && e.port == "80") || (e.scheme == "https" && e.port == "443") {
		e.port = ""
	}
	return e, nil
}

func (e endpoints) api(apiID string) string {
	s := e.scheme + "://" + apiID + ".execute-api." + e.baseDomain
	if e.port != "" {
		s += ":" + e.port
	}
	return s
}

func (e endpoints) stage(apiID, stageName string) string { return e.api(apiID) + "/" + stageName }

func (e endpoints) apiView(a *apis.API) APIView {
	ec := a.EndpointConfiguration
	if len(ec.Types) == 0 {
		ec.Types = []string{gwconfig.EndpointRegional}
	}
	return APIView{APIID: a.ID, Name: a.Name, Description: a.Description, ProtocolType: a.ProtocolType,
		EndpointConfiguration: ec, APIEndpoint: e.api(a.ID), CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func routeView(r *apis.Route) RouteView {
	return RouteView{RouteID: r.ID, RouteKey: r.RouteKey, Integration: integrationView(r.Integration),
		APIKeyRequired: r.APIKeyRequired, Throttle: r.Throttle, AuthorizationType: r.AuthorizationType,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func integrationView(in gwconfig.Integration) IntegrationView {
	return IntegrationView{Type: in.Type, URI: in.URI, HTTPMethod: in.HTTPMethod, TimeoutInMillis: in.TimeoutInMillis,
		MockStatusCode: in.MockStatusCode, MockBody: in.MockBody, MockHeaders: in.MockHeaders}
}

func (e endpoints) stageView(s *apis.Stage) StageView {
	vars := s.StageVariables
	if vars == nil {
		vars = map[string]string{}
	}
	methods := s.MethodSettings
	if methods == nil {
		methods = map[string]apis.MethodSetting{}
	}
	v := StageView{StageName: s.StageName, Description: s.Description, StageVariables: vars, Throttle: s.Throttle,
		MethodSettings: methods, AccessLogSettings: s.AccessLog,
		DeploymentID: s.DeploymentID, InvokeURL: e.stage(s.APIID, s.StageName),
		LastDeploymentStatus: s.LastDeploymentStatus, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
	if c := s.Cache; c != nil {
		v.CacheClusterEnabled = c.Enabled
		v.CacheClusterSize = apis.FormatCacheSize(c.SizeMB)
		v.CacheTTLInSeconds = c.DefaultTTLSeconds
		v.RequireAuthorizationForCacheControl = c.RequireAuthorizationForCacheControl
		v.UnauthorizedCacheControlHeaderStrategy = c.UnauthorizedCacheControlHeaderStrategy
		v.XCacheHeader = c.XCacheHeader
	}
	return v
}

func deploymentView(d *apis.Deployment) DeploymentView {
	p := d.Progress
	if p == nil {
		p = []apis.ProgressEntry{}
	}
	return DeploymentView{DeploymentID: d.ID, StageName: d.StageName, Description: d.Description, Status: d.Status,
		StatusReason: d.StatusReason, Progress: p, RouteCount: d.RouteCount, CreatedAt: d.CreatedAt,
		UpdatedAt: d.UpdatedAt, DeployedAt: d.DeployedAt}
}
