// Package usagetest has fakes for the usage domain: a publisher that can be
// made to fail, in-memory usage counters and a stage lookup.
package usagetest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// ErrFleetDown is what FlakyPublisher answers while Down.
var ErrFleetDown = errors.New("fleet down")

// FlakyPublisher passes every call to Next, or answers ErrFleetDown while
// Down is set, and counts the calls it passed.
type FlakyPublisher struct {
	Next usage.Publisher

	mu    sync.Mutex
	down  bool
	calls int
}

var _ usage.Publisher = (*FlakyPublisher)(nil)

// SetDown makes every call fail (true) or pass (false).
func (f *FlakyPublisher) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// Calls returns how many calls reached Next.
func (f *FlakyPublisher) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *FlakyPublisher) pass() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return ErrFleetDown
	}
	f.calls++
	return nil
}

// PutAPIKey implements usage.Publisher.
func (f *FlakyPublisher) PutAPIKey(ctx context.Context, k *gwconfig.APIKey) error {
	if err := f.pass(); err != nil {
		return err
	}
	return f.Next.PutAPIKey(ctx, k)
}

// DeleteAPIKey implements usage.Publisher.
func (f *FlakyPublisher) DeleteAPIKey(ctx context.Context, keyID string) error {
	if err := f.pass(); err != nil {
		return err
	}
	return f.Next.DeleteAPIKey(ctx, keyID)
}

// PutUsagePlan implements usage.Publisher.
func (f *FlakyPublisher) PutUsagePlan(ctx context.Context, p *gwconfig.UsagePlan) error {
	if err := f.pass(); err != nil {
		return err
	}
	return f.Next.PutUsagePlan(ctx, p)
}

// DeleteUsagePlan implements usage.Publisher.
func (f *FlakyPublisher) DeleteUsagePlan(ctx context.Context, planID string) error {
	if err := f.pass(); err != nil {
		return err
	}
	return f.Next.DeleteUsagePlan(ctx, planID)
}

// PutTenantLimits implements usage.Publisher.
func (f *FlakyPublisher) PutTenantLimits(ctx context.Context, l *gwconfig.TenantLimits) error {
	if err := f.pass(); err != nil {
		return err
	}
	return f.Next.PutTenantLimits(ctx, l)
}

// Counters is an in-memory usage.Counters: per plan and key, requests per
// day and the quota used in the current period (which Add also counts).
type Counters struct {
	mu    sync.Mutex
	daily map[string]map[string]int64
	used  map[string]int64
	// ExpectedError is answered by every call when set.
	ExpectedError error
}

var _ usage.Counters = (*Counters)(nil)

func pk(planID, keyID string) string { return planID + "/" + keyID }

// Day formats t as a counters day key.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func (c *Counters) init() {
	if c.daily == nil {
		c.daily, c.used = map[string]map[string]int64{}, map[string]int64{}
	}
}

// Add counts n requests of the key under the plan on t's day, and in its
// quota.
func (c *Counters) Add(planID, keyID string, t time.Time, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	k := pk(planID, keyID)
	if c.daily[k] == nil {
		c.daily[k] = map[string]int64{}
	}
	c.daily[k][Day(t)] += n
	c.used[k] += n
}

// Usage implements usage.Counters.
func (c *Counters) Usage(_ context.Context, _, planID, keyID string, from, to time.Time) (map[string]int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ExpectedError != nil {
		return nil, c.ExpectedError
	}
	out := map[string]int64{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out[Day(d)] = c.daily[pk(planID, keyID)][Day(d)]
	}
	return out, nil
}

// RemainingQuota implements usage.Counters.
func (c *Counters) RemainingQuota(_ context.Context, _, planID, keyID string, q gwconfig.Quota) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ExpectedError != nil {
		return 0, c.ExpectedError
	}
	return q.Limit - c.used[pk(planID, keyID)], nil
}

// ExtendQuota implements usage.Counters.
func (c *Counters) ExtendQuota(_ context.Context, _, planID, keyID string, _ gwconfig.Quota, n int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ExpectedError != nil {
		return c.ExpectedError
	}
	c.init()
	c.used[pk(planID, keyID)] -= n
	return nil
}

// ResetQuota implements usage.Counters.
func (c *Counters) ResetQuota(_ context.Context, _, planID, keyID string, _ gwconfig.Quota) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ExpectedError != nil {
		return c.ExpectedError
	}
	c.init()
	delete(c.used, pk(planID, keyID))
	return nil
}

// Stages is a usage.StageLookup over a fixed set of "tenant/apiId/stage"
// entries.
type Stages map[string]bool

var _ usage.StageLookup = Stages(nil)

// GetStage implements usage.StageLookup.
func (s Stages) GetStage(_ context.Context, tenantID, apiID, stageName string) (*apis.Stage, error) {
	if !s[tenantID+"/"+apiID+"/"+stageName] {
		return nil, apis.ErrStageNotFound
	}
	return &apis.Stage{TenantID: tenantID, APIID: apiID, StageName: stageName}, nil
}
