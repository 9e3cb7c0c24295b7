// Package executeapi publishes what the gateways need to authorize AWS_IAM
// methods: each tenant's enabled IAM access keys (token hash, user,
// expiry) with their execute-api statements compiled from the user's
// effective policies and the key's session policy
// (gwconfig.ExecuteAPIGrants). The gateway matches those statements itself
// (gateway/stage/iamauth); it never imports the backend or Casbin.
//
// A tenant's grants are republished after every committed IAM change of
// the tenant (Publisher.WrapAudit sees each mutating call inside its
// transaction and schedules the publish with db.AfterCommit), when the
// tenant's policy version (bumped in the same transaction as any change to
// policies, attachments, groups or roles) moves outside the management API,
// at start and on a resync timer.
package executeapi

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/stage/iamauth"
)

// KeyContext is what the control plane knows of a key when it reduces
// its policies: the values of the condition keys that do not change per
// request, and of the policy variables.
type KeyContext struct {
	TenantID    string
	PrincipalID string
	AccessKeyID string
	Email       string
}

func (k KeyContext) value(key string) (string, bool) {
	switch strings.ToLower(key) {
	case strings.ToLower(authz.KeyTenantID):
		return k.TenantID, true
	case strings.ToLower(authz.KeyPrincipalID):
		return k.PrincipalID, true
	case strings.ToLower(authz.KeyAccessKeyID):
		return k.AccessKeyID, true
	case strings.ToLower(authz.KeyPrincipalType):
		return authz.PrincipalTypeAccessKey, true
	case strings.ToLower(authz.KeyEmail):
		return k.Email, k.Email != ""
	}
	return "", false
}

// Statements reduces policies to their execute-api statements for one
// key:
//
//   - only actions covering execute-api:Invoke or execute-api:InvalidateCache
//     count (execute-api:*, *, execute-api:Inv*, ...);
//   - resources keep the patterns that can name an execute-api resource of
//     the tenant, with ${turnpike:PrincipalId}, ${turnpike:TenantId} and
//     ${turnpike:AccessKeyId} substituted;
//   - conditions on the caller's address (aws:SourceIp with IpAddress or
//     NotIpAddress) become address limits the gateway checks; conditions on
//     the key's own tenant, user, email, principal type or key id are
//     decided here; any other condition cannot be checked by the gateway,
//     so an Allow under it is dropped and a Deny under it applies always.
func Statements(policies []authz.Policy, kc KeyContext) []gwconfig.ExecuteAPIStatement {
	out := []gwconfig.ExecuteAPIStatement{}
	for _, p := range policies {
		if p.Document == nil {
			continue
		}
		for _, s := range p.Document.Statement {
			if st, ok := reduce(s, kc); ok {
				out = append(out, st)
			}
		}
	}
	return out
}

func reduce(s authz.Statement, kc KeyContext) (gwconfig.ExecuteAPIStatement, bool) {
	st := gwconfig.ExecuteAPIStatement{Effect: s.Effect}
	deny := s.Effect == authz.EffectDeny
	for _, action := range gwconfig.ExecuteAPIActions {
		matches := func(list []string) bool {
			return slices.ContainsFunc(list, func(pat string) bool {
				return iamauth.Match(strings.ToLower(pat), strings.ToLower(action))
			})
		}
		// NotAction covers every action it does not list.
		if (len(s.NotAction) == 0 && matches(s.Action)) || (len(s.NotAction) > 0 && !matches(s.NotAction)) {
			st.Actions = append(st.Actions, action)
		}
	}
	if len(st.Actions) == 0 {
		return st, false
	}
	target := authz.TRN(kc.TenantID, "execute-api:")
	for _, r := range s.Resource {
		r, ok := substitute(r, kc)
		if ok && canName(r, target) {
			st.Resources = append(st.Resources, r)
		}
	}
	if len(s.NotResource) > 0 {
		// Every resource but those listed. An exclusion whose variable the
		// key lacks cannot be checked: an Allow is dropped, a Deny keeps
		// denying more.
		st.Resources = []string{"*"}
		for _, r := range s.NotResource {
			r, ok := substitute(r, kc)
			if !ok {
				if !deny {
					return st, false
				}
				continue
			}
			st.NotResources = append(st.NotResources, r)
		}
	}
	if len(st.Resources) == 0 {
		return st, false
	}
	for op, keys := range s.Condition {
		for key, vals := range keys {
			switch holds, decided := conditionHolds(op, key, vals, kc, &st); {
			case decided && !holds:
				return st, false // Decided here: the statement never applies to this key.
			case !decided && !deny:
				return st, false // An Allow the gateway cannot check grants nothing.
			}
		}
	}
	return st, true
}

