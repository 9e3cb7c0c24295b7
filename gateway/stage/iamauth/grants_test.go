package iamauth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func TestPattern(t *testing.T) {
	const res = "trn:turnpike:t1:execute-api:a1/prod/GET/pets/42"
	testCases := []struct {
		desc    string
		pattern string
		s       string
		match   bool
	}{
		{desc: "star matches everything", pattern: "*", s: res, match: true},
		{desc: "exact", pattern: res, s: res, match: true},
		{desc: "exact is case-sensitive", pattern: "trn:turnpike:t1:execute-api:a1/prod/get/pets/42", s: res},
		{desc: "exact needs the whole string", pattern: "trn:turnpike:t1:execute-api:a1/prod/GET/pets/4", s: res},
		{desc: "trailing star", pattern: "trn:turnpike:t1:execute-api:a1/prod/GET/*", s: res, match: true},
		{desc: "trailing star crosses slashes", pattern: "trn:turnpike:t1:execute-api:a1/*", s: res, match: true},
		{desc: "trailing star on another api", pattern: "trn:turnpike:t1:execute-api:a2/*", s: res},
		{desc: "star in the middle", pattern: "trn:turnpike:t1:execute-api:a1/*/GET/pets/*", s: res, match: true},
		{desc: "star in the middle, wrong method", pattern: "trn:turnpike:t1:execute-api:a1/*/POST/pets/*", s: res},
		{desc: "tenant wildcard", pattern: "trn:turnpike:*:execute-api:*/*/*/*", s: res, match: true},
		{desc: "leading star", pattern: "*/pets/42", s: res, match: true},
		{desc: "leading star, wrong end", pattern: "*/pets/43", s: res},
		{desc: "question mark", pattern: "trn:turnpike:t1:execute-api:a1/prod/GET/pets/4?", s: res, match: true},
		{desc: "question mark is one character", pattern: "trn:turnpike:t1:execute-api:a1/prod/GET/pets/?", s: res},
		{desc: "question mark in a middle part", pattern: "trn:*:execute-api:a?/*/pets/*", s: res, match: true},
		{desc: "parts must not overlap", pattern: "*42*42", s: "x42", match: false},
		{desc: "repeated part", pattern: "*ab*ab", s: "abab", match: true},
		{desc: "empty resource path", pattern: "trn:turnpike:t1:execute-api:a1/prod/GET/", s: "trn:turnpike:t1:execute-api:a1/prod/GET/", match: true},
		{desc: "other service", pattern: "trn:turnpike:t1:apis/*", s: res},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			p := compilePattern(tc.pattern)
			assert.Equal(t, tc.match, p.match(tc.s))
		})
	}
}

func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func stmt(effect string, actions []string, resources ...string) gwconfig.ExecuteAPIStatement {
	return gwconfig.ExecuteAPIStatement{Effect: effect, Actions: actions, Resources: resources}
}

var (
	invoke     = []string{gwconfig.ActionInvoke}
	invalidate = []string{gwconfig.ActionInvalidateCache}
	both       = []string{gwconfig.ActionInvoke, gwconfig.ActionInvalidateCache}
)

