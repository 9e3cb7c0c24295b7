//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accessKeyAs signs in as a user and creates an access key of theirs,
// returning its token.
func accessKeyAs(t *testing.T, apiURL, email, password string) string {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	post := func(path, csrf string, body any, out any) {
		t.Helper()
		b, err := json.Marshal(body)
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, apiURL+path, bytes.NewReader(b))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Less(t, resp.StatusCode, 300, "POST %s answered %d %s", path, resp.StatusCode, data)
		require.NoError(t, json.Unmarshal(data, out))
	}
	var session struct {
		CSRFToken string `json:"csrfToken"`
	}
	post("/v1/auth/login", "", map[string]string{"email": email, "password": password}, &session)
	var key struct {
		Token string `json:"token"`
	}
	post("/v1/iam/access-keys", session.CSRFToken, map[string]string{"name": "gateway"}, &key)
	require.NotEmpty(t, key.Token)
	return key.Token
}

// TestIAMGateway proves AWS_IAM methods and execute-api:InvalidateCache
// across the fleet: the backend publishes each key's execute-api grants,
// both gateways check them, a key allowed InvalidateCache refreshes a
// cached answer and one without gets 403 (FAIL_WITH_403), and detaching a
// policy takes effect on the gateways without a redeploy.
func TestIAMGateway(t *testing.T) {
	p := startPlatform(t)
	admin := newClient(p.apiURL, p.token)
	hc := &http.Client{Timeout: 10 * time.Second}

	var calls atomic.Int64
	var leaked atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		_, _ = fmt.Fprintf(w, "call %d", calls.Add(1))
	}))
	t.Cleanup(up.Close)

	// A REST API whose GET /items is AWS_IAM and cached; invalidation
	// requires execute-api:InvalidateCache and fails with 403 otherwise.
	var api apiObj
	admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "iam-items", "protocolType": "REST"}, &api)
	base := "/v1/apis/" + api.APIID
	var list struct {
		Items []resourceObj `json:"items"`
	}
	admin.mustDo(t, 200, "GET", base+"/resources", nil, &list)
	var items resourceObj
	admin.mustDo(t, 201, "POST", base+"/resources", map[string]any{"parentId": list.Items[0].ID, "pathPart": "items"}, &items)
	method := base + "/resources/" + items.ID + "/methods/GET"
	admin.mustDo(t, 200, "PUT", method, map[string]any{"authorizationType": "AWS_IAM"}, nil)
	admin.mustDo(t, 200, "PUT", method+"/integration", map[string]any{"type": "HTTP_PROXY", "uri": up.URL + "/items"}, nil)
	admin.mustDo(t, 201, "POST", base+"/stages", map[string]any{"stageName": "prod"}, nil)
	admin.mustDo(t, 200, "PATCH", base+"/stages/prod", map[string]any{"cacheClusterEnabled": true, "cacheTtlInSeconds": 300,
		"requireAuthorizationForCacheControl": true, "unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403"}, nil)
	var d deploymentObj
	admin.mustDo(t, 200, "POST", base+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &d)
	require.Equal(t, "DEPLOYED", d.Status, d.StatusReason)

	// An HTTP API (not REST) whose route GET /orders is AWS_IAM.
	var httpAPI apiObj
	admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "iam-orders", "protocolType": "HTTP"}, &httpAPI)
	admin.mustDo(t, 201, "POST", "/v1/apis/"+httpAPI.APIID+"/routes", map[string]any{"routeKey": "GET /orders",
		"authorizationType": "AWS_IAM", "integration": map[string]any{"type": "HTTP_PROXY", "uri": up.URL + "/orders"}}, nil)
	admin.mustDo(t, 201, "POST", "/v1/apis/"+httpAPI.APIID+"/stages", map[string]any{"stageName": "prod"}, nil)
	var hd deploymentObj
	admin.mustDo(t, 200, "POST", "/v1/apis/"+httpAPI.APIID+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &hd)
	require.Equal(t, "DEPLOYED", hd.Status, hd.StatusReason)

	// Policies and two users: both may invoke, only the cacher may
	// invalidate; both may create their own access keys.
	policy := func(name, action string) string {
		var out struct {
			PolicyID string `json:"policyId"`
		}
		admin.mustDo(t, 201, "POST", "/v1/iam/policies", map[string]any{"name": name, "document": map[string]any{
			"Version": "2012-10-17", "Statement": []map[string]any{{"Effect": "Allow", "Action": action,
				"Resource": "trn:turnpike:*:execute-api:" + api.APIID + "/*"}}}}, &out)
		return out.PolicyID
	}
	invokePolicy := policy("e2e-invoke", "execute-api:Invoke")
	invalidatePolicy := policy("e2e-invalidate", "execute-api:InvalidateCache")
	var httpInvoke struct {
		PolicyID string `json:"policyId"`
	}
	admin.mustDo(t, 201, "POST", "/v1/iam/policies", map[string]any{"name": "e2e-invoke-http", "document": map[string]any{
		"Version": "2012-10-17", "Statement": []map[string]any{{"Effect": "Allow", "Action": "execute-api:Invoke",
			"Resource": "trn:turnpike:*:execute-api:" + httpAPI.APIID + "/*"}}}}, &httpInvoke)
	var selfKeys struct {
		PolicyID string `json:"policyId"`
	}
	admin.mustDo(t, 201, "POST", "/v1/iam/policies", map[string]any{"name": "e2e-self-keys", "document": map[string]any{
		"Version": "2012-10-17", "Statement": []map[string]any{{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}}}}, &selfKeys)
	const password = "e2e-Caller-password-1"
	user := func(email string, policies ...string) string {
		var out struct {
			UserID string `json:"userId"`
		}
		admin.mustDo(t, 201, "POST", "/v1/iam/users", map[string]any{"email": email, "name": email, "password": password,
			"policies": append(policies, selfKeys.PolicyID)}, &out)
		return out.UserID
	}
	cacherID := user("cacher@example.com", invokePolicy, invalidatePolicy, httpInvoke.PolicyID)
	readerID := user("reader@example.com", invokePolicy)
	cacher := accessKeyAs(t, p.apiURL, "cacher@example.com", password)
	reader := accessKeyAs(t, p.apiURL, "reader@example.com", password)

	call := func(g, apiID, path, token string, header ...string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, "http://"+g+path, nil)
		require.NoError(t, err)
		req.Host = apiID + ".execute-api.localhost"
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	get := func(g, token string, header ...string) (int, string) {
		t.Helper()
		return call(g, api.APIID, "/prod/items", token, header...)
	}
	// The keys reach both gateways within seconds of their creation.
	for _, g := range p.gateways {
		for _, token := range []string{cacher, reader} {
			eventually(t, 10*time.Second, func() error {
				if status, body := get(g, token); status != 200 {
					return fmt.Errorf("gateway %s: %d %s", g, status, body)
				}
				return nil
			})
		}
	}

	status, body := get(p.gateways[0], "")
	assert.Equal(t, 403, status)
	assert.JSONEq(t, `{"message":"Missing Authentication Token"}`, body)
	status, body = get(p.gateways[1], "tpk_not_a_key")
	assert.Equal(t, 403, status)
	assert.JSONEq(t, `{"message":"The security token included in the request is invalid."}`, body)

	_, cached := get(p.gateways[0], reader)
	_, again := get(p.gateways[1], reader)
	assert.Equal(t, cached, again, "both gateways answer from the shared cache")

	t.Run("a key without InvalidateCache gets 403", func(t *testing.T) {
		for _, g := range p.gateways {
			status, body := get(g, reader, "Cache-Control", "max-age=0")
			assert.Equal(t, 403, status, body)
		}
	})
	t.Run("a key with InvalidateCache refreshes the entry", func(t *testing.T) {
		before := calls.Load()
		status, fresh := get(p.gateways[1], cacher, "Cache-Control", "max-age=0")
		require.Equal(t, 200, status, fresh)
		assert.NotEqual(t, cached, fresh)
		assert.Equal(t, before+1, calls.Load(), "the upstream was called again")
		_, later := get(p.gateways[0], reader)
		assert.Equal(t, fresh, later, "the refreshed answer is what the fleet serves")
	})
	t.Run("an AWS_IAM route of an HTTP API", func(t *testing.T) {
		orders := func(g, token string) (int, string) { return call(g, httpAPI.APIID, "/prod/orders", token) }
		for _, g := range p.gateways {
			eventually(t, 10*time.Second, func() error {
				if status, body := orders(g, cacher); status != 200 {
					return fmt.Errorf("gateway %s: %d %s", g, status, body)
				}
				return nil
			})
			status, body := orders(g, "")
			assert.Equal(t, 403, status)
			assert.JSONEq(t, `{"message":"Missing Authentication Token"}`, body)
			// The reader's Invoke covers the REST API only.
			status, body = orders(g, reader)
			assert.Equal(t, 403, status)
			assert.Contains(t, body, "User: "+readerID+" is not authorized to perform: execute-api:Invoke on resource: ")
			assert.Contains(t, body, httpAPI.APIID+"/prod/GET/orders")
		}
	})
	t.Run("detaching a policy takes effect without a redeploy", func(t *testing.T) {
		admin.mustDo(t, 204, "DELETE", "/v1/iam/users/"+cacherID+"/policies/"+invalidatePolicy, nil, nil)
		admin.mustDo(t, 204, "DELETE", "/v1/iam/users/"+readerID+"/policies/"+invokePolicy, nil, nil)
		for _, g := range p.gateways {
			eventually(t, 10*time.Second, func() error {
				if status, body := get(g, cacher, "Cache-Control", "max-age=0"); status != 403 {
					return fmt.Errorf("gateway %s still lets the cacher invalidate: %d %s", g, status, body)
				}
				if status, body := get(g, reader); status != 403 {
					return fmt.Errorf("gateway %s still lets the reader invoke: %d %s", g, status, body)
				}
				return nil
			})
			status, body := get(g, cacher)
			assert.Equal(t, 200, status, "the cacher may still invoke: %s", body)
		}
	})
	assert.Zero(t, leaked.Load(), "an access key reached the integration")
}
