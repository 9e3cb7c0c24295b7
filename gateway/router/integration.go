package router

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Integration is a compiled integration. Stage variables are substituted
// and the URI template is split into literal and parameter parts at compile
// time, so a request only concatenates strings.
type Integration struct {
	// Type is gwconfig.IntegrationHTTPProxy or gwconfig.IntegrationMock.
	Type string
	// Method is the upstream method; empty forwards the caller's method.
	Method string
	// Timeout bounds the upstream call.
	Timeout time.Duration

	// Mappings are the compiled parameter mappings; nil when there are
	// none.
	Mappings *Mappings
	// InsecureTLS skips upstream certificate verification.
	InsecureTLS bool
	// TargetGroupID is the target group of a VPC_LINK integration: the
	// URI's host is replaced by one of its healthy targets.
	TargetGroupID string

	// MockStatus, MockHeader and MockBody are what a MOCK integration
	// answers with. MockHeader must not be modified.
	MockStatus int
	MockHeader http.Header
	MockBody   []byte

	// HTTP_PROXY. When only the path has placeholders (the usual case),
	// scheme, host and query are fixed and the path is expanded per request;
	// otherwise the whole URI is expanded and parsed.
	scheme, host, query string
	path                []part
	whole               []part // non-nil when the authority or query has placeholders
}

// part is a literal (param < 0) or a path parameter index.
type part struct {
	lit   string
	param int
}

func compileIntegration(st *gwconfig.Stage, in *gwconfig.Integration, params []string) (*Integration, error) {
	ci := &Integration{
		Type:    in.Type,
		Timeout: time.Duration(in.TimeoutInMillis) * time.Millisecond,
	}
	if in.HTTPMethod != "" && in.HTTPMethod != "ANY" {
		ci.Method = in.HTTPMethod
	}
	switch in.Type {
	case gwconfig.IntegrationMock:
		ci.MockStatus = in.MockStatusCode
		ci.MockBody = []byte(in.MockBody)
		ci.MockHeader = make(http.Header, len(in.MockHeaders))
		for k, v := range in.MockHeaders {
			ci.MockHeader.Set(k, v)
		}
		return ci, nil
	case gwconfig.IntegrationHTTPProxy, gwconfig.IntegrationHTTP:
	default:
		return nil, fmt.Errorf("unsupported integration type %q", in.Type)
	}
	ci.InsecureTLS = in.TLSInsecureSkipVerify
	if in.ConnectionType == gwconfig.ConnectionVPCLink {
		ci.TargetGroupID = in.TargetGroupID
	}
	mp, err := compileMappings(st, in)
	if err != nil {
		return nil, err
	}
	ci.Mappings = mp
	if mp != nil && len(mp.Path) > 0 {
		// Mapped path parameters follow the route's own in the template
		// index space; a mapping wins over a route parameter of its name.
		params = slices.Clone(params)
		for _, p := range mp.Path {
			params = append(params, p.Name)
		}
	}

	raw := gwconfig.SubstituteStageVariables(in.URI, st.StageVariables)
	parts, err := splitTemplate(raw, params)
	if err != nil {
		return nil, fmt.Errorf("integration uri %q: %w", in.URI, err)
	}
	// Parse with placeholders neutralised to find where the path starts.
	probe := raw
	for _, p := range parts {
		if p.param >= 0 {
			probe = strings.Replace(probe, "{"+params[p.param]+"}", "x", 1)
			probe = strings.Replace(probe, "{"+params[p.param]+"+}", "x", 1)
		}
	}
	u, err := url.Parse(probe)
	if err != nil {
		return nil, fmt.Errorf("integration uri %q: %w", in.URI, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("integration uri %q: must be an absolute http or https URL", in.URI)
	}
	prefix := u.Scheme + "://" + u.Host
	if !strings.HasPrefix(raw, prefix) || strings.ContainsAny(raw[len(prefix):], "#") {
		ci.whole = parts
		return ci, nil
	}
	pathAndQuery := raw[len(prefix):]
	pathT, query, _ := strings.Cut(pathAndQuery, "?")
	if strings.Contains(query, "{") {
		ci.whole = parts
		return ci, nil
	}
	ci.scheme, ci.host, ci.query = u.Scheme, u.Host, query
	ci.path, _ = splitTemplate(pathT, params)
	if len(ci.path) == 0 {
		ci.path = []part{{lit: "/", param: -1}}
	}
	return ci, nil
}

// splitTemplate splits s into literal parts and {name} / {name+} parameter
// references; every name must be one of params.
func splitTemplate(s string, params []string) ([]part, error) {
	var parts []part
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			parts = append(parts, part{lit: s, param: -1})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			parts = append(parts, part{lit: s, param: -1})
			break
		}
		if i > 0 {
			parts = append(parts, part{lit: s[:i], param: -1})
		}
		name := strings.TrimSuffix(s[i+1:i+j], "+")
		idx := -1
		for k, p := range params {
			if p == name {
				idx = k
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("placeholder {%s} is not a path parameter of the route", name)
		}
		parts = append(parts, part{param: idx})
		s = s[i+j+1:]
	}
	return parts, nil
}

// URL builds the upstream URL for a match; rawQuery is the caller's query
// string, appended to the URI's own. The path parameters are inserted as
// they appeared in the request (still escaped), so an encoded slash stays
// encoded.
func (ci *Integration) URL(m *Match, rawQuery string) (*url.URL, error) {
	return ci.URLWith(m, rawQuery, nil)
}

// URLWith is URL with the values of the mapped path parameters (in
// Mappings.Path order, already escaped) for the URI's placeholders.
func (ci *Integration) URLWith(m *Match, rawQuery string, mapped []string) (*url.URL, error) {
	q := ci.query
	switch {
	case q == "":
		q = rawQuery
	case rawQuery != "":
		q = q + "&" + rawQuery
	}
	if ci.whole == nil {
		// Opaque carries the already escaped path verbatim to the wire.
		p := expand(ci.path, m, mapped)
		// An opaque "//x" would be read as an authority; "x" as relative.
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
			p = "/" + strings.TrimLeft(p, "/")
		}
		return &url.URL{Scheme: ci.scheme, Host: ci.host, Opaque: p, RawQuery: q}, nil
	}
	u, err := url.Parse(expand(ci.whole, m, mapped))
	if err != nil {
		return nil, err
	}
	switch {
	case u.RawQuery == "":
		u.RawQuery = rawQuery
	case rawQuery != "":
		u.RawQuery += "&" + rawQuery
	}
	return u, nil
}

func expand(parts []part, m *Match, mapped []string) string {
	if len(parts) == 1 && parts[0].param < 0 {
		return parts[0].lit
	}
	n := 0
	for _, p := range parts {
		if p.param < 0 {
			n += len(p.lit)
		} else if p.param < m.n {
			n += len(m.vals[p.param].raw)
		} else if i := p.param - m.n; i < len(mapped) {
			n += len(mapped[i])
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		if p.param < 0 {
			b.WriteString(p.lit)
		} else if p.param < m.n {
			b.WriteString(m.vals[p.param].raw)
		} else if i := p.param - m.n; i < len(mapped) {
			b.WriteString(mapped[i])
		}
	}
	return b.String()
}