// conditionHolds decides one condition test for the key. Address tests
// are handed to the gateway (recorded in st, decided true); tests of
// request-dependent keys are undecided.
func conditionHolds(op, key string, vals []string, kc KeyContext, st *gwconfig.ExecuteAPIStatement) (holds, decided bool) {
	if strings.Contains(op, ":") {
		return false, false // ForAnyValue:/ForAllValues: test the user's groups, request by request.
	}
	op, ifExists := strings.CutSuffix(op, "IfExists")
	if op == "Null" {
		return nullHolds(key, vals, kc)
	}
	if strings.EqualFold(key, authz.KeySourceIP) {
		switch op {
		case authz.CondIPAddress:
			st.SourceCIDRs = append(st.SourceCIDRs, normalizeCIDRs(vals)...)
			return true, true
		case authz.CondNotIPAddress:
			st.NotSourceCIDRs = append(st.NotSourceCIDRs, normalizeCIDRs(vals)...)
			return true, true
		}
		return false, false
	}
	v, known := kc.value(key)
	if !known {
		if ifExists && isKeyOfKey(key) {
			return true, true // The key has no such value: IfExists passes.
		}
		return false, false
	}
	match := func(eq func(a, b string) bool) bool {
		return slices.ContainsFunc(vals, func(want string) bool { return eq(v, want) })
	}
	switch op {
	case authz.CondStringEquals:
		return match(func(a, b string) bool { return a == b }), true
	case authz.CondStringNotEquals:
		return !match(func(a, b string) bool { return a == b }), true
	case authz.CondStringEqualsIgnoreCase:
		return match(strings.EqualFold), true
	case authz.CondStringNotEqualsIgnoreCase:
		return !match(strings.EqualFold), true
	case authz.CondStringLike:
		return match(func(a, b string) bool { return iamauth.Match(b, a) }), true
	case authz.CondStringNotLike:
		return !match(func(a, b string) bool { return iamauth.Match(b, a) }), true
	}
	return false, false
}

// isKeyOfKey reports whether key is one of the access key's own condition
// keys (whose presence is known when publishing).
func isKeyOfKey(key string) bool {
	for _, k := range []string{authz.KeyTenantID, authz.KeyPrincipalID, authz.KeyAccessKeyID, authz.KeyPrincipalType, authz.KeyEmail} {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// nullHolds decides Null: "true" holds when the key is missing. The
// caller's address is never missing at the gateway.
func nullHolds(key string, vals []string, kc KeyContext) (holds, decided bool) {
	var missing bool
	switch {
	case strings.EqualFold(key, authz.KeySourceIP):
		missing = false
	case isKeyOfKey(key):
		_, present := kc.value(key)
		missing = !present
	default:
		return false, false
	}
	for _, v := range vals {
		if strings.EqualFold(v, "true") == missing {
			return true, true
		}
	}
	return false, true
}

func normalizeCIDRs(vals []string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if a, err := netip.ParseAddr(v); err == nil {
			v = netip.PrefixFrom(a, a.BitLen()).String()
		}
		out = append(out, v)
	}
	return out
}

// substitute replaces the policy variables the key knows; ok is false when
// the resource names one it does not (the statement cannot match).
func substitute(r string, kc KeyContext) (string, bool) {
	if !strings.Contains(r, "${") {
		return r, true
	}
	for _, v := range authz.PolicyVariables {
		val, known := kc.value(v)
		if strings.Contains(r, "${"+v+"}") {
			if !known || val == "" {
				return "", false
			}
			r = strings.ReplaceAll(r, "${"+v+"}", val)
		}
	}
	return r, !strings.Contains(r, "${")
}

// canName reports whether pattern r can match some resource starting
// with target: its literal head (before the first wildcard) and target
// agree as far as both go.
func canName(r, target string) bool {
	head := r
	if i := strings.IndexAny(r, "*?"); i >= 0 {
		head = r[:i]
	}
	return strings.HasPrefix(target, head) || strings.HasPrefix(head, target)
}
