package deploy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/workflows/deploy"
)

func newSnapshot(deploymentID string, routes int) *gwconfig.Stage {
	s := &gwconfig.Stage{
		TenantID:     "t-1",
		APIID:        "a1",
		APIName:      "pets",
		ProtocolType: gwconfig.ProtocolHTTP,
		StageName:    "prod",
		DeploymentID: deploymentID,
		Revision:     time.Now().UnixNano(),
		PublishedAt:  time.Now().UTC(),
	}
	for range routes {
		s.Routes = append(s.Routes, gwconfig.Route{
			RouteID:     "r",
			RouteKey:    "GET /pets",
			Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock},
		})
	}
	s.SetDefaults()
	return s
}

func input(deploymentID string) deploy.Input {
	return deploy.Input{TenantID: "t-1", APIID: "a1", StageName: "prod", DeploymentID: deploymentID}
}

type harness struct {
	env   *testsuite.TestWorkflowEnvironment
	store *fakeStore
	bus   *syncBus
}

func newHarness(t *testing.T) *harness {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	h := &harness{env: env, store: newFakeStore(), bus: &syncBus{Bus: fleet.NewMemory()}}
	deploy.Register(env, &deploy.Activities{Store: h.store, Bus: h.bus})
	t.Cleanup(func() { env.AssertExpectations(t) })
	return h
}

// previous makes d-0 the stage's deployed, published snapshot.
func (h *harness) previous(t *testing.T) {
	prev := newSnapshot("d-0", 1)
	h.store.activate(prev)
	require.NoError(t, h.bus.Bus.PutStage(t.Context(), prev))
}

func (h *harness) run(t *testing.T, in deploy.Input) deploy.Result {
	h.env.ExecuteWorkflow(deploy.WorkflowName, in)
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var res deploy.Result
	require.NoError(t, h.env.GetWorkflowResult(&res))
	return res
}

func (h *harness) published(t *testing.T) string {
	s, err := h.bus.GetStage(context.Background(), "a1", "prod")
	if err == fleet.ErrNotFound {
		return ""
	}
	require.NoError(t, err)
	return s.DeploymentID
}

func TestWorkflowDeploys(t *testing.T) {
	h := newHarness(t)
	h.previous(t)
	h.bus.addGateway(t.Context(), "gw-1", false)
	h.bus.addGateway(t.Context(), "gw-2", false)
	h.store.addDeployment(newSnapshot("d-1", 3))

	res := h.run(t, input("d-1"))

	assert.Equal(t, deploy.Result{Status: deploy.StatusDeployed, Gateways: 2}, res)
	assert.Equal(t, "d-1", h.published(t))
	deployed, failed, progress, _ := h.store.snapshot()
	assert.Equal(t, []string{"d-1"}, deployed)
	assert.Empty(t, failed)
	assert.Equal(t, []string{"Compiled 3 routes", "Published to the fleet", "2/2 gateways serving", "Deployed"}, progress)
}

func TestWorkflowReportsConvergence(t *testing.T) {
	h := newHarness(t)
	h.previous(t)
	h.bus.addGateway(t.Context(), "gw-1", false)
	slow := h.bus.addGateway(t.Context(), "gw-2", false)
	slow.setStuck(true)
	h.store.addDeployment(newSnapshot("d-1", 1))
	// gw-2 catches up after 5s of workflow time.
	h.env.RegisterDelayedCallback(func() {
		slow.setStuck(false)
		require.NoError(t, slow.sync(context.Background()))
	}, 5*time.Second)

	res := h.run(t, input("d-1"))

	assert.Equal(t, deploy.Result{Status: deploy.StatusDeployed, Gateways: 2}, res)
	_, _, progress, _ := h.store.snapshot()
	assert.Equal(t, []string{"Compiled 1 route", "Published to the fleet", "1/2 gateways serving", "2/2 gateways serving", "Deployed"}, progress)
}

func TestWorkflowInvalidConfig(t *testing.T) {
	h := newHarness(t)
	h.previous(t)
	h.bus.addGateway(t.Context(), "gw-1", false)
	bad := newSnapshot("d-1", 1)
	bad.Routes[0].RouteKey = "FETCH pets"
	h.store.compileErr = bad.Validate()
	require.Error(t, h.store.compileErr)

	res := h.run(t, input("d-1"))

	assert.Equal(t, deploy.StatusFailed, res.Status)
	assert.Contains(t, res.Reason, "compiling failed: compiling deployment d-1: invalid config: routes[0].routeKey")
	assert.NotContains(t, res.Reason, "rolled back")
	assert.Equal(t, "d-0", h.published(t))
	deployed, failed, progress, compileCalls := h.store.snapshot()
	assert.Empty(t, deployed)
	assert.Equal(t, map[string]string{"d-1": res.Reason}, failed)
	assert.Empty(t, progress)
	assert.Equal(t, 1, compileCalls, "a validation error is not retried")
}

