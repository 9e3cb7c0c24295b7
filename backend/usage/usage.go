// Package usage is the API key and usage plan domain: the keys a tenant's
// API consumers send in x-api-key, the plans that say which API stages those
// keys may call and how fast, and the per-key usage the gateways count.
// Every change is published to the fleet inside the database transaction,
// so a change the fleet did not receive is rolled back. The service and its
// gorm store live in usageimpl, fakes in usagetest.
package usage

import (
	"context"
	"time"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
)

// Service manages a tenant's API keys and usage plans. Every method is
// scoped to tenantID: another tenant's keys and plans are not found.
type Service interface {
	CreateAPIKey(ctx context.Context, tenantID string, cmd CreateAPIKeyCommand) (*APIKey, error)
	GetAPIKey(ctx context.Context, tenantID, keyID string) (*APIKey, error)
	ListAPIKeys(ctx context.Context, tenantID string) ([]*APIKey, error)
	UpdateAPIKey(ctx context.Context, tenantID, keyID string, cmd UpdateAPIKeyCommand) (*APIKey, error)
	// DeleteAPIKey deletes the key, detaches it from its plans and
	// withdraws it from the fleet.
	DeleteAPIKey(ctx context.Context, tenantID, keyID string) error
	// ImportAPIKeys creates keys from API Gateway's CSV format (header
	// Name,key,description,Enabled,usageplanIds). Each line is imported on
	// its own; bad lines are reported and skipped.
	ImportAPIKeys(ctx context.Context, tenantID string, csv []byte) (*ImportResult, error)

	CreateUsagePlan(ctx context.Context, tenantID string, cmd CreateUsagePlanCommand) (*UsagePlan, error)
	GetUsagePlan(ctx context.Context, tenantID, planID string) (*UsagePlan, error)
	ListUsagePlans(ctx context.Context, tenantID string) ([]*UsagePlan, error)
	UpdateUsagePlan(ctx context.Context, tenantID, planID string, cmd UpdateUsagePlanCommand) (*UsagePlan, error)
	// DeleteUsagePlan deletes the plan, detaches its keys and withdraws it.
	DeleteUsagePlan(ctx context.Context, tenantID, planID string) error

	// CreateUsagePlanKey attaches a key to a plan.
	CreateUsagePlanKey(ctx context.Context, tenantID, planID, keyID string) (*APIKey, error)
	ListUsagePlanKeys(ctx context.Context, tenantID, planID string) ([]*APIKey, error)
	DeleteUsagePlanKey(ctx context.Context, tenantID, planID, keyID string) error

	// GetUsage returns the plan's keys' requests per day.
	GetUsage(ctx context.Context, tenantID, planID string, q GetUsageQuery) (*Usage, error)
	// UpdateUsage extends or resets a key's remaining quota in the current
	// period.
	UpdateUsage(ctx context.Context, tenantID, planID, keyID string, cmd UpdateUsageCommand) (*KeyQuota, error)

	// Reconcile republishes every key, plan and tenant limit: the
	// in-process bus starts empty and a Redis bus may have lost its data.
	Reconcile(ctx context.Context) error
}

// Publisher is the part of the fleet's key bus the service writes to.
type Publisher interface {
	PutAPIKey(ctx context.Context, k *gwconfig.APIKey) error
	DeleteAPIKey(ctx context.Context, keyID string) error
	PutUsagePlan(ctx context.Context, p *gwconfig.UsagePlan) error
	DeleteUsagePlan(ctx context.Context, planID string) error
	PutTenantLimits(ctx context.Context, l *gwconfig.TenantLimits) error
}

var _ Publisher = fleet.KeyBus(nil)

// Counters reads and adjusts what the gateways count per key and plan:
// the gateways' limit.UsageStore (Redis in a fleet; in the embedded
// default, the in-process limiter the gateway itself uses).
type Counters = limit.UsageStore

// StageLookup finds an API stage of a tenant; apis.Service implements it.
type StageLookup interface {
	GetStage(ctx context.Context, tenantID, apiID, stageName string) (*apis.Stage, error)
}

// APIKey is an API consumer's key.
type APIKey struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	// Value is the secret the consumer sends in x-api-key.
	Value   string
	Enabled bool
	Tags    map[string]string
	// UsagePlanIDs are the plans the key is attached to, sorted.
	UsagePlanIDs []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// UsagePlan is a set of API stages with a throttle and a quota for each key
// attached to it.
type UsagePlan struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	Throttle    *gwconfig.Throttle
	Quota       *gwconfig.Quota
	APIStages   []gwconfig.PlanAPIStage
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	// IDs are the keys created, in line order.
	IDs []string
	// Errors are the lines that were skipped.
	Errors []ImportError
}

// ImportError is one skipped CSV line.
type ImportError struct {
	// Line is the 1-based line number in the file (the header is line 1).
	Line    int
	Message string
}

// GetUsageQuery selects a usage report.
type GetUsageQuery struct {
	// KeyID limits the report to one key; empty means every key of the plan.
	KeyID string
	// StartDate and EndDate are UTC days, YYYY-MM-DD, inclusive.
	StartDate string
	EndDate   string
}

// MaxUsageDays bounds a usage report.
const MaxUsageDays = 90

// Usage is a plan's per-key requests per day.
type Usage struct {
	PlanID    string
	StartDate string
	EndDate   string
	// Days are the report's dates, YYYY-MM-DD.
	Days []string
	// Keys maps each key id to its days, in Days order.
	Keys map[string][]DayUsage
	// Quota is the plan's quota, nil if it has none.
	Quota *gwconfig.Quota
	// Remaining maps each key id to what is left of its quota now; absent
	// without a quota.
	Remaining map[string]int64
}

// DayUsage is one key's use on one day.
type DayUsage struct {
	Used int64
	// Remaining is what was left of the quota at the end of the day (for
	// today: now); -1 without a quota.
	Remaining int64
}

// UpdateUsageCommand extends or resets a key's quota.
type UpdateUsageCommand struct {
	// Extend grants this many more requests in the current period.
	Extend int64 `json:"extend,omitempty"`
	// Reset starts the period's count again.
	Reset bool `json:"reset,omitempty"`
}

// KeyQuota is where a key stands in its quota period.
type KeyQuota struct {
	KeyID     string
	Used      int64
	Remaining int64
	Limit     int64
	Period    string
}
