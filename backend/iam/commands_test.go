package iam

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
)

// fieldCodes returns err's field → code details, or nil when err is nil.
func fieldCodes(t *testing.T, err error) map[string]string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ae *apierr.Error
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 422, ae.Status)
	out := map[string]string{}
	for f, d := range ae.Details {
		out[f] = d.Code
	}
	return out
}

func TestCreateUserCommandValidate(t *testing.T) {
	testCases := []struct {
		desc string
		cmd  CreateUserCommand
		want map[string]string
	}{
		{desc: "valid", cmd: CreateUserCommand{TenantID: "t", Email: " Ada@Example.COM ", Name: "Ada", Password: "12345678", Roles: []string{RoleReadOnly}}},
		{desc: "everything missing", cmd: CreateUserCommand{},
			want: map[string]string{"tenantId": "required", "email": "required", "name": "required", "password": "too-short"}},
		{desc: "bad email", cmd: CreateUserCommand{TenantID: "t", Email: "Ada <ada@example.com>", Name: "Ada", Password: "12345678"},
			want: map[string]string{"email": "invalid"}},
		{desc: "unknown role", cmd: CreateUserCommand{TenantID: "t", Email: "a@b.c", Name: "Ada", Password: "12345678", Roles: []string{"Root"}},
			want: map[string]string{"roles": "unknown"}},
		{desc: "long name and password", cmd: CreateUserCommand{TenantID: "t", Email: "a@b.c", Name: strings.Repeat("n", 129), Password: strings.Repeat("p", 257)},
			want: map[string]string{"name": "too-long", "password": "too-long"}},
		{desc: "control characters", cmd: CreateUserCommand{TenantID: "t", Email: "a@b.c", Name: "A\x00", Password: "12345678"},
			want: map[string]string{"name": "invalid"}},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			assert.Equal(t, test.want, fieldCodes(t, test.cmd.Validate()))
		})
	}
	cmd := CreateUserCommand{TenantID: "t", Email: " Ada@Example.COM ", Name: " Ada ", Password: "12345678"}
	require.NoError(t, cmd.Validate())
	assert.Equal(t, "ada@example.com", cmd.Email)
	assert.Equal(t, "Ada", cmd.Name)
}

func TestAccessKeyCommandsValidate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	active, bogus := AccessKeyActive, AccessKeyStatus("GONE")
	name, blank := "ci", " "
	testCases := []struct {
		desc string
		err  error
		want map[string]string
	}{
		{desc: "create valid", err: (&CreateAccessKeyCommand{TenantID: "t", UserID: "u", Name: "ci", ExpiresAt: &future}).Validate(now)},
		{desc: "create without name", err: (&CreateAccessKeyCommand{TenantID: "t", UserID: "u", Name: "  "}).Validate(now),
			want: map[string]string{"name": "required"}},
		{desc: "create expired", err: (&CreateAccessKeyCommand{TenantID: "t", UserID: "u", Name: "ci", ExpiresAt: &past}).Validate(now),
			want: map[string]string{"expiresAt": "past"}},
		{desc: "create with a spaced token", err: (&CreateAccessKeyCommand{TenantID: "t", UserID: "u", Name: "ci", Token: "a b"}).Validate(now),
			want: map[string]string{"token": "invalid"}},
		{desc: "update status", err: (&UpdateAccessKeyCommand{Status: &active}).Validate()},
		{desc: "update name", err: (&UpdateAccessKeyCommand{Name: &name}).Validate()},
		{desc: "update nothing", err: (&UpdateAccessKeyCommand{}).Validate(), want: map[string]string{"status": "required"}},
		{desc: "update bad status", err: (&UpdateAccessKeyCommand{Status: &bogus}).Validate(), want: map[string]string{"status": "invalid"}},
		{desc: "update blank name", err: (&UpdateAccessKeyCommand{Name: &blank}).Validate(), want: map[string]string{"name": "required"}},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			assert.Equal(t, test.want, fieldCodes(t, test.err))
		})
	}
}

func TestLoginCommandValidate(t *testing.T) {
	cmd := LoginCommand{Email: " X@Y.Z ", Password: "p"}
	require.NoError(t, cmd.Validate())
	assert.Equal(t, "x@y.z", cmd.Email)
	assert.Equal(t, map[string]string{"email": "required", "password": "required"}, fieldCodes(t, (&LoginCommand{}).Validate()))
}

func TestModelPredicates(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	later := now.Add(time.Minute)
	assert.False(t, (&AccessKey{}).Expired(now))
	assert.False(t, (&AccessKey{ExpiresAt: &later}).Expired(now))
	assert.True(t, (&AccessKey{ExpiresAt: &now}).Expired(now))
	assert.True(t, (&Session{ExpiresAt: later}).Valid(now))
	assert.False(t, (&Session{ExpiresAt: now}).Valid(now))
	assert.False(t, (&Session{ExpiresAt: later, RevokedAt: &now}).Valid(now))
	assert.True(t, IsRole(RoleTenantAdmin))
	assert.False(t, IsRole("tenantadmin"))
}
