package usageimpl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Deps are the service's dependencies.
type Deps struct {
	DB *db.DB
	// Bus receives every key, plan and tenant limit.
	Bus usage.Publisher
	// Counters are the gateways' usage counters; nil answers usage
	// requests with 503.
	Counters usage.Counters
	// Stages checks that a plan's API stages exist; usually apis.Service.
	Stages usage.StageLookup
	Logger *slog.Logger
	// TenantThrottle is every tenant's ceiling (zero:
	// gwconfig.DefaultTenantThrottle).
	TenantThrottle gwconfig.Throttle
	// Now is the clock of usage reports (nil: time.Now).
	Now func() time.Time
}

// Service implements usage.Service.
type Service struct {
	store          store
	limits         limitsStore
	bus            usage.Publisher
	counters       usage.Counters
	stages         usage.StageLookup
	log            *slog.Logger
	tenantThrottle gwconfig.Throttle
	now            func() time.Time
}

var _ usage.Service = (*Service)(nil)

// ProvideService returns the service over the database.
func ProvideService(deps Deps) *Service {
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tt := deps.TenantThrottle
	if tt.RateLimit <= 0 || tt.BurstLimit <= 0 {
		tt = gwconfig.DefaultTenantThrottle
	}
	clock := deps.Now
	if clock == nil {
		clock = time.Now
	}
	st := newSQLStore(deps.DB)
	return &Service{store: st, limits: st, bus: deps.Bus, counters: deps.Counters, stages: deps.Stages,
		log: log.With("component", "usage"), tenantThrottle: tt, now: clock}
}

// --- publishing ---

func fleetKey(k *usage.APIKey) *gwconfig.APIKey {
	ids := slices.Clone(k.UsagePlanIDs)
	slices.Sort(ids)
	return &gwconfig.APIKey{ID: k.ID, TenantID: k.TenantID, ValueHash: HashValue(k.Value), Enabled: k.Enabled,
		UsagePlanIDs: ids, Revision: time.Now().UnixNano()}
}

func fleetPlan(p *usage.UsagePlan) *gwconfig.UsagePlan {
	stages := p.APIStages
	if stages == nil {
		stages = []gwconfig.PlanAPIStage{}
	}
	return &gwconfig.UsagePlan{ID: p.ID, TenantID: p.TenantID, Throttle: p.Throttle, Quota: p.Quota,
		APIStages: stages, Revision: time.Now().UnixNano()}
}

func (s *Service) publishKey(ctx context.Context, k *usage.APIKey) error {
	if err := s.bus.PutAPIKey(ctx, fleetKey(k)); err != nil {
		return usage.ErrFleetUnavailable.Errorf("publishing api key %s: %w", k.ID, err)
	}
	return nil
}

func (s *Service) publishPlan(ctx context.Context, p *usage.UsagePlan) error {
	if err := s.bus.PutUsagePlan(ctx, fleetPlan(p)); err != nil {
		return usage.ErrFleetUnavailable.Errorf("publishing usage plan %s: %w", p.ID, err)
	}
	return nil
}

// --- API keys ---

