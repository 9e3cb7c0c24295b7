package usage

import "github.com/turnpike/turnpike/backend/apierr"

// Errors of the domain; the handlers answer with them as they are.
var (
	ErrAPIKeyNotFound       = apierr.NotFound("apikey.not-found", "API key not found.")
	ErrUsagePlanNotFound    = apierr.NotFound("usageplan.not-found", "Usage plan not found.")
	ErrUsagePlanKeyNotFound = apierr.NotFound("usageplankey.not-found", "The API key is not attached to this usage plan.")

	ErrAPIKeyInvalid    = apierr.Unprocessable("apikey.invalid", "Invalid API key.")
	ErrUsagePlanInvalid = apierr.Unprocessable("usageplan.invalid", "Invalid usage plan.")
	ErrImportInvalid    = apierr.Unprocessable("apikey.import-invalid", "The CSV file cannot be imported.")
	ErrUsageInvalid     = apierr.Unprocessable("usage.invalid", "Invalid usage request.")

	ErrAPIKeyValueTaken   = apierr.Conflict("apikey.duplicate-value", "Another API key already has this value.")
	ErrUsagePlanKeyExists = apierr.Conflict("usageplankey.duplicate", "The API key is already attached to this usage plan.")
	// ErrStageInTwoPlans refuses a key in two plans that share an API
	// stage: the gateway could not tell which plan's limits apply.
	ErrStageInTwoPlans = apierr.Conflict("usageplankey.stage-conflict",
		"The API key is already in another usage plan for one of this plan's API stages.")

	// ErrFleetUnavailable answers a change that could not reach the fleet.
	ErrFleetUnavailable = apierr.Unavailable("fleet.unavailable",
		"The change could not be published to the gateway fleet; nothing was changed. Try again shortly.")
	// ErrCountersUnavailable answers a usage read or change when the usage
	// counters (Redis) cannot be reached.
	ErrCountersUnavailable = apierr.Unavailable("usage.unavailable",
		"The usage counters cannot be reached right now. Try again shortly.")
)
