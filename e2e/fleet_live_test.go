//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFleetLiveChanges proves what reaches the fleet without a redeploy,
// and the private listener, on real processes: a third gateway with
// GATEWAY_PRIVATE_ADDR serves a PRIVATE API there and refuses it on its
// public listener; editing a target group moves traffic to the new target;
// an operator's lower tenant ceiling is enforced; deleting a stage drops it
// from the usage plan that named it.
func TestFleetLiveChanges(t *testing.T) {
	p := startPlatform(t)
	admin := newClient(p.apiURL, p.token)
	hc := &http.Client{Timeout: 10 * time.Second}

	pub, priv := freeAddr(t), freeAddr(t)
	startProc(t, "gateway-private", gatewayBin, append(p.env, "GATEWAY_ADDR="+pub, "GATEWAY_PRIVATE_ADDR="+priv, "GATEWAY_ID=gateway-private"))
	waitHTTP(t, "http://"+pub+"/readyz", 200, 30*time.Second)

	upstream := func(name string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, name) }))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://")
	}
	a, b := upstream("a"), upstream("b")

	var tg struct {
		ID string `json:"id"`
	}
	group := func(addr string) map[string]any {
		return map[string]any{"name": "pets", "targets": []map[string]string{{"address": addr}}, "loadBalancing": "ROUND_ROBIN"}
	}
	admin.mustDo(t, 201, "POST", "/v1/targetgroups", group(a), &tg)

	// A PRIVATE REST API whose GET / goes to the target group.
	var api apiObj
	admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "inner", "protocolType": "REST"}, &api)
	base := "/v1/apis/" + api.APIID
	admin.mustDo(t, 200, "PATCH", base, map[string]any{
		"endpointConfiguration": map[string]any{"types": []string{"PRIVATE"}, "allowedSourceCidrs": []string{"10.0.0.0/8"}}}, nil)
	var list struct {
		Items []resourceObj `json:"items"`
	}
	admin.mustDo(t, 200, "GET", base+"/resources", nil, &list)
	method := base + "/resources/" + list.Items[0].ID + "/methods/GET"
	admin.mustDo(t, 200, "PUT", method, map[string]any{"authorizationType": "NONE"}, nil)
	admin.mustDo(t, 200, "PUT", method+"/integration", map[string]any{"type": "HTTP_PROXY", "uri": "http://pets.internal/",
		"connectionType": "VPC_LINK", "connectionId": tg.ID}, nil)
	for _, st := range []string{"prod", "dev"} {
		admin.mustDo(t, 201, "POST", base+"/stages", map[string]any{"stageName": st}, nil)
		var d deploymentObj
		admin.mustDo(t, 200, "POST", base+"/deployments?wait=true", map[string]any{"stageName": st}, &d)
		require.Equal(t, "DEPLOYED", d.Status, d.StatusReason)
	}

	get := func(addr string) (int, string) {
		t.Helper()
		status, _, body := call(t, hc, addr, api.APIID, "GET", "/prod/", "")
		return status, body
	}
	eventually(t, 10*time.Second, func() error {
		if status, body := get(priv); status != 200 || body != "a" {
			return fmt.Errorf("private listener: %d %s", status, body)
		}
		return nil
	})

	t.Run("the private listener serves the PRIVATE API, the public one refuses it", func(t *testing.T) {
		status, body := get(pub)
		assert.Equal(t, 403, status, body)
		status, body = get(p.gateways[0])
		assert.Equal(t, 403, status, body)
	})

	t.Run("a target group edit moves traffic without a redeploy", func(t *testing.T) {
		admin.mustDo(t, 200, "PUT", "/v1/targetgroups/"+tg.ID, group(b), nil)
		eventually(t, 10*time.Second, func() error {
			if status, body := get(priv); status != 200 || body != "b" {
				return fmt.Errorf("private listener still answers %d %s", status, body)
			}
			return nil
		})
	})

	t.Run("an operator's lower tenant ceiling is enforced", func(t *testing.T) {
		var me struct {
			Tenant struct {
				TenantID string `json:"tenantId"`
			} `json:"tenant"`
		}
		admin.mustDo(t, 200, "GET", "/v1/auth/me", nil, &me)
		limits := "/v1/tenants/" + me.Tenant.TenantID + "/limits"
		admin.mustDo(t, 200, "PUT", limits, map[string]any{"rateLimit": 0.01, "burstLimit": 3}, nil)
		eventually(t, 10*time.Second, func() error {
			if status, body := get(priv); status != http.StatusTooManyRequests {
				return fmt.Errorf("not throttled yet: %d %s", status, body)
			}
			return nil
		})
		admin.mustDo(t, 200, "PUT", limits, map[string]any{"rateLimit": 10000, "burstLimit": 5000}, nil)
		eventually(t, 10*time.Second, func() error {
			if status, body := get(priv); status != 200 {
				return fmt.Errorf("still throttled: %d %s", status, body)
			}
			return nil
		})
	})

	t.Run("deleting a stage drops it from usage plans", func(t *testing.T) {
		var plan struct {
			ID        string `json:"id"`
			APIStages []struct {
				APIID string `json:"apiId"`
				Stage string `json:"stage"`
			} `json:"apiStages"`
		}
		admin.mustDo(t, 201, "POST", "/v1/usageplans", map[string]any{"name": "gold", "apiStages": []map[string]string{
			{"apiId": api.APIID, "stage": "prod"}, {"apiId": api.APIID, "stage": "dev"}}}, &plan)
		require.Len(t, plan.APIStages, 2)
		admin.mustDo(t, 204, "DELETE", base+"/stages/dev", nil, nil)
		admin.mustDo(t, 200, "GET", "/v1/usageplans/"+plan.ID, nil, &plan)
		require.Len(t, plan.APIStages, 1)
		assert.Equal(t, "prod", plan.APIStages[0].Stage)
	})
}