// CreateAPIKey implements usage.Service.
func (s *Service) CreateAPIKey(ctx context.Context, tenantID string, cmd usage.CreateAPIKeyCommand) (*usage.APIKey, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	var out *usage.APIKey
	err := s.store.inTx(ctx, func(tx store) error {
		k, err := s.createKey(ctx, tx, tenantID, cmd, nil)
		out = k
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// createKey inserts a validated key, attaches it to planIDs and publishes
// it, within tx.
func (s *Service) createKey(ctx context.Context, tx store, tenantID string, cmd usage.CreateAPIKeyCommand, planIDs []string) (*usage.APIKey, error) {
	t := now()
	k := &usage.APIKey{TenantID: tenantID, Name: cmd.Name, Description: cmd.Description, Value: cmd.Value,
		Enabled: cmd.Enabled == nil || *cmd.Enabled, Tags: maps.Clone(cmd.Tags), UsagePlanIDs: []string{},
		CreatedAt: t, UpdatedAt: t}
	if k.Tags == nil {
		k.Tags = map[string]string{}
	}
	generated := k.Value == ""
	err := withNewID(keyIDLength, func(id string) error {
		k.ID = id
		if generated {
			k.Value = newKeyValue()
		}
		return tx.insertKey(ctx, k)
	})
	if errors.Is(err, usage.ErrAPIKeyValueTaken) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("creating api key: %w", err)
	}
	for _, pid := range planIDs {
		if err := s.attach(ctx, tx, tenantID, pid, k); err != nil {
			return nil, err
		}
	}
	if err := s.publishKey(ctx, k); err != nil {
		return nil, err
	}
	return k, nil
}

// GetAPIKey implements usage.Service.
func (s *Service) GetAPIKey(ctx context.Context, tenantID, keyID string) (*usage.APIKey, error) {
	return s.store.getKey(ctx, tenantID, keyID)
}

// ListAPIKeys implements usage.Service.
func (s *Service) ListAPIKeys(ctx context.Context, tenantID string) ([]*usage.APIKey, error) {
	return s.store.listKeys(ctx, tenantID)
}

// UpdateAPIKey implements usage.Service.
func (s *Service) UpdateAPIKey(ctx context.Context, tenantID, keyID string, cmd usage.UpdateAPIKeyCommand) (*usage.APIKey, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	var out *usage.APIKey
	err := s.store.inTx(ctx, func(tx store) error {
		k, err := tx.getKey(ctx, tenantID, keyID)
		if err != nil {
			return err
		}
		if cmd.Name != nil {
			k.Name = *cmd.Name
		}
		if cmd.Description != nil {
			k.Description = *cmd.Description
		}
		if cmd.Enabled != nil {
			k.Enabled = *cmd.Enabled
		}
		if cmd.Tags != nil {
			k.Tags = maps.Clone(cmd.Tags)
		}
		k.UpdatedAt = now()
		if err := tx.updateKey(ctx, k); err != nil {
			return err
		}
		out = k
		return s.publishKey(ctx, k)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAPIKey implements usage.Service.
func (s *Service) DeleteAPIKey(ctx context.Context, tenantID, keyID string) error {
	return s.store.inTx(ctx, func(tx store) error {
		if err := tx.deleteKey(ctx, tenantID, keyID); err != nil {
			return err
		}
		if err := s.bus.DeleteAPIKey(ctx, keyID); err != nil {
			return usage.ErrFleetUnavailable.Errorf("withdrawing api key %s: %w", keyID, err)
		}
		return nil
	})
}

// ImportAPIKeys implements usage.Service. Each line is its own transaction:
// a bad line is reported and the others are imported. A failure that is not
// the line's fault (the fleet or the database is down) stops the import
// with that error; the lines before it stay imported.
func (s *Service) ImportAPIKeys(ctx context.Context, tenantID string, csv []byte) (*usage.ImportResult, error) {
	lines, bad, err := usage.ParseImportCSV(csv)
	if err != nil {
		return nil, err
	}
	res := &usage.ImportResult{IDs: []string{}, Errors: bad}
	for _, l := range lines {
		if err := l.Command.Validate(); err != nil {
			res.Errors = append(res.Errors, usage.ImportError{Line: l.Line, Message: apierr.From(err).Message})
			continue
		}
		var k *usage.APIKey
		err := s.store.inTx(ctx, func(tx store) error {
			var err error
			k, err = s.createKey(ctx, tx, tenantID, l.Command, l.UsagePlanIDs)
			return err
		})
		if err != nil {
			if e := apierr.From(err); e.Status < 500 {
				res.Errors = append(res.Errors, usage.ImportError{Line: l.Line, Message: e.Message})
				continue
			}
			return nil, err
		}
		res.IDs = append(res.IDs, k.ID)
	}
	slices.SortStableFunc(res.Errors, func(a, b usage.ImportError) int { return a.Line - b.Line })
	return res, nil
}

// --- usage plans ---

// checkStages answers 422 for API stages the tenant does not have.
func (s *Service) checkStages(ctx context.Context, tenantID string, stages []gwconfig.PlanAPIStage) error {
	var e *apierr.Error
	for i, st := range stages {
		_, err := s.stages.GetStage(ctx, tenantID, st.APIID, st.Stage)
		if errors.Is(err, apis.ErrAPINotFound) || errors.Is(err, apis.ErrStageNotFound) {
			if e == nil {
				e = usage.ErrUsagePlanInvalid
			}
			e = e.WithDetail(fmt.Sprintf("apiStages[%d]", i), "not_found",
				fmt.Sprintf("API %q has no stage %q", st.APIID, st.Stage))
			continue
		}
		if err != nil {
			return err
		}
	}
	if e == nil {
		return nil
	}
	if len(e.Details) == 1 {
		for f, d := range e.Details {
			return e.WithMessage("Invalid usage plan %s: %s.", f, d.Message)
		}
	}
	return e
}

// CreateUsagePlan implements usage.Service.
func (s *Service) CreateUsagePlan(ctx context.Context, tenantID string, cmd usage.CreateUsagePlanCommand) (*usage.UsagePlan, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkStages(ctx, tenantID, cmd.APIStages); err != nil {
		return nil, err
	}
	t := now()
	p := &usage.UsagePlan{TenantID: tenantID, Name: cmd.Name, Description: cmd.Description, Throttle: cmd.Throttle,
		Quota: cmd.Quota, APIStages: cmd.APIStages, CreatedAt: t, UpdatedAt: t}
	if p.APIStages == nil {
		p.APIStages = []gwconfig.PlanAPIStage{}
	}
	err := s.store.inTx(ctx, func(tx store) error {
		err := withNewID(planIDLength, func(id string) error {
			p.ID = id
			return tx.insertPlan(ctx, p)
		})
		if err != nil {
			return fmt.Errorf("creating usage plan: %w", err)
		}
		return s.publishPlan(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// GetUsagePlan implements usage.Service.
func (s *Service) GetUsagePlan(ctx context.Context, tenantID, planID string) (*usage.UsagePlan, error) {
	return s.store.getPlan(ctx, tenantID, planID)
}

// ListUsagePlans implements usage.Service.
func (s *Service) ListUsagePlans(ctx context.Context, tenantID string) ([]*usage.UsagePlan, error) {
	return s.store.listPlans(ctx, tenantID)
}

// UpdateUsagePlan implements usage.Service.
func (s *Service) UpdateUsagePlan(ctx context.Context, tenantID, planID string, cmd usage.UpdateUsagePlanCommand) (*usage.UsagePlan, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if cmd.APIStages != nil {
		if err := s.checkStages(ctx, tenantID, *cmd.APIStages); err != nil {
			return nil, err
		}
	}
	var out *usage.UsagePlan
	err := s.store.inTx(ctx, func(tx store) error {
		p, err := tx.getPlan(ctx, tenantID, planID)
		if err != nil {
			return err
		}
		if cmd.Name != nil {
			p.Name = *cmd.Name
		}
		if cmd.Description != nil {
			p.Description = *cmd.Description
		}
		if cmd.Throttle.Set {
			p.Throttle = cmd.Throttle.Value
		}
		if cmd.Quota.Set {
			p.Quota = cmd.Quota.Value
		}
		if cmd.APIStages != nil {
			p.APIStages = *cmd.APIStages
			if err := s.refuseSharedStages(ctx, tx, p); err != nil {
				return err
			}
		}
		p.UpdatedAt = now()
		if err := tx.updatePlan(ctx, p); err != nil {
			return err
		}
		out = p
		return s.publishPlan(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// refuseSharedStages answers 409 when a key of the plan is in another plan
// that shares one of the plan's stages.
func (s *Service) refuseSharedStages(ctx context.Context, tx store, p *usage.UsagePlan) error {
	keys, err := tx.planKeys(ctx, p.TenantID, p.ID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.refuseSharedStage(ctx, tx, p, k); err != nil {
			return err
		}
	}
	return nil
}

// refuseSharedStage answers 409 when k is in another plan that shares one of
// p's stages.
func (s *Service) refuseSharedStage(ctx context.Context, tx store, p *usage.UsagePlan, k *usage.APIKey) error {
	mine := map[string]bool{}
	for _, st := range p.APIStages {
		mine[gwconfig.StageKey(st.APIID, st.Stage)] = true
	}
	for _, other := range k.UsagePlanIDs {
		if other == p.ID {
			continue
		}
		op, err := tx.getPlan(ctx, p.TenantID, other)
		if err != nil {
			return err
		}
		for _, st := range op.APIStages {
			if sk := gwconfig.StageKey(st.APIID, st.Stage); mine[sk] {
				return usage.ErrStageInTwoPlans.WithMessage(
					"API key %s is already in usage plan %s for stage %s; a key can be in one plan per API stage.", k.ID, op.ID, sk)
			}
		}
	}
	return nil
}

// DeleteUsagePlan implements usage.Service.
func (s *Service) DeleteUsagePlan(ctx context.Context, tenantID, planID string) error {
	return s.store.inTx(ctx, func(tx store) error {
		keys, err := tx.planKeys(ctx, tenantID, planID)
		if err != nil {
			return err
		}
		if err := tx.deletePlan(ctx, tenantID, planID); err != nil {
			return err
		}
		for _, k := range keys {
			k.UsagePlanIDs = slices.DeleteFunc(k.UsagePlanIDs, func(id string) bool { return id == planID })
			if err := s.publishKey(ctx, k); err != nil {
				return err
			}
		}
		if err := s.bus.DeleteUsagePlan(ctx, planID); err != nil {
			return usage.ErrFleetUnavailable.Errorf("withdrawing usage plan %s: %w", planID, err)
		}
		return nil
	})
}

// --- plan keys ---

// attach links k to the plan in tx and adds the plan to k.UsagePlanIDs;
// the caller publishes k.
func (s *Service) attach(ctx context.Context, tx store, tenantID, planID string, k *usage.APIKey) error {
	p, err := tx.getPlan(ctx, tenantID, planID)
	if err != nil {
		return err
	}
	if err := s.refuseSharedStage(ctx, tx, p, k); err != nil {
		return err
	}
	if err := tx.insertPlanKey(ctx, tenantID, planID, k.ID, now()); err != nil {
		return err
	}
	k.UsagePlanIDs = append(k.UsagePlanIDs, planID)
	slices.Sort(k.UsagePlanIDs)
	return nil
}

// CreateUsagePlanKey implements usage.Service.
func (s *Service) CreateUsagePlanKey(ctx context.Context, tenantID, planID, keyID string) (*usage.APIKey, error) {
	var out *usage.APIKey
	err := s.store.inTx(ctx, func(tx store) error {
		if _, err := tx.getPlan(ctx, tenantID, planID); err != nil {
			return err
		}
		k, err := tx.getKey(ctx, tenantID, keyID)
		if err != nil {
			return err
		}
		if slices.Contains(k.UsagePlanIDs, planID) {
			return usage.ErrUsagePlanKeyExists
		}
		if err := s.attach(ctx, tx, tenantID, planID, k); err != nil {
			return err
		}
		out = k
		return s.publishKey(ctx, k)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListUsagePlanKeys implements usage.Service.
func (s *Service) ListUsagePlanKeys(ctx context.Context, tenantID, planID string) ([]*usage.APIKey, error) {
	if _, err := s.store.getPlan(ctx, tenantID, planID); err != nil {
		return nil, err
	}
	return s.store.planKeys(ctx, tenantID, planID)
}

// DeleteUsagePlanKey implements usage.Service.
func (s *Service) DeleteUsagePlanKey(ctx context.Context, tenantID, planID, keyID string) error {
	return s.store.inTx(ctx, func(tx store) error {
		if _, err := tx.getPlan(ctx, tenantID, planID); err != nil {
			return err
		}
		if err := tx.deletePlanKey(ctx, tenantID, planID, keyID); err != nil {
			return err
		}
		k, err := tx.getKey(ctx, tenantID, keyID)
		if err != nil {
			return err
		}
		return s.publishKey(ctx, k)
	})
}

// --- reconcile ---

// Reconcile implements usage.Service.
func (s *Service) Reconcile(ctx context.Context) error {
	plans, err := s.store.allPlans(ctx)
	if err != nil {
		return fmt.Errorf("listing usage plans: %w", err)
	}
	for _, p := range plans {
		if err := s.publishPlan(ctx, p); err != nil {
			return err
		}
	}
	keys, err := s.store.allKeys(ctx)
	if err != nil {
		return fmt.Errorf("listing api keys: %w", err)
	}
	for _, k := range keys {
		if err := s.publishKey(ctx, k); err != nil {
			return err
		}
	}
	if err := s.withdrawStrays(ctx, keys, plans); err != nil {
		return err
	}
	tenants, err := s.store.tenantIDs(ctx)
	if err != nil {
		return fmt.Errorf("listing tenants: %w", err)
	}
	for _, t := range tenants {
		tl, err := s.tenantThrottleOf(ctx, t)
		if err != nil {
			return err
		}
		l := &gwconfig.TenantLimits{TenantID: t, Throttle: tl.Throttle, Revision: time.Now().UnixNano()}
		if err := s.bus.PutTenantLimits(ctx, l); err != nil {
			return usage.ErrFleetUnavailable.Errorf("publishing limits of tenant %s: %w", t, err)
		}
	}
	s.log.InfoContext(ctx, "api keys, usage plans and tenant limits republished",
		"keys", len(keys), "plans", len(plans), "tenants", len(tenants))
	return nil
}

// lister is the part of a bus that can list what it carries (fleet.KeyBus).
type lister interface {
	APIKeys(ctx context.Context) ([]*gwconfig.APIKey, error)
	UsagePlans(ctx context.Context) ([]*gwconfig.UsagePlan, error)
}

// withdrawStrays removes from the bus the keys and plans the database does
// not have: a write whose transaction rolled back after it was published
// (the request's audit row failed, the process died) must not leave a key
// that works.
func (s *Service) withdrawStrays(ctx context.Context, keys []*usage.APIKey, plans []*usage.UsagePlan) error {
	l, ok := s.bus.(lister)
	if !ok {
		return nil
	}
	haveKey := make(map[string]bool, len(keys))
	for _, k := range keys {
		haveKey[k.ID] = true
	}
	published, err := l.APIKeys(ctx)
	if err != nil {
		return usage.ErrFleetUnavailable.Errorf("listing published api keys: %w", err)
	}
	for _, k := range published {
		if !haveKey[k.ID] {
			if err := s.bus.DeleteAPIKey(ctx, k.ID); err != nil {
				return usage.ErrFleetUnavailable.Errorf("withdrawing stray api key %s: %w", k.ID, err)
			}
			s.log.WarnContext(ctx, "withdrew an API key the database does not have", "key", k.ID, "tenant", k.TenantID)
		}
	}
	havePlan := make(map[string]bool, len(plans))
	for _, p := range plans {
		havePlan[p.ID] = true
	}
	publishedPlans, err := l.UsagePlans(ctx)
	if err != nil {
		return usage.ErrFleetUnavailable.Errorf("listing published usage plans: %w", err)
	}
	for _, p := range publishedPlans {
		if !havePlan[p.ID] {
			if err := s.bus.DeleteUsagePlan(ctx, p.ID); err != nil {
				return usage.ErrFleetUnavailable.Errorf("withdrawing stray usage plan %s: %w", p.ID, err)
			}
			s.log.WarnContext(ctx, "withdrew a usage plan the database does not have", "plan", p.ID, "tenant", p.TenantID)
		}
	}
	return nil
}
