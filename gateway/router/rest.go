package router

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Validation is a route's compiled request validator: the required
// parameters and the body schema, compiled once per snapshot.
type Validation struct {
	// Required are the required parameters, checked when the validator
	// checks parameters.
	Required []RequiredParam
	// Schema validates the JSON body; nil when the validator does not check
	// the body or the route has no model.
	Schema *jsonschema.Schema
}

// RequiredParam is one required method request parameter.
type RequiredParam struct {
	// Kind is header, querystring or path.
	Kind string
	// Name is the parameter's name (canonical for headers).
	Name string
}

func compileValidation(rc *gwconfig.Route) (*Validation, error) {
	v := rc.RequestValidator
	if v == nil || (!v.Body && !v.Parameters) {
		return nil, nil
	}
	out := &Validation{}
	if v.Parameters {
		for p, req := range rc.RequestParameters {
			if !req {
				continue
			}
			kind, name, err := gwconfig.ParseMethodParameter(p)
			if err != nil {
				return nil, err
			}
			if kind == "header" {
				name = http.CanonicalHeaderKey(name)
			}
			out.Required = append(out.Required, RequiredParam{Kind: kind, Name: name})
		}
		slices.SortFunc(out.Required, func(a, b RequiredParam) int { return strings.Compare(a.Name, b.Name) })
	}
	if v.Body && len(rc.RequestSchema) > 0 {
		sch, err := CompileSchema(rc.RequestSchema)
		if err != nil {
			return nil, fmt.Errorf("request schema: %w", err)
		}
		out.Schema = sch
	}
	if out.Schema == nil && len(out.Required) == 0 {
		return nil, nil
	}
	return out, nil
}

// noLoader refuses every $ref outside the schema itself: a model must not
// make the gateway read files or call URLs.
var noLoader = jsonschema.SchemeURLLoader{}

// CompileSchema compiles a JSON Schema (draft-04 unless it says otherwise,
// as API Gateway models are). References outside the document are refused.
func CompileSchema(raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(noLoader)
	const loc = "urn:turnpike:model"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, err
	}
	return c.Compile(loc)
}

// Mapping sources.
const (
	srcStatic = iota
	srcQuery
	srcHeader
	srcPath
	srcContext
	srcIntegrationHeader
)

// Mapping is one compiled parameter mapping: where the value goes and
// where it comes from. Stage variables are resolved at compile time.
type Mapping struct {
	// Name is the target header (canonical), query string or path
	// parameter name.
	Name string

	src   int
	key   string // source name (canonical for headers)
	value string // static value
}

// Mappings are an integration's compiled parameter mappings, sorted by
// target name so requests see them in a stable order.
type Mappings struct {
	Header, Query, Path []Mapping
	// Response maps integration response headers (or static values) onto
	// the method response.
	Response []Mapping
}

func (m *Mappings) empty() bool {
	return len(m.Header) == 0 && len(m.Query) == 0 && len(m.Path) == 0 && len(m.Response) == 0
}

func compileMappings(st *gwconfig.Stage, in *gwconfig.Integration) (*Mappings, error) {
	out := &Mappings{}
	for t, s := range in.RequestParameters {
		tgt, src, err := gwconfig.ParseRequestMapping(t, s)
		if err != nil {
			return nil, err
		}
		mp := compileSource(st, src)
		switch tgt.Kind {
		case "header":
			mp.Name = http.CanonicalHeaderKey(tgt.Name)
			out.Header = append(out.Header, mp)
		case "querystring":
			mp.Name = tgt.Name
			out.Query = append(out.Query, mp)
		case "path":
			mp.Name = tgt.Name
			out.Path = append(out.Path, mp)
		}
	}
	for t, s := range in.ResponseParameters {
		tgt, src, err := gwconfig.ParseResponseMapping(t, s)
		if err != nil {
			return nil, err
		}
		mp := compileSource(st, src)
		mp.Name = http.CanonicalHeaderKey(tgt.Name)
		out.Response = append(out.Response, mp)
	}
	for _, l := range [][]Mapping{out.Header, out.Query, out.Path, out.Response} {
		slices.SortFunc(l, func(a, b Mapping) int { return strings.Compare(a.Name, b.Name) })
	}
	if out.empty() {
		return nil, nil
	}
	return out, nil
}

