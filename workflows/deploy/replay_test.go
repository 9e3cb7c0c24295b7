package deploy_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/turnpike/turnpike/workflows/deploy"
)

// TestReplay replays histories recorded against a real Temporal server, so
// a change to the workflow that breaks running deployments fails here.
// Record them again (after a deliberate, versioned change) with:
//
//	go test -tags e2e ./workflows/deploy -run E2E -args -record
func TestReplay(t *testing.T) {
	for _, file := range []string{"testdata/deploy_success.json", "testdata/deploy_rollback.json"} {
		t.Run(file, func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(deploy.Workflow, workflow.RegisterOptions{Name: deploy.WorkflowName})
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, file))
		})
	}
}
