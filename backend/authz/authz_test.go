package authz

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/reqctx"
)

func TestAuthorizeBuiltinRoles(t *testing.T) {
	e, err := New()
	require.NoError(t, err)
	admin := &reqctx.Principal{TenantID: "t1", UserID: "u1", Roles: []string{RoleTenantAdmin}}
	reader := &reqctx.Principal{TenantID: "t1", UserID: "u2", Roles: []string{RoleReadOnly}}
	both := &reqctx.Principal{TenantID: "t1", UserID: "u3", Roles: []string{"Unknown", RoleReadOnly}}

	testCases := []struct {
		desc      string
		principal *reqctx.Principal
		action    string
		resource  string
		allowed   bool
	}{
		{desc: "admin creates an api", principal: admin, action: "apigw:CreateApi", resource: "apis", allowed: true},
		{desc: "admin deploys a stage", principal: admin, action: "apigw:CreateDeployment", resource: "apis/a1/stages/prod", allowed: true},
		{desc: "admin creates an access key", principal: admin, action: ActionCreateAccessKey, resource: "access-keys", allowed: true},
		{desc: "admin on own full trn", principal: admin, action: "apigw:DeleteApi", resource: "trn:turnpike:t1:apis/a1", allowed: true},
		{desc: "admin on another tenant's trn", principal: admin, action: "apigw:GetApi", resource: "trn:turnpike:t2:apis/a1"},
		{desc: "admin on a tenant-prefix lookalike", principal: admin, action: "apigw:GetApi", resource: "trn:turnpike:t1x:apis/a1"},
		{desc: "admin on a malformed trn", principal: admin, action: "apigw:GetApi", resource: "trn:turnpike:t1"},
		{desc: "a path holding a trn stays in own tenant", principal: admin, action: "apigw:GetApi", resource: "apis/trn:turnpike:t2:x", allowed: true},
		{desc: "reader gets an api", principal: reader, action: "apigw:GetApi", resource: "apis/a1", allowed: true},
		{desc: "reader lists stages", principal: reader, action: "apigw:GetStages", resource: "apis/a1/stages", allowed: true},
		{desc: "reader gets the session", principal: reader, action: ActionGetSession, resource: "session", allowed: true},
		{desc: "reader lists access keys", principal: reader, action: ActionListAccessKeys, resource: "access-keys", allowed: true},
		{desc: "reader action case is ignored", principal: reader, action: "APIGW:getApi", resource: "apis/a1", allowed: true},
		{desc: "reader creates an api", principal: reader, action: "apigw:CreateApi", resource: "apis"},
		{desc: "reader deploys", principal: reader, action: "apigw:CreateDeployment", resource: "apis/a1/stages/*"},
		{desc: "reader action prefix is not a wildcard elsewhere", principal: reader, action: "apigw:UpdateGetter", resource: "apis/a1"},
		{desc: "reader on another tenant", principal: reader, action: "apigw:GetApi", resource: "trn:turnpike:t2:apis/a1"},
		{desc: "unknown role", principal: &reqctx.Principal{TenantID: "t1", UserID: "u4", Roles: []string{"Root"}}, action: "apigw:GetApi", resource: "apis/a1"},
		{desc: "unknown role beside a known one", principal: both, action: "apigw:GetApi", resource: "apis/a1", allowed: true},
		{desc: "no roles", principal: &reqctx.Principal{TenantID: "t1", UserID: "u5"}, action: "apigw:GetApi", resource: "apis/a1"},
		{desc: "no roles may still ask who they are", principal: &reqctx.Principal{TenantID: "t1", UserID: "u5"}, action: ActionGetSession, resource: "session", allowed: true},
		{desc: "no tenant", principal: &reqctx.Principal{UserID: "u1", Roles: []string{RoleTenantAdmin}}, action: "apigw:GetApi", resource: "apis/a1"},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			err := e.Authorize(context.Background(), test.principal, test.action, test.resource)
			if test.allowed {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrForbidden)
			var ae *apierr.Error
			require.True(t, errors.As(err, &ae))
			assert.Equal(t, 403, ae.Status)
			assert.Contains(t, ae.Message, test.action)
		})
	}
}

func doc(t *testing.T, js string) *Document {
	t.Helper()
	d, err := ParseDocument([]byte(js))
	require.NoError(t, err)
	return d
}

