// Package authz decides whether a principal may perform an action on a
// resource, with Casbin behind a narrow interface. The model and the role
// policy are embedded (model.conf, policy.csv); no adapter touches the
// database.
//
// Resources are TRNs, trn:turnpike:<tenantId>:<resource path>, e.g.
// trn:turnpike:tnt_x:apis/a1b2/stages/prod. Actions are service:Operation,
// e.g. apigw:CreateApi or iam:ListAccessKeys. The subject of a request is
// the set of the principal's roles, evaluated in one enforcement so that a
// future explicit deny on one role wins over another role's allow.
package authz

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/reqctx"
)

//go:embed model.conf
var modelConf string

//go:embed policy.csv
var policyCSV string

// TRNPrefix starts every resource name.
const TRNPrefix = "trn:turnpike:"

// IAM actions; the apigw actions belong to the APIs domain.
const (
	ActionGetSession      = "iam:GetSession"
	ActionListAccessKeys  = "iam:ListAccessKeys"
	ActionCreateAccessKey = "iam:CreateAccessKey"
	ActionGetAccessKey    = "iam:GetAccessKey"
	ActionUpdateAccessKey = "iam:UpdateAccessKey"
	ActionDeleteAccessKey = "iam:DeleteAccessKey"
)

// ErrForbidden is the answer to a denied request; its message names the
// action and resource.
var ErrForbidden = apierr.Forbidden("auth.forbidden", "You are not allowed to perform this action.")

// Enforcer decides requests against the embedded model and policy. It is
// safe for concurrent use.
type Enforcer struct {
	e *casbin.SyncedEnforcer
}

// New loads the embedded model and policy.
func New() (*Enforcer, error) {
	return NewWithPolicy(policyCSV)
}

// NewWithPolicy loads the embedded model with another policy (CSV lines
// "p, role, resource pattern, action pattern, allow|deny"); for tests and
// for validating a policy before it is saved.
func NewWithPolicy(policy string) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelConf)
	if err != nil {
		return nil, fmt.Errorf("loading authz model: %w", err)
	}
	if err := validatePolicy(policy); err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedEnforcer(m, stringadapter.NewAdapter(policy))
	if err != nil {
		return nil, fmt.Errorf("loading authz policy: %w", err)
	}
	e.AddFunction("hasRole", hasRoleFunc)
	e.AddFunction("trnTenant", trnTenantFunc)
	e.AddFunction("iamMatch", matchFunc(false))
	e.AddFunction("iamActionMatch", matchFunc(true))
	return &Enforcer{e: e}, nil
}

// validatePolicy checks every line's shape and effect.
func validatePolicy(policy string) error {
	for i, line := range strings.Split(policy, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		if len(f) != 5 || f[0] != "p" || f[1] == "" || !strings.HasPrefix(f[2], TRNPrefix) || f[3] == "" ||
			(f[4] != "allow" && f[4] != "deny") {
			return fmt.Errorf("authz policy line %d: want \"p, role, trn:turnpike:..., action, allow|deny\", got %q", i+1, line)
		}
	}
	return nil
}

// TRN names resource (a path such as apis/a1b2) within tenantID.
func TRN(tenantID, resource string) string { return TRNPrefix + tenantID + ":" + resource }

// Enforce reports whether any of roles, acting for tenantID, may perform
// action on the resource named by trn.
func (e *Enforcer) Enforce(roles []string, tenantID, trn, action string) (bool, error) {
	if len(roles) == 0 || tenantID == "" {
		return false, nil
	}
	return e.e.Enforce(roles, tenantID, trn, action)
}

// Authorize implements the API's Authorizer: resource is a path within the
// principal's tenant (apis/a1b2), or a full TRN, whose tenant must then be
// the principal's.
func (e *Enforcer) Authorize(_ context.Context, p *reqctx.Principal, action, resource string) error {
	trn := resource
	if !strings.HasPrefix(resource, TRNPrefix) {
		trn = TRN(p.TenantID, resource)
	}
	ok, err := e.Enforce(p.Roles, p.TenantID, trn, action)
	if err != nil {
		return apierr.Internal.Errorf("enforcing %s on %s: %w", action, trn, err)
	}
	if !ok {
		return ErrForbidden.WithMessage("You are not allowed to perform %s on %s.", action, trn)
	}
	return nil
}

// hasRole(roles []string, role string) reports whether role is one of roles.
func hasRoleFunc(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("hasRole: want 2 arguments, got %d", len(args))
	}
	role, _ := args[1].(string)
	switch roles := args[0].(type) {
	case []string:
		for _, r := range roles {
			if r == role {
				return true, nil
			}
		}
		return false, nil
	case string:
		return roles == role, nil
	default:
		return false, fmt.Errorf("hasRole: roles must be []string, got %T", args[0])
	}
}

// trnTenant(trn string) is the tenant part of a TRN, or "" when trn is not
// one.
func trnTenantFunc(args ...any) (any, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("trnTenant: want 1 argument, got %d", len(args))
	}
	s, _ := args[0].(string)
	return trnTenant(s), nil
}

func trnTenant(trn string) string {
	rest, ok := strings.CutPrefix(trn, TRNPrefix)
	if !ok {
		return ""
	}
	tenant, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return tenant
}

func matchFunc(foldCase bool) func(args ...any) (any, error) {
	return func(args ...any) (any, error) {
		if len(args) != 2 {
			return false, fmt.Errorf("match: want 2 arguments, got %d", len(args))
		}
		s, _ := args[0].(string)
		pattern, _ := args[1].(string)
		if foldCase {
			s, pattern = strings.ToLower(s), strings.ToLower(pattern)
		}
		return wildcardMatch(s, pattern), nil
	}
}

// wildcardMatch matches s against an IAM pattern: * is any run of
// characters (also across / and :), ? is one character. It runs in
// O(len(s)·len(pattern)) at worst, without regular expressions.
func wildcardMatch(s, pattern string) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			si++
			pi++
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}
