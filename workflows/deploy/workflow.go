package deploy

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// FleetPollInterval is how often the workflow checks the fleet while it
// waits for it to converge.
const FleetPollInterval = 500 * time.Millisecond

// maxListedGateways bounds how many lagging gateways a reason names.
const maxListedGateways = 5

var (
	// stepOptions are for the steps that make the deploy: a few retries with
	// backoff, then the deploy fails and rolls back.
	stepOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Second,
			MaximumAttempts:    5,
		},
	}
	// checkOptions are for CheckFleet, which the wait loop calls again
	// anyway: retry little.
	checkOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    500 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumAttempts:    2,
		},
	}
	// progressOptions are for RecordProgress: a lost line must not fail a
	// deploy.
	progressOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    500 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumAttempts:    3,
		},
	}
	// cleanupOptions are for the steps that leave the stage consistent
	// (rollback, marking the result): retry longer, since a deployment left
	// IN_PROGRESS or a fleet left on a failed snapshot is worse than a slow
	// answer.
	cleanupOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
			MaximumAttempts:    10,
		},
	}
)

// Workflow deploys one stage: compile, publish, wait until every live
// gateway serves the new deployment, mark it DEPLOYED. On any failure
// after publishing it puts the previous snapshot back (or withdraws a
// stage that was never deployed) and marks the deployment FAILED with a
// reason a user can act on. It returns that outcome as a Result, not as an
// error, so the caller always sees the reason.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	d := &deployer{in: in, timeout: in.FleetTimeout}
	if d.timeout <= 0 {
		d.timeout = DefaultFleetTimeout
	}
	return d.run(ctx)
}

type deployer struct {
	in      Input
	timeout time.Duration
}

func (d *deployer) run(ctx workflow.Context) (Result, error) {
	logger := workflow.GetLogger(ctx)
	logger.Info("deploying", "deploymentId", d.in.DeploymentID, "stage", gwconfig.StageKey(d.in.APIID, d.in.StageName))

	var snap *gwconfig.Stage
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, stepOptions), CompileActivity, d.in).Get(ctx, &snap)
	if err != nil {
		return d.fail(ctx, false, "", "compiling failed: "+errMessage(err))
	}
	d.progress(ctx, fmt.Sprintf("Compiled %d %s", len(snap.Routes), plural(len(snap.Routes), "route", "routes")))

	var pub PublishResult
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, stepOptions), PublishActivity,
		PublishInput{Input: d.in, Snapshot: snap}).Get(ctx, &pub)
	if err != nil {
		// The put may have reached the bus before the activity failed, so
		// roll back as after any publish.
		return d.fail(ctx, true, "", "publishing to the fleet failed: "+errMessage(err))
	}
	d.progress(ctx, "Published to the fleet")

	n, reason := d.awaitFleet(ctx)
	if reason != "" {
		return d.fail(ctx, true, pub.PreviousDeploymentID, reason)
	}

	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, cleanupOptions), MarkDeployedActivity, d.in).Get(ctx, nil)
	if err != nil {
		return d.fail(ctx, true, pub.PreviousDeploymentID, "marking the deployment deployed failed: "+errMessage(err))
	}
	d.progress(ctx, "Deployed")
	logger.Info("deployed", "deploymentId", d.in.DeploymentID, "gateways", n)
	return Result{Status: StatusDeployed, Gateways: n}, nil
}

