// Package gwconfig is the contract between the control plane and the data
// plane: the immutable snapshot of one deployed stage. The backend compiles
// its rows into these structs and validates them with the same code the
// gateway runs; the gateway imports nothing of the backend.
package gwconfig

import (
	"encoding/json"
	"time"
)

// Protocol types of an API.
const (
	ProtocolHTTP      = "HTTP"
	ProtocolREST      = "REST"
	ProtocolWebSocket = "WEBSOCKET"
)

// API key sources of a stage.
const (
	APIKeySourceHeader     = "HEADER"
	APIKeySourceAuthorizer = "AUTHORIZER"
)

// Limits fail modes of a stage: what happens when the shared limiter is
// unreachable.
const (
	LimitsFailOpen   = "OPEN"
	LimitsFailClosed = "CLOSED"
)

// Integration types.
const (
	IntegrationHTTPProxy = "HTTP_PROXY"
	IntegrationMock      = "MOCK"
)

// Integration timeout bounds, as API Gateway sets them.
const (
	MinTimeoutMillis     = 50
	MaxTimeoutMillis     = 29000
	DefaultTimeoutMillis = 29000
)

// Stage is everything a gateway needs to serve one stage of one API. It is
// published as a whole and never changed once published: a new deployment or
// a stage-variable change publishes a new Stage with a higher Revision.
type Stage struct {
	// TenantID owns the API; the gateway labels metrics and logs with it.
	TenantID string `json:"tenantId"`
	// APIID is the API's id, the first label of the invoke host
	// ({apiId}.execute-api.{baseDomain}).
	APIID string `json:"apiId"`
	// APIName is the API's display name, for logs and metrics only.
	APIName string `json:"apiName,omitempty"`
	// ProtocolType is HTTP or REST.
	ProtocolType string `json:"protocolType"`
	// StageName is the first path segment of every request to this stage.
	StageName string `json:"stageName"`
	// DeploymentID identifies the immutable deployment this stage serves.
	// Gateways report it in their heartbeats, which is how a deploy knows
	// the fleet has converged.
	DeploymentID string `json:"deploymentId"`
	// Revision increases with every publish of this stage, so a gateway can
	// skip a config it already holds.
	Revision int64 `json:"revision"`
	// StageVariables substitute into integration URIs as
	// ${stageVariables.name}.
	StageVariables map[string]string `json:"stageVariables,omitempty"`
	// Routes are the API's routes as they were when deployed.
	Routes []Route `json:"routes"`
	// Throttle is the stage's default throttle for every route that has no
	// method throttle (nil: no stage limit, only the tenant ceiling).
	Throttle *Throttle `json:"throttle,omitempty"`
	// APIKeySource is where the API key comes from: HEADER (x-api-key, the
	// default) or AUTHORIZER (the key the authorizer returned).
	APIKeySource string `json:"apiKeySource,omitempty"`
	// LimitsFailMode is what happens when the shared limiter (Redis) is
	// unreachable: OPEN (the default) admits through a local limiter at
	// rate/N per gateway; CLOSED refuses with 503.
	LimitsFailMode string `json:"limitsFailMode,omitempty"`
	// PublishedAt is when the control plane published this revision.
	PublishedAt time.Time `json:"publishedAt"`
	// Cache is the stage's response cache (cache.go); nil is off.
	Cache *StageCache `json:"cache,omitempty"`
	// AccessLog is the stage's access log (logs.go); nil writes none.
	AccessLog *AccessLog `json:"accessLog,omitempty"`

	// EndpointType is REGIONAL (default), PRIVATE or EDGE (served as
	// REGIONAL). A PRIVATE stage answers only AllowedSourceCIDRs (rest.go).
	EndpointType       string   `json:"endpointType,omitempty"`
	AllowedSourceCIDRs []string `json:"allowedSourceCidrs,omitempty"`
	// TargetGroups are the tenant's target groups the routes' VPC_LINK
	// integrations use, by id.
	TargetGroups map[string]TargetGroup `json:"targetGroups,omitempty"`
}

// Key is the stage's identity in the fleet: "{apiId}/{stageName}".
func (s *Stage) Key() string { return StageKey(s.APIID, s.StageName) }

// StageKey builds the fleet-wide identity of a stage.
func StageKey(apiID, stageName string) string { return apiID + "/" + stageName }

