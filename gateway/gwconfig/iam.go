package gwconfig

// This file is the contract for AWS_IAM methods: what the control plane
// publishes of a tenant's IAM access keys so that gateways can authorize
// invoke requests without a round trip.
//
// Resources. A request to an API is the resource
//
//	trn:turnpike:<tenantId>:execute-api:<apiId>/<stage>/<METHOD>/<path>
//
// like AWS's arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<resource-path>:
// METHOD is the request's method (never ANY), and path is the request path
// below the stage, without its leading slash ("" for the stage root), as
// sent: GET /prod/pets/42 of API a1 in tenant tnt_x is
// trn:turnpike:tnt_x:execute-api:a1/prod/GET/pets/42. Policies match it
// with * (any run of characters, / included) and ? (one character), e.g.
// trn:turnpike:tnt_x:execute-api:a1/prod/GET/pets/* or
// trn:turnpike:*:execute-api:*/*/*/*.
//
// Actions. execute-api:Invoke lets a key call AWS_IAM methods;
// execute-api:InvalidateCache lets it refresh a cached answer with
// Cache-Control: max-age=0 on stages that require authorization for it
// (StageCache.RequireAuthorizationForCacheControl).

import (
	"errors"
	"time"
)

// Authorization types of a route.
const (
	AuthorizationNone   = "NONE"
	AuthorizationAWSIAM = "AWS_IAM"
)

// Actions of execute-api, as policies name them.
const (
	ActionInvoke          = "execute-api:Invoke"
	ActionInvalidateCache = "execute-api:InvalidateCache"
)

// ExecuteAPIActions are every execute-api action, the only ones published.
var ExecuteAPIActions = []string{ActionInvoke, ActionInvalidateCache}

// ExecuteAPIResource builds the resource name of a request (see the
// file comment); path is the request path below the stage, without its
// leading slash.
func ExecuteAPIResource(tenantID, apiID, stage, method, path string) string {
	return "trn:turnpike:" + tenantID + ":execute-api:" + apiID + "/" + stage + "/" + method + "/" + path
}

// ExecuteAPIGrants is a tenant's enabled IAM access keys with what their
// policies allow of execute-api. It is published whole after every change
// to the tenant's keys, users, groups, roles or policies; a tenant without
// any access key has none published.
type ExecuteAPIGrants struct {
	TenantID string `json:"tenantId"`
	// Keys are the tenant's active, unexpired access keys of active users.
	Keys []ExecuteAPIKey `json:"keys"`
	// Revision is stamped by the control plane (UnixNano of the change).
	Revision int64 `json:"revision"`
}

// ExecuteAPIKey is one access key as the gateway checks it.
type ExecuteAPIKey struct {
	// AccessKeyID is the key's id (TPAK...), for logs.
	AccessKeyID string `json:"accessKeyId"`
	// PrincipalID is the user the key belongs to (usr_...).
	PrincipalID string `json:"principalId"`
	// TokenHash is the hex SHA-256 of the bearer token, as the control
	// plane stores it; the token itself is never published.
	TokenHash string `json:"tokenHash"`
	// ExpiresAt, when set, is when the gateway stops accepting the key.
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	// Statements are the execute-api statements of the user's policies.
	Statements []ExecuteAPIStatement `json:"statements,omitempty"`
	// Session, when not nil, is the key's session policy: an action is
	// allowed only when both Statements and Session allow it.
	Session []ExecuteAPIStatement `json:"session,omitempty"`
	// HasSession tells an empty session policy (allows nothing) from none.
	HasSession bool `json:"hasSession,omitempty"`
}

// ExecuteAPIStatement is one policy statement reduced to execute-api.
type ExecuteAPIStatement struct {
	// Effect is Allow or Deny.
	Effect string `json:"effect"`
	// Actions are the execute-api actions the statement's action patterns
	// cover (ActionInvoke, ActionInvalidateCache).
	Actions []string `json:"actions"`
	// Resources are resource patterns (* and ? wildcards), with policy
	// variables already substituted.
	Resources []string `json:"resources"`
	// NotResources, when set, exclude resources (a NotResource
	// statement: Resources is then ["*"]).
	NotResources []string `json:"notResources,omitempty"`
	// SourceCIDRs, when set, limit the statement to callers from these
	// addresses (an aws:SourceIp IpAddress condition); NotSourceCIDRs to
	// callers from outside them (NotIpAddress).
	SourceCIDRs    []string `json:"sourceCidrs,omitempty"`
	NotSourceCIDRs []string `json:"notSourceCidrs,omitempty"`
}

// Effects of a statement.
const (
	EffectAllow = "Allow"
	EffectDeny  = "Deny"
)

// Validate checks what a gateway relies on.
func (g *ExecuteAPIGrants) Validate() error {
	if g == nil || g.TenantID == "" {
		return errors.New("execute-api grants need a tenant id")
	}
	for _, k := range g.Keys {
		if len(k.TokenHash) != 64 || k.AccessKeyID == "" {
			return errors.New("execute-api grants: every key needs an id and a hex SHA-256 token hash")
		}
	}
	return nil
}
