package apisimpl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"time"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/workflows/deploy"
)

// StaleDeploymentAfter is how long an unfinished deployment may go without
// any change before a new deploy of its stage treats it as abandoned (the
// process that started it died before the workflow began) and fails it.
const StaleDeploymentAfter = 15 * time.Minute

// StartTimeout bounds starting a deploy workflow.
const StartTimeout = 10 * time.Second

// Deps are the service's dependencies.
type Deps struct {
	DB *db.DB
	// Bus receives stage-variable changes and withdrawals of deleted
	// stages; deploys themselves are published by the workflow.
	Bus apis.Publisher
	// Starter starts deploy workflows.
	Starter apis.Starter
	Logger  *slog.Logger
	// FleetTimeout is passed to every deploy (zero: the workflow default).
	FleetTimeout time.Duration
}

// Service implements apis.Service.
type Service struct {
	store        store
	bus          apis.Publisher
	starter      apis.Starter
	log          *slog.Logger
	fleetTimeout time.Duration
	db           *db.DB
	onDelete     []apis.DeleteHook
}

// OnDelete registers a hook that runs inside the transaction of every API
// or stage delete. Register hooks before serving.
func (s *Service) OnDelete(h apis.DeleteHook) { s.onDelete = append(s.onDelete, h) }

// inDeleteTx runs fn with a context carrying a transaction (the request's,
// or a new one), so delete hooks share it.
func (s *Service) inDeleteTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.db == nil {
		return fn(ctx)
	}
	return s.db.RunInTx(ctx, fn)
}

func (s *Service) deleted(ctx context.Context, tenantID, apiID, stageName string) error {
	for _, h := range s.onDelete {
		if err := h(ctx, tenantID, apiID, stageName); err != nil {
			return err
		}
	}
	return nil
}

var _ apis.Service = (*Service)(nil)

// ProvideService returns the service over the database.
func ProvideService(deps Deps) *Service {
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: newSQLStore(deps.DB), bus: deps.Bus, starter: deps.Starter,
		log: log.With("component", "apis"), fleetTimeout: deps.FleetTimeout, db: deps.DB}
}

// --- APIs ---

// CreateAPI implements apis.Service.
func (s *Service) CreateAPI(ctx context.Context, tenantID string, cmd apis.CreateAPICommand) (*apis.API, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	t := now()
	a := &apis.API{TenantID: tenantID, Name: cmd.Name, Description: cmd.Description, ProtocolType: cmd.ProtocolType,
		CreatedAt: t, UpdatedAt: t}
	err := withNewID(apiIDLength, func(id string) error {
		a.ID = id
		return s.store.insertAPI(ctx, a)
	})
	if err != nil {
		return nil, fmt.Errorf("creating api: %w", err)
	}
	return a, nil
}

// GetAPI implements apis.Service.
func (s *Service) GetAPI(ctx context.Context, tenantID, apiID string) (*apis.API, error) {
	return s.store.getAPI(ctx, tenantID, apiID)
}

// ListAPIs implements apis.Service.
func (s *Service) ListAPIs(ctx context.Context, tenantID string) ([]*apis.API, error) {
	return s.store.listAPIs(ctx, tenantID)
}

// UpdateAPI implements apis.Service.
func (s *Service) UpdateAPI(ctx context.Context, tenantID, apiID string, cmd apis.UpdateAPICommand) (*apis.API, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	var out *apis.API
	err := s.store.inTx(ctx, func(tx store) error {
		a, err := tx.getAPI(ctx, tenantID, apiID)
		if err != nil {
			return err
		}
		if cmd.Name != nil {
			a.Name = *cmd.Name
		}
		if cmd.Description != nil {
			a.Description = *cmd.Description
		}
		if cmd.EndpointConfiguration != nil {
			a.EndpointConfiguration = *cmd.EndpointConfiguration
		}
		a.UpdatedAt = now()
		out = a
		return tx.updateAPI(ctx, a)
	})
	return out, err
}

// DeleteAPI implements apis.Service. It refuses while a stage is being
// deployed, since the workflow would publish into a deleted API.
func (s *Service) DeleteAPI(ctx context.Context, tenantID, apiID string) error {
	return s.inDeleteTx(ctx, func(ctx context.Context) error { return s.deleteAPI(ctx, tenantID, apiID) })
}

