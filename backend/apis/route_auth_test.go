package apis_test

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// A route's authorization type is NONE (also when absent on create) or
// AWS_IAM; anything else is a 422 with an authorizationType detail, on
// create and update alike.
func TestRouteAuthorizationTypeValidation(t *testing.T) {
	tests := []struct {
		desc    string
		in      string
		want    string
		invalid bool
	}{
		{desc: "absent is NONE", in: "", want: "NONE"},
		{desc: "NONE", in: "NONE", want: "NONE"},
		{desc: "AWS_IAM", in: "AWS_IAM", want: "AWS_IAM"},
		{desc: "lower case", in: "aws_iam", invalid: true},
		{desc: "custom authorizer", in: "CUSTOM", invalid: true},
		{desc: "JWT", in: "JWT", invalid: true},
		{desc: "cognito", in: "COGNITO_USER_POOLS", invalid: true},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			create := apis.CreateRouteCommand{RouteKey: "GET /pets",
				Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}, AuthorizationType: test.in}
			in := test.in
			update := apis.UpdateRouteCommand{AuthorizationType: &in}
			for _, cmd := range []interface{ Validate() error }{&create, &update} {
				err := cmd.Validate()
				if !test.invalid {
					require.NoError(t, err)
					continue
				}
				var ae *apierr.Error
				require.True(t, errors.As(err, &ae), "%v", err)
				assert.Equal(t, 422, ae.Status)
				assert.Equal(t, []string{"authorizationType"}, slices.Sorted(maps.Keys(ae.Details)))
			}
			if !test.invalid {
				assert.Equal(t, test.want, create.AuthorizationType)
				assert.Equal(t, test.want, *update.AuthorizationType)
			}
		})
	}
	// An update without the field leaves it alone.
	var none apis.UpdateRouteCommand
	require.NoError(t, none.Validate())
	assert.Nil(t, none.AuthorizationType)
}