func TestEvaluate(t *testing.T) {
	const tn = "t1"
	trn := func(path string) string { return TRN(tn, path) }
	devOnly := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Dev","Effect":"Allow","Action":["apigw:Get*","apigw:CreateDeployment"],"Resource":"trn:turnpike:t1:apis/*/stages/dev"}]}`)
	office := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Office","Effect":"Allow","Action":"apigw:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}}]}`)
	notOffice := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NotFromOffice","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	keysOnly := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Keys","Effect":"Allow","Action":"apigw:Get?pi","Resource":"*","Condition":{"StringEquals":{"turnpike:PrincipalType":"AccessKey"}}}]}`)
	emails := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Corp","Effect":"Allow","Action":"apigw:GetApi","Resource":"*","Condition":{"StringLike":{"turnpike:Email":"*@corp.test"},"StringNotLike":{"apigw:StageName":"prod*"}}}]}`)
	selfOnly := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Self","Effect":"Allow","Action":"iam:*","Resource":"trn:turnpike:*:users/${turnpike:PrincipalId}"}]}`)
	admin := Policy{ID: PolicyAdministratorAccess, Name: PolicyAdministratorAccess, Document: mustManaged(PolicyAdministratorAccess)}
	dev := Policy{ID: PolicyDeveloperAccess, Name: PolicyDeveloperAccess, Document: mustManaged(PolicyDeveloperAccess)}
	readOnly := Policy{ID: PolicyReadOnlyAccess, Name: PolicyReadOnlyAccess, Document: mustManaged(PolicyReadOnlyAccess)}
	billing := Policy{ID: PolicyBillingReadOnly, Name: PolicyBillingReadOnly, Document: mustManaged(PolicyBillingReadOnly)}
	p := func(id string, d *Document) Policy { return Policy{ID: id, Name: id, Document: d} }
	ip := func(a string) map[string]string { return map[string]string{KeySourceIP: a} }

	testCases := []struct {
		desc     string
		set      PolicySet
		action   string
		resource string
		ctx      map[string]string
		want     Decision
		sid      string
	}{
		{desc: "no policy: implicit deny", action: "apigw:GetApi", resource: trn("apis/a"), want: ImplicitDeny},
		{desc: "admin allows", set: PolicySet{Identity: []Policy{admin}}, action: "apigw:DeleteApi", resource: trn("apis/a"), want: Allowed, sid: "All"},
		{desc: "admin not in another tenant", set: PolicySet{Identity: []Policy{admin}}, action: "apigw:GetApi", resource: TRN("t2", "apis/a"), want: ImplicitDeny},
		{desc: "wildcard action and resource allow", set: PolicySet{Identity: []Policy{p("dev", devOnly)}}, action: "apigw:GetStage", resource: trn("apis/a/stages/dev"), want: Allowed, sid: "Dev"},
		{desc: "action match ignores case", set: PolicySet{Identity: []Policy{p("dev", devOnly)}}, action: "APIGW:createdeployment", resource: trn("apis/a/stages/dev"), want: Allowed, sid: "Dev"},
		{desc: "resource outside the pattern", set: PolicySet{Identity: []Policy{p("dev", devOnly)}}, action: "apigw:GetStage", resource: trn("apis/a/stages/prod"), want: ImplicitDeny},
		{desc: "action outside the pattern", set: PolicySet{Identity: []Policy{p("dev", devOnly)}}, action: "apigw:DeleteStage", resource: trn("apis/a/stages/dev"), want: ImplicitDeny},
		{desc: "? matches one character", set: PolicySet{Identity: []Policy{p("k", keysOnly)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: map[string]string{KeyPrincipalType: "AccessKey"}, want: Allowed, sid: "Keys"},
		{desc: "StringEquals fails", set: PolicySet{Identity: []Policy{p("k", keysOnly)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: map[string]string{KeyPrincipalType: "User"}, want: ImplicitDeny},
		{desc: "StringEquals on a missing key fails", set: PolicySet{Identity: []Policy{p("k", keysOnly)}}, action: "apigw:GetApi", resource: trn("apis/a"), want: ImplicitDeny},
		{desc: "IpAddress v4 inside", set: PolicySet{Identity: []Policy{p("o", office)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: ip("10.1.2.3"), want: Allowed, sid: "Office"},
		{desc: "IpAddress v6 inside", set: PolicySet{Identity: []Policy{p("o", office)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: ip("2001:db8::1"), want: Allowed, sid: "Office"},
		{desc: "IpAddress v4-mapped v6", set: PolicySet{Identity: []Policy{p("o", office)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: ip("::ffff:10.0.0.1"), want: Allowed, sid: "Office"},
		{desc: "IpAddress outside", set: PolicySet{Identity: []Policy{p("o", office)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: ip("192.168.1.1"), want: ImplicitDeny},
		{desc: "IpAddress without address", set: PolicySet{Identity: []Policy{p("o", office)}}, action: "apigw:GetApi", resource: trn("apis/a"), want: ImplicitDeny},
		{desc: "NotIpAddress deny applies outside", set: PolicySet{Identity: []Policy{p("n", notOffice)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: ip("192.168.1.1"), want: ExplicitDeny, sid: "NotFromOffice"},
		{desc: "NotIpAddress deny does not apply inside", set: PolicySet{Identity: []Policy{p("n", notOffice)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: ip("10.9.9.9"), want: Allowed, sid: "All"},
		{desc: "StringLike and StringNotLike hold", set: PolicySet{Identity: []Policy{p("e", emails)}}, action: "apigw:GetApi", resource: trn("apis/a/stages/dev"), ctx: map[string]string{KeyEmail: "a@corp.test", KeyStageName: "dev"}, want: Allowed, sid: "Corp"},
		{desc: "StringLike fails", set: PolicySet{Identity: []Policy{p("e", emails)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: map[string]string{KeyEmail: "a@evil.test"}, want: ImplicitDeny},
		{desc: "StringNotLike fails", set: PolicySet{Identity: []Policy{p("e", emails)}}, action: "apigw:GetApi", resource: trn("apis/a"), ctx: map[string]string{KeyEmail: "a@corp.test", KeyStageName: "prod-eu"}, want: ImplicitDeny},
		{desc: "explicit deny wins over allow in another policy", set: PolicySet{Identity: []Policy{admin, dev}}, action: "iam:CreateUser", resource: trn("users"), want: ExplicitDeny, sid: "NoIAM"},
		{desc: "developer deploys to dev", set: PolicySet{Identity: []Policy{dev}}, action: "apigw:CreateDeployment", resource: trn("apis/a/stages/dev"), want: Allowed, sid: "All"},
		{desc: "developer denied prod", set: PolicySet{Identity: []Policy{dev}}, action: "apigw:GetStage", resource: trn("apis/a/stages/prod"), want: ExplicitDeny, sid: "NoProd"},
		{desc: "deny covering part of a wildcard request applies", set: PolicySet{Identity: []Policy{dev}}, action: "apigw:CreateDeployment", resource: trn("apis/a/stages/*"), want: ExplicitDeny, sid: "NoProd"},
		{desc: "allow must cover a wildcard request", set: PolicySet{Identity: []Policy{p("dev", devOnly)}}, action: "apigw:CreateDeployment", resource: trn("apis/a/stages/*"), want: ImplicitDeny},
		{desc: "read only reads iam", set: PolicySet{Identity: []Policy{readOnly}}, action: "iam:ListUsers", resource: trn("users"), want: Allowed, sid: "Read"},
		{desc: "read only cannot deploy", set: PolicySet{Identity: []Policy{readOnly}}, action: "apigw:CreateDeployment", resource: trn("apis/a/stages/*"), want: ImplicitDeny},
		{desc: "billing reads usage", set: PolicySet{Identity: []Policy{billing}}, action: "apigw:GetUsagePlans", resource: trn("usage-plans"), want: Allowed, sid: "Billing"},
		{desc: "billing cannot read apis", set: PolicySet{Identity: []Policy{billing}}, action: "apigw:GetApi", resource: trn("apis/a"), want: ImplicitDeny},
		{desc: "policy variable matches self", set: PolicySet{Identity: []Policy{p("s", selfOnly)}}, action: "iam:GetUser", resource: trn("users/usr_me"), ctx: map[string]string{KeyPrincipalID: "usr_me"}, want: Allowed, sid: "Self"},
		{desc: "policy variable does not match another", set: PolicySet{Identity: []Policy{p("s", selfOnly)}}, action: "iam:GetUser", resource: trn("users/usr_other"), ctx: map[string]string{KeyPrincipalID: "usr_me"}, want: ImplicitDeny},
		{desc: "policy variable without value never matches", set: PolicySet{Identity: []Policy{p("s", selfOnly)}}, action: "iam:GetUser", resource: trn("users/"), want: ImplicitDeny},
		{desc: "session narrows: both allow", set: PolicySet{Identity: []Policy{admin}, Session: &Policy{ID: "session", Name: "session", Document: devOnly}}, action: "apigw:GetStage", resource: trn("apis/a/stages/dev"), want: Allowed, sid: "All"},
		{desc: "session narrows: session does not allow", set: PolicySet{Identity: []Policy{admin}, Session: &Policy{ID: "session", Name: "session", Document: devOnly}}, action: "apigw:DeleteApi", resource: trn("apis/a"), want: ImplicitDeny},
		{desc: "session cannot widen", set: PolicySet{Identity: []Policy{readOnly}, Session: &Policy{ID: "session", Name: "session", Document: mustManaged(PolicyAdministratorAccess)}}, action: "apigw:DeleteApi", resource: trn("apis/a"), want: ImplicitDeny},
		{desc: "session deny wins", set: PolicySet{Identity: []Policy{admin}, Session: &Policy{ID: "session", Name: "session", Document: mustManaged(PolicyDeveloperAccess)}}, action: "iam:ListUsers", resource: trn("users"), want: ExplicitDeny, sid: "NoIAM"},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			c, err := Compile(test.set)
			require.NoError(t, err)
			res, err := c.Evaluate(Request{TenantID: tn, Action: test.action, Resource: test.resource, Context: test.ctx})
			require.NoError(t, err)
			assert.Equal(t, test.want, res.Decision)
			if test.sid == "" {
				assert.Nil(t, res.Matched)
				return
			}
			require.NotNil(t, res.Matched)
			assert.Equal(t, test.sid, res.Matched.Sid)
		})
	}
}

func mustManaged(name string) *Document {
	m, ok := Managed(name)
	if !ok {
		panic(name)
	}
	return m.Document
}

func TestParseDocumentErrors(t *testing.T) {
	testCases := []struct {
		desc, js, field, code string
	}{
		{"malformed", `{"Version":`, "document", "malformed"},
		{"unknown field", `{"Version":"2012-10-17","Statement":[],"Extra":1}`, "document", "malformed"},
		{"bad version", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "Version", "invalid"},
		{"no statement", `{"Version":"2012-10-17","Statement":[]}`, "Statement", "required"},
		{"unknown effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`, "Statement[0].Effect", "invalid"},
		{"bad action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"getapi","Resource":"*"}]}`, "Statement[0].Action", "invalid"},
		{"no action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Statement[0].Action", "required"},
		{"bad resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"apis/*"}]}`, "Statement[0].Resource", "invalid"},
		{"unknown variable", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"trn:turnpike:*:users/${aws:username}"}]}`, "Statement[0].Resource", "invalid"},
		{"bad cidr", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}`, "Statement[0].Condition.IpAddress.aws:SourceIp", "invalid-cidr"},
		{"unknown operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEqual":{"aws:SourceIp":"1"}}}]}`, "Statement[0].Condition.NumericEqual", "unknown-operator"},
		{"unknown key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:Foo":"1"}}}]}`, "Statement[0].Condition.StringEquals.aws:Foo", "unknown-key"},
		{"second statement", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"deny","Action":"*","Resource":"*"}]}`, "Statement[1].Effect", "invalid"},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			_, err := ParseDocument([]byte(test.js))
			require.ErrorIs(t, err, ErrPolicyInvalid)
			var ae *apierr.Error
			require.True(t, errors.As(err, &ae))
			assert.Equal(t, 422, ae.Status)
			require.Contains(t, ae.Details, test.field)
			assert.Equal(t, test.code, ae.Details[test.field].Code)
		})
	}
	d, err := ParseDocument([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"A1","Effect":"Allow","Action":"apigw:Get*","Resource":["trn:turnpike:t1:apis/*"],"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.1","::1/128"]}}}]}`))
	require.NoError(t, err)
	assert.Equal(t, StringList{"apigw:Get*"}, d.Statement[0].Action)
}

func TestWildcardMatch(t *testing.T) {
	testCases := []struct {
		s, pattern string
		want       bool
	}{
		{"apigw:GetApi", "apigw:Get*", true},
		{"apigw:GetApi", "apigw:*", true},
		{"apigw:GetApi", "*", true},
		{"", "*", true},
		{"apigw:GetApi", "apigw:List*", false},
		{"apigw:GetApi", "apigw:GetAp?", true},
		{"apigw:GetApi", "apigw:Get?", false},
		{"trn:turnpike:t1:apis/a1/stages/prod", "trn:turnpike:*:apis/*/stages/*", true},
		{"trn:turnpike:t1:apis/a1", "trn:turnpike:*:apis/*/stages/*", false},
		{"aaa", "a*a*a", true},
		{"aa", "a*a*a", false},
		{"abc", "abc", true},
		{"abcd", "abc", false},
	}
	for _, test := range testCases {
		t.Run(test.s+" "+test.pattern, func(t *testing.T) {
			assert.Equal(t, test.want, wildcardMatch(test.s, test.pattern))
		})
	}
}

func TestGlobsIntersect(t *testing.T) {
	testCases := []struct {
		a, b string
		want bool
	}{
		{"apis/a/stages/*", "apis/*/stages/prod*", true},
		{"apis/a/stages/*", "apis/*/stages/dev", true},
		{"apis/a/stages/dev", "apis/*/stages/prod*", false},
		{"apis/a/routes/*", "apis/*/stages/*", true}, // * crosses /
		{"apis/a/routes/?", "apis/*/stages/*", false},
		{"a?c", "abc", true},
		{"a?c", "ab", false},
		{"*", "anything", true},
	}
	for _, test := range testCases {
		assert.Equal(t, test.want, globsIntersect(test.a, test.b), test.a+" ∩ "+test.b)
	}
}