func (s *Service) deleteAPI(ctx context.Context, tenantID, apiID string) error {
	return s.store.inTx(ctx, func(tx store) error {
		if _, err := tx.getAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		if err := s.refuseWhileDeploying(ctx, tx, tenantID, apiID, ""); err != nil {
			return err
		}
		stages, err := tx.listStages(ctx, tenantID, apiID)
		if err != nil {
			return err
		}
		if err := tx.deleteAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		if err := s.deleted(ctx, tenantID, apiID, ""); err != nil {
			return err
		}
		// Withdraw last, inside the transaction: if the fleet cannot be
		// reached the rows stay, and the answer changes nothing.
		for _, st := range stages {
			if err := s.bus.DeleteStage(ctx, apiID, st.StageName); err != nil {
				return apis.ErrFleetUnavailable.Errorf("withdrawing stage %s/%s: %w", apiID, st.StageName, err)
			}
		}
		return nil
	})
}

// refuseWhileDeploying answers 409 when a deploy of the stage (or of any
// stage, for an empty stageName) is unfinished and not stale.
func (s *Service) refuseWhileDeploying(ctx context.Context, tx store, tenantID, apiID, stageName string) error {
	var deps []*apis.Deployment
	if stageName == "" {
		var err error
		if deps, err = tx.unfinishedDeployments(ctx, tenantID, apiID); err != nil {
			return err
		}
	} else {
		d, err := tx.unfinishedDeployment(ctx, tenantID, apiID, stageName)
		if err != nil {
			return err
		}
		if d != nil {
			deps = append(deps, d)
		}
	}
	for _, d := range deps {
		if !stale(d) {
			return apis.ErrDeploymentInProgress.WithMessage(
				"Deployment %s to stage %q is in progress; wait for it to finish.", d.ID, d.StageName)
		}
	}
	return nil
}

func stale(d *apis.Deployment) bool { return time.Since(d.UpdatedAt) > StaleDeploymentAfter }

// --- Routes ---

// CreateRoute implements apis.Service.
func (s *Service) CreateRoute(ctx context.Context, tenantID, apiID string, cmd apis.CreateRouteCommand) (*apis.Route, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	t := now()
	r := &apis.Route{TenantID: tenantID, APIID: apiID, RouteKey: cmd.RouteKey, Integration: cmd.Integration,
		APIKeyRequired: cmd.APIKeyRequired, Throttle: cmd.Throttle, AuthorizationType: cmd.AuthorizationType,
		CreatedAt: t, UpdatedAt: t}
	err := withNewID(routeIDLength, func(id string) error {
		r.ID = id
		return s.store.insertRoute(ctx, r)
	})
	if errors.Is(err, apis.ErrRouteKeyTaken) {
		return nil, apis.ErrRouteKeyTaken.WithMessage("The API already has a route %q.", r.RouteKey)
	}
	if err != nil {
		return nil, fmt.Errorf("creating route: %w", err)
	}
	return r, nil
}

// GetRoute implements apis.Service.
func (s *Service) GetRoute(ctx context.Context, tenantID, apiID, routeID string) (*apis.Route, error) {
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.store.getRoute(ctx, tenantID, apiID, routeID)
}

// ListRoutes implements apis.Service.
func (s *Service) ListRoutes(ctx context.Context, tenantID, apiID string) ([]*apis.Route, error) {
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.store.listRoutes(ctx, tenantID, apiID)
}

// UpdateRoute implements apis.Service. Route changes reach the fleet with
// the next deployment, as in API Gateway.
func (s *Service) UpdateRoute(ctx context.Context, tenantID, apiID, routeID string, cmd apis.UpdateRouteCommand) (*apis.Route, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	r, err := s.store.getRoute(ctx, tenantID, apiID, routeID)
	if err != nil {
		return nil, err
	}
	if cmd.RouteKey != nil {
		r.RouteKey = *cmd.RouteKey
	}
	if cmd.Integration != nil {
		r.Integration = *cmd.Integration
	}
	if cmd.APIKeyRequired != nil {
		r.APIKeyRequired = *cmd.APIKeyRequired
	}
	if cmd.Throttle.Set {
		r.Throttle = cmd.Throttle.Value
	}
	if cmd.AuthorizationType != nil {
		r.AuthorizationType = *cmd.AuthorizationType
	}
	r.UpdatedAt = now()
	// A single UPDATE: a duplicate key fails it as a whole.
	if err := s.store.updateRoute(ctx, r); err != nil {
		if errors.Is(err, apis.ErrRouteKeyTaken) {
			return nil, apis.ErrRouteKeyTaken.WithMessage("The API already has a route %q.", r.RouteKey)
		}
		return nil, err
	}
	return r, nil
}

// DeleteRoute implements apis.Service.
func (s *Service) DeleteRoute(ctx context.Context, tenantID, apiID, routeID string) error {
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return err
	}
	return s.store.deleteRoute(ctx, tenantID, apiID, routeID)
}

// --- Stages ---

