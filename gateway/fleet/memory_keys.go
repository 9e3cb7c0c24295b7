package fleet

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// memoryKeys is the in-process bus's KeyBus state, guarded by memory.mu.
// Values are JSON, as in Redis, so readers never share memory.
type memoryKeys struct {
	apiKeys  map[string]string
	plans    map[string]string
	tenants  map[string]string
	watchers map[chan struct{}]struct{}
	// TenantBus state (memory_tenant.go).
	grants         map[string]string
	groups         map[string]string
	tenantWatchers map[chan struct{}]struct{}
}

func newMemoryKeys() memoryKeys {
	return memoryKeys{
		apiKeys:  map[string]string{},
		plans:    map[string]string{},
		tenants:  map[string]string{},
		watchers: map[chan struct{}]struct{}{},

		grants:         map[string]string{},
		groups:         map[string]string{},
		tenantWatchers: map[chan struct{}]struct{}{},
	}
}

// put stores v under id in the map pick selects and wakes key watchers.
func (m *memory) putKeyed(ctx context.Context, what string, pick func(*memoryKeys) map[string]string, id string, v any) error {
	return m.putIn(ctx, what, pick, m.keys.watchers, id, v)
}

// putIn stores v under id in the map pick selects and wakes watchers.
func (m *memory) putIn(ctx context.Context, what string, pick func(*memoryKeys) map[string]string, watchers map[chan struct{}]struct{}, id string, v any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("fleet: encoding %s %s: %w", what, id, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	pick(&m.keys)[id] = string(b)
	notifyAll(watchers)
	return nil
}

func (m *memory) deleteKeyed(ctx context.Context, pick func(*memoryKeys) map[string]string, id string) error {
	return m.deleteIn(ctx, pick, m.keys.watchers, id)
}

func (m *memory) deleteIn(ctx context.Context, pick func(*memoryKeys) map[string]string, watchers map[chan struct{}]struct{}, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	set := pick(&m.keys)
	if _, ok := set[id]; ok {
		delete(set, id)
		notifyAll(watchers)
	}
	return nil
}

func (m *memory) listKeyed(ctx context.Context, pick func(*memoryKeys) map[string]string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	set := pick(&m.keys)
	out := make([]string, 0, len(set))
	for _, v := range set {
		out = append(out, v)
	}
	return out, nil
}

func pickAPIKeys(k *memoryKeys) map[string]string { return k.apiKeys }
func pickPlans(k *memoryKeys) map[string]string   { return k.plans }
func pickTenants(k *memoryKeys) map[string]string { return k.tenants }

func (m *memory) PutAPIKey(ctx context.Context, k *gwconfig.APIKey) error {
	if err := checkAPIKey(k); err != nil {
		return err
	}
	return m.putKeyed(ctx, "api key", pickAPIKeys, k.ID, k)
}

func (m *memory) DeleteAPIKey(ctx context.Context, keyID string) error {
	return m.deleteKeyed(ctx, pickAPIKeys, keyID)
}

func (m *memory) APIKeys(ctx context.Context) ([]*gwconfig.APIKey, error) {
	raw, err := m.listKeyed(ctx, pickAPIKeys)
	if err != nil {
		return nil, err
	}
	return decodeAll("api key", raw, apiKeyID)
}

func (m *memory) PutUsagePlan(ctx context.Context, p *gwconfig.UsagePlan) error {
	if err := checkUsagePlan(p); err != nil {
		return err
	}
	return m.putKeyed(ctx, "usage plan", pickPlans, p.ID, p)
}

func (m *memory) DeleteUsagePlan(ctx context.Context, planID string) error {
	return m.deleteKeyed(ctx, pickPlans, planID)
}

func (m *memory) UsagePlans(ctx context.Context) ([]*gwconfig.UsagePlan, error) {
	raw, err := m.listKeyed(ctx, pickPlans)
	if err != nil {
		return nil, err
	}
	return decodeAll("usage plan", raw, usagePlanID)
}

func (m *memory) PutTenantLimits(ctx context.Context, l *gwconfig.TenantLimits) error {
	if err := checkTenantLimits(l); err != nil {
		return err
	}
	return m.putKeyed(ctx, "tenant limits", pickTenants, l.TenantID, l)
}

func (m *memory) DeleteTenantLimits(ctx context.Context, tenantID string) error {
	return m.deleteKeyed(ctx, pickTenants, tenantID)
}

func (m *memory) TenantLimits(ctx context.Context) ([]*gwconfig.TenantLimits, error) {
	raw, err := m.listKeyed(ctx, pickTenants)
	if err != nil {
		return nil, err
	}
	return decodeAll("tenant limits", raw, tenantLimitsID)
}

func (m *memory) WatchKeys(ctx context.Context) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return m.watch(ctx, m.keys.watchers)
}
