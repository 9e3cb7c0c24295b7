package limits

import (
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/router"
)

func TestRateLimitHeaders(t *testing.T) {
	s := &stage{}
	tests := []struct {
		name                     string
		d                        limit.Decision
		policy, limit, retryWant string
	}{
		{"admitted by a key throttle", limit.Decision{Policy: "key", Limit: 50, Window: time.Second, Remaining: 7, Reset: 1500 * time.Millisecond},
			`"key";q=50;w=1`, `"key";r=7;t=2`, ""},
		{"throttled", limit.Decision{Policy: "method", Limit: 5, Window: time.Second, Reason: limit.Throttled, RetryAfter: 10 * time.Millisecond},
			`"method";q=5;w=1`, `"method";r=0;t=1`, "1"},
		{"quota of a day", limit.Decision{Policy: "quota", Limit: 3, Window: 24 * time.Hour, Reason: limit.QuotaExceeded, RetryAfter: 13 * time.Hour},
			`"quota";q=3;w=86400`, `"quota";r=0;t=46800`, "46800"},
		{"window under a second", limit.Decision{Policy: "tenant", Limit: 10, Window: time.Millisecond, Remaining: -1, RetryAfter: 2500 * time.Millisecond, Reason: limit.Throttled},
			`"tenant";q=10;w=1`, `"tenant";r=0;t=3`, "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // the second time from the caches
				h := http.Header{}
				s.setRateLimitHeaders(h, tt.d)
				assert.Equal(t, tt.policy, h.Get("RateLimit-Policy"))
				assert.Equal(t, tt.limit, h.Get("RateLimit"))
				if tt.retryWant != "" {
					h["Retry-After"] = retryAfter(tt.d.RetryAfter)
					assert.Equal(t, tt.retryWant, h.Get("Retry-After"))
				}
				// Shared values: adding to a header never writes into them.
				for name, v := range h {
					require.Len(t, v, 1, name)
					assert.Equal(t, 1, cap(v), name)
					h.Add(name, "x")
				}
				again := http.Header{}
				s.setRateLimitHeaders(again, tt.d)
				assert.Equal(t, []string{tt.policy}, again["Ratelimit-Policy"])
			}
		})
	}
}

func TestRefusalCounters(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := &stage{metrics: newMetrics(reg)}
	st := &router.Stage{Config: &gwconfig.Stage{TenantID: "t-1", APIID: "a1", StageName: "prod"}}
	var rt router.Route
	rt.Key = "GET /pets"
	var rf refusals
	for _, p := range []string{"key", "key", "method", "key", "tenant"} {
		s.countThrottled(&rf, st, &rt, p)
	}
	for range 3 {
		s.countQuotaRejected(&rf, st, &rt)
	}
	for p, want := range map[string]float64{"key": 3, "method": 1, "tenant": 1} {
		assert.Equal(t, want, value(t, s.metrics.throttled.WithLabelValues("t-1", "a1", "prod", "GET /pets", p)), p)
	}
	assert.Equal(t, 3.0, value(t, s.metrics.quotaRejected.WithLabelValues("t-1", "a1", "prod", "GET /pets")))
}

func value(t *testing.T, c prometheus.Counter) float64 {
	var m dto.Metric
	require.NoError(t, c.Write(&m))
	return m.GetCounter().GetValue()
}