// CreateStage implements apis.Service.
func (s *Service) CreateStage(ctx context.Context, tenantID, apiID string, cmd apis.CreateStageCommand) (*apis.Stage, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	t := now()
	st := &apis.Stage{TenantID: tenantID, APIID: apiID, StageName: cmd.StageName, Description: cmd.Description,
		Throttle: cmd.Throttle, StageVariables: maps.Clone(cmd.StageVariables), CreatedAt: t, UpdatedAt: t,
		Cache: cmd.StageCacheSettings.Apply(nil), MethodSettings: cmd.MethodSettings, AccessLog: cmd.AccessLogSettings}
	if st.StageVariables == nil {
		st.StageVariables = map[string]string{}
	}
	if err := s.store.insertStage(ctx, st); err != nil {
		if errors.Is(err, apis.ErrStageExists) {
			return nil, apis.ErrStageExists.WithMessage("The API already has a stage %q.", st.StageName)
		}
		return nil, err
	}
	return st, nil
}

// GetStage implements apis.Service.
func (s *Service) GetStage(ctx context.Context, tenantID, apiID, stageName string) (*apis.Stage, error) {
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.store.getStage(ctx, tenantID, apiID, stageName)
}

// ListStages implements apis.Service.
func (s *Service) ListStages(ctx context.Context, tenantID, apiID string) ([]*apis.Stage, error) {
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.store.listStages(ctx, tenantID, apiID)
}

