// Package limittest is the contract suite every limit.LimiterStore passes.
package limittest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
)

// Clock is a controllable clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Start is where every test's clock starts: a Thursday, 10:00 UTC.
var Start = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// Factory returns a limiter on an empty store that reads the time from
// now.
type Factory func(t *testing.T, now func() time.Time) limit.LimiterStore

// Run runs the contract suite.
func Run(t *testing.T, newLimiter Factory) {
	tests := []struct {
		desc string
		run  func(t *testing.T, l limit.LimiterStore, c *Clock)
	}{
		{desc: "burst, then one per interval", run: testBurst},
		{desc: "admitted at five times the rate is rate times time plus burst", run: testSteadyRate},
		{desc: "a refusal counts nothing", run: testRefusalCountsNothing},
		{desc: "the binding policy is the tightest", run: testBindingPolicy},
		{desc: "zero rate or burst refuses", run: testZeroRefuses},
		{desc: "a looser configuration applies at once", run: testLoosened},
		{desc: "quota admits exactly its limit per period", run: testQuota},
		{desc: "quota week with offset", run: testQuotaWeek},
		{desc: "usage per day", run: testUsage},
		{desc: "remaining, reset and extend quota", run: testQuotaAdmin},
		{desc: "concurrent callers share one burst", run: testConcurrent},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			c := NewClock(Start)
			test.run(t, newLimiter(t, c.Now), c)
		})
	}
}

func throttle(key string, rate float64, burst int) limit.Throttle {
	return limit.Throttle{Key: key, Policy: key, Rate: rate, Burst: burst}
}

func allow(t *testing.T, l limit.Limiter, req *limit.Request) limit.Decision {
	t.Helper()
	d, err := l.Allow(t.Context(), req)
	require.NoError(t, err)
	return d
}

func testBurst(t *testing.T, l limit.LimiterStore, c *Clock) {
	req := &limit.Request{Throttles: []limit.Throttle{throttle("m", 10, 3)}}
	for i := range 3 {
		d := allow(t, l, req)
		require.True(t, d.Allowed(), "request %d", i)
		assert.Equal(t, int64(2-i), d.Remaining)
		assert.Equal(t, "m", d.Policy)
		assert.Equal(t, int64(10), d.Limit)
		assert.Equal(t, time.Second, d.Window)
	}
	d := allow(t, l, req)
	require.False(t, d.Allowed())
	assert.Equal(t, limit.Throttled, d.Reason)
	assert.InDelta(t, 100*time.Millisecond, d.RetryAfter, float64(time.Millisecond))

	c.Advance(99 * time.Millisecond)
	assert.False(t, allow(t, l, req).Allowed())
	c.Advance(time.Millisecond)
	assert.True(t, allow(t, l, req).Allowed())
	assert.False(t, allow(t, l, req).Allowed())

	// After a quiet second the whole burst is back.
	c.Advance(time.Second)
	for range 3 {
		assert.True(t, allow(t, l, req).Allowed())
	}
	assert.False(t, allow(t, l, req).Allowed())
}

func testSteadyRate(t *testing.T, l limit.LimiterStore, c *Clock) {
	const rate, burst = 50, 10
	req := &limit.Request{Throttles: []limit.Throttle{throttle("k", rate, burst)}}
	var admitted int
	// 5×rate for 10 s: one request every 4 ms.
	for range 5 * rate * 10 {
		if allow(t, l, req).Allowed() {
			admitted++
		}
		c.Advance(4 * time.Millisecond)
	}
	assert.InDelta(t, rate*10+burst, admitted, 1)
}

func testRefusalCountsNothing(t *testing.T, l limit.LimiterStore, c *Clock) {
	tenant := throttle("tenant", 100, 100)
	tight := throttle("tight", 1, 1)
	req := &limit.Request{Throttles: []limit.Throttle{tenant, tight}, PlanID: "p1", KeyID: "k1",
		Quota: &gwconfig.Quota{Limit: 100, Period: gwconfig.QuotaDay}}
	require.True(t, allow(t, l, req).Allowed())
	for range 5 {
		require.False(t, allow(t, l, req).Allowed())
	}
	// The tenant throttle lost only the admitted request.
	d := allow(t, l, &limit.Request{Throttles: []limit.Throttle{tenant}})
	require.True(t, d.Allowed())
	assert.Equal(t, int64(98), d.Remaining)
	left, err := l.RemainingQuota(t.Context(), "t-1", "p1", "k1", *req.Quota)
	require.NoError(t, err)
	assert.Equal(t, int64(99), left)
	usage, err := l.Usage(t.Context(), "t-1", "p1", "k1", Start, Start)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"2026-11-26": 1}, usage)
}

