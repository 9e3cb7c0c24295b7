package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// SimulateRequest is the body of POST /v1/iam/simulate.
type SimulateRequest struct {
	// Principal is the user, or the access key (whose session policy then
	// applies too), to ask about.
	Principal SimulatePrincipal `json:"principal"`
	Action    string            `json:"action"`
	// Resource is a TRN of the caller's tenant, or a path within it
	// (apis/a1b2/stages/dev).
	Resource string `json:"resource"`
	// Context sets condition keys (aws:SourceIp, aws:CurrentTime,
	// apigw:StageName, ...) over those of this request and of the
	// principal (turnpike:PrincipalId, ...): "at this time, from this
	// address". A multi-valued key (turnpike:PrincipalGroups) takes an
	// array of strings; an unknown key or a bad value is a 422.
	Context map[string]string `json:"context,omitempty"`

	// values is Context as given, arrays included.
	values map[string][]string
}

// UnmarshalJSON reads the body strictly, with context values as strings or
// arrays of strings.
func (r *SimulateRequest) UnmarshalJSON(b []byte) error {
	type plain SimulateRequest
	var raw struct {
		plain
		Context map[string]authz.StringList `json:"context,omitempty"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	*r = SimulateRequest(raw.plain)
	r.values = make(map[string][]string, len(raw.Context))
	for k, v := range raw.Context {
		r.values[k] = v
		if len(v) == 1 {
			if r.Context == nil {
				r.Context = map[string]string{}
			}
			r.Context[k] = v[0]
		}
	}
	return nil
}

// SimulatePrincipal names a user or an access key.
type SimulatePrincipal struct {
	UserID      string `json:"userId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
}

// SimulateView is the simulator's answer: allowed, explicitDeny or
// implicitDeny, and the statement that decided (none for implicitDeny).
type SimulateView struct {
	Decision         string                  `json:"decision"`
	MatchedStatement *authz.MatchedStatement `json:"matchedStatement,omitempty"`
	// Resource is the full TRN evaluated.
	Resource string `json:"resource"`
}

var errSimulateInvalid = apierr.Unprocessable("simulate.invalid", "Invalid simulation request.")

func (m *iamAdminModule) simulate(c *gin.Context) error {
	caller, err := iamPrincipal(c)
	if err != nil {
		return err
	}
	var req SimulateRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	ve := errSimulateInvalid
	bad := false
	check := func(ok bool, field, msg string) {
		if !ok {
			ve, bad = ve.WithDetail(field, "invalid", msg), true
		}
	}
	req.Action, req.Resource = strings.TrimSpace(req.Action), strings.TrimSpace(req.Resource)
	check((req.Principal.UserID == "") != (req.Principal.AccessKeyID == ""), "principal", "Give exactly one of userId and accessKeyId.")
	check(req.Action != "" && !strings.ContainsAny(req.Action, "*?") && strings.Contains(req.Action, ":"), "action",
		"Give one action, service:Operation, without wildcards.")
	check(req.Resource != "", "resource", "Give a resource (a TRN or a path such as apis/a1b2).")
	if bad {
		return ve
	}
	ctx := c.Request.Context()
	p := &reqctx.Principal{TenantID: caller.TenantID, TenantName: caller.TenantName}
	userID := req.Principal.UserID
	if req.Principal.AccessKeyID != "" {
		k, err := m.svc.GetAccessKey(ctx, iam.GetAccessKeyQuery{TenantID: caller.TenantID, AccessKeyID: req.Principal.AccessKeyID})
		if err != nil {
			return err
		}
		userID, p.AccessKeyID = k.UserID, k.ID
	}
	if err := m.authz.Authorize(ctx, caller, ActionSimulatePrincipalPolicy, "users/"+userID); err != nil {
		return err
	}
	u, err := m.svc.GetUser(ctx, iam.GetUserQuery{TenantID: caller.TenantID, UserID: userID})
	if err != nil {
		return err
	}
	p.UserID, p.Email, p.Roles = u.ID, u.Email, u.Roles
	trn := req.Resource
	if !strings.HasPrefix(trn, authz.TRNPrefix) {
		trn = authz.TRN(caller.TenantID, strings.TrimPrefix(trn, "/"))
	}
	res, err := m.authz.Simulate(ctx, p, req.Action, trn, req.values)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, SimulateView{Decision: string(res.Decision), MatchedStatement: res.Matched, Resource: trn})
	return nil
}

// secureTransport is aws:SecureTransport of a request: TLS to this server,
// or X-Forwarded-Proto: https from a trusted proxy (Config.TrustedProxies);
// the header from anyone else is ignored, as X-Forwarded-For is.
func (s *Server) secureTransport(c *gin.Context) bool {
	if c.Request.TLS != nil {
		return true
	}
	proto := c.GetHeader("X-Forwarded-Proto")
	if !strings.EqualFold(strings.TrimSpace(proto), "https") {
		return false
	}
	peer, err := netip.ParseAddr(c.RemoteIP())
	if err != nil {
		return false
	}
	peer = peer.Unmap()
	for _, t := range s.cfg.TrustedProxies {
		if pfx, err := netip.ParsePrefix(t); err == nil && pfx.Contains(peer) {
			return true
		}
		if a, err := netip.ParseAddr(t); err == nil && a.Unmap() == peer {
			return true
		}
	}
	return false
}
