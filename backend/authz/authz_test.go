package authz

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
)

func TestAuthorize(t *testing.T) {
	e, err := New()
	require.NoError(t, err)
	admin := &reqctx.Principal{TenantID: "t1", Roles: []string{iam.RoleTenantAdmin}}
	reader := &reqctx.Principal{TenantID: "t1", Roles: []string{iam.RoleReadOnly}}
	both := &reqctx.Principal{TenantID: "t1", Roles: []string{"Unknown", iam.RoleReadOnly}}

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
		{desc: "reader lists stages", principal: reader, action: "apigw:ListStages", resource: "apis/a1/stages", allowed: true},
		{desc: "reader gets the session", principal: reader, action: ActionGetSession, resource: "session", allowed: true},
		{desc: "reader lists access keys", principal: reader, action: ActionListAccessKeys, resource: "access-keys", allowed: true},
		{desc: "reader action case is ignored", principal: reader, action: "APIGW:getApi", resource: "apis/a1", allowed: true},
		{desc: "reader creates an api", principal: reader, action: "apigw:CreateApi", resource: "apis"},
		{desc: "reader creates an access key", principal: reader, action: ActionCreateAccessKey, resource: "access-keys"},
		{desc: "reader deletes a stage", principal: reader, action: "apigw:DeleteStage", resource: "apis/a1/stages/prod"},
		{desc: "reader action prefix is not a wildcard elsewhere", principal: reader, action: "apigw:UpdateGetter", resource: "apis/a1"},
		{desc: "reader on another tenant", principal: reader, action: "apigw:GetApi", resource: "trn:turnpike:t2:apis/a1"},
		{desc: "unknown role", principal: &reqctx.Principal{TenantID: "t1", Roles: []string{"Root"}}, action: "apigw:GetApi", resource: "apis/a1"},
		{desc: "unknown role beside a known one", principal: both, action: "apigw:GetApi", resource: "apis/a1", allowed: true},
		{desc: "no roles", principal: &reqctx.Principal{TenantID: "t1"}, action: "apigw:GetApi", resource: "apis/a1"},
		{desc: "no tenant", principal: &reqctx.Principal{Roles: []string{iam.RoleTenantAdmin}}, action: "apigw:GetApi", resource: "apis/a1"},
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

func TestDenyWins(t *testing.T) {
	e, err := NewWithPolicy("p, TenantAdmin, trn:turnpike:*:*, *, allow\np, Auditor, trn:turnpike:*:apis/secret*, apigw:*, deny\n")
	require.NoError(t, err)
	ok, err := e.Enforce([]string{"TenantAdmin"}, "t1", TRN("t1", "apis/secret1"), "apigw:GetApi")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = e.Enforce([]string{"TenantAdmin", "Auditor"}, "t1", TRN("t1", "apis/secret1"), "apigw:GetApi")
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = e.Enforce([]string{"TenantAdmin", "Auditor"}, "t1", TRN("t1", "apis/public"), "apigw:GetApi")
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestPolicyValidation(t *testing.T) {
	for _, bad := range []string{
		"p, TenantAdmin, *, *, allow",
		"p, TenantAdmin, trn:turnpike:*:*, *",
		"p, TenantAdmin, trn:turnpike:*:*, *, maybe",
		"g, alice, TenantAdmin",
	} {
		_, err := NewWithPolicy(bad)
		assert.Error(t, err, bad)
	}
}

func TestEmbeddedPolicyCoversEveryRole(t *testing.T) {
	e, err := New()
	require.NoError(t, err)
	for _, role := range iam.Roles {
		ok, err := e.Enforce([]string{role}, "t1", TRN("t1", "session"), ActionGetSession)
		require.NoError(t, err)
		assert.True(t, ok, role)
	}
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

func TestConcurrentAuthorize(t *testing.T) {
	e, err := New()
	require.NoError(t, err)
	p := &reqctx.Principal{TenantID: "t1", Roles: []string{iam.RoleReadOnly}}
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