func testBindingPolicy(t *testing.T, l limit.LimiterStore, c *Clock) {
	tests := []struct {
		desc   string
		req    *limit.Request
		policy string
		rem    int64
	}{
		{desc: "second throttle", req: &limit.Request{Throttles: []limit.Throttle{throttle("a", 100, 50), throttle("b", 10, 5)}}, policy: "b", rem: 4},
		{desc: "first throttle", req: &limit.Request{Throttles: []limit.Throttle{throttle("c", 100, 2), throttle("d", 10, 5)}}, policy: "c", rem: 1},
		{desc: "quota", req: &limit.Request{Throttles: []limit.Throttle{throttle("e", 100, 50)}, PlanID: "p", KeyID: "kq",
			Quota: &gwconfig.Quota{Limit: 3, Period: gwconfig.QuotaDay}}, policy: limit.QuotaPolicy, rem: 2},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			d := allow(t, l, test.req)
			require.True(t, d.Allowed())
			assert.Equal(t, test.policy, d.Policy)
			assert.Equal(t, test.rem, d.Remaining)
		})
	}
}

func testZeroRefuses(t *testing.T, l limit.LimiterStore, c *Clock) {
	for _, th := range []limit.Throttle{throttle("z1", 0, 10), throttle("z2", 10, 0)} {
		d := allow(t, l, &limit.Request{Throttles: []limit.Throttle{th}})
		assert.Equal(t, limit.Throttled, d.Reason)
		assert.Positive(t, d.RetryAfter)
	}
}

func testQuota(t *testing.T, l limit.LimiterStore, c *Clock) {
	q := &gwconfig.Quota{Limit: 5, Period: gwconfig.QuotaDay}
	req := &limit.Request{PlanID: "p1", KeyID: "k1", Quota: q}
	for i := range 5 {
		d := allow(t, l, req)
		require.True(t, d.Allowed(), "request %d", i)
		assert.Equal(t, int64(4-i), d.Remaining)
		assert.Equal(t, 14*time.Hour, d.Reset)
		assert.Equal(t, 24*time.Hour, d.Window)
	}
	d := allow(t, l, req)
	assert.Equal(t, limit.QuotaExceeded, d.Reason)
	assert.Equal(t, limit.QuotaPolicy, d.Policy)
	assert.Equal(t, 14*time.Hour, d.RetryAfter)

	// Another key of the plan has its own quota.
	assert.True(t, allow(t, l, &limit.Request{PlanID: "p1", KeyID: "k2", Quota: q}).Allowed())

	// Midnight UTC starts a new period.
	c.Advance(14*time.Hour - time.Second)
	assert.False(t, allow(t, l, req).Allowed())
	c.Advance(time.Second)
	assert.True(t, allow(t, l, req).Allowed())
}

func testQuotaWeek(t *testing.T, l limit.LimiterStore, c *Clock) {
	// Offset 4: weeks start on Friday; Start is a Thursday.
	q := &gwconfig.Quota{Limit: 1, Period: gwconfig.QuotaWeek, Offset: 4}
	req := &limit.Request{PlanID: "p1", KeyID: "k1", Quota: q}
	require.True(t, allow(t, l, req).Allowed())
	d := allow(t, l, req)
	require.Equal(t, limit.QuotaExceeded, d.Reason)
	assert.Equal(t, 14*time.Hour, d.RetryAfter)
	c.Advance(14 * time.Hour)
	assert.True(t, allow(t, l, req).Allowed())
}

