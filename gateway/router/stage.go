package router

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// MaxParams is the most path parameters one route key may have.
const MaxParams = 16

// Stage is one compiled stage: a segment trie per method plus the $default
// route. It never changes once compiled.
type Stage struct {
	// Key is "{apiId}/{stageName}".
	Key string
	// Config is the stage config with defaults applied. It must not be
	// modified.
	Config *gwconfig.Stage
	// Routes are the enabled routes, in config order.
	Routes []*Route
	// Errors are the routes that failed to compile and are disabled.
	Errors []*RouteError
	// Private is true for a PRIVATE endpoint: only AllowedSources may call
	// it (EDGE and REGIONAL are public).
	Private        bool
	AllowedSources []netip.Prefix

	tries        [numMethods]*node
	defaultRoute *Route
}

// Route is one compiled, enabled route.
type Route struct {
	// ID is the route's id in the control plane.
	ID string
	// Key is the canonical route key ("GET /pets/{id}", "$default"); it
	// labels metrics and logs, so its cardinality is bounded by the config.
	Key string
	// Config is the route as deployed (defaults applied).
	Config *gwconfig.Route
	// Integration is the compiled integration.
	Integration *Integration
	// Ext is per-route state the gateway compiles next to the route (cache
	// settings, metric handles), so the hot path needs no lookup by label.
	// It is set before the stage is published and never changed after.
	Ext any
	// Validation is the compiled request validator; nil validates nothing.
	Validation *Validation

	params []string // parameter names, in path order
	greedy bool     // the last parameter is greedy
}

// RouteError records why a route was disabled.
type RouteError struct {
	// RouteID and RouteKey identify the disabled route.
	RouteID  string
	RouteKey string
	// Err is the cause.
	Err error
}

func (e *RouteError) Error() string {
	return fmt.Sprintf("route %s (%q) disabled: %v", e.RouteID, e.RouteKey, e.Err)
}

func (e *RouteError) Unwrap() error { return e.Err }

// Method indexes of the per-method tries.
const (
	mGET = iota
	mPOST
	mPUT
	mPATCH
	mDELETE
	mHEAD
	mOPTIONS
	mANY
	numMethods
)

func methodIndex(m string) int {
	switch m {
	case "GET":
		return mGET
	case "POST":
		return mPOST
	case "PUT":
		return mPUT
	case "PATCH":
		return mPATCH
	case "DELETE":
		return mDELETE
	case "HEAD":
		return mHEAD
	case "OPTIONS":
		return mOPTIONS
	case "ANY":
		return mANY
	}
	return -1
}

// node is a segment trie node. At each level a literal child beats the
// parameter child, which beats a greedy parameter.
type node struct {
	literals map[string]*node
	param    *node
	greedy   *Route
	route    *Route
}

// CompileStage compiles a stage config. Stage-level errors (missing tenant,
// api id, deployment id, bad stage name or stage variable) reject the whole
// stage; a route that fails to parse or compile is disabled, its error is
// recorded in Stage.Errors and the rest of the stage loads.
//
// cfg is not modified; the compiled stage holds a copy with defaults applied.
func CompileStage(cfg *gwconfig.Stage) (*Stage, error) {
	c := *cfg
	c.Routes = slices.Clone(cfg.Routes)
	c.SetDefaults()
	if err := stageLevelErrors(c.Validate()); err != nil {
		return nil, err
	}
	st := &Stage{Key: c.Key(), Config: &c}
	st.Private, st.AllowedSources = compileEndpoint(&c)
	seen := make(map[string]string) // trie signature → route key
	for i := range c.Routes {
		rc := &c.Routes[i]
		rt, sig, err := compileRoute(&c, rc)
		if err == nil {
			if prev, dup := seen[sig]; dup {
				err = fmt.Errorf("conflicts with route %q", prev)
			}
		}
		if err != nil {
			st.Errors = append(st.Errors, &RouteError{RouteID: rc.RouteID, RouteKey: rc.RouteKey, Err: err})
			continue
		}
		seen[sig] = rt.Key
		st.insert(rt)
		st.Routes = append(st.Routes, rt)
	}
	return st, nil
}

// stageLevelErrors keeps the errors that are not about one route.
func stageLevelErrors(err error) error {
	ve, ok := gwconfig.AsValidationError(err)
	if !ok {
		return err
	}
	out := &gwconfig.ValidationError{}
	for _, f := range ve.Fields {
		if !strings.HasPrefix(f.Field, "routes[") {
			out.Fields = append(out.Fields, f)
		}
	}
	if len(out.Fields) == 0 {
		return nil
	}
	return out
}

