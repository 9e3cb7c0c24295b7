package limit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Keys is a gateway's in-memory copy of the fleet's API keys, usage plans
// and tenant limits, indexed by key value hash, so checking a key costs no
// round trip. Run keeps it current: it reloads everything after each
// KeyBus event and on a resync timer (events can be lost while Redis
// reconnects), so a revoked key stops working on every gateway within
// about a second (measured: 8-100 ms across three gateways), and within
// the resync interval at worst. A reload reads every key and plan (one
// HVALS each): fine for thousands of keys; at hundreds of thousands an
// incremental reload by the event's id would be the next step.
type Keys struct {
	bus    fleet.Bus
	kb     fleet.KeyBus
	logger *slog.Logger

	set   atomic.Pointer[KeySet]
	fleet atomic.Int64 // live gateways, at least 1
}

// NewKeys returns an empty index over bus; if bus carries no keys
// (fleet.AsKeyBus is nil) the index stays empty. logger may be nil.
func NewKeys(bus fleet.Bus, logger *slog.Logger) *Keys {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	k := &Keys{bus: bus, kb: fleet.AsKeyBus(bus), logger: logger}
	k.fleet.Store(1)
	return k
}

// Set returns the current key set; nil until the first load.
func (k *Keys) Set() *KeySet { return k.set.Load() }

// Loaded reports whether the first load has succeeded.
func (k *Keys) Loaded() bool { return k.set.Load() != nil }

// FleetSize is how many gateways were live at the last resync (at least
// 1); a gateway that falls back to its local limiter divides rates by it.
func (k *Keys) FleetSize() int { return int(k.fleet.Load()) }

// Load reads every key, plan and tenant limit from the bus and swaps the
// index.
func (k *Keys) Load(ctx context.Context) error {
	if k.kb == nil {
		k.set.Store(NewKeySet(nil, nil, nil))
		return nil
	}
	keys, err := k.kb.APIKeys(ctx)
	if err != nil {
		return err
	}
	plans, err := k.kb.UsagePlans(ctx)
	if err != nil {
		return err
	}
	tenants, err := k.kb.TenantLimits(ctx)
	if err != nil {
		return err
	}
	k.set.Store(NewKeySet(keys, plans, tenants))
	return nil
}

// Run loads the index, then reloads it on every KeyBus event and every
// resync until ctx ends. It also counts the live gateways on each resync.
func (k *Keys) Run(ctx context.Context, resync time.Duration) {
	var events <-chan struct{}
	subscribe := func() {
		if k.kb == nil {
			return
		}
		ch, err := k.kb.WatchKeys(ctx)
		if err != nil {
			if ctx.Err() == nil {
				k.logger.Warn("watching api keys", "error", err)
			}
			return
		}
		events = ch
	}
	subscribe()
	backoff := 100 * time.Millisecond
	for k.set.Load() == nil {
		err := k.Load(ctx)
		if err == nil {
			break
		}
		k.logger.Error("loading api keys from the fleet bus", "error", err, "retryIn", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, resync)
	}
	k.countFleet(ctx)
	tick := time.NewTicker(resync)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				events = nil
				continue
			}
		case <-tick.C:
			if events == nil {
				subscribe()
			}
			k.countFleet(ctx)
		}
		if err := k.Load(ctx); err != nil && ctx.Err() == nil {
			k.logger.Error("reloading api keys from the fleet bus", "error", err)
		}
	}
}

func (k *Keys) countFleet(ctx context.Context) {
	gws, err := k.bus.Gateways(ctx)
	if err != nil {
		return
	}
	k.fleet.Store(max(int64(len(gws)), 1))
}

// KeySet is one immutable snapshot of the index.
type KeySet struct {
	byHash  map[[sha256.Size]byte]*Key
	tenants map[string]*gwconfig.TenantLimits
}

// Key is an API key with the plan stages it may call.
type Key struct {
	*gwconfig.APIKey
	stages map[stageRef]*PlanStage
}

type stageRef struct{ apiID, stage string }

