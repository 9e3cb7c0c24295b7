package deploy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Activity names, as Register registers them. They carry the workflow's
// name so another workflow's activities on the same worker cannot clash.
const (
	CompileActivity        = "DeployStage.Compile"
	PublishActivity        = "DeployStage.Publish"
	CheckFleetActivity     = "DeployStage.CheckFleet"
	RollbackActivity       = "DeployStage.Rollback"
	MarkDeployedActivity   = "DeployStage.MarkDeployed"
	MarkFailedActivity     = "DeployStage.MarkFailed"
	RecordProgressActivity = "DeployStage.RecordProgress"
)

// Error types of the non-retryable errors the activities return.
const (
	ErrTypeInvalidConfig = "InvalidConfiguration"
	ErrTypePermanent     = "PermanentError"
)

// Activities are the deploy workflow's activities over the control plane's
// store and the fleet bus.
type Activities struct {
	Store Store
	Bus   fleet.Bus
}

// Register registers the deploy workflow under WorkflowName and its
// activities under the *Activity names, on a worker or a test environment.
func Register(w worker.Registry, acts *Activities) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
	for _, a := range []struct {
		name string
		fn   any
	}{
		{CompileActivity, acts.Compile},
		{PublishActivity, acts.Publish},
		{CheckFleetActivity, acts.CheckFleet},
		{RollbackActivity, acts.Rollback},
		{MarkDeployedActivity, acts.MarkDeployed},
		{MarkFailedActivity, acts.MarkFailed},
		{RecordProgressActivity, acts.RecordProgress},
	} {
		w.RegisterActivityWithOptions(a.fn, activity.RegisterOptions{Name: a.name})
	}
}

// Permanent marks a Store error as permanent: the activity fails at once
// instead of retrying (a deployment that is already finished, an API that
// was deleted). The backend wraps its errors with it; it need not import
// the Temporal SDK.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// classify turns a Store or Bus error into an activity error: validation
// errors and Permanent errors are non-retryable, the rest retry.
func classify(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if ve, ok := gwconfig.AsValidationError(err); ok {
		return temporal.NewNonRetryableApplicationError(msg+": "+ve.Error(), ErrTypeInvalidConfig, err)
	}
	var pe *permanentError
	if errors.As(err, &pe) {
		return temporal.NewNonRetryableApplicationError(msg+": "+err.Error(), ErrTypePermanent, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// Compile compiles and validates the deployment's snapshot.
func (a *Activities) Compile(ctx context.Context, in Input) (*gwconfig.Stage, error) {
	snap, err := a.Store.CompileDeployment(ctx, in.TenantID, in.DeploymentID)
	if err != nil {
		return nil, classify(err, "compiling deployment %s", in.DeploymentID)
	}
	if snap == nil {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("compiling deployment %s: the store returned no snapshot", in.DeploymentID), ErrTypePermanent, nil)
	}
	// The snapshot must be the one this workflow deploys: publishing it
	// under another key would replace some other stage.
	if snap.APIID != in.APIID || snap.StageName != in.StageName || snap.DeploymentID != in.DeploymentID {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"compiling deployment %s: the snapshot is deployment %s of %s, not of %s",
			in.DeploymentID, snap.DeploymentID, snap.Key(), gwconfig.StageKey(in.APIID, in.StageName)), ErrTypePermanent, nil)
	}
	return snap, nil
}

// PublishInput is the input of the Publish activity.
type PublishInput struct {
	Input    Input
	Snapshot *gwconfig.Stage
}

// PublishResult is what Publish returns.
type PublishResult struct {
	// PreviousDeploymentID is the deployment the stage served before, or
	// "" if it had none. Its snapshot stays out of the workflow's history:
	// Rollback re-reads it with Store.ActiveSnapshot, since the stage row
	// points at it until MarkDeployed.
	PreviousDeploymentID string
}