// compileRoute parses and checks one route. sig identifies the route's
// place in the tries: two routes with the same signature conflict.
func compileRoute(st *gwconfig.Stage, rc *gwconfig.Route) (*Route, string, error) {
	rk, err := gwconfig.ParseRouteKey(rc.RouteKey)
	if err != nil {
		return nil, "", err
	}
	if err := gwconfig.ValidateIntegration("integration.", &rc.Integration); err != nil {
		return nil, "", err
	}
	rt := &Route{ID: rc.RouteID, Key: rk.String(), Config: rc}
	var sig strings.Builder
	sig.WriteString(rk.Method)
	for _, s := range rk.Segments {
		sig.WriteByte('/')
		switch {
		case s.Greedy:
			sig.WriteString("{+}")
			rt.params = append(rt.params, s.Param)
			rt.greedy = true
		case s.Param != "":
			sig.WriteString("{}")
			rt.params = append(rt.params, s.Param)
		default:
			lit, err := url.PathUnescape(s.Literal)
			if err != nil {
				return nil, "", fmt.Errorf("segment %q: %w", s.Literal, err)
			}
			sig.WriteString(url.PathEscape(lit))
		}
	}
	if rk.Default {
		sig.Reset()
		sig.WriteString(gwconfig.DefaultRouteKey)
	}
	if len(rt.params) > MaxParams {
		return nil, "", fmt.Errorf("more than %d path parameters", MaxParams)
	}
	rt.Integration, err = compileIntegration(st, &rc.Integration, rt.params)
	if err != nil {
		return nil, "", err
	}
	if rt.Validation, err = compileValidation(rc); err != nil {
		return nil, "", err
	}
	return rt, sig.String(), nil
}

func (st *Stage) insert(rt *Route) {
	rk, _ := gwconfig.ParseRouteKey(rt.Config.RouteKey) // parsed before
	if rk.Default {
		st.defaultRoute = rt
		return
	}
	mi := methodIndex(rk.Method)
	n := st.tries[mi]
	if n == nil {
		n = &node{}
		st.tries[mi] = n
	}
	for _, s := range rk.Segments {
		switch {
		case s.Greedy:
			n.greedy = rt
			return
		case s.Param != "":
			if n.param == nil {
				n.param = &node{}
			}
			n = n.param
		default:
			lit, _ := url.PathUnescape(s.Literal) // checked in compileRoute
			if n.literals == nil {
				n.literals = make(map[string]*node)
			}
			c := n.literals[lit]
			if c == nil {
				c = &node{}
				n.literals[lit] = c
			}
			n = c
		}
	}
	n.route = rt
}

// match resolves the path after the stage name. A route for the request's
// method beats an ANY route, whatever their paths; $default comes last, as
// API Gateway documents its route priorities.
func (st *Stage) match(m *Match, rest, method string) bool {
	// A trailing slash is ignored: /pets/ matches GET /pets.
	rest = strings.TrimSuffix(rest, "/")
	if mi := methodIndex(method); mi >= 0 && mi != mANY {
		if n := st.tries[mi]; n != nil && m.walk(n, rest, 0) {
			return true
		}
	}
	if n := st.tries[mANY]; n != nil && m.walk(n, rest, 0) {
		return true
	}
	if st.defaultRoute != nil {
		m.Route = st.defaultRoute
		m.n = 0
		return true
	}
	return false
}

// Match is the result of a lookup. Its parameters live inside it, so a
// lookup does not allocate; keep a Match by pointer.
type Match struct {
	// Stage is the matched stage (also set on a NoRoute miss).
	Stage *Stage
	// Route is the matched route.
	Route *Route

	n    int
	vals [MaxParams]paramValue
}

type paramValue struct {
	raw, value string
}

// Param is one path parameter of a match.
type Param struct {
	// Name is the parameter's name in the route key.
	Name string
	// Value is the decoded value.
	Value string
	// Raw is the value as it appeared in the escaped request path; for a
	// greedy parameter it includes the slashes.
	Raw string
}

// NumParams is the number of path parameters.
func (m *Match) NumParams() int { return m.n }

// ParamAt returns the i-th path parameter, in path order.
func (m *Match) ParamAt(i int) Param {
	return Param{Name: m.Route.params[i], Value: m.vals[i].value, Raw: m.vals[i].raw}
}

// Param returns the decoded value of a path parameter.
func (m *Match) Param(name string) (string, bool) {
	for i := 0; i < m.n; i++ {
		if m.Route.params[i] == name {
			return m.vals[i].value, true
		}
	}
	return "", false
}

// Greedy returns the decoded greedy remainder ({proxy+}), if the route has
// a greedy parameter.
func (m *Match) Greedy() (string, bool) {
	if m.Route == nil || !m.Route.greedy || m.n == 0 {
		return "", false
	}
	return m.vals[m.n-1].value, true
}

// walk matches rest (escaped, no leading slash) below n, depth-first in
// priority order: literal, then {param}, then {greedy+}. depth counts the
// parameters captured so far.
func (m *Match) walk(n *node, rest string, depth int) bool {
	if rest == "" {
		if n.route != nil {
			m.Route, m.n = n.route, depth
			return true
		}
		return false
	}
	seg, tail, _ := strings.Cut(rest, "/")
	dec, ok := unescape(seg)
	if !ok {
		return false
	}
	if c := n.literals[dec]; c != nil && m.walk(c, tail, depth) {
		return true
	}
	if n.param != nil && dec != "" && depth < MaxParams {
		m.vals[depth] = paramValue{raw: seg, value: dec}
		if m.walk(n.param, tail, depth+1) {
			return true
		}
	}
	if n.greedy != nil && depth < MaxParams {
		v, ok := unescape(rest)
		if !ok {
			return false
		}
		m.vals[depth] = paramValue{raw: rest, value: v}
		m.Route, m.n = n.greedy, depth+1
		return true
	}
	return false
}

// unescape decodes a path segment; it allocates only when s has escapes.
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	v, err := url.PathUnescape(s)
	return v, err == nil
}
