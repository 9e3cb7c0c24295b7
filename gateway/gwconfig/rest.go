package gwconfig

// This file is the contract for what REST APIs add to a route and a stage:
// required request parameters, request validation against a JSON Schema
// model, parameter mappings of integrations, endpoint types and private
// integrations through target groups.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"
)

// IntegrationHTTP is an HTTP integration. Until mapping templates arrive
// (a later issue; requestTemplates are stored, not applied) it behaves as
// HTTP_PROXY plus its parameter mappings: the caller's headers, query and
// body are forwarded too.
const IntegrationHTTP = "HTTP"

// Endpoint types of an API. EDGE is accepted and behaves as REGIONAL.
const (
	EndpointRegional = "REGIONAL"
	EndpointPrivate  = "PRIVATE"
	EndpointEdge     = "EDGE"
)

// Connection types of an integration.
const (
	ConnectionInternet = "INTERNET"
	ConnectionVPCLink  = "VPC_LINK"
)

// Load-balancing algorithms of a target group.
const (
	LBRoundRobin    = "ROUND_ROBIN"
	LBLeastRequests = "LEAST_REQUESTS"
)

// RequestValidator says what the gateway checks before calling the
// integration.
type RequestValidator struct {
	// Body validates the JSON body against Route.RequestSchema.
	Body bool `json:"body,omitempty"`
	// Parameters checks that the required request parameters
	// (Route.RequestParameters) are present.
	Parameters bool `json:"parameters,omitempty"`
}

// TargetGroup is a named set of upstream addresses a VPC_LINK integration
// sends to, with active health checks. It belongs to one tenant.
type TargetGroup struct {
	ID       string `json:"id"`
	TenantID string `json:"tenantId"`
	Name     string `json:"name,omitempty"`
	// Targets are host:port addresses.
	Targets     []Target    `json:"targets"`
	HealthCheck HealthCheck `json:"healthCheck"`
	// LoadBalancing is ROUND_ROBIN (default) or LEAST_REQUESTS.
	LoadBalancing string `json:"loadBalancing,omitempty"`
}

// Target is one upstream of a target group.
type Target struct {
	Address string `json:"address"`
}

// HealthCheck is a target group's active health check: GET path on each
// target every interval; a 2xx or 3xx within the timeout is a success.
type HealthCheck struct {
	Path               string `json:"path,omitempty"`
	IntervalSeconds    int    `json:"intervalSeconds,omitempty"`
	TimeoutSeconds     int    `json:"timeoutSeconds,omitempty"`
	HealthyThreshold   int    `json:"healthyThreshold,omitempty"`
	UnhealthyThreshold int    `json:"unhealthyThreshold,omitempty"`
}

// SetDefaults fills in a health check's defaults.
func (h *HealthCheck) SetDefaults() {
	if h.Path == "" {
		h.Path = "/"
	}
	if h.IntervalSeconds == 0 {
		h.IntervalSeconds = 10
	}
	if h.TimeoutSeconds == 0 {
		h.TimeoutSeconds = 5
	}
	if h.HealthyThreshold == 0 {
		h.HealthyThreshold = 2
	}
	if h.UnhealthyThreshold == 0 {
		h.UnhealthyThreshold = 2
	}
}

// ValidateTargetGroup checks a target group; field names are prefixed with
// prefix.
func ValidateTargetGroup(prefix string, g *TargetGroup) error {
	ve := &ValidationError{}
	validateTargetGroup(ve, prefix, g)
	return ve.orNil()
}