// countingSource counts loads and lets a test change the policies.
type countingSource struct {
	mu      sync.Mutex
	version int64
	set     PolicySet
	loads   atomic.Int64
}

func (s *countingSource) PolicyVersion(context.Context, string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

func (s *countingSource) PrincipalPolicies(context.Context, *reqctx.Principal) (*PrincipalPolicies, error) {
	s.loads.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return &PrincipalPolicies{PolicySet: s.set}, nil
}

func (s *countingSource) change(set PolicySet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set = set
	s.version++
}

func TestAuthorizerCacheFollowsVersion(t *testing.T) {
	admin := Policy{ID: PolicyAdministratorAccess, Document: mustManaged(PolicyAdministratorAccess)}
	src := &countingSource{set: PolicySet{Identity: []Policy{admin}}}
	a := NewAuthorizer(src)
	p := &reqctx.Principal{TenantID: "t1", UserID: "u1", SourceIP: "10.0.0.1"}
	ctx := context.Background()
	for range 3 {
		require.NoError(t, a.Authorize(ctx, p, "apigw:DeleteApi", "apis/a"))
	}
	assert.Equal(t, int64(1), src.loads.Load(), "one load for one version")

	src.change(PolicySet{}) // detach everything
	err := a.Authorize(ctx, p, "apigw:DeleteApi", "apis/a")
	require.ErrorIs(t, err, ErrForbidden, "the detach takes effect on the next call")
	assert.Equal(t, int64(2), src.loads.Load())
}

func TestAuthorizerConditionInputsAreInTheCacheKey(t *testing.T) {
	office := doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	a := NewAuthorizer(&countingSource{set: PolicySet{Identity: []Policy{{ID: "o", Document: office}}}})
	ctx := context.Background()
	in := &reqctx.Principal{TenantID: "t1", UserID: "u1", SourceIP: "10.0.0.1"}
	out := &reqctx.Principal{TenantID: "t1", UserID: "u1", SourceIP: "192.0.2.1"}
	require.NoError(t, a.Authorize(ctx, in, "apigw:GetApi", "apis/a"))
	require.ErrorIs(t, a.Authorize(ctx, out, "apigw:GetApi", "apis/a"), ErrForbidden)
	require.NoError(t, a.Authorize(ctx, in, "apigw:GetApi", "apis/a"))
}

func TestPasswordResetRequired(t *testing.T) {
	src := &resetSource{}
	a := NewAuthorizer(src)
	p := &reqctx.Principal{TenantID: "t1", UserID: "u1"}
	require.ErrorIs(t, a.Authorize(context.Background(), p, "apigw:GetApi", "apis/a"), ErrPasswordResetRequired)
	require.NoError(t, a.Authorize(context.Background(), p, ActionChangePassword, "session"))
}

type resetSource struct{}

func (resetSource) PolicyVersion(context.Context, string) (int64, error) { return 1, nil }
func (resetSource) PrincipalPolicies(context.Context, *reqctx.Principal) (*PrincipalPolicies, error) {
	return &PrincipalPolicies{PolicySet: PolicySet{Identity: BuiltinRolePolicies([]string{RoleTenantAdmin})}, PasswordResetRequired: true}, nil
}

func TestConcurrentAuthorize(t *testing.T) {
	e, err := New()
	require.NoError(t, err)
	p := &reqctx.Principal{TenantID: "t1", UserID: "u1", Roles: []string{RoleReadOnly}}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				err := e.Authorize(context.Background(), p, "apigw:GetApi", "apis/a1")
				assert.NoError(t, err)
				err = e.Authorize(context.Background(), p, "apigw:DeleteApi", "apis/a1")
				assert.Error(t, err, i)
			}
		})
	}
	wg.Wait()
}
