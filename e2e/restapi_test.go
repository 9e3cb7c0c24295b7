//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// call sends a request through a gateway to an API's invoke host.
func call(t *testing.T, hc *http.Client, gatewayAddr, apiID, method, path, body string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+gatewayAddr+path, rd)
	require.NoError(t, err)
	req.Host = apiID + ".execute-api.localhost"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

type resourceObj struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}

// TestRESTAPI builds a REST API over the REST shape (resources, methods,
// validator, model, integration with parameter mappings, a target group),
// deploys it and calls it through both gateways.
func TestRESTAPI(t *testing.T) {
	p := startPlatform(t)
	admin := newClient(p.apiURL, p.token)
	hc := &http.Client{Timeout: 10 * time.Second}

	// The upstream records what the gateway sent.
	var mu sync.Mutex
	var seen *http.Request
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Clone(context.Background())
		mu.Unlock()
		w.Header().Set("X-Upstream-Version", "v9")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"uri": r.RequestURI})
	}))
	t.Cleanup(up.Close)

	var api apiObj
	admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "petstore", "protocolType": "REST"}, &api)
	base := "/v1/apis/" + api.APIID
	var list struct {
		Items []resourceObj `json:"items"`
	}
	admin.mustDo(t, 200, "GET", base+"/resources", nil, &list)
	require.Len(t, list.Items, 1)
	root := list.Items[0]
	require.Equal(t, "/", root.Path)

	var pets, pet resourceObj
	admin.mustDo(t, 201, "POST", base+"/resources", map[string]any{"parentId": root.ID, "pathPart": "pets"}, &pets)
	admin.mustDo(t, 201, "POST", base+"/resources", map[string]any{"parentId": pets.ID, "pathPart": "{petId}"}, &pet)
	admin.mustDo(t, 409, "POST", base+"/resources", map[string]any{"parentId": root.ID, "pathPart": "pets"}, nil)

	var validator struct {
		ID string `json:"id"`
	}
	admin.mustDo(t, 201, "POST", base+"/requestvalidators", map[string]any{"name": "all",
		"validateRequestBody": true, "validateRequestParameters": true}, &validator)
	admin.mustDo(t, 201, "POST", base+"/models", map[string]any{"name": "Pet", "contentType": "application/json",
		"schema": map[string]any{"type": "object", "required": []string{"name"},
			"properties": map[string]any{"name": map[string]any{"type": "string", "minLength": 1}}}}, nil)

	method := base + "/resources/" + pet.ID + "/methods/PUT"
	admin.mustDo(t, 200, "PUT", method, map[string]any{"authorizationType": "NONE",
		"requestParameters":  map[string]bool{"method.request.querystring.owner": true},
		"requestValidatorId": validator.ID, "requestModels": map[string]string{"application/json": "Pet"}}, nil)
	admin.mustDo(t, 200, "PUT", method+"/integration", map[string]any{"type": "HTTP_PROXY", "httpMethod": "POST",
		"uri": up.URL + "/animals/{id}", "timeoutInMillis": 5000,
		"requestParameters": map[string]string{
			"integration.request.path.id":         "method.request.path.petId",
			"integration.request.header.X-Owner":  "method.request.querystring.owner",
			"integration.request.header.X-Stage":  "context.stage",
			"integration.request.querystring.src": "'gateway'"},
		"responseParameters": map[string]string{"method.response.header.X-Version": "integration.response.header.X-Upstream-Version"}}, nil)
	admin.mustDo(t, 200, "PUT", method+"/responses/200", map[string]any{"responseModels": map[string]string{"application/json": "Pet"}}, nil)
	// GET / answers from a MOCK integration.
	admin.mustDo(t, 200, "PUT", base+"/resources/"+root.ID+"/methods/GET", map[string]any{}, nil)
	admin.mustDo(t, 200, "PUT", base+"/resources/"+root.ID+"/methods/GET/integration", map[string]any{"type": "MOCK",
		"requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`}, "mockBody": `{"hello":"rest"}`}, nil)

	admin.mustDo(t, 201, "POST", base+"/stages", map[string]any{"stageName": "prod"}, nil)
	deploy := func(t *testing.T) {
		t.Helper()
		var d deploymentObj
		admin.mustDo(t, 200, "POST", base+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &d)
		require.Equal(t, "DEPLOYED", d.Status, d.StatusReason)
	}
	deploy(t)

	t.Run("mapping and validator through both gateways", func(t *testing.T) {
		for _, g := range p.gateways {
			status, _, body := call(t, hc, g, api.APIID, "GET", "/prod/", "")
			require.Equal(t, 200, status, body)
			assert.JSONEq(t, `{"hello":"rest"}`, body)

			status, h, body := call(t, hc, g, api.APIID, "PUT", "/prod/pets/7?owner=ann", `{"name":"rex"}`)
			require.Equal(t, 200, status, body)
			assert.Equal(t, "v9", h.Get("X-Version"))
			mu.Lock()
			require.NotNil(t, seen)
			assert.Equal(t, "POST", seen.Method)
			assert.Equal(t, "/animals/7?owner=ann&src=gateway", seen.RequestURI)
			assert.Equal(t, "ann", seen.Header.Get("X-Owner"))
			assert.Equal(t, "prod", seen.Header.Get("X-Stage"))
			mu.Unlock()

			status, _, body = call(t, hc, g, api.APIID, "PUT", "/prod/pets/7", `{"name":"rex"}`)
			assert.Equal(t, 400, status)
			assert.JSONEq(t, `{"message":"Missing required request parameters: [owner]"}`, body)

			status, _, body = call(t, hc, g, api.APIID, "PUT", "/prod/pets/7?owner=ann", `{"name":""}`)
			assert.Equal(t, 400, status)
			var out struct {
				Message string   `json:"message"`
				Details []string `json:"details"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &out), body)
			assert.Equal(t, "Invalid request body", out.Message)
			assert.NotEmpty(t, out.Details)
		}
	})

	t.Run("private integration through a target group", func(t *testing.T) {
		var hits [2]atomic.Int64
		var down [2]atomic.Bool
		var targets []string
		for i := range 2 {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if down[i].Load() {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				if r.URL.Path != "/health" {
					hits[i].Add(1)
				}
				fmt.Fprintf(w, `{"target":%d}`, i)
			}))
			t.Cleanup(srv.Close)
			targets = append(targets, strings.TrimPrefix(srv.URL, "http://"))
		}
		var tg struct {
			ID string `json:"id"`
		}
		admin.mustDo(t, 201, "POST", "/v1/targetgroups", map[string]any{"name": "pets-" + randomID(4),
			"targets":     []map[string]string{{"address": targets[0]}, {"address": targets[1]}},
			"healthCheck": map[string]any{"path": "/health", "intervalSeconds": 1, "timeoutSeconds": 1, "healthyThreshold": 1, "unhealthyThreshold": 1}},
			&tg)
		var inner resourceObj
		admin.mustDo(t, 201, "POST", base+"/resources", map[string]any{"parentId": root.ID, "pathPart": "inner"}, &inner)
		m := base + "/resources/" + inner.ID + "/methods/GET"
		admin.mustDo(t, 200, "PUT", m, map[string]any{}, nil)
		admin.mustDo(t, 200, "PUT", m+"/integration", map[string]any{"type": "HTTP_PROXY", "uri": "http://pets.internal/x",
			"connectionType": "VPC_LINK", "connectionId": tg.ID}, nil)
		deploy(t)

		g := p.gateways[0]
		for range 10 {
			status, _, body := call(t, hc, g, api.APIID, "GET", "/prod/inner", "")
			require.Equal(t, 200, status, body)
		}
		assert.Positive(t, hits[0].Load())
		assert.Positive(t, hits[1].Load())

		down[0].Store(true)
		// Once the checker has seen target 0 fail, all traffic goes to 1.
		eventually(t, 15*time.Second, func() error {
			before := hits[1].Load()
			for range 6 {
				if status, _, body := call(t, hc, g, api.APIID, "GET", "/prod/inner", ""); status != 200 {
					return fmt.Errorf("status %d: %s", status, body)
				}
			}
			if got := hits[1].Load() - before; got != 6 {
				return fmt.Errorf("target 1 got %d of 6", got)
			}
			return nil
		})
		down[1].Store(true)
		eventually(t, 15*time.Second, func() error {
			status, _, body := call(t, hc, g, api.APIID, "GET", "/prod/inner", "")
			if status != 503 || body != `{"message":"Service Unavailable"}` {
				return fmt.Errorf("status %d: %s", status, body)
			}
			return nil
		})
	})

	t.Run("private endpoint answers only its CIDRs", func(t *testing.T) {
		admin.mustDo(t, 200, "PATCH", base, map[string]any{"endpointConfiguration": map[string]any{
			"types": []string{"PRIVATE"}, "allowedSourceCidrs": []string{"10.0.0.0/8"}}}, nil)
		deploy(t)
		for _, g := range p.gateways {
			status, _, body := call(t, hc, g, api.APIID, "GET", "/prod/", "")
			assert.Equal(t, 403, status)
			assert.JSONEq(t, `{"message":"Forbidden"}`, body)
		}
		admin.mustDo(t, 200, "PATCH", base, map[string]any{"endpointConfiguration": map[string]any{
			"types": []string{"PRIVATE"}, "allowedSourceCidrs": []string{"127.0.0.0/8", "::1/128"}}}, nil)
		deploy(t)
		status, _, body := call(t, hc, p.gateways[1], api.APIID, "GET", "/prod/", "")
		assert.Equal(t, 200, status, body)
	})
}
