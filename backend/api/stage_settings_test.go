package api_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PATCH of a stage takes its cache, method and access log settings with API
// Gateway's names, checks them with the gateway's own rules (422 with a
// detail per field) and shows them back on GET.
func TestAPIsHandlersStageSettings(t *testing.T) {
	cases := []struct {
		desc        string
		body        string
		wantStatus  int
		wantDetails []string
		want        map[string]any
	}{
		{desc: "cache, method settings and access log",
			body: `{"cacheClusterEnabled":true,"cacheClusterSize":"1.6","cacheTtlInSeconds":60,` +
				`"unauthorizedCacheControlHeaderStrategy":"FAIL_WITH_403",` +
				`"methodSettings":{"GET /pets":{"cachingEnabled":true,"cacheTtlInSeconds":30,"cacheKeyParameters":["method.request.querystring.q"]}},` +
				`"accessLogSettings":{"format":"JSON","destinationArn":"stdout"}}`,
			wantStatus: 200,
			want: map[string]any{"cacheClusterEnabled": true, "cacheClusterSize": "1.6", "cacheTtlInSeconds": 60.0,
				"unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403",
				"methodSettings": map[string]any{"GET /pets": map[string]any{"cachingEnabled": true, "cacheTtlInSeconds": 30.0,
					"cacheKeyParameters": []any{"method.request.querystring.q"}}},
				"accessLogSettings": map[string]any{"format": "JSON", "destinationArn": "stdout"}}},
		{desc: "stage TTL over 3600", body: `{"cacheClusterEnabled":true,"cacheTtlInSeconds":4000}`,
			wantStatus: 422, wantDetails: []string{"cacheTtlInSeconds"}},
		{desc: "route TTL over 3600", body: `{"methodSettings":{"GET /pets":{"cacheTtlInSeconds":4000}}}`,
			wantStatus: 422, wantDetails: []string{"methodSettings.GET /pets.cacheTtlInSeconds"}},
		{desc: "method throttle", body: `{"methodSettings":{"GET /pets":{"throttlingRateLimit":2.5,"throttlingBurstLimit":4}}}`,
			wantStatus: 200,
			want:       map[string]any{"methodSettings": map[string]any{"GET /pets": map[string]any{"throttlingRateLimit": 2.5, "throttlingBurstLimit": 4.0}}}},
		{desc: "method throttle rate without burst, negative", body: `{"methodSettings":{"GET /pets":{"throttlingRateLimit":-1}}}`,
			wantStatus: 422, wantDetails: []string{"methodSettings.GET /pets.throttlingRateLimit", "methodSettings.GET /pets.throttlingBurstLimit"}},
		{desc: "unknown strategy", body: `{"unauthorizedCacheControlHeaderStrategy":"MAYBE"}`,
			wantStatus: 422, wantDetails: []string{"unauthorizedCacheControlHeaderStrategy"}},
		{desc: "size out of range and not a number", body: `{"cacheClusterSize":"500"}`,
			wantStatus: 422, wantDetails: []string{"cacheClusterSize"}},
		{desc: "size not a number", body: `{"cacheClusterSize":"big"}`,
			wantStatus: 422, wantDetails: []string{"cacheClusterSize"}},
		{desc: "bad key parameter and route key",
			body:       `{"methodSettings":{"FETCH /x":{},"GET /y":{"cacheKeyParameters":["header.x"]}}}`,
			wantStatus: 422, wantDetails: []string{"methodSettings.FETCH /x", "methodSettings.GET /y.cacheKeyParameters[0]"}},
		{desc: "access log outside the log directory",
			body:       `{"accessLogSettings":{"format":"$context.nope","destinationArn":"file:/etc/passwd"}}`,
			wantStatus: 422, wantDetails: []string{"accessLogSettings.format", "accessLogSettings.destinationArn"}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			e := newAPIsEnv(t)
			s := e.seed()
			before := e.state(s)
			rec := e.do("PATCH", s.expand("/v1/apis/{apiId}/stages/prod"), apisTenantA, tc.body)
			require.Equal(t, tc.wantStatus, rec.Code, rec.Body.String())
			var got map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			if tc.wantStatus != 200 {
				errObj := got["error"].(map[string]any)
				assert.Equal(t, "stage.invalid", errObj["code"])
				details, _ := errObj["details"].(map[string]any)
				for _, f := range tc.wantDetails {
					assert.Contains(t, details, f, rec.Body.String())
				}
				assert.Equal(t, before, e.state(s), "a refused PATCH changes nothing")
				return
			}
			for k, v := range tc.want {
				assert.Equal(t, v, got[k], k)
			}
			shown := e.must(200, "GET", s.expand("/v1/apis/{apiId}/stages/prod"), apisTenantA, "")
			for k, v := range tc.want {
				assert.Equal(t, v, shown[k], k)
			}
			// null removes the access log; cacheClusterEnabled false turns the cache off.
			off := e.must(200, "PATCH", s.expand("/v1/apis/{apiId}/stages/prod"), apisTenantA,
				`{"accessLogSettings":null,"cacheClusterEnabled":false,"methodSettings":{}}`)
			assert.NotContains(t, off, "accessLogSettings")
			assert.Equal(t, false, off["cacheClusterEnabled"])
			assert.Equal(t, map[string]any{}, off["methodSettings"])
		})
	}
}
