package iam

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCreateInvitationCommandValidate(t *testing.T) {
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprint("g", i)
	}
	testCases := []struct {
		desc string
		cmd  CreateInvitationCommand
		want map[string]string
	}{
		{desc: "valid with grants", cmd: CreateInvitationCommand{Email: " Dev@Acme.test ", Groups: []string{"devs"}, Policies: many[:20]}},
		{desc: "bad email and expiry", cmd: CreateInvitationCommand{Email: "nope", ExpiresInHours: 721},
			want: map[string]string{"email": "invalid", "expiresInHours": "out_of_range"}},
		{desc: "too many grants", cmd: CreateInvitationCommand{Email: "dev@acme.test", Groups: many, Policies: many},
			want: map[string]string{"groups": "too-many", "policies": "too-many"}},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			cmd := tc.cmd
			assert.Equal(t, tc.want, fieldCodes(t, cmd.Validate()))
			if tc.want == nil {
				assert.Equal(t, "dev@acme.test", cmd.Email)
				assert.Equal(t, 72, cmd.ExpiresInHours)
			}
		})
	}
}
