package integration

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"

	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// mappedHeader is one header a request mapping sets upstream.
type mappedHeader struct{ name, value string }

// errNoTarget answers a VPC_LINK call when the gateway keeps no target
// pools.
var errNoTarget = &pipeline.HandlerError{Status: http.StatusServiceUnavailable, Code: "no_healthy_target"}

// mappedURL builds the upstream URL and headers of an integration with
// parameter mappings: mapped path parameters fill the URI's placeholders,
// mapped query strings are appended to the caller's, mapped headers are
// set on the upstream request. An absent source leaves its target out.
func mappedURL(r *http.Request, ex *pipeline.Exchange, ci *router.Integration) (*url.URL, []mappedHeader, error) {
	mp := ci.Mappings
	info := router.RequestInfo{RequestID: ex.RequestID, Start: ex.Start}
	var mapped []string
	if len(mp.Path) > 0 {
		mapped = make([]string, len(mp.Path))
		for i := range mp.Path {
			v, _ := mp.Path[i].Value(r, &ex.Match, &info)
			mapped[i] = url.PathEscape(v)
		}
	}
	q := r.URL.RawQuery
	if len(mp.Query) > 0 {
		var b strings.Builder
		b.WriteString(q)
		for i := range mp.Query {
			v, ok := mp.Query[i].Value(r, &ex.Match, &info)
			if !ok {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(mp.Query[i].Name))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
		q = b.String()
	}
	var headers []mappedHeader
	for i := range mp.Header {
		if v, ok := mp.Header[i].Value(r, &ex.Match, &info); ok {
			headers = append(headers, mappedHeader{name: mp.Header[i].Name, value: v})
		}
	}
	u, err := ci.URLWith(&ex.Match, q, mapped)
	return u, headers, err
}

// mapResponse applies the response parameter mappings to the integration's
// answer before it is copied to the caller. Every mapping reads the
// upstream's headers as they came, so one mapping cannot feed another.
func mapResponse(h http.Header, mappings []router.Mapping) {
	if len(mappings) == 0 {
		return
	}
	set := make(map[string]string, len(mappings))
	for i := range mappings {
		if v, ok := mappings[i].ResponseValue(h); ok {
			set[mappings[i].Name] = v
		}
	}
	for k, v := range set {
		h[k] = []string{v}
	}
}

// pickTarget points u at a healthy target of the group. The caller keeps
// the URI's host for the Host header, as a load balancer behind a VPC link
// would see it.
func (in *integrator) pickTarget(u *url.URL, groupID string) (func(), error) {
	if in.targets == nil {
		return nil, errNoTarget
	}
	addr, release, err := in.targets.Pick(groupID)
	if err != nil {
		return nil, &pipeline.HandlerError{Status: http.StatusServiceUnavailable, Code: "no_healthy_target", Err: err}
	}
	u.Host = addr
	return release, nil
}

// insecureClone returns the transport of integrations that skip TLS
// verification: a clone of rt with verification off, or rt itself when it
// is not an *http.Transport (a test's).
func insecureClone(rt http.RoundTripper) http.RoundTripper {
	t, ok := rt.(*http.Transport)
	if !ok {
		return rt
	}
	ins := t.Clone()
	if ins.TLSClientConfig == nil {
		ins.TLSClientConfig = &tls.Config{}
	}
	ins.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // only for integrations configured so
	return ins
}