func validateTargetGroup(ve *ValidationError, prefix string, g *TargetGroup) {
	if len(g.Targets) == 0 {
		ve.add(prefix+"targets", "required", "needs at least one target")
	}
	if len(g.Targets) > 64 {
		ve.add(prefix+"targets", "too_many", "at most 64 targets")
	}
	for i, t := range g.Targets {
		host, port, err := net.SplitHostPort(t.Address)
		if err != nil || host == "" || port == "" {
			ve.add(fmt.Sprintf("%stargets[%d].address", prefix, i), "invalid", "must be host:port")
		}
	}
	switch g.LoadBalancing {
	case "", LBRoundRobin, LBLeastRequests:
	default:
		ve.add(prefix+"loadBalancing", "invalid", "must be ROUND_ROBIN or LEAST_REQUESTS")
	}
	h := g.HealthCheck
	if h.Path != "" && !strings.HasPrefix(h.Path, "/") {
		ve.add(prefix+"healthCheck.path", "invalid", "must start with /")
	}
	if h.IntervalSeconds != 0 && (h.IntervalSeconds < 1 || h.IntervalSeconds > 300) {
		ve.add(prefix+"healthCheck.intervalSeconds", "out_of_range", "must be between 1 and 300")
	}
	if h.TimeoutSeconds != 0 && (h.TimeoutSeconds < 1 || h.TimeoutSeconds > 120) {
		ve.add(prefix+"healthCheck.timeoutSeconds", "out_of_range", "must be between 1 and 120")
	}
	if h.HealthyThreshold != 0 && (h.HealthyThreshold < 1 || h.HealthyThreshold > 10) {
		ve.add(prefix+"healthCheck.healthyThreshold", "out_of_range", "must be between 1 and 10")
	}
	if h.UnhealthyThreshold != 0 && (h.UnhealthyThreshold < 1 || h.UnhealthyThreshold > 10) {
		ve.add(prefix+"healthCheck.unhealthyThreshold", "out_of_range", "must be between 1 and 10")
	}
}

// Parameter mapping grammar, as API Gateway writes it.
var (
	// Targets of request mappings: integration.request.{header|querystring|path}.name.
	reqTargetRE = regexp.MustCompile(`^integration\.request\.(header|querystring|path)\.([A-Za-z0-9_.~-]+)$`)
	// Targets of response mappings: method.response.header.name.
	respTargetRE = regexp.MustCompile(`^method\.response\.header\.([A-Za-z0-9_.~-]+)$`)
	// Method request parameters: method.request.{header|querystring|path}.name.
	methodParamRE = regexp.MustCompile(`^method\.request\.(header|querystring|path)\.([A-Za-z0-9_.~+-]+)$`)
)

// Context variables a mapping may read.
var ContextVariables = []string{
	"requestId", "identity.sourceIp", "stage", "apiId", "httpMethod", "resourcePath", "path",
	"domainName", "identity.userAgent", "requestTimeEpoch",
}

// MappingTarget is the parsed left side of a mapping.
type MappingTarget struct {
	// Kind is header, querystring or path (request), or header (response).
	Kind string
	Name string
}

// MappingSource is the parsed right side of a mapping.
type MappingSource struct {
	// Kind is "static", "method.request.header", "method.request.querystring",
	// "method.request.path", "context", "stageVariables" or
	// "integration.response.header".
	Kind string
	// Name is the parameter, variable or header name; for static, the value.
	Name string
}

// ParseRequestMapping parses one request mapping
// ("integration.request.header.x" = "method.request.querystring.y").
func ParseRequestMapping(target, source string) (MappingTarget, MappingSource, error) {
	m := reqTargetRE.FindStringSubmatch(target)
	if m == nil {
		return MappingTarget{}, MappingSource{}, fmt.Errorf("target %q is not integration.request.{header|querystring|path}.name", target)
	}
	src, err := parseSource(source, false)
	return MappingTarget{Kind: m[1], Name: m[2]}, src, err
}

// ParseResponseMapping parses one response mapping
// ("method.response.header.x" = "integration.response.header.y" or 'static').
func ParseResponseMapping(target, source string) (MappingTarget, MappingSource, error) {
	m := respTargetRE.FindStringSubmatch(target)
	if m == nil {
		return MappingTarget{}, MappingSource{}, fmt.Errorf("target %q is not method.response.header.name", target)
	}
	src, err := parseSource(source, true)
	return MappingTarget{Kind: "header", Name: m[1]}, src, err
}