// PlanStage is one API stage of one of a key's plans, with the throttle
// that applies to the key there.
type PlanStage struct {
	Plan  *gwconfig.UsagePlan
	Stage *gwconfig.PlanAPIStage
	// Throttle is the stage's override, else the plan's (nil: none).
	Throttle *gwconfig.Throttle
	// Quota is the plan's quota (nil: none).
	Quota *gwconfig.Quota
	// throttleKey is the limiter key of Throttle for this key.
	throttleKey string
	// methods are the method throttles by route key, with their keys.
	methods map[string]methodThrottle
}

type methodThrottle struct {
	throttle gwconfig.Throttle
	key      string
}

// NewKeySet indexes keys, plans and tenant limits. Keys whose hash is not
// hex SHA-256 are skipped; a key's plan stages are those of its plans in
// the same tenant.
func NewKeySet(keys []*gwconfig.APIKey, plans []*gwconfig.UsagePlan, tenants []*gwconfig.TenantLimits) *KeySet {
	s := &KeySet{
		byHash:  make(map[[sha256.Size]byte]*Key, len(keys)),
		tenants: make(map[string]*gwconfig.TenantLimits, len(tenants)),
	}
	planByID := make(map[string]*gwconfig.UsagePlan, len(plans))
	for _, p := range plans {
		planByID[p.ID] = p
	}
	for _, t := range tenants {
		s.tenants[t.TenantID] = t
	}
	for _, ak := range keys {
		var h [sha256.Size]byte
		if n, err := hex.Decode(h[:], []byte(ak.ValueHash)); err != nil || n != sha256.Size {
			continue
		}
		k := &Key{APIKey: ak, stages: map[stageRef]*PlanStage{}}
		for _, pid := range ak.UsagePlanIDs {
			p := planByID[pid]
			if p == nil || p.TenantID != ak.TenantID {
				continue
			}
			for i := range p.APIStages {
				ps := &p.APIStages[i]
				ref := stageRef{ps.APIID, ps.Stage}
				if _, dup := k.stages[ref]; dup {
					// API Gateway allows one plan per key and stage.
					continue
				}
				th := p.Throttle
				scope := "k:" + p.ID + ":" + ak.ID
				if ps.Throttle != nil {
					th = ps.Throttle
					scope += ":" + ps.APIID + "/" + ps.Stage
				}
				pst := &PlanStage{Plan: p, Stage: ps, Throttle: th, Quota: p.Quota, throttleKey: scope}
				if len(ps.MethodThrottles) > 0 {
					pst.methods = make(map[string]methodThrottle, len(ps.MethodThrottles))
					for rk, mt := range ps.MethodThrottles {
						pst.methods[rk] = methodThrottle{throttle: mt,
							key: "k:" + p.ID + ":" + ak.ID + ":" + ps.APIID + "/" + ps.Stage + ":" + rk}
					}
				}
				k.stages[ref] = pst
			}
		}
		s.byHash[h] = k
	}
	return s
}

// Lookup returns the key whose value is value, or nil. It hashes value
// and allocates nothing.
func (s *KeySet) Lookup(value string) *Key {
	if s == nil || value == "" {
		return nil
	}
	return s.byHash[sha256.Sum256([]byte(value))]
}

// Stage returns the plan stage through which k may call apiID/stage, or
// nil.
func (k *Key) Stage(apiID, stage string) *PlanStage {
	return k.stages[stageRef{apiID, stage}]
}

// Tenant returns a tenant's limits, or nil for the defaults.
func (s *KeySet) Tenant(tenantID string) *gwconfig.TenantLimits {
	if s == nil {
		return nil
	}
	return s.tenants[tenantID]
}

// MethodThrottle returns the key's throttle for routeKey on this plan
// stage and its limiter key: the method throttle if the plan stage sets
// one, else Throttle; ok is false when neither is set.
func (ps *PlanStage) MethodThrottle(routeKey string) (th gwconfig.Throttle, key string, ok bool) {
	if m, found := ps.methods[routeKey]; found {
		return m.throttle, m.key, true
	}
	if ps.Throttle == nil {
		return gwconfig.Throttle{}, "", false
	}
	return *ps.Throttle, ps.throttleKey, true
}

// HashKey returns the hex SHA-256 of an API key value, as the fleet
// publishes it.
func HashKey(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// String is for logs.
func (k *Key) String() string { return fmt.Sprintf("apikey %s", k.ID) }
