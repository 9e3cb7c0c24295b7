// Package targets keeps the gateway's target-group pools for private
// (VPC_LINK) integrations: per group, the targets' health from active
// checks and the load-balancing pick (round robin or least in-flight
// requests). One checker runs per group per gateway; it stops when the
// group leaves every served snapshot.
package targets

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// ErrNoHealthyTarget means every target of the group is down (or the group
// is unknown); the gateway answers 503.
var ErrNoHealthyTarget = errors.New("no healthy target")

// Manager holds one Pool per target group. It is safe for concurrent use.
type Manager struct {
	client *http.Client
	logger *slog.Logger
	// unit is what one "second" of the check interval lasts; tests
	// shorten it.
	unit time.Duration

	mu    sync.Mutex
	pools atomic.Pointer[map[string]*Pool]
}

// NewManager returns an empty manager. client makes the health checks
// (a client without redirects following when nil).
func NewManager(client *http.Client, logger *slog.Logger) *Manager {
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := &Manager{client: client, logger: logger.With("component", "targets"), unit: time.Second}
	empty := map[string]*Pool{}
	m.pools.Store(&empty)
	return m
}

// Sync makes the manager hold exactly groups: new groups get a pool and a
// checker, changed groups are replaced, and groups no longer present are
// stopped. Unchanged groups keep their pool and health state.
func (m *Manager) Sync(groups map[string]gwconfig.TargetGroup) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.pools.Load()
	next := make(map[string]*Pool, len(groups))
	for id, g := range groups {
		if p, ok := old[id]; ok && reflect.DeepEqual(p.cfg, g) {
			next[id] = p
			continue
		}
		next[id] = newPool(g, m.client, m.logger, m.unit)
	}
	m.pools.Store(&next)
	for id, p := range old {
		if next[id] != p {
			p.stop()
		}
	}
}

// Close stops every checker.
func (m *Manager) Close() { m.Sync(nil) }

// Pool returns a group's pool, or nil.
func (m *Manager) Pool(groupID string) *Pool { return (*m.pools.Load())[groupID] }

// Pick chooses a healthy target of the group. Call release when the
// request is done.
func (m *Manager) Pick(groupID string) (addr string, release func(), err error) {
	p := m.Pool(groupID)
	if p == nil {
		return "", nil, ErrNoHealthyTarget
	}
	return p.Pick()
}

// Pool is one group's targets with their health.
type Pool struct {
	cfg     gwconfig.TargetGroup
	hc      gwconfig.HealthCheck
	unit    time.Duration
	targets []*target
	rr      atomic.Uint64
	cancel  context.CancelFunc
	done    chan struct{}
}

type target struct {
	addr     string
	healthy  atomic.Bool
	inflight atomic.Int64
	// streaks, touched only by the checker goroutine
	ok, bad int
}

func newPool(g gwconfig.TargetGroup, client *http.Client, logger *slog.Logger, unit time.Duration) *Pool {
	p := &Pool{cfg: g, unit: unit, done: make(chan struct{})}
	p.hc = g.HealthCheck
	p.hc.SetDefaults()
	for _, t := range g.Targets {
		tg := &target{addr: t.Address}
		// Targets start healthy, so a new group serves at once; the first
		// checks take down the ones that are not.
		tg.healthy.Store(true)
		p.targets = append(p.targets, tg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go p.check(ctx, client, logger.With("targetGroup", g.ID))
	return p
}

func (p *Pool) stop() {
	p.cancel()
	<-p.done
}

// Pick chooses a healthy target: the next in turn (ROUND_ROBIN) or the one
// with the fewest requests in flight (LEAST_REQUESTS).
func (p *Pool) Pick() (string, func(), error) {
	n := len(p.targets)
	var best *target
	if p.cfg.LoadBalancing == gwconfig.LBLeastRequests {
		start := int(p.rr.Add(1))
		for i := range n {
			t := p.targets[(start+i)%n]
			if t.healthy.Load() && (best == nil || t.inflight.Load() < best.inflight.Load()) {
				best = t
			}
		}
	} else {
		start := int(p.rr.Add(1) - 1)
		for i := range n {
			if t := p.targets[(start+i)%n]; t.healthy.Load() {
				best = t
				break
			}
		}
	}
	if best == nil {
		return "", nil, ErrNoHealthyTarget
	}
	best.inflight.Add(1)
	return best.addr, func() { best.inflight.Add(-1) }, nil
}

// Healthy returns the addresses of the healthy targets.
func (p *Pool) Healthy() []string {
	var out []string
	for _, t := range p.targets {
		if t.healthy.Load() {
			out = append(out, t.addr)
		}
	}
	return out
}

func (p *Pool) check(ctx context.Context, client *http.Client, logger *slog.Logger) {
	defer close(p.done)
	tick := time.NewTicker(time.Duration(p.hc.IntervalSeconds) * p.unit)
	defer tick.Stop()
	for {
		var wg sync.WaitGroup
		for _, t := range p.targets {
			wg.Go(func() { p.probe(ctx, client, logger, t) })
		}
		wg.Wait()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *Pool) probe(ctx context.Context, client *http.Client, logger *slog.Logger, t *target) {
	hc := p.hc
	cctx, cancel := context.WithTimeout(ctx, time.Duration(hc.TimeoutSeconds)*time.Second)
	defer cancel()
	ok := false
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, "http://"+t.addr+hc.Path, nil)
	if err == nil {
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			ok = resp.StatusCode >= 200 && resp.StatusCode < 400
		}
	}
	if ctx.Err() != nil {
		return
	}
	if ok {
		t.ok, t.bad = t.ok+1, 0
		if !t.healthy.Load() && t.ok >= hc.HealthyThreshold {
			t.healthy.Store(true)
			logger.Info("target healthy", "target", t.addr)
		}
		return
	}
	t.ok, t.bad = 0, t.bad+1
	if t.healthy.Load() && t.bad >= hc.UnhealthyThreshold {
		t.healthy.Store(false)
		logger.Warn("target unhealthy", "target", t.addr)
	}
}
