package apis

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Limits on user input.
const (
	MaxNameLength           = 128
	MaxDescriptionLength    = 1024
	MaxStageVariables       = 64
	MaxStageVariableValue   = 2048
	maxDescriptionLengthMsg = "must be at most 1024 characters"
)

// CreateAPICommand creates an API.
type CreateAPICommand struct {
	// Name is the API's display name (1–128 characters).
	Name string `json:"name"`
	// ProtocolType is HTTP or REST; WEBSOCKET is not supported yet.
	ProtocolType string `json:"protocolType"`
	// Description is free text (up to 1024 characters).
	Description string `json:"description,omitempty"`
}

// Validate checks the command; problems are a 422 with per-field details.
func (c *CreateAPICommand) Validate() error {
	v := newValidator(ErrAPIInvalid)
	v.name("name", c.Name)
	v.description("description", c.Description)
	switch c.ProtocolType {
	case gwconfig.ProtocolHTTP, gwconfig.ProtocolREST:
	case gwconfig.ProtocolWebSocket:
		v.Add("protocolType", "not_supported", "WEBSOCKET APIs are not supported yet; use HTTP or REST")
	case "":
		v.Add("protocolType", "required", "is required (HTTP or REST)")
	default:
		v.Add("protocolType", "invalid", fmt.Sprintf("%q is not HTTP or REST", c.ProtocolType))
	}
	return v.Err()
}

// UpdateAPICommand changes an API; nil fields are left as they are.
type UpdateAPICommand struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	// EndpointConfiguration replaces the API's endpoint type and allowed
	// source CIDRs; it reaches the gateways with the next deployment.
	EndpointConfiguration *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
}

// Validate checks the command.
func (c *UpdateAPICommand) Validate() error {
	v := newValidator(ErrAPIInvalid)
	if c.Name != nil {
		v.name("name", *c.Name)
	}
	if c.Description != nil {
		v.description("description", *c.Description)
	}
	if e := c.EndpointConfiguration; e != nil {
		v.endpointConfiguration(e)
	}
	return v.Err()
}

// endpointConfiguration checks an endpoint configuration: one type, and
// CIDRs only (and at least one) for PRIVATE.
func (v *validator) endpointConfiguration(e *EndpointConfiguration) {
	if len(e.Types) != 1 {
		v.Add("endpointConfiguration.types", "invalid", "must name exactly one type: REGIONAL, PRIVATE or EDGE")
		return
	}
	switch e.Types[0] {
	case gwconfig.EndpointRegional, gwconfig.EndpointEdge:
		if len(e.AllowedSourceCIDRs) > 0 {
			v.Add("endpointConfiguration.allowedSourceCidrs", "invalid", "only PRIVATE APIs have allowed source CIDRs")
		}
	case gwconfig.EndpointPrivate:
		if len(e.AllowedSourceCIDRs) == 0 {
			v.Add("endpointConfiguration.allowedSourceCidrs", "required", "a PRIVATE API needs at least one allowed source CIDR")
		}
		for i, c := range e.AllowedSourceCIDRs {
			if _, err := netip.ParsePrefix(c); err != nil {
				v.Add(fmt.Sprintf("endpointConfiguration.allowedSourceCidrs[%d]", i), "invalid", "is not a CIDR (10.0.0.0/8)")
			}
		}
		if len(e.AllowedSourceCIDRs) > 64 {
			v.Add("endpointConfiguration.allowedSourceCidrs", "too_many", "at most 64 CIDRs")
		}
	default:
		v.Add("endpointConfiguration.types", "invalid", "must be REGIONAL, PRIVATE or EDGE")
	}
}

// CreateRouteCommand adds a route to an API.
type CreateRouteCommand struct {
	// RouteKey is "METHOD /path" (with {param} and {proxy+} segments),
	// "ANY /path" or "$default".
	RouteKey string `json:"routeKey"`
	// Integration says where matching requests go.
	Integration gwconfig.Integration `json:"integration"`
	// APIKeyRequired makes callers send an API key (x-api-key) of a usage
	// plan that includes the stage.
	APIKeyRequired bool `json:"apiKeyRequired,omitempty"`
	// Throttle is the route's method throttle; it overrides the stage's.
	Throttle *gwconfig.Throttle `json:"throttle,omitempty"`
	// AuthorizationType is NONE (default) or AWS_IAM: callers then send
	// Authorization: Bearer <Turnpike access key> whose policies allow
	// execute-api:Invoke.
	AuthorizationType string `json:"authorizationType,omitempty"`
}

