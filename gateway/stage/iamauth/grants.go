// Package iamauth is the AWS_IAM authorization stage: a method whose
// authorizationType is AWS_IAM answers only callers presenting a Turnpike
// IAM access key (Authorization: Bearer tpk_...) of the API's tenant whose
// policies allow execute-api:Invoke on the request's resource
// (gwconfig/iam.go). It also decides execute-api:InvalidateCache for the
// cache stage.
//
// The control plane publishes each tenant's keys with their execute-api
// statements (gwconfig.ExecuteAPIGrants); Compile turns them into an Index
// of precompiled patterns, swapped atomically, so a decision is a SHA-256,
// a map lookup and a few string comparisons: no round trip, no Casbin.
package iamauth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Action is an execute-api action, as a bit.
type Action uint8

// Actions a statement can cover.
const (
	Invoke Action = 1 << iota
	InvalidateCache
)

func (a Action) String() string {
	switch a {
	case Invoke:
		return gwconfig.ActionInvoke
	case InvalidateCache:
		return gwconfig.ActionInvalidateCache
	}
	return "execute-api:?"
}

// Decision is the outcome of an evaluation, as IAM names them.
type Decision uint8

// Decisions.
const (
	ImplicitDeny Decision = iota
	ExplicitDeny
	Allowed
)

// Index is every tenant's compiled keys. It never changes once built.
type Index struct {
	tenants map[string]map[[sha256.Size]byte]*Key
	keys    int
}

// Key is one compiled access key.
type Key struct {
	// AccessKeyID and PrincipalID identify the key and its user.
	AccessKeyID string
	PrincipalID string
	TenantID    string

	expires    time.Time // zero: never
	identity   []statement
	session    []statement
	hasSession bool
}

type statement struct {
	deny      bool
	actions   Action
	resources []pattern
	excluded  []pattern
	cidrs     []netip.Prefix
	notCIDRs  []netip.Prefix
}

// Compile builds an Index. A key with a malformed hash is skipped; a bad
// CIDR makes its statement match no caller (an Allow grants nothing) or,
// for a Deny, every caller: failing closed either way.
func Compile(all []*gwconfig.ExecuteAPIGrants) *Index {
	idx := &Index{tenants: make(map[string]map[[sha256.Size]byte]*Key, len(all))}
	for _, g := range all {
		if g == nil || g.TenantID == "" {
			continue
		}
		keys := make(map[[sha256.Size]byte]*Key, len(g.Keys))
		for i := range g.Keys {
			k := &g.Keys[i]
			var h [sha256.Size]byte
			if n, err := hex.Decode(h[:], []byte(k.TokenHash)); err != nil || n != sha256.Size {
				continue
			}
			ck := &Key{AccessKeyID: k.AccessKeyID, PrincipalID: k.PrincipalID, TenantID: g.TenantID,
				identity: compileStatements(k.Statements), session: compileStatements(k.Session), hasSession: k.HasSession}
			if k.ExpiresAt != nil {
				ck.expires = *k.ExpiresAt
			}
			keys[h] = ck
			idx.keys++
		}
		idx.tenants[g.TenantID] = keys
	}
	return idx
}

// Len is the number of keys in the index.
func (x *Index) Len() int {
	if x == nil {
		return 0
	}
	return x.keys
}

// Lookup finds the tenant's key whose token is token; nil when unknown or
// expired at now.
func (x *Index) Lookup(tenantID, token string, now time.Time) *Key {
	if x == nil || token == "" {
		return nil
	}
	keys := x.tenants[tenantID]
	if keys == nil {
		return nil
	}
	k := keys[sha256.Sum256([]byte(token))]
	if k == nil || (!k.expires.IsZero() && !now.Before(k.expires)) {
		return nil
	}
	return k
}

func compileStatements(in []gwconfig.ExecuteAPIStatement) []statement {
	out := make([]statement, 0, len(in))
	for _, s := range in {
		st := statement{deny: s.Effect != gwconfig.EffectAllow}
		for _, a := range s.Actions {
			switch a {
			case gwconfig.ActionInvoke:
				st.actions |= Invoke
			case gwconfig.ActionInvalidateCache:
				st.actions |= InvalidateCache
			}
		}
		for _, r := range s.Resources {
			st.resources = append(st.resources, compilePattern(r))
		}
		for _, r := range s.NotResources {
			st.excluded = append(st.excluded, compilePattern(r))
		}
		bad := false
		st.cidrs, bad = parsePrefixes(s.SourceCIDRs)
		notCIDRs, badNot := parsePrefixes(s.NotSourceCIDRs)
		st.notCIDRs = notCIDRs
		if bad || badNot {
			if !st.deny {
				continue // An Allow we cannot check grants nothing.
			}
			st.cidrs, st.notCIDRs = nil, nil // A Deny we cannot check denies everyone.
		}
		out = append(out, st)
	}
	return out
}

func parsePrefixes(ss []string) ([]netip.Prefix, bool) {
	var out []netip.Prefix
	for _, s := range ss {
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, true
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, true
		}
		out = append(out, p.Masked())
	}
	return out, false
}

// Decide evaluates action on resource (a full execute-api TRN) for a
// caller at src (invalid when unknown: then statements with address
// conditions never match an Allow and always match a Deny). An explicit
// Deny in the identity or session statements wins; otherwise the identity
// statements must allow, and so must the session statements when the key
// has a session policy.
func (k *Key) Decide(action Action, resource string, src netip.Addr) Decision {
	allow, deny := evaluate(k.identity, action, resource, src)
	if deny {
		return ExplicitDeny
	}
	if k.hasSession {
		sAllow, sDeny := evaluate(k.session, action, resource, src)
		if sDeny {
			return ExplicitDeny
		}
		allow = allow && sAllow
	}
	if allow {
		return Allowed
	}
	return ImplicitDeny
}

func evaluate(stmts []statement, action Action, resource string, src netip.Addr) (allow, deny bool) {
	for i := range stmts {
		s := &stmts[i]
		if s.actions&action == 0 || (allow && !s.deny) {
			continue
		}
		if !s.matchesSource(src) || !matchesAny(s.resources, resource) || matchesAny(s.excluded, resource) {
			continue
		}
		if s.deny {
			return allow, true
		}
		allow = true
	}
	return allow, false
}

func (s *statement) matchesSource(src netip.Addr) bool {
	if len(s.cidrs) == 0 && len(s.notCIDRs) == 0 {
		return true
	}
	if !src.IsValid() {
		// Unknown caller address: a conditional Deny applies, a
		// conditional Allow does not.
		return s.deny
	}
	if len(s.cidrs) > 0 && !containsAddr(s.cidrs, src) {
		return false
	}
	return len(s.notCIDRs) == 0 || !containsAddr(s.notCIDRs, src)
}

func containsAddr(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func matchesAny(ps []pattern, s string) bool {
	for i := range ps {
		if ps[i].match(s) {
			return true
		}
	}
	return false
}
