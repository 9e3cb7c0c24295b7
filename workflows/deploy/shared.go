// Package deploy is the Temporal workflow that deploys one stage of an API:
// compile the API's rows into an immutable snapshot, publish it to the
// fleet, wait until every live gateway serves it, then mark the stage
// deployed; on a timeout or error, put the previous snapshot back and mark
// the deployment FAILED with the reason.
package deploy

import (
	"context"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// TaskQueue is the task queue the deploy worker polls.
const TaskQueue = "turnpike-deploy"

// WorkflowName is the registered name of the deploy workflow.
const WorkflowName = "DeployStage"

// Deployment statuses, as the REST API shows them.
const (
	StatusPending    = "PENDING"
	StatusInProgress = "IN_PROGRESS"
	StatusDeployed   = "DEPLOYED"
	StatusFailed     = "FAILED"
)

// DefaultFleetTimeout bounds the wait for the fleet to converge.
const DefaultFleetTimeout = 60 * time.Second

// Input starts one deploy.
type Input struct {
	TenantID     string
	APIID        string
	StageName    string
	DeploymentID string
	// FleetTimeout bounds the wait for every live gateway to report the new
	// deployment; zero means DefaultFleetTimeout.
	FleetTimeout time.Duration
}

// WorkflowID is the Temporal workflow id of a deployment's workflow.
func WorkflowID(deploymentID string) string { return "deploy-" + deploymentID }

// Result is what the workflow returns.
type Result struct {
	Status string
	Reason string
	// Gateways is how many live gateways confirmed the new deployment.
	Gateways int
}

// Store is what the deploy activities need from the control plane's data.
// The backend implements it over its stores; every call is scoped to the
// tenant.
type Store interface {
	// CompileDeployment compiles the API's current routes and the stage's
	// variables into a snapshot, validates it with gwconfig, saves it on
	// the deployment row (status IN_PROGRESS) and returns it. A snapshot
	// that does not validate is returned as a *gwconfig.ValidationError.
	CompileDeployment(ctx context.Context, tenantID, deploymentID string) (*gwconfig.Stage, error)
	// ActiveSnapshot returns the snapshot the stage serves now, or nil if
	// the stage has never been deployed.
	ActiveSnapshot(ctx context.Context, tenantID, apiID, stageName string) (*gwconfig.Stage, error)
	// MarkDeployed points the stage at the deployment and marks the
	// deployment DEPLOYED, in one transaction.
	MarkDeployed(ctx context.Context, tenantID, deploymentID string) error
	// MarkFailed marks the deployment FAILED with a reason a user can act
	// on; the stage keeps its previous deployment.
	MarkFailed(ctx context.Context, tenantID, deploymentID, reason string) error
	// RecordProgress appends a line to the deployment's progress, which the
	// console streams while the deploy runs.
	RecordProgress(ctx context.Context, tenantID, deploymentID, message string) error
}
