// Package limit enforces throttles and quotas: a Limiter decides, in one
// call, whether a request passes the tenant ceiling, the stage or method
// throttle, the usage plan's throttle for the caller's key, and the key's
// quota; admitting it, it counts the request against all of them and in the
// key's per-day usage. A UsageStore reads and adjusts those counters for
// the management API.
//
// Two implementations share these semantics: Redis (one Lua script, so one
// round trip per request at most, shared by the calls made at the same
// time through auto-pipelining; exact across the fleet) and Local (in-process,
// for the embedded default and as the fail-open fallback when Redis is
// unreachable). Both pass the contract suite in limittest.
//
// Throttles are GCRA (the generic cell rate algorithm, the token bucket
// without a refill timer): a throttle of rate R per second and burst B
// admits B requests at once and then one every 1/R s. Nothing is counted
// unless every check passes. A rate or burst of 0 refuses every request,
// as in API Gateway.
//
// Quotas count admitted requests per period (DAY, WEEK or MONTH, UTC; WEEK
// starts on Monday plus Offset days, MONTH on the 1st plus Offset days).
// Per-day usage is counted for every admitted request that names a key,
// under usage:{planId}:{keyId}:{yyyy-mm-dd}, kept for 100 days.
package limit

import (
	"context"
	"errors"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Limiter decides and counts in one call.
type Limiter interface {
	// Allow checks req against every throttle in order, then the quota; if
	// all pass, it counts the request against all of them and returns an
	// admitting Decision. An error means the limiter could not decide (its
	// store is unreachable); the caller applies the stage's fail mode.
	Allow(ctx context.Context, req *Request) (Decision, error)
}

// UsageStore reads and adjusts a key's counters; the backend's usage plan
// API uses it. Both Limiters implement it, sharing their counters.
type UsageStore interface {
	// Usage returns the key's admitted requests per UTC day ("2006-01-02")
	// from from to to, both days included; days without requests are 0.
	// At most 100 days are returned (the counters' lifetime).
	Usage(ctx context.Context, tenantID, planID, keyID string, from, to time.Time) (map[string]int64, error)
	// RemainingQuota is what is left of q in the current period (it may
	// exceed q.Limit after ExtendQuota).
	RemainingQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota) (int64, error)
	// ResetQuota gives the key its whole quota back for the current period.
	ResetQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota) error
	// ExtendQuota adds extra requests to the key's quota for the current
	// period (a negative extra takes them away).
	ExtendQuota(ctx context.Context, tenantID, planID, keyID string, q gwconfig.Quota, extra int64) error
}

// LimiterStore is a Limiter that is also a UsageStore, as both
// implementations are.
type LimiterStore interface {
	Limiter
	UsageStore
}

// ErrUnavailable wraps the error of a limiter that cannot reach its store.
var ErrUnavailable = errors.New("limit: limiter unavailable")

// Request is one request's limits, most general first.
type Request struct {
	// Throttles are checked in order: tenant ceiling, stage or method
	// throttle, the plan's throttle for the key.
	Throttles []Throttle
	// PlanID and KeyID name the caller's key and plan; when set, admitted
	// requests are counted in the per-day usage and against Quota.
	PlanID, KeyID string
	// Quota is the plan's quota for the key (nil: none).
	Quota *gwconfig.Quota
}

// Throttle is one GCRA throttle, its state under Key.
type Throttle struct {
	// Key identifies the counter (relative to the limiter's prefix).
	Key string
	// Policy names it in the RateLimit headers ("tenant", "method", "key").
	Policy string
	Rate   float64
	Burst  int
}

// Reason says why a request was refused.
type Reason uint8

// Reasons.
const (
	Admitted Reason = iota
	Throttled
	QuotaExceeded
)

// Decision is a Limiter's answer, with what the RateLimit headers report:
// the binding policy (the one that refused the request, or the one with
// the least room left).
type Decision struct {
	Reason Reason
	// Policy is the binding policy's name; empty when req had none.
	Policy string
	// Limit is the binding policy's quota: requests per second for a
	// throttle (at least 1), the limit for a quota.
	Limit int64
	// Window is the binding policy's window: 1s for a throttle, the period
	// for a quota.
	Window time.Duration
	// Remaining is how many more requests the binding policy admits now.
	Remaining int64
	// Reset is when the binding policy has room again (throttle: when the
	// next request is admitted; quota: the period's end).
	Reset time.Duration
	// RetryAfter is, for a refused request, how long to wait.
	RetryAfter time.Duration
}

// Allowed reports whether the request was admitted.
func (d Decision) Allowed() bool { return d.Reason == Admitted }

// QuotaPolicy is the policy name of quotas in Decisions.
const QuotaPolicy = "quota"

// UsageTTL is how long per-day usage counters are kept.
const UsageTTL = 100 * 24 * time.Hour

// usageDays bounds Usage's answer.
const usageDays = 100

// QuotaWindow returns the period of q that holds now (UTC): [start, end).
func QuotaWindow(q gwconfig.Quota, now time.Time) (start, end time.Time) {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch q.Period {
	case gwconfig.QuotaWeek:
		// Days since Monday, shifted by the offset.
		back := (int(day.Weekday()) + 6 - q.Offset%7 + 7) % 7
		start = day.AddDate(0, 0, -back)
		return start, start.AddDate(0, 0, 7)
	case gwconfig.QuotaMonth:
		start = time.Date(now.Year(), now.Month(), 1+q.Offset, 0, 0, 0, 0, time.UTC)
		if start.After(now) {
			start = time.Date(now.Year(), now.Month()-1, 1+q.Offset, 0, 0, 0, 0, time.UTC)
		}
		return start, time.Date(start.Year(), start.Month()+1, 1+q.Offset, 0, 0, 0, 0, time.UTC)
	default:
		return day, day.AddDate(0, 0, 1)
	}
}

// usageDates lists the UTC days from from to to, at most usageDays of them
// (the latest).
func usageDates(from, to time.Time) []string {
	from, to = from.UTC(), to.UTC()
	first := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	last := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	if min := last.AddDate(0, 0, -(usageDays - 1)); first.Before(min) {
		first = min
	}
	var out []string
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// throttleLimit is a throttle's requests per second for the headers.
func throttleLimit(rate float64) int64 { return max(int64(rate), 1) }

// ceilDuration converts microseconds to a Duration, rounding up.
func micros(us float64) time.Duration {
	if us <= 0 {
		return 0
	}
	return time.Duration(us*1000 + 0.5)
}
