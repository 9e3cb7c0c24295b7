package gwconfig

import (
	"math"
	"strconv"
)

// Validate checks a throttle: a rate and burst of zero or more (zero
// refuses every request, as in API Gateway).
func (t Throttle) Validate() error {
	ve := &ValidationError{}
	validateThrottle(ve, "", &t)
	return ve.orNil()
}

// Validate checks a quota: a limit of zero or more, a period of DAY, WEEK
// or MONTH, and an offset within the period (0 for DAY, 0-6 for WEEK, 0-27
// for MONTH).
func (q Quota) Validate() error {
	ve := &ValidationError{}
	validateQuota(ve, "", &q)
	return ve.orNil()
}

// Validate checks a usage plan before it is published.
func (p *UsagePlan) Validate() error {
	ve := &ValidationError{}
	if p.ID == "" {
		ve.add("id", "required", "is required")
	}
	if p.TenantID == "" {
		ve.add("tenantId", "required", "is required")
	}
	validateThrottle(ve, "throttle.", p.Throttle)
	validateQuota(ve, "quota.", p.Quota)
	seen := map[string]bool{}
	for i := range p.APIStages {
		s := &p.APIStages[i]
		prefix := "apiStages[" + strconv.Itoa(i) + "]."
		if s.APIID == "" {
			ve.add(prefix+"apiId", "required", "is required")
		}
		if !ValidStageName(s.Stage) {
			ve.add(prefix+"stage", "invalid", "must be 1-128 letters, digits, '-' or '_'")
		}
		if k := StageKey(s.APIID, s.Stage); seen[k] {
			ve.add(prefix+"stage", "duplicate", "API stage %s appears twice", k)
		} else {
			seen[k] = true
		}
		validateThrottle(ve, prefix+"throttle.", s.Throttle)
		for rk, t := range s.MethodThrottles {
			if _, err := ParseRouteKey(rk); err != nil {
				ve.add(prefix+"methodThrottles."+rk, "invalid", "%v", err)
			}
			validateThrottle(ve, prefix+"methodThrottles."+rk+".", &t)
		}
	}
	return ve.orNil()
}

func validateThrottle(ve *ValidationError, prefix string, t *Throttle) {
	if t == nil {
		return
	}
	if t.RateLimit < 0 || math.IsNaN(t.RateLimit) || math.IsInf(t.RateLimit, 0) {
		ve.add(prefix+"rateLimit", "out_of_range", "must be zero or more requests per second")
	}
	if t.BurstLimit < 0 {
		ve.add(prefix+"burstLimit", "out_of_range", "must be zero or more")
	}
}

func validateQuota(ve *ValidationError, prefix string, q *Quota) {
	if q == nil {
		return
	}
	if q.Limit < 0 {
		ve.add(prefix+"limit", "out_of_range", "must be zero or more")
	}
	maxOffset := 0
	switch q.Period {
	case QuotaDay:
	case QuotaWeek:
		maxOffset = 6
	case QuotaMonth:
		maxOffset = 27
	default:
		ve.add(prefix+"period", "invalid", "must be DAY, WEEK or MONTH")
		return
	}
	if q.Offset < 0 || q.Offset > maxOffset {
		ve.add(prefix+"offset", "out_of_range", "must be 0 to %d for %s", maxOffset, q.Period)
	}
}

// validateStageLimits checks the stage's limit settings.
func validateStageLimits(ve *ValidationError, s *Stage) {
	validateThrottle(ve, "throttle.", s.Throttle)
	switch s.APIKeySource {
	case "", APIKeySourceHeader, APIKeySourceAuthorizer:
	default:
		ve.add("apiKeySource", "invalid", "must be HEADER or AUTHORIZER")
	}
	switch s.LimitsFailMode {
	case "", LimitsFailOpen, LimitsFailClosed:
	default:
		ve.add("limitsFailMode", "invalid", "must be OPEN or CLOSED")
	}
}

// validateRouteLimits checks a route's method throttles.
func validateRouteLimits(ve *ValidationError, prefix string, r *Route) {
	validateThrottle(ve, prefix+"throttle.", r.Throttle)
	validateThrottle(ve, prefix+"methodThrottle.", r.MethodThrottle)
}

// EffectiveThrottle is the route's own throttle in its stage: the stage's
// method setting, else the route's throttle, else nil (the stage default
// applies).
func (r *Route) EffectiveThrottle() *Throttle {
	if r.MethodThrottle != nil {
		return r.MethodThrottle
	}
	return r.Throttle
}