func compileSource(st *gwconfig.Stage, src gwconfig.MappingSource) Mapping {
	switch src.Kind {
	case "method.request.querystring":
		return Mapping{src: srcQuery, key: src.Name}
	case "method.request.header":
		return Mapping{src: srcHeader, key: http.CanonicalHeaderKey(src.Name)}
	case "method.request.path":
		return Mapping{src: srcPath, key: src.Name}
	case "context":
		switch src.Name {
		case "stage":
			return Mapping{value: st.StageName}
		case "apiId":
			return Mapping{value: st.APIID}
		}
		return Mapping{src: srcContext, key: src.Name}
	case "stageVariables":
		return Mapping{value: st.StageVariables[src.Name]}
	case "integration.response.header":
		return Mapping{src: srcIntegrationHeader, key: http.CanonicalHeaderKey(src.Name)}
	}
	return Mapping{value: src.Name}
}

// RequestInfo is what a request mapping may read besides the request and
// the match.
type RequestInfo struct {
	RequestID string
	Start     time.Time
	// Query is the parsed caller query, parsed once when needed.
	Query map[string][]string
}

// Value evaluates a request mapping. ok is false when the source is absent
// (a missing header, say): the target is then left out, as API Gateway
// does.
func (mp *Mapping) Value(r *http.Request, m *Match, info *RequestInfo) (string, bool) {
	switch mp.src {
	case srcStatic:
		return mp.value, true
	case srcQuery:
		if info.Query == nil {
			info.Query = r.URL.Query()
		}
		v := info.Query[mp.key]
		if len(v) == 0 {
			return "", false
		}
		return v[0], true
	case srcHeader:
		v := r.Header[mp.key]
		if len(v) == 0 {
			return "", false
		}
		return v[0], true
	case srcPath:
		return m.Param(mp.key)
	case srcContext:
		return contextValue(mp.key, r, m, info)
	}
	return "", false
}

// ResponseValue evaluates a response mapping against the integration's
// response headers.
func (mp *Mapping) ResponseValue(h http.Header) (string, bool) {
	if mp.src == srcStatic {
		return mp.value, true
	}
	v := h[mp.key]
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func contextValue(name string, r *http.Request, m *Match, info *RequestInfo) (string, bool) {
	switch name {
	case "requestId":
		return info.RequestID, true
	case "identity.sourceIp":
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		return ip, true
	case "httpMethod":
		return r.Method, true
	case "resourcePath":
		if m.Route != nil {
			_, p, _ := strings.Cut(m.Route.Key, " ")
			return p, true
		}
	case "path":
		return r.URL.Path, true
	case "domainName":
		return r.Host, true
	case "identity.userAgent":
		return r.UserAgent(), true
	case "requestTimeEpoch":
		return strconv.FormatInt(info.Start.UnixMilli(), 10), true
	}
	return "", false
}

// compileEndpoint parses a PRIVATE stage's allowed source CIDRs (checked by
// Validate before).
func compileEndpoint(c *gwconfig.Stage) (bool, []netip.Prefix) {
	if c.EndpointType != gwconfig.EndpointPrivate {
		return false, nil
	}
	out := make([]netip.Prefix, 0, len(c.AllowedSourceCIDRs))
	for _, s := range c.AllowedSourceCIDRs {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		}
	}
	return true, out
}

// AllowsSource reports whether addr (an IP, or "ip:port" as in
// http.Request.RemoteAddr) may call the stage.
func (st *Stage) AllowsSource(addr string) bool {
	if !st.Private {
		return true
	}
	ap, err := netip.ParseAddrPort(addr)
	var ip netip.Addr
	if err == nil {
		ip = ap.Addr()
	} else if ip, err = netip.ParseAddr(addr); err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range st.AllowedSources {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