// awaitFleet polls the fleet until every live gateway serves the
// deployment, and returns how many do; or, past the deadline, the reason
// it failed.
func (d *deployer) awaitFleet(ctx workflow.Context) (int, string) {
	checkCtx := workflow.WithActivityOptions(ctx, checkOptions)
	deadline := workflow.Now(ctx).Add(d.timeout)
	var (
		last    FleetStatus
		checked bool
		lastErr error
		shown   string
	)
	for {
		var st FleetStatus
		err := workflow.ExecuteActivity(checkCtx, CheckFleetActivity, d.in).Get(ctx, &st)
		switch {
		case ctx.Err() != nil:
			return 0, "the deployment was cancelled"
		case err != nil:
			// Keep polling: the bus may come back before the deadline.
			lastErr = err
			workflow.GetLogger(ctx).Warn("checking the fleet failed", "error", err)
		case len(st.Live) == 0:
			d.progress(ctx, "no live gateways")
			return 0, ""
		default:
			last, checked, lastErr = st, true, nil
			msg := fmt.Sprintf("%d/%d gateways serving", len(st.Serving), len(st.Live))
			if msg != shown {
				d.progress(ctx, msg)
				shown = msg
			}
			if len(st.Lagging) == 0 {
				return len(st.Serving), ""
			}
		}
		if !workflow.Now(ctx).Before(deadline) {
			if lastErr != nil && !checked {
				return 0, fmt.Sprintf("could not check the fleet within %s: %s", seconds(d.timeout), errMessage(lastErr))
			}
			return 0, fmt.Sprintf("%s did not load deployment %s within %s",
				gatewayList(last.Lagging), d.in.DeploymentID, seconds(d.timeout))
		}
		if err := workflow.Sleep(ctx, FleetPollInterval); err != nil {
			return 0, "the deployment was cancelled"
		}
	}
}

// fail rolls back if the deployment was published, marks it FAILED and
// returns the FAILED result. It runs on a disconnected context, so a
// cancelled workflow still cleans up.
func (d *deployer) fail(ctx workflow.Context, published bool, previousID, reason string) (Result, error) {
	logger := workflow.GetLogger(ctx)
	if ctx.Err() != nil && !strings.Contains(reason, "cancelled") {
		reason = "the deployment was cancelled"
	}
	ctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()

	if published {
		var rb RollbackResult
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, cleanupOptions), RollbackActivity, d.in).Get(ctx, &rb)
		switch {
		case err != nil:
			logger.Error("rollback failed", "deploymentId", d.in.DeploymentID, "error", err)
			reason += fmt.Sprintf("; rolling back failed (%s): the fleet may still serve deployment %s", errMessage(err), d.in.DeploymentID)
		case rb.RestoredDeploymentID != "":
			reason += "; stage rolled back to " + rb.RestoredDeploymentID
		default:
			reason += "; stage withdrawn from the fleet (it had no earlier deployment)"
		}
		if err == nil && previousID != "" && rb.RestoredDeploymentID != previousID {
			// Someone else deployed the stage meanwhile; say what it serves.
			logger.Warn("rolled back to another deployment than the one replaced",
				"replaced", previousID, "restored", rb.RestoredDeploymentID)
		}
	}

	logger.Warn("deployment failed", "deploymentId", d.in.DeploymentID, "reason", reason)
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, cleanupOptions), MarkFailedActivity,
		MarkFailedInput{Input: d.in, Reason: reason}).Get(ctx, nil)
	if err != nil {
		logger.Error("marking the deployment failed failed", "deploymentId", d.in.DeploymentID, "error", err)
	}
	return Result{Status: StatusFailed, Reason: reason}, nil
}

// progress records a progress line; a failure is logged, never fatal.
func (d *deployer) progress(ctx workflow.Context, msg string) {
	if ctx.Err() != nil {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, progressOptions), RecordProgressActivity,
		ProgressInput{Input: d.in, Message: msg}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("recording progress failed", "message", msg, "error", err)
	}
}

// errMessage is the part of an activity error a user can read: the
// application error's message without Temporal's wrapping.
func errMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return "timed out"
	}
	if temporal.IsCanceledError(err) {
		return "cancelled"
	}
	return err.Error()
}

// gatewayList names gateways for a reason: "gateway gw-1",
// "gateways gw-1, gw-2", or the first few "and 3 more".
func gatewayList(ids []string) string {
	if len(ids) == 1 {
		return "gateway " + ids[0]
	}
	shown := ids
	if len(shown) > maxListedGateways {
		shown = shown[:maxListedGateways]
	}
	s := "gateways " + strings.Join(shown, ", ")
	if more := len(ids) - len(shown); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// seconds formats a timeout the way users set it: "60s", "1.5s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%gs", d.Seconds())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
