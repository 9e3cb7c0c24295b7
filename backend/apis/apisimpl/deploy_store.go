package apisimpl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/restapi/restapiimpl"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/workflows/deploy"
)

// maxProgressEntries bounds a deployment's progress log.
const maxProgressEntries = 200

// DeployStore implements deploy.Store over the control plane's database, for
// the deploy workflow's activities. It also republishes every deployed stage
// at start-up (Reconcile).
type DeployStore struct {
	s *sqlStore
}

var _ deploy.Store = (*DeployStore)(nil)

// NewDeployStore returns the deploy workflow's store over the database.
func NewDeployStore(d *db.DB) *DeployStore { return &DeployStore{s: newSQLStore(d)} }

// CompileDeployment implements deploy.Store. A retried call returns the
// snapshot already saved, so an activity retry publishes the same routes.
func (ds *DeployStore) CompileDeployment(ctx context.Context, tenantID, deploymentID string) (*gwconfig.Stage, error) {
	var out *gwconfig.Stage
	err := ds.s.inTx(ctx, func(txs store) error {
		tx := txs.(*sqlStore)
		d, err := tx.deploymentByID(ctx, tenantID, deploymentID)
		if err != nil {
			return err
		}
		switch d.Status {
		case deploy.StatusDeployed, deploy.StatusFailed:
			return apis.ErrDeploymentFinished.Errorf("compiling deployment %s: it is %s", deploymentID, d.Status)
		case deploy.StatusInProgress:
			if d.Snapshot != nil {
				var snap gwconfig.Stage
				if err := json.Unmarshal([]byte(*d.Snapshot), &snap); err != nil {
					return fmt.Errorf("decoding snapshot of deployment %s: %w", deploymentID, err)
				}
				out = &snap
				return nil
			}
		}
		a, err := tx.getAPI(ctx, tenantID, d.APIID)
		if err != nil {
			return err
		}
		st, err := tx.getStage(ctx, tenantID, d.APIID, d.StageName)
		if err != nil {
			return err
		}
		routes, err := tx.listRoutes(ctx, tenantID, d.APIID)
		if err != nil {
			return err
		}
		var rest []gwconfig.Route
		var groups map[string]gwconfig.TargetGroup
		if a.ProtocolType == gwconfig.ProtocolREST {
			// REST APIs: routes come from the resource tree.
			routes = nil
			if rest, groups, err = restapiimpl.Compile(ctx, tx.db, tenantID, a.ID); err != nil {
				return err
			}
		}
		t := time.Now().UTC()
		snap := &gwconfig.Stage{
			TenantID:     tenantID,
			APIID:        a.ID,
			APIName:      a.Name,
			ProtocolType: a.ProtocolType,
			StageName:    st.StageName,
			DeploymentID: d.ID,
			Revision:     t.UnixNano(),
			Routes:       make([]gwconfig.Route, len(routes)),
			PublishedAt:  t,
		}
		snap.Routes = append(snap.Routes, rest...)
		snap.TargetGroups = groups
		if et := a.EndpointConfiguration.EndpointType(); et != gwconfig.EndpointRegional {
			snap.EndpointType = et
			snap.AllowedSourceCIDRs = a.EndpointConfiguration.AllowedSourceCIDRs
		}
		if len(st.StageVariables) > 0 {
			snap.StageVariables = st.StageVariables
		}
		snap.Throttle = st.Throttle
		for i, r := range routes {
			snap.Routes[i] = gwconfig.Route{RouteID: r.ID, RouteKey: r.RouteKey, Integration: r.Integration,
				APIKeyRequired: r.APIKeyRequired, Throttle: r.Throttle}
			// NONE stays empty, as REST methods compile it.
			if r.AuthorizationType == gwconfig.AuthorizationAWSIAM {
				snap.Routes[i].AuthorizationType = gwconfig.AuthorizationAWSIAM
			}
		}
		st.ApplyTo(snap)
		snap.SetDefaults()
		if err := snap.Validate(); err != nil {
			return err
		}
		if err := tx.saveSnapshot(ctx, tenantID, deploymentID, snap, now()); err != nil {
			return err
		}
		out = snap
		return nil
	})
	if err != nil {
		return nil, permanent(err)
	}
	return out, nil
}

// permanent marks the errors no retry can fix (the deployment, its API or
// its stage is gone, or the deployment has finished), so the deploy
// activity fails at once instead of retrying.
func permanent(err error) error {
	for _, p := range []error{apis.ErrDeploymentNotFound, apis.ErrDeploymentFinished, apis.ErrAPINotFound,
		apis.ErrStageNotFound, errNeverCompiled} {
		if errors.Is(err, p) {
			return deploy.Permanent(err)
		}
	}
	return err
}

var errNeverCompiled = errors.New("the deployment was never compiled")

// ActiveSnapshot implements deploy.Store: the stage's deployment with the
// stage's current variables and a fresh revision, ready to publish.
func (ds *DeployStore) ActiveSnapshot(ctx context.Context, tenantID, apiID, stageName string) (*gwconfig.Stage, error) {
	snap, err := ds.s.activeSnapshot(ctx, tenantID, apiID, stageName)
	if err != nil || snap == nil {
		return nil, err
	}
	stamp(snap)
	return snap, nil
}

