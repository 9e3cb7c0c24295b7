package apis_test

import (
	"encoding/json"
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

// A method setting's throttle is both limits or neither, each zero or more,
// and each problem is reported on its own field.
func TestMethodSettingThrottleValidation(t *testing.T) {
	tests := []struct {
		desc        string
		body        string
		wantDetails []string
		want        *gwconfig.Throttle
	}{
		{desc: "both", body: `{"GET /pets/{petId}":{"throttlingRateLimit":2.5,"throttlingBurstLimit":4}}`,
			want: &gwconfig.Throttle{RateLimit: 2.5, BurstLimit: 4}},
		{desc: "zero refuses all, as in API Gateway", body: `{"GET /pets/{petId}":{"throttlingRateLimit":0,"throttlingBurstLimit":0}}`,
			want: &gwconfig.Throttle{}},
		{desc: "neither", body: `{"GET /pets/{petId}":{"cacheTtlInSeconds":30}}`},
		{desc: "rate without burst", body: `{"GET /pets/{petId}":{"throttlingRateLimit":2}}`,
			wantDetails: []string{"methodSettings.GET /pets/{petId}.throttlingBurstLimit"}},
		{desc: "burst without rate", body: `{"GET /pets/{petId}":{"throttlingBurstLimit":2}}`,
			wantDetails: []string{"methodSettings.GET /pets/{petId}.throttlingRateLimit"}},
		{desc: "negative rate", body: `{"GET /pets/{petId}":{"throttlingRateLimit":-1,"throttlingBurstLimit":2}}`,
			wantDetails: []string{"methodSettings.GET /pets/{petId}.throttlingRateLimit"}},
		{desc: "negative burst", body: `{"GET /pets/{petId}":{"throttlingRateLimit":1,"throttlingBurstLimit":-2}}`,
			wantDetails: []string{"methodSettings.GET /pets/{petId}.throttlingBurstLimit"}},
		{desc: "both negative", body: `{"GET /pets/{petId}":{"throttlingRateLimit":-1,"throttlingBurstLimit":-2}}`,
			wantDetails: []string{"methodSettings.GET /pets/{petId}.throttlingBurstLimit", "methodSettings.GET /pets/{petId}.throttlingRateLimit"}},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			var methods map[string]apis.MethodSetting
			require.NoError(t, json.Unmarshal([]byte(test.body), &methods))
			for _, cmd := range []interface{ Validate() error }{
				&apis.CreateStageCommand{StageName: "prod", MethodSettings: methods},
				&apis.UpdateStageCommand{MethodSettings: methods},
			} {
				err := cmd.Validate()
				if test.wantDetails == nil {
					require.NoError(t, err)
					assert.Equal(t, test.want, methods["GET /pets/{petId}"].Throttle())
					continue
				}
				var ae *apierr.Error
				require.True(t, errors.As(err, &ae), "%v", err)
				assert.Equal(t, 422, ae.Status)
				assert.Equal(t, test.wantDetails, slices.Sorted(maps.Keys(ae.Details)))
			}
		})
	}
}

// ApplyTo puts a method setting's throttle on its route's MethodThrottle
// and takes it off again when the setting goes, leaving the route's own
// throttle alone.
func TestApplyMethodThrottle(t *testing.T) {
	rate, burst := 3.0, 5
	own := &gwconfig.Throttle{RateLimit: 1, BurstLimit: 1}
	snap := &gwconfig.Stage{Routes: []gwconfig.Route{{RouteKey: "GET /pets/{petId}", Throttle: own}, {RouteKey: "GET /pets"}}}
	st := &apis.Stage{MethodSettings: map[string]apis.MethodSetting{
		"GET /pets/{petId}": {ThrottlingRateLimit: &rate, ThrottlingBurstLimit: &burst}}}
	st.ApplyTo(snap)
	assert.Equal(t, &gwconfig.Throttle{RateLimit: 3, BurstLimit: 5}, snap.Routes[0].MethodThrottle)
	assert.Equal(t, &gwconfig.Throttle{RateLimit: 3, BurstLimit: 5}, snap.Routes[0].EffectiveThrottle())
	assert.Nil(t, snap.Routes[1].MethodThrottle)

	(&apis.Stage{}).ApplyTo(snap)
	assert.Nil(t, snap.Routes[0].MethodThrottle)
	assert.Same(t, own, snap.Routes[0].EffectiveThrottle())
}
