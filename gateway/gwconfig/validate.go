package gwconfig

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// FieldError says what is wrong with one field. The backend turns these into
// the "details" of its 400/422 answers.
type FieldError struct {
	Field   string
	Code    string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ValidationError collects every FieldError of one document.
type ValidationError struct{ Fields []*FieldError }

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "invalid config: " + strings.Join(parts, "; ")
}

func (e *ValidationError) add(field, code, format string, args ...any) {
	e.Fields = append(e.Fields, &FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (e *ValidationError) orNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// AsValidationError unwraps err into a *ValidationError, if it is one.
func AsValidationError(err error) (*ValidationError, bool) {
	var ve *ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

// Methods a route key may name.
var Methods = []string{"ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// DefaultRouteKey catches every request no other route matches.
const DefaultRouteKey = "$default"

var (
	stageNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	paramRE     = regexp.MustCompile(`^\{([A-Za-z0-9_.-]+)(\+?)\}$`)
	literalRE   = regexp.MustCompile(`^[A-Za-z0-9._~!$&'()*,;=:@%-]+$`)
	stageVarRE  = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)
	varNameRE   = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
)

// ValidStageName reports whether name can be a stage name (and so the first
// path segment of an invoke URL).
func ValidStageName(name string) bool { return stageNameRE.MatchString(name) }

// ValidStageVariableName reports whether name can be a stage variable name.
func ValidStageVariableName(name string) bool { return varNameRE.MatchString(name) }

// RouteKey is a parsed route key.
type RouteKey struct {
	// Method is GET, POST, ... or ANY; empty for $default.
	Method string
	// Segments are the path segments; a segment is a literal or a
	// parameter.
	Segments []Segment
	// Default is true for $default.
	Default bool
}

// Segment is one path segment of a route key.
type Segment struct {
	// Literal is the segment's text when it is not a parameter.
	Literal string
	// Param is the parameter's name when it is one.
	Param string
	// Greedy is true for {name+}, which matches the rest of the path; it
	// is only allowed last.
	Greedy bool
}

// String renders the key back in canonical form.
func (k RouteKey) String() string {
	if k.Default {
		return DefaultRouteKey
	}
	var b strings.Builder
	b.WriteString(k.Method)
	b.WriteByte(' ')
	if len(k.Segments) == 0 {
		b.WriteByte('/')
	}
	for _, s := range k.Segments {
		b.WriteByte('/')
		switch {
		case s.Param == "":
			b.WriteString(s.Literal)
		case s.Greedy:
			b.WriteString("{" + s.Param + "+}")
		default:
			b.WriteString("{" + s.Param + "}")
		}
	}
	return b.String()
}

// ParseRouteKey parses "GET /pets/{id}", "ANY /{proxy+}" or "$default".
func ParseRouteKey(key string) (RouteKey, error) {
	if key == DefaultRouteKey {
		return RouteKey{Default: true}, nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok {
		return RouteKey{}, fmt.Errorf("route key %q must be \"METHOD /path\" or \"$default\"", key)
	}
	valid := false
	for _, m := range Methods {
		if method == m {
			valid = true
			break
		}
	}
	if !valid {
		return RouteKey{}, fmt.Errorf("route key %q: method %q is not one of %s", key, method, strings.Join(Methods, ", "))
	}
	if !strings.HasPrefix(path, "/") {
		return RouteKey{}, fmt.Errorf("route key %q: path must start with /", key)
	}
	rk := RouteKey{Method: method}
	if path == "/" {
		return rk, nil
	}
	parts := strings.Split(path[1:], "/")
	seen := map[string]bool{}
	for i, p := range parts {
		if p == "" {
			return RouteKey{}, fmt.Errorf("route key %q: empty path segment", key)
		}
		if m := paramRE.FindStringSubmatch(p); m != nil {
			if seen[m[1]] {
				return RouteKey{}, fmt.Errorf("route key %q: parameter {%s} appears twice", key, m[1])
			}
			seen[m[1]] = true
			greedy := m[2] == "+"
			if greedy && i != len(parts)-1 {
				return RouteKey{}, fmt.Errorf("route key %q: greedy parameter {%s+} must be the last segment", key, m[1])
			}
			rk.Segments = append(rk.Segments, Segment{Param: m[1], Greedy: greedy})
			continue
		}
		if strings.ContainsAny(p, "{}") || !literalRE.MatchString(p) {
			return RouteKey{}, fmt.Errorf("route key %q: segment %q is neither a literal nor a {parameter}", key, p)
		}
		rk.Segments = append(rk.Segments, Segment{Literal: p})
	}
	return rk, nil
}

// StageVariableRefs lists the stage variables a string refers to.
func StageVariableRefs(s string) []string {
	var names []string
	for _, m := range stageVarRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}

// SubstituteStageVariables replaces ${stageVariables.name} in s; unknown
// names become empty, as in API Gateway.
func SubstituteStageVariables(s string, vars map[string]string) string {
	if !strings.Contains(s, "${stageVariables.") {
		return s
	}
	return stageVarRE.ReplaceAllStringFunc(s, func(m string) string {
		return vars[stageVarRE.FindStringSubmatch(m)[1]]
	})
}

// ValidateIntegration checks one integration; field names are prefixed with
// prefix.
func ValidateIntegration(prefix string, in *Integration) error {
	ve := &ValidationError{}
	validateIntegration(ve, prefix, in, nil)
	return ve.orNil()
}

// validateIntegration checks in. With vars (at deploy time) stage variables
// are substituted before the URI is checked; without them (when a route is
// written) a URI that starts with a stage variable cannot be checked further
// than its syntax, since the variable may hold the scheme and host.
func validateIntegration(ve *ValidationError, prefix string, in *Integration, vars map[string]string) {
	switch in.Type {
	case IntegrationHTTPProxy, IntegrationHTTP:
		uri := in.URI
		if vars != nil {
			uri = SubstituteStageVariables(uri, vars)
		} else if strings.HasPrefix(uri, "${stageVariables.") {
			break
		}
		validateHTTPURI(ve, prefix+"uri", uri)
	case IntegrationMock:
		if in.MockStatusCode != 0 && (in.MockStatusCode < 100 || in.MockStatusCode > 599) {
			ve.add(prefix+"mockStatusCode", "out_of_range", "must be between 100 and 599")
		}
	case "":
		ve.add(prefix+"type", "required", "is required (HTTP_PROXY, HTTP or MOCK)")
	default:
		ve.add(prefix+"type", "invalid", "%q is not a supported integration type (HTTP_PROXY, HTTP or MOCK)", in.Type)
	}
	if in.TimeoutInMillis != 0 && (in.TimeoutInMillis < MinTimeoutMillis || in.TimeoutInMillis > MaxTimeoutMillis) {
		ve.add(prefix+"timeoutInMillis", "out_of_range", "must be between %d and %d", MinTimeoutMillis, MaxTimeoutMillis)
	}
	if in.HTTPMethod != "" {
		ok := false
		for _, m := range Methods {
			if in.HTTPMethod == m {
				ok = true
			}
		}
		if !ok {
			ve.add(prefix+"httpMethod", "invalid", "%q is not an HTTP method", in.HTTPMethod)
		}
	}
}

func validateHTTPURI(ve *ValidationError, field, raw string) {
	if raw == "" {
		ve.add(field, "required", "is required for HTTP_PROXY integrations")
		return
	}
	// Placeholders are checked with neutral values so that the rest of the
	// URL can be parsed.
	probe := stageVarRE.ReplaceAllString(raw, "x")
	probe = regexp.MustCompile(`\{[A-Za-z0-9_.+-]+\}`).ReplaceAllString(probe, "x")
	u, err := url.Parse(probe)
	if err != nil {
		ve.add(field, "invalid", "is not a valid URL: %v", err)
		return
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		ve.add(field, "invalid_scheme", "must be an http or https URL")
		return
	}
	if u.Host == "" {
		ve.add(field, "invalid", "must name a host")
	}
}

// Validate checks a whole stage config. The backend calls it before it
// publishes; the gateway calls it before it loads.
func (s *Stage) Validate() error {
	ve := &ValidationError{}
	if s.TenantID == "" {
		ve.add("tenantId", "required", "is required")
	}
	if s.APIID == "" {
		ve.add("apiId", "required", "is required")
	}
	if !ValidStageName(s.StageName) {
		ve.add("stageName", "invalid", "must be 1-128 letters, digits, '-' or '_'")
	}
	if s.DeploymentID == "" {
		ve.add("deploymentId", "required", "is required")
	}
	for name := range s.StageVariables {
		if !ValidStageVariableName(name) {
			ve.add("stageVariables."+name, "invalid", "names are 1-64 letters, digits or '_'")
		}
	}
	validateStageCache(ve, s.Cache)
	validateAccessLog(ve, s.AccessLog)
	validateStageLimits(ve, s)
	keys := map[string]bool{}
	for i := range s.Routes {
		r := &s.Routes[i]
		prefix := fmt.Sprintf("routes[%d].", i)
		rk, err := ParseRouteKey(r.RouteKey)
		if err != nil {
			ve.add(prefix+"routeKey", "invalid", "%v", err)
		} else {
			canon := rk.String()
			if keys[canon] {
				ve.add(prefix+"routeKey", "duplicate", "route key %q appears twice", canon)
			}
			keys[canon] = true
		}
		vars := s.StageVariables
		if vars == nil {
			vars = map[string]string{}
		}
		validateIntegration(ve, prefix+"integration.", &r.Integration, vars)
		validateRouteCache(ve, prefix, r.Cache)
		validateRouteLimits(ve, prefix, r)
		validateREST(ve, prefix, r, s.TargetGroups, s.TenantID)
	}
	validateEndpoint(ve, s)
	return ve.orNil()
}