// Validate checks the command and puts the route key in canonical form and
// the integration's defaults in place.
func (c *CreateRouteCommand) Validate() error {
	v := newValidator(ErrRouteInvalid)
	c.RouteKey = v.routeKey("routeKey", c.RouteKey)
	v.integration(&c.Integration)
	v.throttle("throttle", c.Throttle)
	c.AuthorizationType = v.authorizationType("authorizationType", c.AuthorizationType)
	return v.Err()
}

// UpdateRouteCommand changes a route; nil fields are left as they are. An
// integration replaces the route's integration as a whole.
type UpdateRouteCommand struct {
	RouteKey    *string               `json:"routeKey,omitempty"`
	Integration *gwconfig.Integration `json:"integration,omitempty"`
	// APIKeyRequired, when given, replaces the route's setting.
	APIKeyRequired *bool `json:"apiKeyRequired,omitempty"`
	// Throttle, when given, replaces the method throttle; null removes it.
	Throttle OptionalThrottle `json:"throttle"`
	// AuthorizationType, when given, replaces the route's (NONE or AWS_IAM).
	AuthorizationType *string `json:"authorizationType,omitempty"`
}

// Validate checks the command and canonicalises what it sets.
func (c *UpdateRouteCommand) Validate() error {
	v := newValidator(ErrRouteInvalid)
	if c.RouteKey != nil {
		k := v.routeKey("routeKey", *c.RouteKey)
		c.RouteKey = &k
	}
	if c.Integration != nil {
		v.integration(c.Integration)
	}
	v.throttle("throttle", c.Throttle.Value)
	if c.AuthorizationType != nil {
		a := v.authorizationType("authorizationType", *c.AuthorizationType)
		c.AuthorizationType = &a
	}
	return v.Err()
}

// CreateStageCommand adds a stage to an API.
type CreateStageCommand struct {
	// StageName is the first path segment of the stage's invoke URL (1–128
	// letters, digits, '-' or '_').
	StageName   string `json:"stageName"`
	Description string `json:"description,omitempty"`
	// StageVariables substitute into integration URIs as
	// ${stageVariables.name}.
	StageVariables map[string]string `json:"stageVariables,omitempty"`
	// Throttle is the stage's default throttle for routes without one.
	Throttle *gwconfig.Throttle `json:"throttle,omitempty"`
	// Cache settings of the stage (cacheClusterEnabled, ...).
	StageCacheSettings
	// MethodSettings are route keys' cache settings.
	MethodSettings map[string]MethodSetting `json:"methodSettings,omitempty"`
	// AccessLogSettings is the stage's access log; absent writes none.
	AccessLogSettings *AccessLogSettings `json:"accessLogSettings,omitempty"`
}

// Validate checks the command.
func (c *CreateStageCommand) Validate() error {
	v := newValidator(ErrStageInvalid)
	v.stageName("stageName", c.StageName)
	v.description("description", c.Description)
	v.stageVariables(c.StageVariables)
	v.throttle("throttle", c.Throttle)
	c.MethodSettings = v.stageSettings(&c.StageCacheSettings, c.MethodSettings, c.AccessLogSettings)
	return v.Err()
}

// UpdateStageCommand changes a stage; nil fields are left as they are.
// StageVariables replaces every variable; {} removes them all.
type UpdateStageCommand struct {
	Description    *string           `json:"description,omitempty"`
	StageVariables map[string]string `json:"stageVariables,omitempty"`
	// Throttle, when given, replaces the stage's default throttle (null
	// removes it); a deployed stage gets it at once, without a redeploy.
	Throttle OptionalThrottle `json:"throttle"`
	// Cache settings given replace the stage's; a deployed stage gets
	// them, the method settings and the access log at once.
	StageCacheSettings
	// MethodSettings, when given, replaces every route's cache settings
	// ({} removes them all).
	MethodSettings map[string]MethodSetting `json:"methodSettings,omitempty"`
	// AccessLogSettings, when given, replaces the access log; null removes
	// it.
	AccessLogSettings Optional[AccessLogSettings] `json:"accessLogSettings"`
}

// Validate checks the command.
func (c *UpdateStageCommand) Validate() error {
	v := newValidator(ErrStageInvalid)
	if c.Description != nil {
		v.description("description", *c.Description)
	}
	v.stageVariables(c.StageVariables)
	v.throttle("throttle", c.Throttle.Value)
	c.MethodSettings = v.stageSettings(&c.StageCacheSettings, c.MethodSettings, c.AccessLogSettings.Value)
	return v.Err()
}

// CreateDeploymentCommand deploys the API's current routes to a stage.
type CreateDeploymentCommand struct {
	// StageName is the stage to deploy to; it must exist.
	StageName   string `json:"stageName"`
	Description string `json:"description,omitempty"`
}

// Validate checks the command.
func (c *CreateDeploymentCommand) Validate() error {
	v := newValidator(ErrDeploymentInvalid)
	v.stageName("stageName", c.StageName)
	v.description("description", c.Description)
	return v.Err()
}

