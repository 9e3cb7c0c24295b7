// Package router compiles deployed stage configs (gwconfig.Stage) into an
// immutable Router that resolves a request's host, path and method to a
// stage and route, as API Gateway does for HTTP APIs.
//
// A Router is never changed once built: the gateway builds a new one when a
// stage changes and swaps it in atomically. Compiled stages (Stage) are
// immutable too, so a new Router reuses the stages whose revision did not
// change.
package router

import (
	"strings"
)

// DefaultBaseDomain is the base domain of invoke hosts when none is
// configured: {apiId}.execute-api.localhost.
const DefaultBaseDomain = "localhost"

// Miss says why a request matched no route.
type Miss uint8

// Kinds of miss.
const (
	// Matched means Lookup found a route.
	Matched Miss = iota
	// NotInvokeHost means the host is not {apiId}.execute-api.{baseDomain};
	// the request is not for the data plane.
	NotInvokeHost
	// UnknownAPI means no stage of the host's API is deployed.
	UnknownAPI
	// UnknownStage means the API has no deployed stage with that name.
	UnknownStage
	// NoRoute means the stage has no route for the method and path, and no
	// $default route.
	NoRoute
)

func (m Miss) String() string {
	switch m {
	case Matched:
		return "matched"
	case NotInvokeHost:
		return "not_invoke_host"
	case UnknownAPI:
		return "unknown_api"
	case UnknownStage:
		return "unknown_stage"
	case NoRoute:
		return "no_route"
	}
	return "unknown"
}

// Router resolves requests to compiled stages and routes. It is safe for
// concurrent use and never changes after New.
type Router struct {
	// suffix is ".execute-api." + base domain, lower case.
	suffix string
	apis   map[string]map[string]*Stage // lower-case api id → stage name → stage
	stages []*Stage
	served map[string]string
}

// New builds a Router over compiled stages. baseDomain is the domain under
// which invoke hosts live (DefaultBaseDomain when empty). When two stages
// share a key, the later one wins.
func New(baseDomain string, stages []*Stage) *Router {
	if baseDomain == "" {
		baseDomain = DefaultBaseDomain
	}
	r := &Router{
		suffix: ".execute-api." + strings.ToLower(strings.TrimSuffix(baseDomain, ".")),
		apis:   make(map[string]map[string]*Stage),
		served: make(map[string]string, len(stages)),
	}
	byKey := make(map[string]int, len(stages))
	for _, s := range stages {
		if i, ok := byKey[s.Key]; ok {
			r.stages[i] = s
		} else {
			byKey[s.Key] = len(r.stages)
			r.stages = append(r.stages, s)
		}
	}
	for _, s := range r.stages {
		api := strings.ToLower(s.Config.APIID)
		m := r.apis[api]
		if m == nil {
			m = make(map[string]*Stage)
			r.apis[api] = m
		}
		m[s.Config.StageName] = s
		r.served[s.Key] = s.Config.DeploymentID
	}
	return r
}

// Stages returns the compiled stages the router serves. The slice must not
// be modified.
func (r *Router) Stages() []*Stage { return r.stages }

// Served maps each stage key ({apiId}/{stageName}) to the deployment id the
// router serves there. The map must not be modified.
func (r *Router) Served() map[string]string { return r.served }

// IsInvokeHost reports whether host (with or without a port) is an invoke
// host, {apiId}.execute-api.{baseDomain}.
func (r *Router) IsInvokeHost(host string) bool {
	_, ok := r.apiID(host)
	return ok
}

// apiID extracts the api id from an invoke host. It does not allocate unless
// the id has upper-case letters.
func (r *Router) apiID(host string) (string, bool) {
	host = stripPort(host)
	host = strings.TrimSuffix(host, ".")
	if len(host) <= len(r.suffix) || !strings.EqualFold(host[len(host)-len(r.suffix):], r.suffix) {
		return "", false
	}
	id := host[:len(host)-len(r.suffix)]
	if strings.IndexByte(id, '.') >= 0 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(id), true
		}
	}
	return id, true
}

func stripPort(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return host
}

// Lookup resolves a request. path is the escaped request path
// (url.URL.EscapedPath), "/{stage}/rest..."; segments are decoded one by
// one, so an encoded slash (%2F) stays inside its segment. On a match m is
// filled in and Matched returned; otherwise the Miss says why, and m.Stage
// is set when the stage was found.
//
// Lookup does not allocate for paths without percent-escapes.
func (r *Router) Lookup(m *Match, host, path, method string) Miss {
	*m = Match{}
	api, ok := r.apiID(host)
	if !ok {
		return NotInvokeHost
	}
	stages := r.apis[api]
	if stages == nil {
		return UnknownAPI
	}
	path = strings.TrimPrefix(path, "/")
	stageName, rest, _ := strings.Cut(path, "/")
	st := stages[stageName]
	if st == nil {
		if strings.IndexByte(stageName, '%') < 0 {
			return UnknownStage
		}
		dec, ok := unescape(stageName)
		if st = stages[dec]; !ok || st == nil {
			return UnknownStage
		}
	}
	m.Stage = st
	if st.match(m, rest, method) {
		return Matched
	}
	return NoRoute
}