// UpdateStage implements apis.Service. New stage variables of a deployed
// stage are published at once with the stage's current deployment, as API
// Gateway applies them without a redeploy; if the fleet cannot be reached
// nothing changes.
func (s *Service) UpdateStage(ctx context.Context, tenantID, apiID, stageName string, cmd apis.UpdateStageCommand) (*apis.Stage, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	var out *apis.Stage
	err := s.store.inTx(ctx, func(tx store) error {
		if _, err := tx.getAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		st, err := tx.getStage(ctx, tenantID, apiID, stageName)
		if err != nil {
			return err
		}
		if cmd.Description != nil {
			st.Description = *cmd.Description
		}
		republish := false
		if cmd.StageVariables != nil {
			republish = st.DeploymentID != "" && !maps.Equal(st.StageVariables, cmd.StageVariables)
			st.StageVariables = maps.Clone(cmd.StageVariables)
		}
		if cmd.Throttle.Set && !sameThrottle(st.Throttle, cmd.Throttle.Value) {
			st.Throttle = cmd.Throttle.Value
			// Like stage variables, a stage's default throttle applies
			// without a redeploy.
			republish = republish || st.DeploymentID != ""
		}
		// So do its cache, method and access log settings.
		if c := cmd.StageCacheSettings.Apply(st.Cache); !reflect.DeepEqual(c, st.Cache) {
			st.Cache = c
			republish = republish || st.DeploymentID != ""
		}
		if cmd.MethodSettings != nil && !reflect.DeepEqual(cmd.MethodSettings, st.MethodSettings) {
			st.MethodSettings = cmd.MethodSettings
			republish = republish || st.DeploymentID != ""
		}
		if cmd.AccessLogSettings.Set && !reflect.DeepEqual(cmd.AccessLogSettings.Value, st.AccessLog) {
			st.AccessLog = cmd.AccessLogSettings.Value
			republish = republish || st.DeploymentID != ""
		}
		if republish {
			// A deploy in flight publishes its own snapshot; republishing
			// the old one now would undo it.
			if err := s.refuseWhileDeploying(ctx, tx, tenantID, apiID, stageName); err != nil {
				return err
			}
		}
		st.UpdatedAt = now()
		if err := tx.updateStage(ctx, st); err != nil {
			return err
		}
		out = st
		if !republish {
			return nil
		}
		snap, err := tx.activeSnapshot(ctx, tenantID, apiID, stageName)
		if err != nil {
			return err
		}
		if snap == nil {
			return nil
		}
		snap.Revision = time.Now().UnixNano()
		snap.PublishedAt = time.Now().UTC()
		if err := snap.Validate(); err != nil {
			return apis.ErrStageInvalid.Errorf("republishing stage %s/%s: %w", apiID, stageName, err)
		}
		if err := s.bus.PutStage(ctx, snap); err != nil {
			return apis.ErrFleetUnavailable.Errorf("republishing stage %s/%s: %w", apiID, stageName, err)
		}
		s.log.InfoContext(ctx, "stage variables republished", "tenant", tenantID, "api", apiID, "stage", stageName,
			"deployment", snap.DeploymentID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteStage implements apis.Service.
func (s *Service) DeleteStage(ctx context.Context, tenantID, apiID, stageName string) error {
	return s.inDeleteTx(ctx, func(ctx context.Context) error { return s.deleteStage(ctx, tenantID, apiID, stageName) })
}

func (s *Service) deleteStage(ctx context.Context, tenantID, apiID, stageName string) error {
	return s.store.inTx(ctx, func(tx store) error {
		if _, err := tx.getAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		if err := s.refuseWhileDeploying(ctx, tx, tenantID, apiID, stageName); err != nil {
			return err
		}
		if err := tx.deleteStage(ctx, tenantID, apiID, stageName); err != nil {
			return err
		}
		if err := s.deleted(ctx, tenantID, apiID, stageName); err != nil {
			return err
		}
		if err := s.bus.DeleteStage(ctx, apiID, stageName); err != nil {
			return apis.ErrFleetUnavailable.Errorf("withdrawing stage %s/%s: %w", apiID, stageName, err)
		}
		return nil
	})
}

// --- Deployments ---

// CreateDeployment implements apis.Service.
func (s *Service) CreateDeployment(ctx context.Context, tenantID, apiID string, cmd apis.CreateDeploymentCommand) (*apis.Deployment, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	if _, err := s.store.getStage(ctx, tenantID, apiID, cmd.StageName); err != nil {
		if errors.Is(err, apis.ErrStageNotFound) {
			return nil, apis.ErrDeploymentInvalid.
				WithMessage("Invalid deployment: stage %q does not exist; create it first.", cmd.StageName).
				WithDetail("stageName", "not_found", "no such stage")
		}
		return nil, err
	}
	u, err := s.store.unfinishedDeployment(ctx, tenantID, apiID, cmd.StageName)
	if err != nil {
		return nil, err
	}
	if u != nil {
		if !stale(u) {
			return nil, apis.ErrDeploymentInProgress.WithMessage(
				"Deployment %s to stage %q is in progress; wait for it to finish.", u.ID, u.StageName)
		}
		if _, err := s.store.finishDeployment(ctx, tenantID, u.ID, deploy.StatusFailed,
			"Abandoned: the deploy made no progress for 15 minutes.", now()); err != nil {
			return nil, err
		}
	}
	t := now()
	d := &apis.Deployment{TenantID: tenantID, APIID: apiID, StageName: cmd.StageName, Description: cmd.Description,
		Status: deploy.StatusPending, Progress: []apis.ProgressEntry{{At: t, Message: "Deployment created"}},
		CreatedAt: t, UpdatedAt: t}
	err = withNewID(deploymentIDLength, func(id string) error {
		d.ID = id
		return s.store.insertDeployment(ctx, d)
	})
	if errors.Is(err, apis.ErrDeploymentInProgress) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("creating deployment: %w", err)
	}
	in := deploy.Input{TenantID: tenantID, APIID: apiID, StageName: d.StageName, DeploymentID: d.ID, FleetTimeout: s.fleetTimeout}
	// The Temporal client retries an unreachable server until its context
	// ends: bound it, so the caller gets a 503 rather than a hang.
	startCtx, cancel := context.WithTimeout(ctx, StartTimeout)
	err = s.starter.Start(startCtx, in)
	cancel()
	if err != nil {
		// The row must not block the stage: fail it, even if the caller
		// has gone.
		reason := "The deploy workflow could not be started: the workflow service (Temporal) is unreachable."
		if _, ferr := s.store.finishDeployment(context.WithoutCancel(ctx), tenantID, d.ID, deploy.StatusFailed, reason, now()); ferr != nil {
			s.log.ErrorContext(ctx, "marking unstarted deployment failed", "deployment", d.ID, "err", ferr)
		}
		return nil, apis.ErrWorkflowUnavailable.Errorf("starting deploy workflow %s: %w", deploy.WorkflowID(d.ID), err)
	}
	s.log.InfoContext(ctx, "deployment started", "tenant", tenantID, "api", apiID, "stage", d.StageName, "deployment", d.ID)
	// The workflow may already have moved on; answer with what is stored.
	if cur, err := s.store.getDeployment(ctx, tenantID, apiID, d.ID); err == nil {
		return cur, nil
	}
	return d, nil
}

// GetDeployment implements apis.Service.
func (s *Service) GetDeployment(ctx context.Context, tenantID, apiID, deploymentID string) (*apis.Deployment, error) {
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.store.getDeployment(ctx, tenantID, apiID, deploymentID)
}

// ListDeployments implements apis.Service.
func (s *Service) ListDeployments(ctx context.Context, tenantID, apiID string) ([]*apis.Deployment, error) {
	if _, err := s.store.getAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.store.listDeployments(ctx, tenantID, apiID)
}

func sameThrottle(a, b *gwconfig.Throttle) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