// validator collects field problems into one 422 and knows the domain's
// field rules.
type validator struct{ *apierr.Fields }

func newValidator(base *apierr.Error) *validator { return &validator{apierr.NewFields(base)} }

func (v *validator) name(field, s string) {
	switch {
	case strings.TrimSpace(s) == "":
		v.Add(field, "required", "cannot be blank")
	case utf8.RuneCountInString(s) > MaxNameLength:
		v.Add(field, "too_long", fmt.Sprintf("must be at most %d characters", MaxNameLength))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, "invalid", "cannot contain control characters")
	}
}

func (v *validator) description(field, s string) {
	if utf8.RuneCountInString(s) > MaxDescriptionLength {
		v.Add(field, "too_long", maxDescriptionLengthMsg)
	}
}

func (v *validator) stageName(field, s string) {
	switch {
	case s == "":
		v.Add(field, "required", "is required")
	case !gwconfig.ValidStageName(s):
		v.Add(field, "invalid", "must be 1-128 letters, digits, '-' or '_'")
	}
}

func (v *validator) stageVariables(vars map[string]string) {
	if len(vars) > MaxStageVariables {
		v.Add("stageVariables", "too_many", fmt.Sprintf("at most %d stage variables", MaxStageVariables))
		return
	}
	for name, val := range vars {
		field := "stageVariables." + name
		switch {
		case !gwconfig.ValidStageVariableName(name):
			v.Add(field, "invalid", "names are 1-64 letters, digits or '_'")
		case utf8.RuneCountInString(val) > MaxStageVariableValue:
			v.Add(field, "too_long", fmt.Sprintf("values are at most %d characters", MaxStageVariableValue))
		case strings.IndexFunc(val, unicode.IsControl) >= 0:
			v.Add(field, "invalid", "values cannot contain control characters")
		}
	}
}

func (v *validator) routeKey(field, key string) string {
	if key == "" {
		v.Add(field, "required", "is required (\"METHOD /path\" or \"$default\")")
		return key
	}
	rk, err := gwconfig.ParseRouteKey(key)
	if err != nil {
		v.Add(field, "invalid", err.Error())
		return key
	}
	return rk.String()
}

// authorizationType checks a route's authorization type; empty means NONE.
// Custom and Cognito authorizers do not exist for HTTP APIs here.
func (v *validator) authorizationType(field, t string) string {
	switch t {
	case "":
		return gwconfig.AuthorizationNone
	case gwconfig.AuthorizationNone, gwconfig.AuthorizationAWSIAM:
	default:
		v.Add(field, "not_supported", "must be NONE or AWS_IAM (custom and JWT authorizers are not supported yet)")
	}
	return t
}

// integration validates with the gateway's own code, then fills in the
// defaults the gateway would apply, so answers show what will run.
func (v *validator) integration(in *gwconfig.Integration) {
	if err := gwconfig.ValidateIntegration("integration.", in); err != nil {
		if ve, ok := gwconfig.AsValidationError(err); ok {
			for _, f := range ve.Fields {
				v.Add(f.Field, f.Code, f.Message)
			}
			return
		}
		v.Add("integration", "invalid", err.Error())
		return
	}
	if in.TimeoutInMillis == 0 {
		in.TimeoutInMillis = gwconfig.DefaultTimeoutMillis
	}
	if in.Type == gwconfig.IntegrationMock && in.MockStatusCode == 0 {
		in.MockStatusCode = 200
	}
}

// OptionalThrottle is a PATCH throttle that tells "absent" (Set false) from
// null (Set, Value nil: remove it) and a value.
type OptionalThrottle struct {
	Set   bool
	Value *gwconfig.Throttle
}

// UnmarshalJSON implements json.Unmarshaler; it is called for null too.
func (o *OptionalThrottle) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var t gwconfig.Throttle
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	o.Value = &t
	return nil
}

// MarshalJSON implements json.Marshaler.
func (o OptionalThrottle) MarshalJSON() ([]byte, error) { return json.Marshal(o.Value) }

// throttle checks a route or stage throttle: more than 0 requests per
// second, a burst of at least 1.
func (v *validator) throttle(field string, t *gwconfig.Throttle) {
	if t == nil {
		return
	}
	if math.IsNaN(t.RateLimit) || t.RateLimit <= 0 || t.RateLimit > 1_000_000 {
		v.Add(field+".rateLimit", "invalid", "must be more than 0 and at most 1000000 requests per second")
	}
	if t.BurstLimit < 1 || t.BurstLimit > 1_000_000 {
		v.Add(field+".burstLimit", "invalid", "must be 1-1000000 requests")
	}
}
