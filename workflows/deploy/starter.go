package deploy

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// ErrAlreadyStarted is returned by Starter.Start when the deployment's
// workflow has run or is running: a deployment is deployed once.
var ErrAlreadyStarted = errors.New("deploy: workflow already started")

// Starter starts the deploy workflow of one deployment; the backend calls
// it after creating the deployment row.
type Starter interface {
	Start(ctx context.Context, in Input) error
}

// NewStarter returns a Starter over a Temporal client.
func NewStarter(c client.Client) Starter { return &starter{c: c} }

type starter struct{ c client.Client }

var _ Starter = (*starter)(nil)

// StartOptions are the options a deployment's workflow starts with.
func StartOptions(deploymentID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:        WorkflowID(deploymentID),
		TaskQueue: TaskQueue,
		// A deployment id is used once, even after its workflow ended.
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
}

func (s *starter) Start(ctx context.Context, in Input) error {
	if in.DeploymentID == "" {
		return errors.New("deploy: starting a workflow without a deployment id")
	}
	_, err := s.c.ExecuteWorkflow(ctx, StartOptions(in.DeploymentID), WorkflowName, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return fmt.Errorf("%w: %s", ErrAlreadyStarted, WorkflowID(in.DeploymentID))
	}
	if err != nil {
		return fmt.Errorf("starting workflow %s: %w", WorkflowID(in.DeploymentID), err)
	}
	return nil
}

// Wait blocks until the deployment's workflow ends and returns its result.
func Wait(ctx context.Context, c client.Client, deploymentID string) (Result, error) {
	var res Result
	if err := c.GetWorkflow(ctx, WorkflowID(deploymentID), "").Get(ctx, &res); err != nil {
		return Result{}, fmt.Errorf("waiting for workflow %s: %w", WorkflowID(deploymentID), err)
	}
	return res, nil
}
