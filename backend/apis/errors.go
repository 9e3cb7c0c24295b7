package apis

import "github.com/turnpike/turnpike/backend/apierr"

// Errors of the domain; the handlers answer with them as they are.
var (
	ErrAPINotFound        = apierr.NotFound("api.not-found", "API not found.")
	ErrRouteNotFound      = apierr.NotFound("route.not-found", "Route not found.")
	ErrStageNotFound      = apierr.NotFound("stage.not-found", "Stage not found.")
	ErrDeploymentNotFound = apierr.NotFound("deployment.not-found", "Deployment not found.")

	ErrAPIInvalid        = apierr.Unprocessable("api.invalid", "Invalid API.")
	ErrRouteInvalid      = apierr.Unprocessable("route.invalid", "Invalid route.")
	ErrStageInvalid      = apierr.Unprocessable("stage.invalid", "Invalid stage.")
	ErrDeploymentInvalid = apierr.Unprocessable("deployment.invalid", "Invalid deployment.")

	ErrRouteKeyTaken = apierr.Conflict("route.duplicate", "The API already has a route with this route key.")
	ErrStageExists   = apierr.Conflict("stage.duplicate", "The API already has a stage with this name.")
	// ErrDeploymentInProgress answers a deploy to a stage that is still
	// being deployed.
	ErrDeploymentInProgress = apierr.Conflict("deployment.in-progress",
		"A deployment to this stage is already in progress; wait for it to finish.")
	// ErrDeploymentFinished is returned to the deploy workflow when it works
	// on a deployment that has already finished.
	ErrDeploymentFinished = apierr.Conflict("deployment.finished", "The deployment has already finished.")

	// ErrWorkflowUnavailable answers a deploy that could not be started
	// because Temporal is unreachable.
	ErrWorkflowUnavailable = apierr.Unavailable("deployment.workflow-unavailable",
		"The deploy could not be started: the workflow service (Temporal) is unreachable. The deployment was marked FAILED; try again shortly.")
	// ErrFleetUnavailable answers a change that could not reach the fleet.
	ErrFleetUnavailable = apierr.Unavailable("fleet.unavailable",
		"The change could not be published to the gateway fleet; nothing was changed. Try again shortly.")
)
