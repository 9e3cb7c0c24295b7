package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// KeyBus carries what changes without a deploy: API keys, usage plans and
// tenant limits. The backend publishes every change; gateways hold the whole
// set in memory (so checking a key costs no round trip) and re-read it after
// each WatchKeys event and on their resync timer.
//
// Both buses implement it: the values NewMemory and NewRedis return satisfy
// KeyBus as well as Bus. Use AsKeyBus (or a type assertion) to get at it.
//
// Unlike stages, the bus keeps the caller's Revision as it is; the backend
// stamps it (UnixNano of the change). Ids are unique across tenants.
type KeyBus interface {
	// PutAPIKey publishes a key, replacing the one with the same ID.
	PutAPIKey(ctx context.Context, k *gwconfig.APIKey) error
	// DeleteAPIKey withdraws a key; deleting an unknown key is no error.
	DeleteAPIKey(ctx context.Context, keyID string) error
	// APIKeys returns every published key, sorted by ID.
	APIKeys(ctx context.Context) ([]*gwconfig.APIKey, error)

	// PutUsagePlan publishes a plan, replacing the one with the same ID.
	PutUsagePlan(ctx context.Context, p *gwconfig.UsagePlan) error
	// DeleteUsagePlan withdraws a plan; deleting an unknown plan is no
	// error.
	DeleteUsagePlan(ctx context.Context, planID string) error
	// UsagePlans returns every published plan, sorted by ID.
	UsagePlans(ctx context.Context) ([]*gwconfig.UsagePlan, error)

	// PutTenantLimits publishes a tenant's limits, replacing earlier ones.
	PutTenantLimits(ctx context.Context, l *gwconfig.TenantLimits) error
	// DeleteTenantLimits withdraws a tenant's limits (the tenant falls back
	// to gwconfig.DefaultTenantThrottle).
	DeleteTenantLimits(ctx context.Context, tenantID string) error
	// TenantLimits returns every tenant's published limits, sorted by
	// tenant ID.
	TenantLimits(ctx context.Context) ([]*gwconfig.TenantLimits, error)

	// WatchKeys is Watch for keys, plans and tenant limits: a channel that
	// receives a (coalesced) value after every change to them, closed when
	// ctx ends. Stage changes do not wake it, nor do key changes wake Watch.
	WatchKeys(ctx context.Context) (<-chan struct{}, error)
}

// FleetBus is a Bus that also carries keys, as both implementations do.
type FleetBus interface {
	Bus
	KeyBus
}

// AsKeyBus returns b's KeyBus, or nil if b carries no keys.
func AsKeyBus(b Bus) KeyBus {
	kb, _ := b.(KeyBus)
	return kb
}

var (
	_ FleetBus = (*memory)(nil)
	_ FleetBus = (*redisBus)(nil)
)

func checkAPIKey(k *gwconfig.APIKey) error {
	if k == nil || k.ID == "" || k.TenantID == "" {
		return errors.New("fleet: api key needs an id and a tenant id")
	}
	if len(k.ValueHash) != 64 {
		return errors.New("fleet: api key value hash must be hex SHA-256")
	}
	return nil
}

func checkUsagePlan(p *gwconfig.UsagePlan) error {
	if p == nil || p.ID == "" || p.TenantID == "" {
		return errors.New("fleet: usage plan needs an id and a tenant id")
	}
	return nil
}

func checkTenantLimits(l *gwconfig.TenantLimits) error {
	if l == nil || l.TenantID == "" {
		return errors.New("fleet: tenant limits need a tenant id")
	}
	return nil
}

// decodeAll decodes JSON values into a slice sorted by id.
func decodeAll[T any](what string, raw []string, id func(*T) string) ([]*T, error) {
	out := make([]*T, 0, len(raw))
	for _, b := range raw {
		v := new(T)
		if err := json.Unmarshal([]byte(b), v); err != nil {
			return nil, fmt.Errorf("fleet: decoding %s: %w", what, err)
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *T) int { return strings.Compare(id(a), id(b)) })
	return out, nil
}

func apiKeyID(k *gwconfig.APIKey) string             { return k.ID }
func usagePlanID(p *gwconfig.UsagePlan) string       { return p.ID }
func tenantLimitsID(l *gwconfig.TenantLimits) string { return l.TenantID }