func stamp(snap *gwconfig.Stage) {
	t := time.Now().UTC()
	snap.Revision = t.UnixNano()
	snap.PublishedAt = t
}

// MarkDeployed implements deploy.Store: in one transaction the stage points
// at the deployment and the deployment becomes DEPLOYED. Marking a deployed
// deployment again is a no-op.
func (ds *DeployStore) MarkDeployed(ctx context.Context, tenantID, deploymentID string) error {
	return permanent(ds.s.inTx(ctx, func(txs store) error {
		tx := txs.(*sqlStore)
		d, err := tx.deploymentByID(ctx, tenantID, deploymentID)
		if err != nil {
			return err
		}
		switch d.Status {
		case deploy.StatusDeployed:
			return nil
		case deploy.StatusFailed:
			return apis.ErrDeploymentFinished.Errorf("marking deployment %s deployed: it has failed", deploymentID)
		}
		if d.Snapshot == nil {
			return fmt.Errorf("marking deployment %s deployed: %w", deploymentID, errNeverCompiled)
		}
		t := now()
		if err := tx.setStageDeployment(ctx, tenantID, d.APIID, d.StageName, deploymentID, t); err != nil {
			return err
		}
		ok, err := tx.finishDeployment(ctx, tenantID, deploymentID, deploy.StatusDeployed, "", t)
		if err != nil {
			return err
		}
		if !ok {
			return apis.ErrDeploymentFinished.Errorf("marking deployment %s deployed: it finished meanwhile", deploymentID)
		}
		return nil
	}))
}

// MarkFailed implements deploy.Store. The stage keeps its deployment.
// Failing a failed deployment again is a no-op.
func (ds *DeployStore) MarkFailed(ctx context.Context, tenantID, deploymentID, reason string) error {
	ok, err := ds.s.finishDeployment(ctx, tenantID, deploymentID, deploy.StatusFailed, reason, now())
	if err != nil || ok {
		return err
	}
	d, err := ds.s.deploymentByID(ctx, tenantID, deploymentID)
	if err != nil {
		return permanent(err)
	}
	if d.Status == deploy.StatusDeployed {
		return permanent(apis.ErrDeploymentFinished.Errorf("marking deployment %s failed: it is deployed", deploymentID))
	}
	return nil
}

// RecordProgress implements deploy.Store.
func (ds *DeployStore) RecordProgress(ctx context.Context, tenantID, deploymentID, message string) error {
	return permanent(ds.s.inTx(ctx, func(txs store) error {
		tx := txs.(*sqlStore)
		d, err := tx.deploymentByID(ctx, tenantID, deploymentID)
		if err != nil {
			return err
		}
		row, err := d.toDeployment()
		if err != nil {
			return err
		}
		p := append(row.Progress, apis.ProgressEntry{At: time.Now().UTC(), Message: message})
		if len(p) > maxProgressEntries {
			p = p[len(p)-maxProgressEntries:]
		}
		return tx.setProgress(ctx, tenantID, deploymentID, p, now())
	}))
}

// ActiveSnapshots returns the snapshot of every deployed stage of every
// tenant, with the stages' current variables and fresh revisions.
func (ds *DeployStore) ActiveSnapshots(ctx context.Context) ([]*gwconfig.Stage, error) {
	snaps, err := ds.s.activeSnapshots(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range snaps {
		stamp(s)
	}
	return snaps, nil
}

// Reconcile makes the fleet bus hold what the database says is deployed:
// it publishes every deployed stage the bus lacks or holds with another
// deployment or other variables, and withdraws published stages whose
// stage no longer exists. Run it at start-up, before serving: the
// in-process bus starts empty, and a Redis bus may have missed a change.
// Stages that exist but were never deployed are left alone, so a first
// deploy in flight is not withdrawn.
func (ds *DeployStore) Reconcile(ctx context.Context, bus fleet.Bus) error {
	active, err := ds.ActiveSnapshots(ctx)
	if err != nil {
		return fmt.Errorf("reading deployed stages: %w", err)
	}
	published, err := bus.Stages(ctx)
	if err != nil {
		return fmt.Errorf("reading published stages: %w", err)
	}
	have := make(map[string]*gwconfig.Stage, len(published))
	for _, p := range published {
		have[p.Key()] = p
	}
	var errs []error
	for _, snap := range active {
		if p, ok := have[snap.Key()]; ok && p.DeploymentID == snap.DeploymentID && sameVars(p.StageVariables, snap.StageVariables) {
			continue
		}
		if err := bus.PutStage(ctx, snap); err != nil {
			errs = append(errs, fmt.Errorf("publishing %s: %w", snap.Key(), err))
		}
	}
	keys, err := ds.s.stageKeys(ctx)
	if err != nil {
		return fmt.Errorf("reading stages: %w", err)
	}
	for _, p := range published {
		if !keys[p.Key()] {
			if err := bus.DeleteStage(ctx, p.APIID, p.StageName); err != nil {
				errs = append(errs, fmt.Errorf("withdrawing %s: %w", p.Key(), err))
			}
		}
	}
	return errors.Join(errs...)
}

func sameVars(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
