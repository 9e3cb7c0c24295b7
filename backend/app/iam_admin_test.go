package app

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db/dbtest"
)

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}

type apiErr struct {
	Error struct {
		Code    string                       `json:"code"`
		Message string                       `json:"message"`
		Details map[string]map[string]string `json:"details"`
	} `json:"error"`
}

// TestIntegrationIAMAdminScenario drives the IAM routes as the console
// does: policy validation, users with managed policies, the simulator,
// a detach taking effect on the next call, session policies on access
// keys and the forced password reset.
func TestIntegrationIAMAdminScenario(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	a := e.newTenant("acme")
	admin := a.adminToken

	// A bad document is a 422 naming each problem.
	status, resp := e.do(admin, http.MethodPost, "/v1/iam/policies", []byte(`{"name":"bad","document":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"apigw:Get*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/99\"},\"NumericLessThan\":{\"aws:SourceIp\":\"1\"}}}]}"}`))
	require.Equal(t, http.StatusUnprocessableEntity, status, resp)
	ae := decode[apiErr](t, resp)
	assert.Equal(t, "policy.invalid", ae.Error.Code)
	assert.Contains(t, ae.Error.Details, "document.Statement[0].Effect")
	assert.Contains(t, ae.Error.Details, "document.Statement[0].Condition.IpAddress.aws:SourceIp")
	assert.Contains(t, ae.Error.Details, "document.Statement[0].Condition.NumericLessThan")

	status, resp = e.do(admin, http.MethodPost, "/v1/iam/policies", []byte(`{"name":"deploy-dev","document":`+deployDevDoc+`}`))
	require.Equal(t, http.StatusCreated, status, resp)
	pol := decode[struct {
		PolicyID string `json:"policyId"`
	}](t, resp)

	// A read-only user.
	status, resp = e.do(admin, http.MethodPost, "/v1/iam/users", []byte(`{"email":"ro@acme.test","name":"RO","password":"password-123","policies":["ReadOnlyAccess"]}`))
	require.Equal(t, http.StatusCreated, status, resp)
	ro := decode[struct {
		UserID string `json:"userId"`
	}](t, resp).UserID
	roKey := e.key(a.id, ro)

	status, resp = e.do(roKey, http.MethodPost, "/v1/apis", []byte(`{"name":"x","protocolType":"HTTP"}`))
	require.Equal(t, http.StatusForbidden, status, resp)
	assert.Contains(t, resp, "You are not allowed to perform apigw:CreateApi on trn:turnpike:"+a.id+":apis.")

	type simView struct {
		Decision string `json:"decision"`
		Matched  *struct {
			PolicyID string `json:"policyId"`
			Sid      string `json:"sid"`
			Effect   string `json:"effect"`
		} `json:"matchedStatement"`
	}
	simulate := func(userID, action, resource string) simView {
		t.Helper()
		status, resp := e.do(admin, http.MethodPost, "/v1/iam/simulate", []byte(`{"principal":{"userId":"`+userID+`"},"action":"`+action+`","resource":"`+resource+`","context":{"aws:SourceIp":"10.0.0.1"}}`))
		require.Equal(t, http.StatusOK, status, resp)
		return decode[simView](t, resp)
	}
	s := simulate(ro, "apigw:CreateDeployment", "apis/a1/stages/dev")
	assert.Equal(t, "implicitDeny", s.Decision)
	assert.Nil(t, s.Matched)
	s = simulate(ro, "apigw:GetApi", "apis/a1")
	assert.Equal(t, "allowed", s.Decision)
	require.NotNil(t, s.Matched)
	assert.Equal(t, "ReadOnlyAccess", s.Matched.PolicyID)

	// Attach DeveloperAccess and deploy-dev: prod is an explicit deny.
	for _, p := range []string{"DeveloperAccess", pol.PolicyID} {
		status, resp = e.do(admin, http.MethodPut, "/v1/iam/users/"+ro+"/policies/"+p, nil)
		require.Equal(t, http.StatusNoContent, status, resp)
	}
	s = simulate(ro, "apigw:CreateDeployment", "trn:turnpike:"+a.id+":apis/a1/stages/prod")
	assert.Equal(t, "explicitDeny", s.Decision)
	require.NotNil(t, s.Matched)
	assert.Equal(t, "NoProd", s.Matched.Sid)
	status, resp = e.do(roKey, http.MethodPost, "/v1/apis", []byte(`{"name":"x","protocolType":"HTTP"}`))
	require.Equal(t, http.StatusCreated, status, resp)

	// A detach takes effect on the next call.
	status, resp = e.do(admin, http.MethodDelete, "/v1/iam/users/"+ro+"/policies/DeveloperAccess", nil)
	require.Equal(t, http.StatusNoContent, status, resp)
	status, resp = e.do(roKey, http.MethodPost, "/v1/apis", []byte(`{"name":"y","protocolType":"HTTP"}`))
	require.Equal(t, http.StatusForbidden, status, resp)

	// Effective policies say how each applies.
	status, resp = e.do(admin, http.MethodGet, "/v1/iam/users/"+ro+"/effective-policies", nil)
	require.Equal(t, http.StatusOK, status, resp)
	assert.Contains(t, resp, `"via":"user"`)
	assert.Contains(t, resp, pol.PolicyID)

	// An access key narrowed by a session policy.
	status, resp = e.do(admin, http.MethodPost, "/v1/iam/access-keys", []byte(`{"name":"ci","sessionPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Nope","Action":"*","Resource":"*"}]}}`))
	require.Equal(t, http.StatusUnprocessableEntity, status, resp)
	assert.Contains(t, decode[apiErr](t, resp).Error.Details, "sessionPolicy.Statement[0].Effect")
	status, resp = e.do(admin, http.MethodPost, "/v1/iam/access-keys", []byte(`{"name":"ci","sessionPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"apigw:Get*","Resource":"*"}]}}`))
	require.Equal(t, http.StatusCreated, status, resp)
	narrow := decode[struct {
		Token       string `json:"token"`
		AccessKeyID string `json:"accessKeyId"`
	}](t, resp)
	status, _ = e.do(narrow.Token, http.MethodGet, "/v1/apis", nil)
	assert.Equal(t, http.StatusOK, status)
	status, resp = e.do(narrow.Token, http.MethodPost, "/v1/apis", []byte(`{"name":"z","protocolType":"HTTP"}`))
	assert.Equal(t, http.StatusForbidden, status, resp)
	status, resp = e.do(admin, http.MethodPost, "/v1/iam/simulate", []byte(`{"principal":{"accessKeyId":"`+narrow.AccessKeyID+`"},"action":"apigw:DeleteApi","resource":"apis/a1"}`))
	require.Equal(t, http.StatusOK, status, resp)
	assert.Equal(t, "implicitDeny", decode[simView](t, resp).Decision)

	// Forced password reset: everything but self-service is refused.
	status, resp = e.do(admin, http.MethodPost, "/v1/iam/users/"+ro+"/password-reset", nil)
	require.Equal(t, http.StatusNoContent, status, resp)
	status, resp = e.do(roKey, http.MethodGet, "/v1/apis", nil)
	require.Equal(t, http.StatusForbidden, status, resp)
	assert.Contains(t, resp, "auth.password-reset-required")
	status, resp = e.do(roKey, http.MethodPost, "/v1/auth/password", []byte(`{"currentPassword":"password-123","newPassword":"password-456"}`))
	require.Equal(t, http.StatusNoContent, status, resp)
	status, resp = e.do(roKey, http.MethodGet, "/v1/apis", nil)
	require.Equal(t, http.StatusOK, status, resp)

	// Disable: the user's keys stop working. Nobody disables themselves.
	status, resp = e.do(admin, http.MethodPatch, "/v1/iam/users/"+ro, []byte(`{"status":"DISABLED"}`))
	require.Equal(t, http.StatusOK, status, resp)
	status, _ = e.do(roKey, http.MethodGet, "/v1/apis", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = e.do(admin, http.MethodPatch, "/v1/iam/users/"+a.adminID, []byte(`{"status":"DISABLED"}`))
	assert.Equal(t, http.StatusConflict, status)

	// The OpenAPI document lists the new actions.
	status, resp = e.do(admin, http.MethodGet, "/v1/openapi.json", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, resp, "iam:SimulatePrincipalPolicy")
	assert.Contains(t, resp, "iam:AttachUserPolicy")
}

// TestIntegrationDeveloperDeploysDevNotProd: the deployment route is
// authorized on the stage its body names, so DeveloperAccess (Deny on
// apis/*/stages/prod*) deploys to dev and is refused prod.
func TestIntegrationDeveloperDeploysDevNotProd(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	a := e.newTenant("acme")
	dev := e.user(a.id, "dev@acme.test")
	status, resp := e.do(a.adminToken, http.MethodPut, "/v1/iam/users/"+dev+"/policies/DeveloperAccess", nil)
	require.Equal(t, http.StatusNoContent, status, resp)
	token := e.key(a.id, dev)

	status, resp = e.do(token, http.MethodPost, "/v1/apis", []byte(`{"name":"pets","protocolType":"HTTP"}`))
	require.Equal(t, http.StatusCreated, status, resp)
	apiID := decode[struct {
		APIID string `json:"apiId"`
	}](t, resp).APIID
	status, resp = e.do(token, http.MethodPost, "/v1/apis/"+apiID+"/routes", []byte(`{"routeKey":"GET /pets","integration":{"type":"MOCK","mockBody":"ok"}}`))
	require.Equal(t, http.StatusCreated, status, resp)
	status, resp = e.do(token, http.MethodPost, "/v1/apis/"+apiID+"/stages", []byte(`{"stageName":"dev"}`))
	require.Equal(t, http.StatusCreated, status, resp)
	// Creating a stage acts on the API's stages collection (as in AWS).
	status, resp = e.do(token, http.MethodPost, "/v1/apis/"+apiID+"/stages", []byte(`{"stageName":"prod"}`))
	require.Equal(t, http.StatusCreated, status, resp)
	status, resp = e.do(token, http.MethodGet, "/v1/apis/"+apiID+"/stages/prod", nil)
	require.Equal(t, http.StatusForbidden, status, "reading prod is refused: %s", resp)

	status, resp = e.do(token, http.MethodPost, "/v1/apis/"+apiID+"/deployments", []byte(`{"stageName":"dev"}`))
	require.Equal(t, http.StatusAccepted, status, resp)
	status, resp = e.do(token, http.MethodPost, "/v1/apis/"+apiID+"/deployments", []byte(`{"stageName":"prod"}`))
	require.Equal(t, http.StatusForbidden, status, resp)
	assert.Contains(t, resp, "apigw:CreateDeployment on trn:turnpike:"+a.id+":apis/"+apiID+"/stages/prod.")
	status, resp = e.do(token, http.MethodGet, "/v1/iam/users", nil)
	assert.Equal(t, http.StatusForbidden, status, "no IAM: %s", resp)
}