func TestWorkflowRollsBack(t *testing.T) {
	h := newHarness(t)
	h.previous(t)
	h.bus.addGateway(t.Context(), "gw-1", false)
	stuck := h.bus.addGateway(t.Context(), "gw-2", false)
	stuck.setStuck(true)
	h.store.addDeployment(newSnapshot("d-1", 1))

	in := input("d-1")
	in.FleetTimeout = 30 * time.Second
	res := h.run(t, in)

	want := "gateway gw-2 did not load deployment d-1 within 30s; stage rolled back to d-0"
	assert.Equal(t, deploy.Result{Status: deploy.StatusFailed, Reason: want}, res)
	assert.Equal(t, "d-0", h.published(t))
	gws, err := h.bus.Gateways(t.Context())
	require.NoError(t, err)
	for _, g := range gws {
		assert.True(t, g.Serves("a1", "prod", "d-0"), g.GatewayID)
	}
	deployed, failed, progress, _ := h.store.snapshot()
	assert.Empty(t, deployed)
	assert.Equal(t, map[string]string{"d-1": want}, failed)
	assert.Equal(t, []string{"Compiled 1 route", "Published to the fleet", "1/2 gateways serving"}, progress)
}

func TestWorkflowWithdrawsFirstDeployment(t *testing.T) {
	h := newHarness(t)
	h.bus.addGateway(t.Context(), "gw-1", true)
	h.bus.addGateway(t.Context(), "gw-2", true)
	h.bus.addGateway(t.Context(), "gw-3", false)
	h.store.addDeployment(newSnapshot("d-1", 1))

	res := h.run(t, input("d-1"))

	assert.Equal(t, deploy.StatusFailed, res.Status)
	assert.Equal(t, "gateways gw-1, gw-2 did not load deployment d-1 within 60s; stage withdrawn from the fleet (it had no earlier deployment)", res.Reason)
	assert.Empty(t, h.published(t))
	_, failed, _, _ := h.store.snapshot()
	assert.Equal(t, res.Reason, failed["d-1"])
}

func TestWorkflowNoLiveGateways(t *testing.T) {
	h := newHarness(t)
	h.previous(t)
	h.store.addDeployment(newSnapshot("d-1", 2))

	res := h.run(t, input("d-1"))

	assert.Equal(t, deploy.Result{Status: deploy.StatusDeployed}, res)
	assert.Equal(t, "d-1", h.published(t))
	deployed, _, progress, _ := h.store.snapshot()
	assert.Equal(t, []string{"d-1"}, deployed)
	assert.Equal(t, []string{"Compiled 2 routes", "Published to the fleet", "no live gateways", "Deployed"}, progress)
}

func TestWorkflowCancelled(t *testing.T) {
	h := newHarness(t)
	h.previous(t)
	h.bus.addGateway(t.Context(), "gw-1", true)
	h.store.addDeployment(newSnapshot("d-1", 1))
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 10*time.Second)

	res := h.run(t, input("d-1"))

	assert.Equal(t, deploy.Result{Status: deploy.StatusFailed, Reason: "the deployment was cancelled; stage rolled back to d-0"}, res)
	assert.Equal(t, "d-0", h.published(t))
	_, failed, _, _ := h.store.snapshot()
	assert.Equal(t, res.Reason, failed["d-1"])
}

func TestWorkflowSnapshotOfAnotherStage(t *testing.T) {
	h := newHarness(t)
	h.previous(t)
	other := newSnapshot("d-1", 1)
	other.StageName = "dev"
	h.store.addDeployment(other)

	res := h.run(t, input("d-1"))

	assert.Equal(t, deploy.StatusFailed, res.Status)
	assert.Equal(t, "compiling failed: compiling deployment d-1: the snapshot is deployment d-1 of a1/dev, not of a1/prod", res.Reason)
	assert.Equal(t, "d-0", h.published(t))
	_, _, _, compileCalls := h.store.snapshot()
	assert.Equal(t, 1, compileCalls)
}

// failingBus fails every put of one deployment.
type failingBus struct {
	*syncBus
	deploymentID string
}

func (b *failingBus) PutStage(ctx context.Context, s *gwconfig.Stage) error {
	if s.DeploymentID == b.deploymentID {
		return errors.New("redis: connection refused")
	}
	return b.syncBus.PutStage(ctx, s)
}

func TestWorkflowPublishFails(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	store := newFakeStore()
	bus := &syncBus{Bus: fleet.NewMemory()}
	deploy.Register(env, &deploy.Activities{Store: store, Bus: &failingBus{syncBus: bus, deploymentID: "d-1"}})
	prev := newSnapshot("d-0", 1)
	store.activate(prev)
	require.NoError(t, bus.PutStage(t.Context(), prev))
	store.addDeployment(newSnapshot("d-1", 1))

	env.ExecuteWorkflow(deploy.WorkflowName, input("d-1"))
	require.NoError(t, env.GetWorkflowError())
	var res deploy.Result
	require.NoError(t, env.GetWorkflowResult(&res))

	want := "publishing to the fleet failed: publishing deployment d-1: redis: connection refused; stage rolled back to d-0"
	assert.Equal(t, deploy.Result{Status: deploy.StatusFailed, Reason: want}, res)
	got, err := bus.GetStage(t.Context(), "a1", "prod")
	require.NoError(t, err)
	assert.Equal(t, "d-0", got.DeploymentID)
	_, failed, _, _ := store.snapshot()
	assert.Equal(t, want, failed["d-1"])
}
