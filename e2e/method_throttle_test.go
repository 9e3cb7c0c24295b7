//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMethodThrottle proves a stage's method throttle (methodSettings
// throttlingRateLimit/BurstLimit) on real processes: set over the REST API
// on a deployed REST API stage, it reaches both gateways without a
// redeploy; at five times its rate its route admits rate × time + burst
// across the fleet, while a sibling route, driven at the same time, keeps
// the stage default and is not limited by it.
func TestMethodThrottle(t *testing.T) {
	const rate, burst, stageRate = 20, 10, 500
	p := startPlatform(t)
	admin := newClient(p.apiURL, p.token)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}

	// GET /pets and GET /pets/{petId}, both MOCK.
	var api apiObj
	admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "throttled-pets", "protocolType": "REST"}, &api)
	base := "/v1/apis/" + api.APIID
	var list struct {
		Items []resourceObj `json:"items"`
	}
	admin.mustDo(t, 200, "GET", base+"/resources", nil, &list)
	require.Len(t, list.Items, 1)
	parent := list.Items[0].ID
	for _, part := range []string{"pets", "{petId}"} {
		var r resourceObj
		admin.mustDo(t, 201, "POST", base+"/resources", map[string]any{"parentId": parent, "pathPart": part}, &r)
		admin.mustDo(t, 200, "PUT", base+"/resources/"+r.ID+"/methods/GET", map[string]any{"authorizationType": "NONE"}, nil)
		admin.mustDo(t, 200, "PUT", base+"/resources/"+r.ID+"/methods/GET/integration", map[string]any{"type": "MOCK",
			"requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`}, "mockBody": `{"pet":true}`}, nil)
		parent = r.ID
	}
	admin.mustDo(t, 201, "POST", base+"/stages", map[string]any{"stageName": "prod",
		"throttle": map[string]any{"rateLimit": stageRate, "burstLimit": stageRate}}, nil)
	var d deploymentObj
	admin.mustDo(t, 200, "POST", base+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &d)
	require.Equal(t, "DEPLOYED", d.Status, d.StatusReason)

	pet := &limitsFleet{p: p, admin: admin, hc: hc, apiID: api.APIID, path: "/prod/pets/7"}
	pets := &limitsFleet{p: p, admin: admin, hc: hc, apiID: api.APIID, path: "/prod/pets"}
	for _, g := range p.gateways {
		for _, f := range []*limitsFleet{pet, pets} {
			eventually(t, 10*time.Second, func() error {
				if status, body, _, err := f.call(g, ""); err != nil || status != 200 {
					return fmt.Errorf("%s %s answered %d %s %v", g, f.path, status, body, err)
				}
				return nil
			})
		}
	}

	// The method throttle, set on the deployed stage, reaches every gateway
	// without a redeploy: each refuses GET /pets/{petId} within a burst.
	var st struct {
		MethodSettings map[string]map[string]any `json:"methodSettings"`
	}
	admin.mustDo(t, 200, "PATCH", base+"/stages/prod", map[string]any{"methodSettings": map[string]any{
		"GET /pets/{petId}": map[string]any{"throttlingRateLimit": rate, "throttlingBurstLimit": burst}}}, &st)
	assert.Equal(t, map[string]any{"throttlingRateLimit": float64(rate), "throttlingBurstLimit": float64(burst)},
		st.MethodSettings["GET /pets/{petId}"])
	start := time.Now()
	for _, g := range p.gateways {
		eventually(t, 10*time.Second, func() error {
			for range 3 * burst {
				if status, _, _, err := pet.call(g, ""); err == nil && status == 429 {
					return nil
				}
			}
			return fmt.Errorf("%s admitted %d requests to GET /pets/{petId} in a row", g, 3*burst)
		})
	}
	t.Logf("the method throttle reached both gateways in %s", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // the burst refills (10 at 20/s)

	var petRes, petsRes driveResult
	var wg sync.WaitGroup
	wg.Go(func() { petRes = pet.drive(t, "", 5*rate, 8*time.Second) })
	wg.Go(func() { petsRes = pets.drive(t, "", 5*rate, 8*time.Second) })
	wg.Wait()

	want := rate*petRes.window.Seconds() + burst
	t.Logf("GET /pets/{petId}: offered %d in %s, admitted %d (want %.0f ± 5%%), throttled %d, other %d; per gateway %v",
		petRes.sent, petRes.window.Round(time.Millisecond), petRes.admitted, want, petRes.throttled, petRes.other, petRes.perGateway)
	t.Logf("GET /pets (stage default %d rps): offered %d in %s, admitted %d, throttled %d, other %d",
		stageRate, petsRes.sent, petsRes.window.Round(time.Millisecond), petsRes.admitted, petsRes.throttled, petsRes.other)
	require.Zero(t, petRes.other, "unexpected answers: %v", petRes.samples)
	require.Zero(t, petsRes.other, "unexpected answers: %v", petsRes.samples)
	require.GreaterOrEqual(t, float64(petRes.sent), 3*rate*petRes.window.Seconds(), "the client could not offer enough load")
	assert.InDelta(t, want, float64(petRes.admitted), 0.05*want)
	for i, n := range petRes.perGateway {
		assert.Positive(t, n, "gateway %d admitted nothing", i+1)
	}
	assert.Zero(t, petsRes.throttled, "the sibling route was throttled")
	assert.Equal(t, petsRes.sent, petsRes.admitted)
}
