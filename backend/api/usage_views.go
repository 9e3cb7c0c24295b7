package api

import (
	"time"

	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// APIKeyView is an API key. Value is present only when asked for with
// ?includeValue=true (or at creation).
type APIKeyView struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Enabled     bool              `json:"enabled"`
	Value       string            `json:"value,omitempty"`
	Tags        map[string]string `json:"tags"`
	// UsagePlanIDs are the plans the key is attached to.
	UsagePlanIDs []string  `json:"usagePlanIds"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// APIKeyListView is a list of API keys.
type APIKeyListView struct {
	Items []APIKeyView `json:"items"`
}

// ImportAPIKeysView is the outcome of a CSV import.
type ImportAPIKeysView struct {
	// IDs are the keys created, in line order.
	IDs []string `json:"ids"`
	// Errors are the lines that were skipped.
	Errors []ImportErrorView `json:"errors"`
}

// ImportErrorView is one skipped CSV line.
type ImportErrorView struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// UsagePlanView is a usage plan.
type UsagePlanView struct {
	ID          string                  `json:"id"`
	Name        string                  `json:"name"`
	Description string                  `json:"description"`
	Throttle    *gwconfig.Throttle      `json:"throttle,omitempty"`
	Quota       *gwconfig.Quota         `json:"quota,omitempty"`
	APIStages   []gwconfig.PlanAPIStage `json:"apiStages"`
	CreatedAt   time.Time               `json:"createdAt"`
	UpdatedAt   time.Time               `json:"updatedAt"`
}

// UsagePlanListView is a list of usage plans.
type UsagePlanListView struct {
	Items []UsagePlanView `json:"items"`
}

// UsagePlanKeyRequest attaches a key to a plan.
type UsagePlanKeyRequest struct {
	KeyID string `json:"keyId"`
	// KeyType is API_KEY, the only type, as API Gateway names it.
	KeyType string `json:"keyType,omitempty"`
}

// UsageView is a plan's usage, API Gateway style: items maps each key id
// to one [used, remaining] pair per day (remaining is -1 without a quota);
// days sums the keys per day.
type UsageView struct {
	UsagePlanID string                `json:"usagePlanId"`
	StartDate   string                `json:"startDate"`
	EndDate     string                `json:"endDate"`
	Items       map[string][][2]int64 `json:"items"`
	Days        []UsageDayView        `json:"days"`
	// Remaining maps each key id to what is left of its quota now.
	Remaining map[string]int64 `json:"remaining,omitempty"`
	Quota     *gwconfig.Quota  `json:"quota,omitempty"`
}

// UsageDayView is one day of a usage report.
type UsageDayView struct {
	Date string `json:"date"`
	Used int64  `json:"used"`
}

// KeyQuotaView is where a key stands in its quota period.
type KeyQuotaView struct {
	KeyID     string `json:"keyId"`
	Used      int64  `json:"used"`
	Remaining int64  `json:"remaining"`
	Limit     int64  `json:"limit"`
	Period    string `json:"period"`
}

func apiKeyView(k *usage.APIKey, withValue bool) APIKeyView {
	v := APIKeyView{ID: k.ID, Name: k.Name, Description: k.Description, Enabled: k.Enabled, Tags: k.Tags,
		UsagePlanIDs: k.UsagePlanIDs, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}
	if v.Tags == nil {
		v.Tags = map[string]string{}
	}
	if v.UsagePlanIDs == nil {
		v.UsagePlanIDs = []string{}
	}
	if withValue {
		v.Value = k.Value
	}
	return v
}

func usagePlanView(p *usage.UsagePlan) UsagePlanView {
	st := p.APIStages
	if st == nil {
		st = []gwconfig.PlanAPIStage{}
	}
	return UsagePlanView{ID: p.ID, Name: p.Name, Description: p.Description, Throttle: p.Throttle, Quota: p.Quota,
		APIStages: st, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func usageView(u *usage.Usage) UsageView {
	v := UsageView{UsagePlanID: u.PlanID, StartDate: u.StartDate, EndDate: u.EndDate,
		Items: map[string][][2]int64{}, Days: make([]UsageDayView, len(u.Days)), Remaining: u.Remaining, Quota: u.Quota}
	for i, d := range u.Days {
		v.Days[i].Date = d
	}
	for k, days := range u.Keys {
		pairs := make([][2]int64, len(days))
		for i, d := range days {
			pairs[i] = [2]int64{d.Used, d.Remaining}
			if i < len(v.Days) {
				v.Days[i].Used += d.Used
			}
		}
		v.Items[k] = pairs
	}
	return v
}

var (
	exampleAPIKeyView = APIKeyView{ID: "x1y2z3w4v5", Name: "mobile-app", Description: "iOS app", Enabled: true,
		Tags: map[string]string{"team": "ios"}, UsagePlanIDs: []string{"a1b2c3"},
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	exampleUsagePlanView = UsagePlanView{ID: "a1b2c3", Name: "gold", Description: "Paying customers",
		Throttle: &gwconfig.Throttle{RateLimit: 100, BurstLimit: 200},
		Quota:    &gwconfig.Quota{Limit: 100000, Period: gwconfig.QuotaMonth},
		APIStages: []gwconfig.PlanAPIStage{{APIID: "a1b2c3d4e5", Stage: "prod",
			MethodThrottles: map[string]gwconfig.Throttle{"GET /pets": {RateLimit: 10, BurstLimit: 20}}}},
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	exampleUsageView = UsageView{UsagePlanID: "a1b2c3", StartDate: "2026-01-01", EndDate: "2026-01-02",
		Items:     map[string][][2]int64{"x1y2z3w4v5": {{120, 99880}, {30, 99850}}},
		Days:      []UsageDayView{{Date: "2026-01-01", Used: 120}, {Date: "2026-01-02", Used: 30}},
		Remaining: map[string]int64{"x1y2z3w4v5": 99850}, Quota: &gwconfig.Quota{Limit: 100000, Period: gwconfig.QuotaMonth}}
)