func parseSource(s string, response bool) (MappingSource, error) {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return MappingSource{Kind: "static", Name: s[1 : len(s)-1]}, nil
	}
	if response {
		if n, ok := strings.CutPrefix(s, "integration.response.header."); ok && n != "" {
			return MappingSource{Kind: "integration.response.header", Name: n}, nil
		}
		return MappingSource{}, fmt.Errorf("source %q is not integration.response.header.name or a 'static' value", s)
	}
	if m := methodParamRE.FindStringSubmatch(s); m != nil {
		return MappingSource{Kind: "method.request." + m[1], Name: m[2]}, nil
	}
	if n, ok := strings.CutPrefix(s, "context."); ok {
		for _, v := range ContextVariables {
			if v == n {
				return MappingSource{Kind: "context", Name: n}, nil
			}
		}
		return MappingSource{}, fmt.Errorf("source %q: unknown context variable", s)
	}
	if n, ok := strings.CutPrefix(s, "stageVariables."); ok && ValidStageVariableName(n) {
		return MappingSource{Kind: "stageVariables", Name: n}, nil
	}
	return MappingSource{}, fmt.Errorf("source %q is not method.request.*, context.*, stageVariables.* or a 'static' value", s)
}

// ParseMethodParameter parses a method request parameter name
// ("method.request.querystring.x") into its location and name.
func ParseMethodParameter(s string) (kind, name string, err error) {
	m := methodParamRE.FindStringSubmatch(s)
	if m == nil {
		return "", "", fmt.Errorf("%q is not method.request.{header|querystring|path}.name", s)
	}
	return m[1], m[2], nil
}

// validateREST checks the REST additions of one route.
func validateREST(ve *ValidationError, prefix string, r *Route, groups map[string]TargetGroup, tenantID string) {
	for p := range r.RequestParameters {
		if _, _, err := ParseMethodParameter(p); err != nil {
			ve.add(prefix+"requestParameters", "invalid", "%v", err)
		}
	}
	if len(r.RequestSchema) > 0 && !json.Valid(r.RequestSchema) {
		ve.add(prefix+"requestSchema", "invalid", "is not JSON")
	}
	switch r.AuthorizationType {
	case "", AuthorizationNone, AuthorizationAWSIAM:
	default:
		ve.add(prefix+"authorizationType", "invalid", "must be NONE or AWS_IAM")
	}
	in := &r.Integration
	for t, s := range in.RequestParameters {
		if _, _, err := ParseRequestMapping(t, s); err != nil {
			ve.add(prefix+"integration.requestParameters", "invalid", "%v", err)
		}
	}
	for t, s := range in.ResponseParameters {
		if _, _, err := ParseResponseMapping(t, s); err != nil {
			ve.add(prefix+"integration.responseParameters", "invalid", "%v", err)
		}
	}
	switch in.ConnectionType {
	case "", ConnectionInternet:
	case ConnectionVPCLink:
		g, ok := groups[in.TargetGroupID]
		switch {
		case in.TargetGroupID == "":
			ve.add(prefix+"integration.connectionId", "required", "is required for VPC_LINK")
		case !ok || (tenantID != "" && g.TenantID != tenantID):
			ve.add(prefix+"integration.connectionId", "not_found", "target group %q not found", in.TargetGroupID)
		}
	default:
		ve.add(prefix+"integration.connectionType", "invalid", "must be INTERNET or VPC_LINK")
	}
}

// validateEndpoint checks a stage's endpoint settings.
func validateEndpoint(ve *ValidationError, s *Stage) {
	switch s.EndpointType {
	case "", EndpointRegional, EndpointPrivate, EndpointEdge:
	default:
		ve.add("endpointType", "invalid", "must be REGIONAL, PRIVATE or EDGE")
	}
	for i, c := range s.AllowedSourceCIDRs {
		if _, err := netip.ParsePrefix(c); err != nil {
			ve.add(fmt.Sprintf("allowedSourceCidrs[%d]", i), "invalid", "is not a CIDR")
		}
	}
	for id, g := range s.TargetGroups {
		if g.TenantID != s.TenantID {
			ve.add("targetGroups."+id, "forbidden", "belongs to another tenant")
		}
		validateTargetGroup(ve, "targetGroups."+id+".", &g)
	}
}