// Route is one route of an API: a route key and what to do with matching
// requests.
type Route struct {
	// RouteID is the route's id in the control plane.
	RouteID string `json:"routeId"`
	// RouteKey is "METHOD /path" with {param} and greedy {proxy+}
	// segments, "ANY /path", or "$default".
	RouteKey string `json:"routeKey"`
	// Integration says where matching requests go.
	Integration Integration `json:"integration"`
	// Cache is the route's cache settings (cache.go); nil caches GET
	// routes with the stage's defaults when the stage cache is on.
	Cache *RouteCache `json:"cache,omitempty"`
	// RequestParameters are the method request parameters
	// ("method.request.querystring.x") and whether each is required.
	RequestParameters map[string]bool `json:"requestParameters,omitempty"`
	// RequestValidator says what to check before the integration (rest.go).
	RequestValidator *RequestValidator `json:"requestValidator,omitempty"`
	// RequestSchema is the JSON Schema (draft-04) of the request body.
	RequestSchema json.RawMessage `json:"requestSchema,omitempty"`
	// APIKeyRequired makes the route refuse callers without an enabled API
	// key in a usage plan that includes this stage (403).
	APIKeyRequired bool `json:"apiKeyRequired,omitempty"`
	// Throttle is the method throttle; it overrides the stage's default.
	Throttle *Throttle `json:"throttle,omitempty"`
	// MethodThrottle is the stage's method setting throttle for this route
	// (methodSettings throttlingRateLimit/BurstLimit); it overrides Throttle
	// and the stage's default. It is kept apart from Throttle because it is
	// the stage's current setting, not the deployment's.
	MethodThrottle *Throttle `json:"methodThrottle,omitempty"`
	// AuthorizationType is NONE (default) or AWS_IAM: the caller presents
	// a Turnpike IAM access key of the API's tenant whose policies allow
	// execute-api:Invoke on the request's resource (iam.go).
	AuthorizationType string `json:"authorizationType,omitempty"`
}

// Integration is the backend of a route.
type Integration struct {
	// Type is HTTP_PROXY, HTTP or MOCK.
	Type string `json:"type"`
	// URI is the upstream URL for HTTP_PROXY. It may contain
	// ${stageVariables.name} and {param} placeholders; {proxy} takes the
	// greedy path remainder.
	URI string `json:"uri,omitempty"`
	// HTTPMethod overrides the upstream method; empty or ANY forwards the
	// caller's method.
	HTTPMethod string `json:"httpMethod,omitempty"`
	// TimeoutInMillis bounds the upstream call (50–29000, default 29000).
	TimeoutInMillis int `json:"timeoutInMillis,omitempty"`
	// MockStatusCode is the status a MOCK integration answers with
	// (default 200).
	MockStatusCode int `json:"mockStatusCode,omitempty"`
	// MockBody is the body a MOCK integration answers with.
	MockBody string `json:"mockBody,omitempty"`
	// MockHeaders are the headers a MOCK integration answers with.
	MockHeaders map[string]string `json:"mockHeaders,omitempty"`

	// RequestParameters map "integration.request.{header|querystring|path}.x"
	// to a source (rest.go); ResponseParameters map
	// "method.response.header.x" to a source.
	RequestParameters  map[string]string `json:"requestParameters,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	// TLSInsecureSkipVerify turns off upstream certificate verification.
	TLSInsecureSkipVerify bool `json:"tlsInsecureSkipVerify,omitempty"`
	// ConnectionType is INTERNET (default) or VPC_LINK; a VPC_LINK
	// integration sends to a target of TargetGroupID.
	ConnectionType string `json:"connectionType,omitempty"`
	TargetGroupID  string `json:"targetGroupId,omitempty"`
}

// SetDefaults fills in the defaults of every optional field.
func (s *Stage) SetDefaults() {
	if s.ProtocolType == "" {
		s.ProtocolType = ProtocolHTTP
	}
	if s.Cache != nil {
		s.Cache.setDefaults()
	}
	for i := range s.Routes {
		in := &s.Routes[i].Integration
		if in.TimeoutInMillis == 0 {
			in.TimeoutInMillis = DefaultTimeoutMillis
		}
		if in.Type == IntegrationMock && in.MockStatusCode == 0 {
			in.MockStatusCode = 200
		}
	}
}
