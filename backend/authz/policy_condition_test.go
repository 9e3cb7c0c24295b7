package authz

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// stmt is a one-statement document allowing (or denying) apigw:GetApi on
// everything under the condition cond (a JSON object, or "" for none).
func stmt(effect, cond string) string {
	js := `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"` + effect + `","Action":"apigw:GetApi","Resource":"*"`
	if cond != "" {
		js += `,"Condition":` + cond
	}
	return js + `}]}`
}

func TestConditionOperators(t *testing.T) {
	const noon = "2026-06-01T12:00:00Z"
	const noonEpoch = "1780315200"
	at := func(rfc, epoch string) map[string]string {
		return map[string]string{KeyCurrentTime: rfc, KeyEpochTime: epoch}
	}
	testCases := []struct {
		desc  string
		cond  string
		ctx   map[string]string
		lists map[string][]string
		want  bool
	}{
		{desc: "NumericEquals", cond: `{"NumericEquals":{"aws:EpochTime":"` + noonEpoch + `"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "NumericEquals other", cond: `{"NumericEquals":{"aws:EpochTime":"1"}}`, ctx: at(noon, noonEpoch)},
		{desc: "NumericNotEquals", cond: `{"NumericNotEquals":{"aws:EpochTime":"1"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "NumericNotEquals same", cond: `{"NumericNotEquals":{"aws:EpochTime":"` + noonEpoch + `"}}`, ctx: at(noon, noonEpoch)},
		{desc: "NumericLessThan", cond: `{"NumericLessThan":{"aws:EpochTime":"1780315201"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "NumericLessThan equal", cond: `{"NumericLessThan":{"aws:EpochTime":"` + noonEpoch + `"}}`, ctx: at(noon, noonEpoch)},
		{desc: "NumericLessThanEquals equal", cond: `{"NumericLessThanEquals":{"aws:EpochTime":"` + noonEpoch + `"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "NumericGreaterThan", cond: `{"NumericGreaterThan":{"aws:EpochTime":"1780315199.5"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "NumericGreaterThan equal", cond: `{"NumericGreaterThan":{"aws:EpochTime":"` + noonEpoch + `"}}`, ctx: at(noon, noonEpoch)},
		{desc: "NumericGreaterThanEquals", cond: `{"NumericGreaterThanEquals":{"aws:EpochTime":"` + noonEpoch + `"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "Numeric missing key", cond: `{"NumericGreaterThan":{"aws:EpochTime":"1"}}`},
		{desc: "NumericNotEquals missing key passes", cond: `{"NumericNotEquals":{"aws:EpochTime":"1"}}`, want: true},
		{desc: "DateEquals rfc3339", cond: `{"DateEquals":{"aws:CurrentTime":"2026-06-01T14:00:00+02:00"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "DateEquals epoch value", cond: `{"DateEquals":{"aws:CurrentTime":"` + noonEpoch + `"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "DateNotEquals", cond: `{"DateNotEquals":{"aws:CurrentTime":"2026-06-01"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "DateLessThan before", cond: `{"DateLessThan":{"aws:CurrentTime":"2026-12-31T00:00:00Z"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "DateLessThan after", cond: `{"DateLessThan":{"aws:CurrentTime":"2026-01-01"}}`, ctx: at(noon, noonEpoch)},
		{desc: "DateLessThanEquals equal", cond: `{"DateLessThanEquals":{"aws:CurrentTime":"` + noon + `"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "DateGreaterThan", cond: `{"DateGreaterThan":{"aws:CurrentTime":"2026-06-01"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "DateGreaterThanEquals on epoch key", cond: `{"DateGreaterThanEquals":{"aws:EpochTime":"` + noon + `"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "Date window both hold", cond: `{"DateGreaterThan":{"aws:CurrentTime":"2026-06-01T09:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2026-06-01T17:00:00Z"}}`, ctx: at(noon, noonEpoch), want: true},
		{desc: "Date window one fails", cond: `{"DateGreaterThan":{"aws:CurrentTime":"2026-06-01T13:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2026-06-01T17:00:00Z"}}`, ctx: at(noon, noonEpoch)},
		{desc: "Bool true", cond: `{"Bool":{"aws:SecureTransport":"true"}}`, ctx: map[string]string{KeySecureTransport: "true"}, want: true},
		{desc: "Bool false", cond: `{"Bool":{"aws:SecureTransport":"true"}}`, ctx: map[string]string{KeySecureTransport: "false"}},
		{desc: "Bool missing", cond: `{"Bool":{"aws:SecureTransport":"false"}}`},
		{desc: "Null true on missing key", cond: `{"Null":{"turnpike:AccessKeyId":"true"}}`, want: true},
		{desc: "Null true on present key", cond: `{"Null":{"turnpike:AccessKeyId":"true"}}`, ctx: map[string]string{KeyAccessKeyID: "TPAK1"}},
		{desc: "Null false on present key", cond: `{"Null":{"turnpike:AccessKeyId":"false"}}`, ctx: map[string]string{KeyAccessKeyID: "TPAK1"}, want: true},
		{desc: "Null on empty groups", cond: `{"Null":{"turnpike:PrincipalGroups":"true"}}`, lists: map[string][]string{KeyPrincipalGroups: {}}, want: true},
		{desc: "IfExists with key missing passes", cond: `{"StringEqualsIfExists":{"apigw:StageName":"dev"}}`, want: true},
		{desc: "IfExists with key present tests", cond: `{"StringEqualsIfExists":{"apigw:StageName":"dev"}}`, ctx: map[string]string{KeyStageName: "prod"}},
		{desc: "NumericLessThanIfExists missing", cond: `{"NumericLessThanIfExists":{"aws:EpochTime":"1"}}`, want: true},
		{desc: "BoolIfExists missing", cond: `{"BoolIfExists":{"aws:SecureTransport":"true"}}`, want: true},
		{desc: "IpAddressIfExists present outside", cond: `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx: map[string]string{KeySourceIP: "192.0.2.1"}},
		{desc: "ForAnyValue one matches", cond: `{"ForAnyValue:StringEquals":{"turnpike:PrincipalGroups":["ops","admins"]}}`, lists: map[string][]string{KeyPrincipalGroups: {"dev", "ops"}}, want: true},
		{desc: "ForAnyValue none matches", cond: `{"ForAnyValue:StringEquals":{"turnpike:PrincipalGroups":"admins"}}`, lists: map[string][]string{KeyPrincipalGroups: {"dev", "ops"}}},
		{desc: "ForAnyValue no groups", cond: `{"ForAnyValue:StringLike":{"turnpike:PrincipalGroups":"*"}}`},
		{desc: "ForAllValues all match", cond: `{"ForAllValues:StringLike":{"turnpike:PrincipalGroups":"team-*"}}`, lists: map[string][]string{KeyPrincipalGroups: {"team-a", "team-b"}}, want: true},
		{desc: "ForAllValues one does not", cond: `{"ForAllValues:StringLike":{"turnpike:PrincipalGroups":"team-*"}}`, lists: map[string][]string{KeyPrincipalGroups: {"team-a", "ops"}}},
		{desc: "ForAllValues no groups passes", cond: `{"ForAllValues:StringEquals":{"turnpike:PrincipalGroups":"x"}}`, want: true},
		{desc: "ForAnyValue negated", cond: `{"ForAnyValue:StringNotEquals":{"turnpike:PrincipalGroups":"dev"}}`, lists: map[string][]string{KeyPrincipalGroups: {"dev", "ops"}}, want: true},
		{desc: "ForAnyValue IfExists no groups", cond: `{"ForAnyValue:StringEqualsIfExists":{"turnpike:PrincipalGroups":"x"}}`, want: true},
		{desc: "operator names ignore key case", cond: `{"StringEquals":{"APIGW:stagename":"dev"}}`, ctx: map[string]string{KeyStageName: "dev"}, want: true},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			c, err := Compile(PolicySet{Identity: []Policy{{ID: "p", Document: doc(t, stmt(EffectAllow, test.cond))}}})
			require.NoError(t, err)
			res, err := c.Evaluate(Request{TenantID: "t1", Action: "apigw:GetApi", Resource: TRN("t1", "apis/a"), Context: test.ctx, Lists: test.lists})
			require.NoError(t, err)
			want := ImplicitDeny
			if test.want {
				want = Allowed
			}
			assert.Equal(t, want, res.Decision)

			// The same condition on a Deny beside an Allow of everything:
			// the deny applies exactly when the condition holds.
			c, err = Compile(PolicySet{Identity: []Policy{{ID: "all", Document: mustManaged(PolicyAdministratorAccess)},
				{ID: "p", Document: doc(t, stmt(EffectDeny, test.cond))}}})
			require.NoError(t, err)
			res, err = c.Evaluate(Request{TenantID: "t1", Action: "apigw:GetApi", Resource: TRN("t1", "apis/a"), Context: test.ctx, Lists: test.lists})
			require.NoError(t, err)
			want = Allowed
			if test.want {
				want = ExplicitDeny
			}
			assert.Equal(t, want, res.Decision)
		})
	}
}

func TestNotActionNotResource(t *testing.T) {
	const tn = "t1"
	trn := func(path string) string { return TRN(tn, path) }
	allButIAM := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"NotIAM","Effect":"Allow","NotAction":["iam:*","billing:*"],"Resource":"*"}]}`)
	denyAllButRead := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"ReadOnly","Effect":"Deny","NotAction":"apigw:Get*","Resource":"*"}]}`)
	allButProd := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"NotProd","Effect":"Allow","Action":"apigw:*","NotResource":"trn:turnpike:*:apis/*/stages/prod*"}]}`)
	denyOutsideSandbox := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Sandbox","Effect":"Deny","Action":"apigw:*","NotResource":["trn:turnpike:*:apis/sandbox","trn:turnpike:*:apis/sandbox/*"]}]}`)
	notSelf := doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Others","Effect":"Allow","Action":"iam:*","NotResource":"trn:turnpike:*:users/${turnpike:PrincipalId}"}]}`)
	admin := Policy{ID: "admin", Document: mustManaged(PolicyAdministratorAccess)}
	p := func(d *Document) Policy { return Policy{ID: "p", Name: "p", Document: d} }
	me := map[string]string{KeyPrincipalID: "usr_me"}

	testCases := []struct {
		desc     string
		set      []Policy
		action   string
		resource string
		ctx      map[string]string
		want     Decision
		sid      string
	}{
		{desc: "NotAction allow: other action", set: []Policy{p(allButIAM)}, action: "apigw:DeleteApi", resource: trn("apis/a"), want: Allowed, sid: "NotIAM"},
		{desc: "NotAction allow: listed action is not allowed", set: []Policy{p(allButIAM)}, action: "iam:CreateUser", resource: trn("users"), want: ImplicitDeny},
		{desc: "NotAction allow: listed matches any case", set: []Policy{p(allButIAM)}, action: "BILLING:GetInvoice", resource: trn("invoices"), want: ImplicitDeny},
		{desc: "NotAction deny: listed action passes", set: []Policy{admin, p(denyAllButRead)}, action: "apigw:GetApi", resource: trn("apis/a"), want: Allowed},
		{desc: "NotAction deny: explicit deny wins", set: []Policy{admin, p(denyAllButRead)}, action: "apigw:DeleteApi", resource: trn("apis/a"), want: ExplicitDeny, sid: "ReadOnly"},
		{desc: "NotAction deny alone allows nothing", set: []Policy{p(denyAllButRead)}, action: "apigw:GetApi", resource: trn("apis/a"), want: ImplicitDeny},
		{desc: "NotResource allow: other resource", set: []Policy{p(allButProd)}, action: "apigw:GetStage", resource: trn("apis/a/stages/dev"), want: Allowed, sid: "NotProd"},
		{desc: "NotResource allow: listed resource", set: []Policy{p(allButProd)}, action: "apigw:GetStage", resource: trn("apis/a/stages/prod-eu"), want: ImplicitDeny},
		{desc: "NotResource allow: wildcard request that may be listed", set: []Policy{p(allButProd)}, action: "apigw:CreateDeployment", resource: trn("apis/a/stages/*"), want: ImplicitDeny},
		{desc: "NotResource allow: action still must match", set: []Policy{p(allButProd)}, action: "iam:ListUsers", resource: trn("users"), want: ImplicitDeny},
		{desc: "NotResource deny: outside applies", set: []Policy{admin, p(denyOutsideSandbox)}, action: "apigw:DeleteApi", resource: trn("apis/a"), want: ExplicitDeny, sid: "Sandbox"},
		{desc: "NotResource deny: inside passes", set: []Policy{admin, p(denyOutsideSandbox)}, action: "apigw:DeleteApi", resource: trn("apis/sandbox/stages/dev"), want: Allowed},
		{desc: "NotResource deny: wildcard request partly outside", set: []Policy{admin, p(denyOutsideSandbox)}, action: "apigw:GetApi", resource: trn("apis/*"), want: ExplicitDeny, sid: "Sandbox"},
		{desc: "NotResource deny: wildcard request inside", set: []Policy{admin, p(denyOutsideSandbox)}, action: "apigw:GetStage", resource: trn("apis/sandbox/stages/*"), want: Allowed},
		{desc: "NotResource with variable: others", set: []Policy{p(notSelf)}, action: "iam:GetUser", resource: trn("users/usr_other"), ctx: me, want: Allowed, sid: "Others"},
		{desc: "NotResource with variable: self", set: []Policy{p(notSelf)}, action: "iam:GetUser", resource: trn("users/usr_me"), ctx: me, want: ImplicitDeny},
		{desc: "NotResource with unresolved variable allows nothing", set: []Policy{p(notSelf)}, action: "iam:GetUser", resource: trn("users/usr_other"), want: ImplicitDeny},
		{desc: "NotResource never crosses tenants", set: []Policy{p(allButProd)}, action: "apigw:GetApi", resource: TRN("t2", "apis/a"), want: ImplicitDeny},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			c, err := Compile(PolicySet{Identity: test.set})
			require.NoError(t, err)
			res, err := c.Evaluate(Request{TenantID: tn, Action: test.action, Resource: test.resource, Context: test.ctx})
			require.NoError(t, err)
			assert.Equal(t, test.want, res.Decision)
			if test.sid != "" {
				require.NotNil(t, res.Matched)
				assert.Equal(t, test.sid, res.Matched.Sid)
			}
		})
	}
}

