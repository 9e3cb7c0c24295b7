package limit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/limit/limittest"
)

func TestLocal(t *testing.T) {
	limittest.Run(t, func(t *testing.T, now func() time.Time) limit.LimiterStore {
		return limit.NewLocal(limit.WithLocalClock(now))
	})
}

func TestQuotaWindow(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return v
	}
	tests := []struct {
		desc       string
		q          gwconfig.Quota
		now        string
		start, end string
	}{
		{desc: "day", q: gwconfig.Quota{Period: gwconfig.QuotaDay}, now: "2026-11-26T10:00:00Z", start: "2026-11-26T00:00:00Z", end: "2026-11-27T00:00:00Z"},
		{desc: "day ignores offset", q: gwconfig.Quota{Period: gwconfig.QuotaDay, Offset: 3}, now: "2026-11-26T00:00:00Z", start: "2026-11-26T00:00:00Z", end: "2026-11-27T00:00:00Z"},
		{desc: "day in another zone", q: gwconfig.Quota{Period: gwconfig.QuotaDay}, now: "2026-11-26T23:30:00-02:00", start: "2026-11-27T00:00:00Z", end: "2026-11-28T00:00:00Z"},
		{desc: "week starts monday", q: gwconfig.Quota{Period: gwconfig.QuotaWeek}, now: "2026-11-26T10:00:00Z", start: "2026-11-23T00:00:00Z", end: "2026-11-30T00:00:00Z"},
		{desc: "week on its first day", q: gwconfig.Quota{Period: gwconfig.QuotaWeek}, now: "2026-11-23T00:00:00Z", start: "2026-11-23T00:00:00Z", end: "2026-11-30T00:00:00Z"},
		{desc: "week on sunday", q: gwconfig.Quota{Period: gwconfig.QuotaWeek}, now: "2026-11-29T23:59:59Z", start: "2026-11-23T00:00:00Z", end: "2026-11-30T00:00:00Z"},
		{desc: "week offset 4 starts friday", q: gwconfig.Quota{Period: gwconfig.QuotaWeek, Offset: 4}, now: "2026-11-26T10:00:00Z", start: "2026-11-20T00:00:00Z", end: "2026-11-27T00:00:00Z"},
		{desc: "month", q: gwconfig.Quota{Period: gwconfig.QuotaMonth}, now: "2026-11-26T10:00:00Z", start: "2026-11-01T00:00:00Z", end: "2026-12-01T00:00:00Z"},
		{desc: "month offset before start", q: gwconfig.Quota{Period: gwconfig.QuotaMonth, Offset: 27}, now: "2026-03-05T10:00:00Z", start: "2026-02-28T00:00:00Z", end: "2026-03-28T00:00:00Z"},
		{desc: "month offset across the year", q: gwconfig.Quota{Period: gwconfig.QuotaMonth, Offset: 9}, now: "2026-01-02T00:00:00Z", start: "2025-12-10T00:00:00Z", end: "2026-01-10T00:00:00Z"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			start, end := limit.QuotaWindow(test.q, at(test.now))
			assert.Equal(t, at(test.start), start)
			assert.Equal(t, at(test.end), end)
		})
	}
}
