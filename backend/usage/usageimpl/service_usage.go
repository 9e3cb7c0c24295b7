package usageimpl

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
)

const dateLayout = "2006-01-02"

// GetUsage implements usage.Service. Each day's remaining quota is the
// quota less what was used from the start of that day's period to the end
// of the day; today's comes from the counters themselves, so extensions
// and resets show.
func (s *Service) GetUsage(ctx context.Context, tenantID, planID string, q usage.GetUsageQuery) (*usage.Usage, error) {
	start, end, err := parseRange(q.StartDate, q.EndDate)
	if err != nil {
		return nil, err
	}
	p, err := s.store.getPlan(ctx, tenantID, planID)
	if err != nil {
		return nil, err
	}
	var keys []string
	if q.KeyID != "" {
		k, err := s.store.getKey(ctx, tenantID, q.KeyID)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(k.UsagePlanIDs, planID) {
			return nil, usage.ErrUsagePlanKeyNotFound
		}
		keys = []string{k.ID}
	} else {
		ks, err := s.store.planKeys(ctx, tenantID, planID)
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			keys = append(keys, k.ID)
		}
	}
	if s.counters == nil {
		return nil, usage.ErrCountersUnavailable.Errorf("no usage counters configured")
	}
	nowT := s.now().UTC()
	today := day(nowT)
	out := &usage.Usage{PlanID: planID, StartDate: q.StartDate, EndDate: q.EndDate, Keys: map[string][]usage.DayUsage{},
		Quota: p.Quota}
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		out.Days = append(out.Days, d.Format(dateLayout))
	}
	// Read from the start of the first day's quota period, so that each
	// day's remaining quota counts the days before it.
	from := start
	if p.Quota != nil {
		from = PeriodStart(*p.Quota, start)
		out.Remaining = map[string]int64{}
	}
	for _, keyID := range keys {
		counts, err := s.counters.Usage(ctx, tenantID, planID, keyID, from, end)
		if err != nil {
			return nil, usage.ErrCountersUnavailable.Errorf("reading usage of key %s: %w", keyID, err)
		}
		var todayRemaining int64
		if p.Quota != nil {
			rem, err := s.counters.RemainingQuota(ctx, tenantID, planID, keyID, *p.Quota)
			if err != nil {
				return nil, usage.ErrCountersUnavailable.Errorf("reading quota of key %s: %w", keyID, err)
			}
			todayRemaining = max(0, rem)
			out.Remaining[keyID] = todayRemaining
		}
		days := make([]usage.DayUsage, 0, len(out.Days))
		var inPeriod int64
		periodStart := time.Time{}
		for d := from; !d.After(end); d = d.AddDate(0, 0, 1) {
			used := counts[d.Format(dateLayout)]
			du := usage.DayUsage{Used: used, Remaining: -1}
			if p.Quota != nil {
				if ps := PeriodStart(*p.Quota, d); !ps.Equal(periodStart) {
					periodStart, inPeriod = ps, 0
				}
				inPeriod += used
				switch {
				case d.Equal(today):
					du.Remaining = todayRemaining
				case d.After(today):
					du.Remaining = p.Quota.Limit
				default:
					du.Remaining = max(0, p.Quota.Limit-inPeriod)
				}
			}
			if !d.Before(start) {
				days = append(days, du)
			}
		}
		out.Keys[keyID] = days
	}
	return out, nil
}

func parseRange(startS, endS string) (time.Time, time.Time, error) {
	start, err1 := time.Parse(dateLayout, startS)
	end, err2 := time.Parse(dateLayout, endS)
	e := usage.ErrUsageInvalid
	bad := false
	if startS == "" {
		e, bad = e.WithDetail("startDate", "required", "is required (YYYY-MM-DD)"), true
	} else if err1 != nil {
		e, bad = e.WithDetail("startDate", "invalid", "must be a date, YYYY-MM-DD"), true
	}
	if endS == "" {
		e, bad = e.WithDetail("endDate", "required", "is required (YYYY-MM-DD)"), true
	} else if err2 != nil {
		e, bad = e.WithDetail("endDate", "invalid", "must be a date, YYYY-MM-DD"), true
	}
	if bad {
		return start, end, e
	}
	if end.Before(start) {
		return start, end, e.WithMessage("Invalid usage request: endDate is before startDate.").
			WithDetail("endDate", "invalid", "must not be before startDate")
	}
	if end.Sub(start) >= usage.MaxUsageDays*24*time.Hour {
		return start, end, e.WithMessage("Invalid usage request: at most %d days at a time.", usage.MaxUsageDays).
			WithDetail("endDate", "too_far", fmt.Sprintf("at most %d days after startDate", usage.MaxUsageDays-1))
	}
	return start, end, nil
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// PeriodStart is the first UTC day of the quota period containing t, as
// the gateways' limiter counts it.
func PeriodStart(q gwconfig.Quota, t time.Time) time.Time {
	start, _ := limit.QuotaWindow(q, t)
	return start
}

// UpdateUsage implements usage.Service.
func (s *Service) UpdateUsage(ctx context.Context, tenantID, planID, keyID string, cmd usage.UpdateUsageCommand) (*usage.KeyQuota, error) {
	switch {
	case cmd.Reset && cmd.Extend != 0:
		return nil, usage.ErrUsageInvalid.WithMessage("Invalid usage request: give either extend or reset, not both.")
	case !cmd.Reset && cmd.Extend <= 0:
		return nil, usage.ErrUsageInvalid.WithMessage("Invalid usage request: extend must be a positive number of requests, or reset true.").
			WithDetail("extend", "invalid", "must be at least 1")
	}
	p, err := s.store.getPlan(ctx, tenantID, planID)
	if err != nil {
		return nil, err
	}
	k, err := s.store.getKey(ctx, tenantID, keyID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(k.UsagePlanIDs, planID) {
		return nil, usage.ErrUsagePlanKeyNotFound
	}
	if p.Quota == nil {
		return nil, usage.ErrUsageInvalid.WithMessage("Invalid usage request: usage plan %s has no quota.", planID)
	}
	if s.counters == nil {
		return nil, usage.ErrCountersUnavailable.Errorf("no usage counters configured")
	}
	if cmd.Reset {
		err = s.counters.ResetQuota(ctx, tenantID, planID, keyID, *p.Quota)
	} else {
		err = s.counters.ExtendQuota(ctx, tenantID, planID, keyID, *p.Quota, cmd.Extend)
	}
	if err != nil {
		return nil, usage.ErrCountersUnavailable.Errorf("changing quota of key %s: %w", keyID, err)
	}
	rem, err := s.counters.RemainingQuota(ctx, tenantID, planID, keyID, *p.Quota)
	if err != nil {
		return nil, usage.ErrCountersUnavailable.Errorf("reading quota of key %s: %w", keyID, err)
	}
	s.log.InfoContext(ctx, "quota changed", "tenant", tenantID, "plan", planID, "key", keyID,
		"reset", cmd.Reset, "extend", cmd.Extend)
	return &usage.KeyQuota{KeyID: keyID, Used: max(0, p.Quota.Limit-rem), Remaining: max(0, rem), Limit: p.Quota.Limit,
		Period: p.Quota.Period}, nil
}
