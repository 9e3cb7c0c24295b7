package gwconfig

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRouteKey(t *testing.T) {
	tests := []struct {
		desc, key, canon, err string
	}{
		{desc: "default", key: "$default", canon: "$default"},
		{desc: "root", key: "GET /", canon: "GET /"},
		{desc: "params", key: "GET /pets/{id}/toys/{toyId}", canon: "GET /pets/{id}/toys/{toyId}"},
		{desc: "greedy", key: "ANY /{proxy+}", canon: "ANY /{proxy+}"},
		{desc: "no path", key: "GET", err: "must be"},
		{desc: "bad method", key: "FETCH /x", err: "not one of"},
		{desc: "relative path", key: "GET x", err: "must start with /"},
		{desc: "empty segment", key: "GET /a//b", err: "empty path segment"},
		{desc: "greedy not last", key: "GET /{p+}/x", err: "must be the last"},
		{desc: "duplicate param", key: "GET /{a}/{a}", err: "appears twice"},
		{desc: "half brace", key: "GET /{a", err: "neither a literal"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			rk, err := ParseRouteKey(test.key)
			if test.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), test.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, test.canon, rk.String())
		})
	}
}

func TestValidateIntegrationURI(t *testing.T) {
	tests := []struct {
		desc, uri string
		vars      map[string]string
		wantErr   bool
	}{
		{desc: "http", uri: "http://127.0.0.1:9000/hello/{name}"},
		{desc: "https with stage variable host", uri: "https://${stageVariables.host}/x"},
		{desc: "stage variable holds scheme and host, on write", uri: "${stageVariables.backend}/{name}"},
		{desc: "stage variable holds scheme and host, at deploy", uri: "${stageVariables.backend}/{name}", vars: map[string]string{"backend": "http://127.0.0.1:9000"}},
		{desc: "stage variable missing at deploy", uri: "${stageVariables.backend}/{name}", vars: map[string]string{}, wantErr: true},
		{desc: "stage variable with ftp at deploy", uri: "${stageVariables.backend}/x", vars: map[string]string{"backend": "ftp://h"}, wantErr: true},
		{desc: "ftp", uri: "ftp://127.0.0.1/x", wantErr: true},
		{desc: "no host", uri: "http:///x", wantErr: true},
		{desc: "empty", uri: "", wantErr: true},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			in := &Integration{Type: IntegrationHTTPProxy, URI: test.uri}
			ve := &ValidationError{}
			validateIntegration(ve, "", in, test.vars)
			if test.wantErr {
				assert.Error(t, ve.orNil())
			} else {
				assert.NoError(t, ve.orNil())
			}
		})
	}
}

func TestStageValidate(t *testing.T) {
	s := &Stage{TenantID: "t", APIID: "a", StageName: "prod", DeploymentID: "d",
		StageVariables: map[string]string{"backend": "http://127.0.0.1:1"},
		Routes: []Route{
			{RouteKey: "GET /x", Integration: Integration{Type: IntegrationHTTPProxy, URI: "${stageVariables.backend}/x"}},
			{RouteKey: "GET /x", Integration: Integration{Type: IntegrationMock}},
			{RouteKey: "BAD", Integration: Integration{Type: "LAMBDA"}},
		}}
	err := s.Validate()
	ve, ok := AsValidationError(err)
	require.True(t, ok)
	fields := map[string]string{}
	for _, f := range ve.Fields {
		fields[f.Field] = f.Code
	}
	assert.Equal(t, map[string]string{
		"routes[1].routeKey":         "duplicate",
		"routes[2].routeKey":         "invalid",
		"routes[2].integration.type": "invalid",
	}, fields)
	assert.Equal(t, "http://127.0.0.1:1/x", SubstituteStageVariables(s.Routes[0].Integration.URI, s.StageVariables))
}