func TestParseDocumentLanguageErrors(t *testing.T) {
	const head = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`
	testCases := []struct {
		desc, body, field, code string
	}{
		{"Action and NotAction", `"Action":"*","NotAction":"iam:*","Resource":"*"}]}`, "Statement[0].NotAction", "conflict"},
		{"Resource and NotResource", `"Action":"*","Resource":"*","NotResource":"*"}]}`, "Statement[0].NotResource", "conflict"},
		{"neither action", `"Resource":"*"}]}`, "Statement[0].Action", "required"},
		{"neither resource", `"NotAction":"iam:*"}]}`, "Statement[0].Resource", "required"},
		{"empty NotAction", `"NotAction":[],"Resource":"*"}]}`, "Statement[0].Action", "required"},
		{"bad NotAction", `"NotAction":"iam","Resource":"*"}]}`, "Statement[0].NotAction", "invalid"},
		{"bad NotResource", `"Action":"*","NotResource":"apis/*"}]}`, "Statement[0].NotResource", "invalid"},
		{"bad number", `"Action":"*","Resource":"*","Condition":{"NumericLessThan":{"aws:EpochTime":"soon"}}}]}`, "Statement[0].Condition.NumericLessThan.aws:EpochTime", "invalid-value"},
		{"bad date", `"Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"31/12/2026"}}}]}`, "Statement[0].Condition.DateLessThan.aws:CurrentTime", "invalid-value"},
		{"bad bool", `"Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}]}`, "Statement[0].Condition.Bool.aws:SecureTransport", "invalid-value"},
		{"bad null", `"Action":"*","Resource":"*","Condition":{"Null":{"aws:SourceIp":"1"}}}]}`, "Statement[0].Condition.Null.aws:SourceIp", "invalid-value"},
		{"numeric on a string key", `"Action":"*","Resource":"*","Condition":{"NumericEquals":{"turnpike:Email":"1"}}}]}`, "Statement[0].Condition.NumericEquals", "invalid-key"},
		{"date on ip key", `"Action":"*","Resource":"*","Condition":{"DateEquals":{"aws:SourceIp":"2026-01-01"}}}]}`, "Statement[0].Condition.DateEquals", "invalid-key"},
		{"bool on a string key", `"Action":"*","Resource":"*","Condition":{"Bool":{"turnpike:Email":"true"}}}]}`, "Statement[0].Condition.Bool", "invalid-key"},
		{"NullIfExists", `"Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:SourceIp":"true"}}}]}`, "Statement[0].Condition.NullIfExists", "unknown-operator"},
		{"bare IfExists", `"Action":"*","Resource":"*","Condition":{"IfExists":{"aws:SourceIp":"true"}}}]}`, "Statement[0].Condition.IfExists", "unknown-operator"},
		{"unknown set operator", `"Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"turnpike:PrincipalGroups":"a"}}}]}`, "Statement[0].Condition.ForSomeValues:StringEquals", "unknown-operator"},
		{"set operator on a single key", `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"turnpike:Email":"a"}}}]}`, "Statement[0].Condition.ForAnyValue:StringEquals.turnpike:Email", "invalid"},
		{"multi key without set operator", `"Action":"*","Resource":"*","Condition":{"StringEquals":{"turnpike:PrincipalGroups":"a"}}}]}`, "Statement[0].Condition.StringEquals.turnpike:PrincipalGroups", "invalid"},
		{"unknown key", `"Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, "Statement[0].Condition.Bool.aws:MultiFactorAuthPresent", "unknown-key"},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			_, err := ParseDocument([]byte(head + test.body))
			require.ErrorIs(t, err, ErrPolicyInvalid)
			var ae *apierr.Error
			require.True(t, errors.As(err, &ae))
			assert.Equal(t, 422, ae.Status)
			require.Contains(t, ae.Details, test.field, ae.Details)
			assert.Equal(t, test.code, ae.Details[test.field].Code)
		})
	}
	// Valid ones, and the rendering keeps NotAction/NotResource.
	d, err := ParseDocument([]byte(head + `"NotAction":"iam:*","NotResource":"trn:turnpike:*:apis/prod","Condition":{"ForAllValues:StringLike":{"turnpike:PrincipalGroups":"team-*"},"Null":{"turnpike:PrincipalGroups":"false"},"DateLessThanIfExists":{"aws:CurrentTime":"1780315200"}}}]}`))
	require.NoError(t, err)
	assert.NotContains(t, d.JSON(), `"Action"`)
	assert.Contains(t, d.JSON(), `"NotAction":["iam:*"]`)
	assert.Contains(t, d.JSON(), `"NotResource":["trn:turnpike:*:apis/prod"]`)
}

// groupSource is a countingSource whose principal is in groups.
type groupSource struct {
	countingSource
	groups []string
}

func (s *groupSource) PrincipalPolicies(ctx context.Context, p *reqctx.Principal) (*PrincipalPolicies, error) {
	pp, err := s.countingSource.PrincipalPolicies(ctx, p)
	pp.Groups = s.groups
	return pp, err
}

func TestAuthorizerFillsRequestContext(t *testing.T) {
	ctx := context.Background()
	p := &reqctx.Principal{TenantID: "t1", UserID: "u1"}
	policy := func(js string) PolicySet { return PolicySet{Identity: []Policy{{ID: "p", Document: doc(t, js)}}} }

	t.Run("aws:CurrentTime follows the clock and is not cached", func(t *testing.T) {
		src := &groupSource{countingSource: countingSource{set: policy(stmt(EffectAllow, `{"DateLessThan":{"aws:CurrentTime":"2026-06-01T00:00:00Z"}}`))}}
		a := NewAuthorizer(src)
		now := time.Date(2026, 5, 31, 23, 59, 59, 0, time.UTC)
		a.now = func() time.Time { return now }
		require.NoError(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/a"))
		now = now.Add(2 * time.Second)
		require.ErrorIs(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/a"), ErrForbidden)
		assert.Empty(t, a.decisions)
	})
	t.Run("aws:SecureTransport comes from the request", func(t *testing.T) {
		a := NewAuthorizer(&groupSource{countingSource: countingSource{set: policy(stmt(EffectAllow, `{"Bool":{"aws:SecureTransport":"true"}}`))}})
		require.NoError(t, a.Authorize(WithSecureTransport(ctx, true), p, "apigw:GetApi", "apis/a"))
		require.ErrorIs(t, a.Authorize(WithSecureTransport(ctx, false), p, "apigw:GetApi", "apis/a"), ErrForbidden)
		require.ErrorIs(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/a"), ErrForbidden, "unknown transport is missing")
	})
	t.Run("turnpike:PrincipalGroups comes from the source", func(t *testing.T) {
		src := &groupSource{countingSource: countingSource{set: policy(stmt(EffectAllow, `{"ForAnyValue:StringEquals":{"turnpike:PrincipalGroups":"ops"}}`))}, groups: []string{"dev", "ops"}}
		a := NewAuthorizer(src)
		require.NoError(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/a"))
		src.groups = []string{"dev"}
		src.change(src.set)
		require.ErrorIs(t, a.Authorize(ctx, p, "apigw:GetApi", "apis/a"), ErrForbidden)
	})
	t.Run("unread keys stay out of the decision key", func(t *testing.T) {
		a := NewAuthorizer(&groupSource{countingSource: countingSource{set: policy(stmt(EffectAllow, ""))}})
		for _, ip := range []string{"10.0.0.1", "10.0.0.2"} {
			require.NoError(t, a.Authorize(ctx, &reqctx.Principal{TenantID: "t1", UserID: "u1", SourceIP: ip}, "apigw:GetApi", "apis/a"))
		}
		assert.Len(t, a.decisions, 1)
	})
}

func TestSimulateContextOverride(t *testing.T) {
	ctx := context.Background()
	p := &reqctx.Principal{TenantID: "t1", UserID: "u1", SourceIP: "192.0.2.1"}
	set := PolicySet{Identity: []Policy{{ID: "p", Document: doc(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"Office","Effect":"Allow","Action":"apigw:GetApi","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"DateLessThan":{"aws:EpochTime":"1780315200"}}},
		{"Sid":"Ops","Effect":"Allow","Action":"apigw:DeleteApi","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"turnpike:PrincipalGroups":"ops"}}}]}`)}}}
	a := NewAuthorizer(&groupSource{countingSource: countingSource{set: set}})
	a.now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	trn := TRN("t1", "apis/a")

	testCases := []struct {
		desc   string
		action string
		extra  map[string][]string
		want   Decision
		field  string
	}{
		{desc: "own context: wrong address", action: "apigw:GetApi", want: ImplicitDeny},
		{desc: "from the office, now", action: "apigw:GetApi", extra: map[string][]string{"aws:sourceip": {"10.1.1.1"}}, want: Allowed},
		{desc: "from the office, too late (RFC 3339 sets the epoch too)", action: "apigw:GetApi",
			extra: map[string][]string{KeySourceIP: {"10.1.1.1"}, KeyCurrentTime: {"2026-07-01T00:00:00Z"}}, want: ImplicitDeny},
		{desc: "as a member of ops", action: "apigw:DeleteApi", extra: map[string][]string{KeyPrincipalGroups: {"dev", "ops"}}, want: Allowed},
		{desc: "without groups", action: "apigw:DeleteApi", want: ImplicitDeny},
		{desc: "unknown key", action: "apigw:GetApi", extra: map[string][]string{"aws:Foo": {"1"}}, field: "context.aws:Foo"},
		{desc: "two values for a single key", action: "apigw:GetApi", extra: map[string][]string{KeySourceIP: {"10.0.0.1", "10.0.0.2"}}, field: "context." + KeySourceIP},
		{desc: "bad date", action: "apigw:GetApi", extra: map[string][]string{KeyCurrentTime: {"tomorrow"}}, field: "context." + KeyCurrentTime},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			res, err := a.Simulate(ctx, p, test.action, trn, test.extra)
			if test.field != "" {
				var ae *apierr.Error
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, 422, ae.Status)
				assert.Contains(t, ae.Details, test.field)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, test.want, res.Decision)
		})
	}
}