func testUsage(t *testing.T, l limit.LimiterStore, c *Clock) {
	ctx := t.Context()
	req := &limit.Request{PlanID: "p1", KeyID: "k1"}
	for range 3 {
		require.True(t, allow(t, l, req).Allowed())
	}
	c.Advance(48 * time.Hour)
	require.True(t, allow(t, l, req).Allowed())
	// Another key and plan are counted apart.
	require.True(t, allow(t, l, &limit.Request{PlanID: "p1", KeyID: "k2"}).Allowed())
	require.True(t, allow(t, l, &limit.Request{PlanID: "p2", KeyID: "k1"}).Allowed())

	got, err := l.Usage(ctx, "t-1", "p1", "k1", Start.AddDate(0, 0, -1), Start.AddDate(0, 0, 3))
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{
		"2026-11-25": 0, "2026-11-26": 3, "2026-11-27": 0, "2026-11-28": 1, "2026-11-29": 0,
	}, got)

	// At most 100 days, the latest.
	got, err = l.Usage(ctx, "t-1", "p1", "k1", Start.AddDate(-1, 0, 0), Start)
	require.NoError(t, err)
	assert.Len(t, got, 100)
	assert.Equal(t, int64(3), got["2026-11-26"])
}

func testQuotaAdmin(t *testing.T, l limit.LimiterStore, c *Clock) {
	ctx := t.Context()
	q := gwconfig.Quota{Limit: 3, Period: gwconfig.QuotaMonth}
	req := &limit.Request{PlanID: "p1", KeyID: "k1", Quota: &q}

	left, err := l.RemainingQuota(ctx, "t-1", "p1", "k1", q)
	require.NoError(t, err)
	assert.Equal(t, int64(3), left)
	for range 3 {
		require.True(t, allow(t, l, req).Allowed())
	}
	d := allow(t, l, req)
	require.Equal(t, limit.QuotaExceeded, d.Reason)
	// Until 1 December.
	assert.Equal(t, 4*24*time.Hour+14*time.Hour, d.RetryAfter)
	left, err = l.RemainingQuota(ctx, "t-1", "p1", "k1", q)
	require.NoError(t, err)
	assert.Zero(t, left)

	require.NoError(t, l.ExtendQuota(ctx, "t-1", "p1", "k1", q, 2))
	left, err = l.RemainingQuota(ctx, "t-1", "p1", "k1", q)
	require.NoError(t, err)
	assert.Equal(t, int64(2), left)
	require.True(t, allow(t, l, req).Allowed())
	require.True(t, allow(t, l, req).Allowed())
	require.False(t, allow(t, l, req).Allowed())

	require.NoError(t, l.ResetQuota(ctx, "t-1", "p1", "k1", q))
	left, err = l.RemainingQuota(ctx, "t-1", "p1", "k1", q)
	require.NoError(t, err)
	assert.Equal(t, int64(3), left)
	assert.True(t, allow(t, l, req).Allowed())

	// Extending beyond the limit is allowed.
	require.NoError(t, l.ExtendQuota(ctx, "t-1", "p1", "k1", q, 10))
	left, err = l.RemainingQuota(ctx, "t-1", "p1", "k1", q)
	require.NoError(t, err)
	assert.Equal(t, int64(12), left)
}

func testConcurrent(t *testing.T, l limit.LimiterStore, c *Clock) {
	req := &limit.Request{Throttles: []limit.Throttle{throttle("shared", 0.001, 50)}, PlanID: "p1", KeyID: "k1",
		Quota: &gwconfig.Quota{Limit: 40, Period: gwconfig.QuotaDay}}
	var (
		mu       sync.Mutex
		admitted int
		wg       sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for range 20 {
				d, err := l.Allow(t.Context(), req)
				if !assert.NoError(t, err) {
					return
				}
				if d.Allowed() {
					mu.Lock()
					admitted++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 40, admitted)
}

func testLoosened(t *testing.T, l limit.LimiterStore, c *Clock) {
	strict := &limit.Request{Throttles: []limit.Throttle{throttle("cfg", 1, 2)}}
	require.True(t, allow(t, l, strict).Allowed())
	require.True(t, allow(t, l, strict).Allowed())
	require.False(t, allow(t, l, strict).Allowed())
	// The same throttle, loosened: it is drained under the new
	// configuration, so its whole burst is back after burst/rate (100ms),
	// not after the 2s the old one would have taken.
	loose := &limit.Request{Throttles: []limit.Throttle{throttle("cfg", 1000, 100)}}
	require.False(t, allow(t, l, loose).Allowed())
	c.Advance(100 * time.Millisecond)
	for i := range 100 {
		require.True(t, allow(t, l, loose).Allowed(), "request %d", i)
	}
	assert.False(t, allow(t, l, loose).Allowed())
}
