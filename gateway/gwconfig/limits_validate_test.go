package gwconfig

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fieldsOf(err error) []string {
	ve, ok := AsValidationError(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestValidateLimits(t *testing.T) {
	valid := func() *UsagePlan {
		return &UsagePlan{ID: "p1", TenantID: "t1",
			Throttle: &Throttle{RateLimit: 10, BurstLimit: 5},
			Quota:    &Quota{Limit: 100, Period: QuotaWeek, Offset: 6},
			APIStages: []PlanAPIStage{{APIID: "a1", Stage: "prod", Throttle: &Throttle{RateLimit: 0.5, BurstLimit: 1},
				MethodThrottles: map[string]Throttle{"GET /pets/{id}": {RateLimit: 1, BurstLimit: 1}}}}}
	}
	tests := []struct {
		desc   string
		mod    func(p *UsagePlan)
		fields []string
	}{
		{desc: "valid", mod: func(*UsagePlan) {}},
		{desc: "zero throttle blocks and is valid", mod: func(p *UsagePlan) { p.Throttle = &Throttle{} }},
		{desc: "no id or tenant", mod: func(p *UsagePlan) { p.ID, p.TenantID = "", "" }, fields: []string{"id", "tenantId"}},
		{desc: "negative rate and burst", mod: func(p *UsagePlan) { p.Throttle = &Throttle{RateLimit: -1, BurstLimit: -1} },
			fields: []string{"throttle.rateLimit", "throttle.burstLimit"}},
		{desc: "NaN rate", mod: func(p *UsagePlan) { p.Throttle.RateLimit = math.NaN() }, fields: []string{"throttle.rateLimit"}},
		{desc: "bad period", mod: func(p *UsagePlan) { p.Quota.Period = "YEAR" }, fields: []string{"quota.period"}},
		{desc: "week offset", mod: func(p *UsagePlan) { p.Quota.Offset = 7 }, fields: []string{"quota.offset"}},
		{desc: "month offset", mod: func(p *UsagePlan) { p.Quota = &Quota{Limit: 1, Period: QuotaMonth, Offset: 28} }, fields: []string{"quota.offset"}},
		{desc: "day offset", mod: func(p *UsagePlan) { p.Quota = &Quota{Limit: 1, Period: QuotaDay, Offset: 1} }, fields: []string{"quota.offset"}},
		{desc: "negative limit", mod: func(p *UsagePlan) { p.Quota.Limit = -1 }, fields: []string{"quota.limit"}},
		{desc: "duplicate stage", mod: func(p *UsagePlan) { p.APIStages = append(p.APIStages, PlanAPIStage{APIID: "a1", Stage: "prod"}) },
			fields: []string{"apiStages[1].stage"}},
		{desc: "bad stage and method", mod: func(p *UsagePlan) {
			p.APIStages[0].Stage = "no/slash"
			p.APIStages[0].MethodThrottles = map[string]Throttle{"FETCH /x": {RateLimit: -2}}
		}, fields: []string{"apiStages[0].stage", "apiStages[0].methodThrottles.FETCH /x", "apiStages[0].methodThrottles.FETCH /x.rateLimit"}},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			p := valid()
			test.mod(p)
			err := p.Validate()
			if test.fields == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ElementsMatch(t, test.fields, fieldsOf(err))
		})
	}
	assert.NoError(t, Throttle{RateLimit: 1, BurstLimit: 1}.Validate())
	assert.Error(t, Quota{Period: "x"}.Validate())
}

func TestValidateStageLimits(t *testing.T) {
	base := func() *Stage {
		return &Stage{TenantID: "t1", APIID: "a1", StageName: "prod", DeploymentID: "d1",
			Routes: []Route{{RouteID: "r1", RouteKey: "GET /x", Integration: Integration{Type: IntegrationMock}}}}
	}
	tests := []struct {
		desc   string
		mod    func(s *Stage)
		fields []string
	}{
		{desc: "defaults", mod: func(*Stage) {}},
		{desc: "all set", mod: func(s *Stage) {
			s.Throttle = &Throttle{RateLimit: 100, BurstLimit: 50}
			s.APIKeySource, s.LimitsFailMode = APIKeySourceAuthorizer, LimitsFailClosed
			s.Routes[0].APIKeyRequired = true
			s.Routes[0].Throttle = &Throttle{RateLimit: 1, BurstLimit: 1}
		}},
		{desc: "bad settings", mod: func(s *Stage) {
			s.Throttle = &Throttle{RateLimit: -1}
			s.APIKeySource, s.LimitsFailMode = "QUERY", "MAYBE"
			s.Routes[0].Throttle = &Throttle{BurstLimit: -1}
		}, fields: []string{"throttle.rateLimit", "apiKeySource", "limitsFailMode", "routes[0].throttle.burstLimit"}},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			s := base()
			test.mod(s)
			err := s.Validate()
			if test.fields == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ElementsMatch(t, test.fields, fieldsOf(err))
		})
	}
}