// Publish puts the new snapshot on the fleet bus.
func (a *Activities) Publish(ctx context.Context, in PublishInput) (PublishResult, error) {
	if in.Snapshot == nil {
		return PublishResult{}, temporal.NewNonRetryableApplicationError("publishing: no snapshot", ErrTypePermanent, nil)
	}
	prev, err := a.Store.ActiveSnapshot(ctx, in.Input.TenantID, in.Input.APIID, in.Input.StageName)
	if err != nil {
		return PublishResult{}, classify(err, "reading the stage's active deployment")
	}
	snap := *in.Snapshot
	snap.PublishedAt = time.Now().UTC()
	if err := a.Bus.PutStage(ctx, &snap); err != nil {
		return PublishResult{}, fmt.Errorf("publishing deployment %s: %w", in.Input.DeploymentID, err)
	}
	var res PublishResult
	if prev != nil {
		res.PreviousDeploymentID = prev.DeploymentID
	}
	return res, nil
}

// FleetStatus is what CheckFleet sees: gateway ids, sorted.
type FleetStatus struct {
	// Live are the gateways whose heartbeat has not expired.
	Live []string
	// Serving are the live gateways that serve the deployment.
	Serving []string
	// Lagging are the live gateways that do not serve it yet.
	Lagging []string
}

// CheckFleet reports which live gateways serve the deployment on the stage.
func (a *Activities) CheckFleet(ctx context.Context, in Input) (FleetStatus, error) {
	gws, err := a.Bus.Gateways(ctx)
	if err != nil {
		return FleetStatus{}, fmt.Errorf("listing gateways: %w", err)
	}
	var st FleetStatus
	for _, g := range gws {
		st.Live = append(st.Live, g.GatewayID)
		if g.Serves(in.APIID, in.StageName, in.DeploymentID) {
			st.Serving = append(st.Serving, g.GatewayID)
		} else {
			st.Lagging = append(st.Lagging, g.GatewayID)
		}
	}
	return st, nil
}

// RollbackResult is what Rollback returns.
type RollbackResult struct {
	// RestoredDeploymentID is the deployment the stage serves again, or ""
	// if the stage had none and was withdrawn from the fleet.
	RestoredDeploymentID string
}

// Rollback puts the stage's active snapshot back on the fleet, or
// withdraws the stage if it was never deployed.
func (a *Activities) Rollback(ctx context.Context, in Input) (RollbackResult, error) {
	prev, err := a.Store.ActiveSnapshot(ctx, in.TenantID, in.APIID, in.StageName)
	if err != nil {
		return RollbackResult{}, classify(err, "reading the stage's active deployment")
	}
	if prev == nil {
		if err := a.Bus.DeleteStage(ctx, in.APIID, in.StageName); err != nil {
			return RollbackResult{}, fmt.Errorf("withdrawing stage %s: %w", gwconfig.StageKey(in.APIID, in.StageName), err)
		}
		return RollbackResult{}, nil
	}
	if err := a.Bus.PutStage(ctx, prev); err != nil {
		return RollbackResult{}, fmt.Errorf("republishing deployment %s: %w", prev.DeploymentID, err)
	}
	return RollbackResult{RestoredDeploymentID: prev.DeploymentID}, nil
}

// MarkDeployed points the stage at the deployment.
func (a *Activities) MarkDeployed(ctx context.Context, in Input) error {
	if err := a.Store.MarkDeployed(ctx, in.TenantID, in.DeploymentID); err != nil {
		return classify(err, "marking deployment %s deployed", in.DeploymentID)
	}
	return nil
}

// MarkFailedInput is the input of the MarkFailed activity.
type MarkFailedInput struct {
	Input  Input
	Reason string
}

// MarkFailed marks the deployment FAILED with the reason.
func (a *Activities) MarkFailed(ctx context.Context, in MarkFailedInput) error {
	if err := a.Store.MarkFailed(ctx, in.Input.TenantID, in.Input.DeploymentID, in.Reason); err != nil {
		return classify(err, "marking deployment %s failed", in.Input.DeploymentID)
	}
	return nil
}

// ProgressInput is the input of the RecordProgress activity.
type ProgressInput struct {
	Input   Input
	Message string
}

// RecordProgress appends a line to the deployment's progress.
func (a *Activities) RecordProgress(ctx context.Context, in ProgressInput) error {
	if err := a.Store.RecordProgress(ctx, in.Input.TenantID, in.Input.DeploymentID, in.Message); err != nil {
		return classify(err, "recording progress of deployment %s", in.Input.DeploymentID)
	}
	return nil
}
