package limit

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// LocalOption configures a Local limiter.
type LocalOption func(*Local)

// WithLocalClock makes the limiter read the time from now (tests).
func WithLocalClock(now func() time.Time) LocalOption {
	return func(l *Local) { l.now = now }
}

// Local is the in-process Limiter and UsageStore: the embedded default,
// and the fail-open fallback of a gateway that cannot reach Redis. It is
// exact within one process only.
type Local struct {
	now func() time.Time

	mu     sync.Mutex
	tats   map[string]float64    // throttle key → theoretical arrival (µs)
	quotas map[periodRef]counter // key, plan, period start → used
	usage  map[periodRef]counter // key, plan, day → admitted
	calls  int
}

type counter struct {
	n       int64
	expires time.Time
}

// sweepEvery is how many Allow calls pass between sweeps of expired state.
const sweepEvery = 1 << 14

// NewLocal returns an empty in-process limiter.
func NewLocal(opts ...LocalOption) *Local {
	l := &Local{
		now:    time.Now,
		tats:   map[string]float64{},
		quotas: map[periodRef]counter{},
		usage:  map[periodRef]counter{},
	}
	for _, o := range opts {
		o(l)
	}
	return l
}

var _ LimiterStore = (*Local)(nil)

func dayOf(t time.Time) int64 {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix()
}

func quotaKey(planID, keyID string, start time.Time) string {
	return "quota:" + planID + ":" + keyID + ":" + strconv.FormatInt(start.Unix(), 10)
}

func usageKey(planID, keyID, date string) string {
	return "usage:" + planID + ":" + keyID + ":" + date
}

// Allow implements Limiter.
func (l *Local) Allow(ctx context.Context, req *Request) (Decision, error) {
	now := l.now()
	nowUS := float64(now.UnixMicro())
	var (
		tats [4]float64
		qk   periodRef
		qEnd time.Time
	)
	newTATs := tats[:0]
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.calls%sweepEvery == 0 {
		l.sweepLocked(now)
	}

	d := Decision{Remaining: -1}
	for _, t := range req.Throttles {
		r := gcra(l.tats[t.Key], nowUS, t.Rate, t.Burst)
		if r.clamped {
			l.tats[t.Key] = r.tat
		}
		if !r.ok {
			return Decision{Reason: Throttled, Policy: t.Policy, Limit: throttleLimit(t.Rate), Window: time.Second,
				Reset: micros(r.reset), RetryAfter: micros(r.retry)}, nil
		}
		newTATs = append(newTATs, r.newTAT)
		if d.Remaining < 0 || r.remaining < d.Remaining {
			d = Decision{Policy: t.Policy, Limit: throttleLimit(t.Rate), Window: time.Second,
				Remaining: r.remaining, Reset: micros(r.reset)}
		}
	}
	var used int64
	if q := req.Quota; q != nil && req.KeyID != "" {
		var start time.Time
		start, qEnd = QuotaWindow(*q, now)
		qk = periodRef{req.PlanID, req.KeyID, start.Unix()}
		used = l.quotas[qk].n
		if used >= q.Limit {
			return Decision{Reason: QuotaExceeded, Policy: QuotaPolicy, Limit: q.Limit, Window: qEnd.Sub(start),
				Reset: qEnd.Sub(now), RetryAfter: qEnd.Sub(now)}, nil
		}
		if rem := q.Limit - used - 1; d.Remaining < 0 || rem < d.Remaining {
			d = Decision{Policy: QuotaPolicy, Limit: q.Limit, Window: qEnd.Sub(start), Remaining: rem, Reset: qEnd.Sub(now)}
		}
	}

	for i, t := range req.Throttles {
		l.tats[t.Key] = newTATs[i]
	}
	if !qEnd.IsZero() {
		l.quotas[qk] = counter{n: used + 1, expires: qEnd}
	}
	if req.KeyID != "" {
		uk := periodRef{req.PlanID, req.KeyID, dayOf(now)}
		c := l.usage[uk]
		l.usage[uk] = counter{n: c.n + 1, expires: now.Add(UsageTTL)}
	}
	if d.Remaining < 0 {
		d.Remaining = 0
	}
	return d, nil
}

func (l *Local) sweepLocked(now time.Time) {
	nowUS := float64(now.UnixMicro())
	for k, tat := range l.tats {
		if tat <= nowUS {
			delete(l.tats, k)
		}
	}
	for _, m := range []map[periodRef]counter{l.quotas, l.usage} {
		for k, c := range m {
			if !now.Before(c.expires) {
				delete(m, k)
			}
		}
	}
}

// Usage implements UsageStore.
func (l *Local) Usage(ctx context.Context, tenantID, planID, keyID string, from, to time.Time) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dates := usageDates(from, to)
	out := make(map[string]int64, len(dates))
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range dates {
		day, _ := time.Parse(time.DateOnly, d)
		out[d] = l.usage[periodRef{planID, keyID, day.Unix()}].n
	}
	return out, nil
}

// RemainingQuota implements UsageStore.
func (l *Local) RemainingQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	start, _ := QuotaWindow(q, l.now())
	l.mu.Lock()
	defer l.mu.Unlock()
	return q.Limit - l.quotas[periodRef{planID, keyID, start.Unix()}].n, nil
}

// ResetQuota implements UsageStore.
func (l *Local) ResetQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start, _ := QuotaWindow(q, l.now())
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.quotas, periodRef{planID, keyID, start.Unix()})
	return nil
}

// ExtendQuota implements UsageStore.
func (l *Local) ExtendQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota, extra int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start, end := QuotaWindow(q, l.now())
	k := periodRef{planID, keyID, start.Unix()}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.quotas[k] = counter{n: l.quotas[k].n - extra, expires: end}
	return nil
}