func TestDecide(t *testing.T) {
	const (
		pets   = "trn:turnpike:t1:execute-api:a1/prod/GET/pets/42"
		admin  = "trn:turnpike:t1:execute-api:a1/prod/DELETE/admin"
		inside = "10.1.2.3"
	)
	testCases := []struct {
		desc       string
		statements []gwconfig.ExecuteAPIStatement
		session    []gwconfig.ExecuteAPIStatement
		hasSession bool
		action     Action
		resource   string
		src        string
		want       Decision
	}{
		{desc: "no statements deny implicitly", action: Invoke, resource: pets, want: ImplicitDeny},
		{desc: "allow invoke on everything",
			statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "*")}, action: Invoke, resource: pets, want: Allowed},
		{desc: "invoke does not grant invalidate",
			statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "*")}, action: InvalidateCache, resource: pets, want: ImplicitDeny},
		{desc: "invalidate granted",
			statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", both, "trn:turnpike:t1:execute-api:a1/prod/GET/*")},
			action:     InvalidateCache, resource: pets, want: Allowed},
		{desc: "allow on another resource",
			statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "trn:turnpike:t1:execute-api:a1/prod/GET/*")},
			action:     Invoke, resource: admin, want: ImplicitDeny},
		{desc: "explicit deny wins over allow",
			statements: []gwconfig.ExecuteAPIStatement{
				stmt("Allow", invoke, "*"),
				stmt("Deny", invoke, "trn:turnpike:t1:execute-api:a1/*/DELETE/*"),
			}, action: Invoke, resource: admin, want: ExplicitDeny},
		{desc: "deny of another action does not apply",
			statements: []gwconfig.ExecuteAPIStatement{
				stmt("Allow", both, "*"),
				stmt("Deny", invalidate, "*"),
			}, action: Invoke, resource: pets, want: Allowed},
		{desc: "session narrows identity",
			statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "*")},
			session:    []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "trn:turnpike:t1:execute-api:a2/*")}, hasSession: true,
			action: Invoke, resource: pets, want: ImplicitDeny},
		{desc: "session and identity both allow",
			statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "*")},
			session:    []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "trn:turnpike:t1:execute-api:a1/*")}, hasSession: true,
			action: Invoke, resource: pets, want: Allowed},
		{desc: "empty session policy allows nothing",
			statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "*")}, hasSession: true,
			action: Invoke, resource: pets, want: ImplicitDeny},
		{desc: "session alone grants nothing",
			session: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "*")}, hasSession: true,
			action: Invoke, resource: pets, want: ImplicitDeny},
		{desc: "session deny is explicit",
			statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "*")},
			session:    []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "*"), stmt("Deny", invoke, pets)}, hasSession: true,
			action: Invoke, resource: pets, want: ExplicitDeny},
		{desc: "source address inside the condition",
			statements: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"}, SourceCIDRs: []string{"10.0.0.0/8"}}},
			action:     Invoke, resource: pets, src: inside, want: Allowed},
		{desc: "source address outside the condition",
			statements: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"}, SourceCIDRs: []string{"10.0.0.0/8"}}},
			action:     Invoke, resource: pets, src: "192.0.2.1", want: ImplicitDeny},
		{desc: "unknown source never meets an allow condition",
			statements: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"}, SourceCIDRs: []string{"10.0.0.0/8"}}},
			action:     Invoke, resource: pets, want: ImplicitDeny},
		{desc: "deny outside an address range",
			statements: []gwconfig.ExecuteAPIStatement{
				stmt("Allow", invoke, "*"),
				{Effect: "Deny", Actions: invoke, Resources: []string{"*"}, NotSourceCIDRs: []string{"10.0.0.0/8"}},
			}, action: Invoke, resource: pets, src: "192.0.2.1", want: ExplicitDeny},
		{desc: "deny outside an address range spares the inside",
			statements: []gwconfig.ExecuteAPIStatement{
				stmt("Allow", invoke, "*"),
				{Effect: "Deny", Actions: invoke, Resources: []string{"*"}, NotSourceCIDRs: []string{"10.0.0.0/8"}},
			}, action: Invoke, resource: pets, src: inside, want: Allowed},
		{desc: "a NotResource deny spares the excluded resources",
			statements: []gwconfig.ExecuteAPIStatement{
				stmt("Allow", invoke, "*"),
				{Effect: "Deny", Actions: invoke, Resources: []string{"*"}, NotResources: []string{"trn:turnpike:t1:execute-api:a1/prod/GET/*"}},
			}, action: Invoke, resource: pets, want: Allowed},
		{desc: "a NotResource deny hits the others",
			statements: []gwconfig.ExecuteAPIStatement{
				stmt("Allow", invoke, "*"),
				{Effect: "Deny", Actions: invoke, Resources: []string{"*"}, NotResources: []string{"trn:turnpike:t1:execute-api:a1/prod/GET/*"}},
			}, action: Invoke, resource: admin, want: ExplicitDeny},
		{desc: "allow with a bad CIDR grants nothing",
			statements: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"}, SourceCIDRs: []string{"nonsense"}}},
			action:     Invoke, resource: pets, src: inside, want: ImplicitDeny},
		{desc: "deny with a bad CIDR denies everyone",
			statements: []gwconfig.ExecuteAPIStatement{
				stmt("Allow", invoke, "*"),
				{Effect: "Deny", Actions: invoke, Resources: []string{"*"}, SourceCIDRs: []string{"nonsense"}},
			}, action: Invoke, resource: pets, src: inside, want: ExplicitDeny},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			idx := Compile([]*gwconfig.ExecuteAPIGrants{{TenantID: "t1", Keys: []gwconfig.ExecuteAPIKey{{
				AccessKeyID: "TPAK1", PrincipalID: "usr_1", TokenHash: hashOf("tok"),
				Statements: tc.statements, Session: tc.session, HasSession: tc.hasSession,
			}}}})
			k := idx.Lookup("t1", "tok", time.Now())
			require.NotNil(t, k)
			var src netip.Addr
			if tc.src != "" {
				src = netip.MustParseAddr(tc.src)
			}
			assert.Equal(t, tc.want, k.Decide(tc.action, tc.resource, src))
		})
	}
}

func TestLookup(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	idx := Compile([]*gwconfig.ExecuteAPIGrants{
		{TenantID: "t1", Keys: []gwconfig.ExecuteAPIKey{
			{AccessKeyID: "TPAK1", TokenHash: hashOf("live")},
			{AccessKeyID: "TPAK2", TokenHash: hashOf("later"), ExpiresAt: &future},
			{AccessKeyID: "TPAK3", TokenHash: hashOf("expired"), ExpiresAt: &past},
			{AccessKeyID: "TPAK4", TokenHash: "not-hex"},
		}},
		{TenantID: "t2", Keys: []gwconfig.ExecuteAPIKey{{AccessKeyID: "TPAK5", TokenHash: hashOf("other")}}},
	})
	assert.Equal(t, 4, idx.Len())
	testCases := []struct {
		desc, tenant, token, want string
	}{
		{desc: "live key", tenant: "t1", token: "live", want: "TPAK1"},
		{desc: "unexpired key", tenant: "t1", token: "later", want: "TPAK2"},
		{desc: "expired key", tenant: "t1", token: "expired"},
		{desc: "unknown token", tenant: "t1", token: "nope"},
		{desc: "empty token", tenant: "t1", token: ""},
		{desc: "another tenant's key", tenant: "t1", token: "other"},
		{desc: "unknown tenant", tenant: "t9", token: "live"},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			k := idx.Lookup(tc.tenant, tc.token, now)
			if tc.want == "" {
				assert.Nil(t, k)
				return
			}
			require.NotNil(t, k)
			assert.Equal(t, tc.want, k.AccessKeyID)
		})
	}
}
