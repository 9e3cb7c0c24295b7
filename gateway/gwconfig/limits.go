package gwconfig

// This file is the contract for what changes without a deploy: API keys,
// usage plans and tenant-wide limits. The backend publishes them on the
// fleet bus within seconds of a change; gateways hold them in memory so
// that checking a key costs no round trip.

// Throttle is a token-bucket style rate limit, as API Gateway names it.
type Throttle struct {
	// RateLimit is the steady-state requests per second.
	RateLimit float64 `json:"rateLimit"`
	// BurstLimit is how many requests may arrive at once.
	BurstLimit int `json:"burstLimit"`
}

// Quota periods.
const (
	QuotaDay   = "DAY"
	QuotaWeek  = "WEEK"
	QuotaMonth = "MONTH"
)

// Quota caps requests per period for each API key of a usage plan.
type Quota struct {
	// Limit is the number of requests allowed per period.
	Limit int64 `json:"limit"`
	// Period is DAY, WEEK or MONTH (UTC).
	Period string `json:"period"`
	// Offset shifts the period start: days into the week (0-6) or month
	// (0-27); ignored for DAY.
	Offset int `json:"offset,omitempty"`
}

// APIKey is the fleet's copy of an API key. The key's value is never
// published: only its SHA-256 (hex), which the gateway computes from the
// x-api-key header.
type APIKey struct {
	ID        string `json:"id"`
	TenantID  string `json:"tenantId"`
	ValueHash string `json:"valueHash"`
	Enabled   bool   `json:"enabled"`
	// UsagePlanIDs are the plans the key belongs to.
	UsagePlanIDs []string `json:"usagePlanIds,omitempty"`
	// Revision increases with every publish of this key.
	Revision int64 `json:"revision"`
}

// UsagePlan says which API stages a key may call and how fast.
type UsagePlan struct {
	ID       string `json:"id"`
	TenantID string `json:"tenantId"`
	// Throttle applies to each key of the plan unless an API stage or
	// method overrides it.
	Throttle *Throttle `json:"throttle,omitempty"`
	// Quota applies to each key of the plan.
	Quota *Quota `json:"quota,omitempty"`
	// APIStages are the stages the plan's keys may call.
	APIStages []PlanAPIStage `json:"apiStages"`
	// Revision increases with every publish of this plan.
	Revision int64 `json:"revision"`
}

// PlanAPIStage is one API stage of a usage plan.
type PlanAPIStage struct {
	APIID string `json:"apiId"`
	Stage string `json:"stage"`
	// Throttle overrides the plan's throttle for this stage.
	Throttle *Throttle `json:"throttle,omitempty"`
	// MethodThrottles override it per route key ("GET /pets/{id}").
	MethodThrottles map[string]Throttle `json:"methodThrottles,omitempty"`
}

// TenantLimits are a tenant's account-level settings, applied before any
// stage or plan limit, as API Gateway's account throttle is.
type TenantLimits struct {
	TenantID string `json:"tenantId"`
	// Throttle is the tenant-wide ceiling (default 10,000 rps, burst 5,000).
	Throttle Throttle `json:"throttle"`
	// Suspended tenants' traffic is refused with 403.
	Suspended bool  `json:"suspended,omitempty"`
	Revision  int64 `json:"revision"`
}

// DefaultTenantThrottle is the tenant-wide ceiling when none is set.
var DefaultTenantThrottle = Throttle{RateLimit: 10000, BurstLimit: 5000}
