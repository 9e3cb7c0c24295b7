package limits

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/turnpike/turnpike/gateway/router"
)

// refusals are a compiled route's 429 counters, resolved on the route's
// first refusal by each policy, so a refusal under load (a throttled
// flood) adds to a counter instead of hashing five labels first.
type refusals struct {
	mu        sync.Mutex
	throttled atomic.Pointer[[]policyCounter]
	quota     atomic.Pointer[prometheus.Counter]
}

type policyCounter struct {
	policy string
	c      prometheus.Counter
}

func (s *stage) countThrottled(rf *refusals, st *router.Stage, rt *router.Route, policy string) {
	if cs := rf.throttled.Load(); cs != nil {
		for _, pc := range *cs {
			if pc.policy == policy {
				pc.c.Inc()
				return
			}
		}
	}
	sc := st.Config
	c := s.metrics.throttled.WithLabelValues(sc.TenantID, sc.APIID, sc.StageName, rt.Key, policy)
	c.Inc()
	rf.mu.Lock()
	defer rf.mu.Unlock()
	var cs []policyCounter
	if old := rf.throttled.Load(); old != nil {
		cs = append(cs, *old...)
	}
	cs = append(cs, policyCounter{policy, c})
	rf.throttled.Store(&cs)
}

func (s *stage) countQuotaRejected(rf *refusals, st *router.Stage, rt *router.Route) {
	if c := rf.quota.Load(); c != nil {
		(*c).Inc()
		return
	}
	sc := st.Config
	c := s.metrics.quotaRejected.WithLabelValues(sc.TenantID, sc.APIID, sc.StageName, rt.Key)
	c.Inc()
	rf.quota.Store(&c)
}
