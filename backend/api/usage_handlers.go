package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/reqctx"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// UsageConfig wires the usage module.
type UsageConfig struct {
	Service usage.Service
	// Authz decides ?includeValues=true on the key list (the caller must
	// also be allowed apigw:GetApiKey); usually the server's authorizer.
	Authz  Authorizer
	Logger *slog.Logger
}

// UsageModule serves /v1/apikeys and /v1/usageplans.
type UsageModule struct {
	cfg UsageConfig
	log *slog.Logger
}

var _ Module = (*UsageModule)(nil)

// NewUsageModule returns the module.
func NewUsageModule(cfg UsageConfig) (*UsageModule, error) {
	if cfg.Service == nil || cfg.Authz == nil {
		return nil, fmt.Errorf("usage module: Service and Authz are required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &UsageModule{cfg: cfg, log: log.With("component", "api.usage")}, nil
}

// IAM actions of the module, in API Gateway's vocabulary.
const (
	ActionCreateAPIKey       = "apigw:CreateApiKey"
	ActionGetAPIKeys         = "apigw:GetApiKeys"
	ActionGetAPIKey          = "apigw:GetApiKey"
	ActionUpdateAPIKey       = "apigw:UpdateApiKey"
	ActionDeleteAPIKey       = "apigw:DeleteApiKey"
	ActionImportAPIKeys      = "apigw:ImportApiKeys"
	ActionCreateUsagePlan    = "apigw:CreateUsagePlan"
	ActionGetUsagePlans      = "apigw:GetUsagePlans"
	ActionGetUsagePlan       = "apigw:GetUsagePlan"
	ActionUpdateUsagePlan    = "apigw:UpdateUsagePlan"
	ActionDeleteUsagePlan    = "apigw:DeleteUsagePlan"
	ActionCreateUsagePlanKey = "apigw:CreateUsagePlanKey"
	ActionGetUsagePlanKeys   = "apigw:GetUsagePlanKeys"
	ActionDeleteUsagePlanKey = "apigw:DeleteUsagePlanKey"
	ActionGetUsage           = "apigw:GetUsage"
	ActionUpdateUsage        = "apigw:UpdateUsage"
	resourceAPIKey           = "apikeys/{keyId}"
	resourceUsagePlan        = "usageplans/{usagePlanId}"
	resourceUsagePlanKey     = "usageplans/{usagePlanId}/keys/{keyId}"
)

// Routes implements Module. Each line names the permission the route needs.
func (m *UsageModule) Routes(r *Router) {
	const (
		get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	)
	withValue := exampleAPIKeyView
	withValue.Value = "q8Xc2mR7vT1bN4kP9sD3fG6hJ0lZ5wE2yU8iO1aS"
	r.Handle(get, "/apikeys", ActionGetAPIKeys, "apikeys",
		"List the API keys; ?includeValues=true adds their values (needs apigw:GetApiKey too)", m.listKeys,
		&RouteDoc{Response: APIKeyListView{Items: []APIKeyView{exampleAPIKeyView}}})
	r.Handle(post, "/apikeys", ActionCreateAPIKey, "apikeys",
		"Create an API key with a generated value, or the given one (20-128 characters); the answer shows the value", m.createKey,
		&RouteDoc{Request: usage.CreateAPIKeyCommand{Name: "mobile-app", Description: "iOS app", Tags: map[string]string{"team": "ios"}},
			Response: withValue, StatusCode: http.StatusCreated})
	r.Handle(post, "/apikeys/import", ActionImportAPIKeys, "apikeys",
		"Import API keys from a text/csv body in API Gateway's format (header Name,key,description,Enabled,usageplanIds); bad lines are reported and skipped",
		m.importKeys, &RouteDoc{Response: ImportAPIKeysView{IDs: []string{"x1y2z3w4v5"},
			Errors: []ImportErrorView{{Line: 3, Message: "Another API key already has this value."}}}, StatusCode: http.StatusCreated})
	r.Handle(get, "/apikeys/:keyId", ActionGetAPIKey, resourceAPIKey, "Get an API key; ?includeValue=true adds its value",
		m.getKey, &RouteDoc{Response: withValue})
	r.Handle(patch, "/apikeys/:keyId", ActionUpdateAPIKey, resourceAPIKey,
		"Change an API key's name, description, enabled flag or tags (tags replace all); reaches the fleet at once", m.updateKey,
		&RouteDoc{Request: usage.UpdateAPIKeyCommand{Enabled: ptr(false)}, Response: exampleAPIKeyView})
	r.Handle(del, "/apikeys/:keyId", ActionDeleteAPIKey, resourceAPIKey,
		"Delete an API key, detach it from its usage plans and withdraw it from the fleet", m.deleteKey,
		&RouteDoc{StatusCode: http.StatusNoContent})

	r.Handle(get, "/usageplans", ActionGetUsagePlans, "usageplans", "List the usage plans", m.listPlans,
		&RouteDoc{Response: UsagePlanListView{Items: []UsagePlanView{exampleUsagePlanView}}})
	r.Handle(post, "/usageplans", ActionCreateUsagePlan, "usageplans",
		"Create a usage plan: throttle, quota (DAY, WEEK or MONTH) and the API stages its keys may call (each must exist)", m.createPlan,
		&RouteDoc{Request: usage.CreateUsagePlanCommand{Name: "gold", Description: "Paying customers",
			Throttle: exampleUsagePlanView.Throttle, Quota: exampleUsagePlanView.Quota, APIStages: exampleUsagePlanView.APIStages},
			Response: exampleUsagePlanView, StatusCode: http.StatusCreated})
	r.Handle(get, "/usageplans/:usagePlanId", ActionGetUsagePlan, resourceUsagePlan, "Get a usage plan", m.getPlan,
		&RouteDoc{Response: exampleUsagePlanView})
	r.Handle(patch, "/usageplans/:usagePlanId", ActionUpdateUsagePlan, resourceUsagePlan,
		"Change a usage plan (throttle or quota null removes it; apiStages replaces them all); reaches the fleet at once", m.updatePlan,
		&RouteDoc{Request: usage.CreateUsagePlanCommand{Name: "gold", Throttle: exampleUsagePlanView.Throttle},
			Response: exampleUsagePlanView})
	r.Handle(del, "/usageplans/:usagePlanId", ActionDeleteUsagePlan, resourceUsagePlan,
		"Delete a usage plan, detach its keys and withdraw it from the fleet", m.deletePlan,
		&RouteDoc{StatusCode: http.StatusNoContent})

	r.Handle(get, "/usageplans/:usagePlanId/keys", ActionGetUsagePlanKeys, resourceUsagePlan,
		"List the API keys attached to a usage plan", m.listPlanKeys,
		&RouteDoc{Response: APIKeyListView{Items: []APIKeyView{exampleAPIKeyView}}})
	r.Handle(post, "/usageplans/:usagePlanId/keys", ActionCreateUsagePlanKey, resourceUsagePlan,
		"Attach an API key to a usage plan (409 if it is in another plan for one of the same API stages)", m.createPlanKey,
		&RouteDoc{Request: UsagePlanKeyRequest{KeyID: "x1y2z3w4v5"}, Response: exampleAPIKeyView, StatusCode: http.StatusCreated})
	r.Handle(del, "/usageplans/:usagePlanId/keys/:keyId", ActionDeleteUsagePlanKey, resourceUsagePlanKey,
		"Detach an API key from a usage plan", m.deletePlanKey, &RouteDoc{StatusCode: http.StatusNoContent})
	r.Handle(get, "/usageplans/:usagePlanId/usage", ActionGetUsage, resourceUsagePlan,
		"Requests per day of the plan's keys (?keyId=&startDate=YYYY-MM-DD&endDate=YYYY-MM-DD, at most 90 days)", m.getUsage,
		&RouteDoc{Response: exampleUsageView})
	r.Handle(post, "/usageplans/:usagePlanId/keys/:keyId/quota", ActionUpdateUsage, resourceUsagePlanKey,
		"Extend ({\"extend\":N}) or reset ({\"reset\":true}) a key's quota for the current period", m.updateUsage,
		&RouteDoc{Request: usage.UpdateUsageCommand{Extend: 500},
			Response: KeyQuotaView{KeyID: "x1y2z3w4v5", Used: 120, Remaining: 880, Limit: 1000, Period: gwconfig.QuotaDay}})
}

// --- API keys ---

func (m *UsageModule) listKeys(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	withValues := c.Query("includeValues") == "true"
	if withValues {
		p, _ := reqctx.PrincipalFrom(c.Request.Context())
		if err := m.cfg.Authz.Authorize(c.Request.Context(), p, ActionGetAPIKey, "apikeys/*"); err != nil {
			return err
		}
	}
	list, err := m.cfg.Service.ListAPIKeys(c.Request.Context(), tenant)
	if err != nil {
		return err
	}
	out := APIKeyListView{Items: make([]APIKeyView, len(list))}
	for i, k := range list {
		out.Items[i] = apiKeyView(k, withValues)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *UsageModule) createKey(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd usage.CreateAPIKeyCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	k, err := m.cfg.Service.CreateAPIKey(c.Request.Context(), tenant, cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, apiKeyView(k, true))
	return nil
}

var errNotCSV = apierr.BadRequest("request.not-csv", "The request body must be CSV (Content-Type: text/csv).")

func (m *UsageModule) importKeys(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "text/csv", "application/csv", "text/plain":
	default:
		return errNotCSV
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge
		}
		return errNotCSV.Errorf("reading body: %w", err)
	}
	res, err := m.cfg.Service.ImportAPIKeys(c.Request.Context(), tenant, body)
	if err != nil {
		return err
	}
	out := ImportAPIKeysView{IDs: res.IDs, Errors: make([]ImportErrorView, len(res.Errors))}
	for i, e := range res.Errors {
		out.Errors[i] = ImportErrorView{Line: e.Line, Message: e.Message}
	}
	status := http.StatusCreated
	if len(out.IDs) == 0 {
		status = http.StatusOK
	}
	c.JSON(status, out)
	return nil
}

func (m *UsageModule) getKey(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	k, err := m.cfg.Service.GetAPIKey(c.Request.Context(), tenant, c.Param("keyId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, apiKeyView(k, c.Query("includeValue") == "true"))
	return nil
}

func (m *UsageModule) updateKey(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd usage.UpdateAPIKeyCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	k, err := m.cfg.Service.UpdateAPIKey(c.Request.Context(), tenant, c.Param("keyId"), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, apiKeyView(k, false))
	return nil
}

func (m *UsageModule) deleteKey(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	if err := m.cfg.Service.DeleteAPIKey(c.Request.Context(), tenant, c.Param("keyId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// --- usage plans ---

func (m *UsageModule) listPlans(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	list, err := m.cfg.Service.ListUsagePlans(c.Request.Context(), tenant)
	if err != nil {
		return err
	}
	out := UsagePlanListView{Items: make([]UsagePlanView, len(list))}
	for i, p := range list {
		out.Items[i] = usagePlanView(p)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *UsageModule) createPlan(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd usage.CreateUsagePlanCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	p, err := m.cfg.Service.CreateUsagePlan(c.Request.Context(), tenant, cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, usagePlanView(p))
	return nil
}

func (m *UsageModule) getPlan(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	p, err := m.cfg.Service.GetUsagePlan(c.Request.Context(), tenant, c.Param("usagePlanId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, usagePlanView(p))
	return nil
}

func (m *UsageModule) updatePlan(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd usage.UpdateUsagePlanCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	p, err := m.cfg.Service.UpdateUsagePlan(c.Request.Context(), tenant, c.Param("usagePlanId"), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, usagePlanView(p))
	return nil
}

func (m *UsageModule) deletePlan(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	if err := m.cfg.Service.DeleteUsagePlan(c.Request.Context(), tenant, c.Param("usagePlanId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// --- plan keys and usage ---

func (m *UsageModule) listPlanKeys(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	list, err := m.cfg.Service.ListUsagePlanKeys(c.Request.Context(), tenant, c.Param("usagePlanId"))
	if err != nil {
		return err
	}
	out := APIKeyListView{Items: make([]APIKeyView, len(list))}
	for i, k := range list {
		out.Items[i] = apiKeyView(k, false)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

var errPlanKeyInvalid = apierr.Unprocessable("usageplankey.invalid", "Invalid usage plan key.")

func (m *UsageModule) createPlanKey(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var req UsagePlanKeyRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	switch {
	case req.KeyID == "":
		return errPlanKeyInvalid.WithMessage("Invalid usage plan key: keyId is required.").WithDetail("keyId", "required", "is required")
	case req.KeyType != "" && req.KeyType != "API_KEY":
		return errPlanKeyInvalid.WithMessage("Invalid usage plan key: keyType must be API_KEY.").WithDetail("keyType", "invalid", "must be API_KEY")
	}
	k, err := m.cfg.Service.CreateUsagePlanKey(c.Request.Context(), tenant, c.Param("usagePlanId"), req.KeyID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, apiKeyView(k, false))
	return nil
}

func (m *UsageModule) deletePlanKey(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	if err := m.cfg.Service.DeleteUsagePlanKey(c.Request.Context(), tenant, c.Param("usagePlanId"), c.Param("keyId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (m *UsageModule) getUsage(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	u, err := m.cfg.Service.GetUsage(c.Request.Context(), tenant, c.Param("usagePlanId"), usage.GetUsageQuery{
		KeyID: c.Query("keyId"), StartDate: c.Query("startDate"), EndDate: c.Query("endDate")})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, usageView(u))
	return nil
}

func (m *UsageModule) updateUsage(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd usage.UpdateUsageCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	q, err := m.cfg.Service.UpdateUsage(c.Request.Context(), tenant, c.Param("usagePlanId"), c.Param("keyId"), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, KeyQuotaView{KeyID: q.KeyID, Used: q.Used, Remaining: q.Remaining, Limit: q.Limit, Period: q.Period})
	return nil
}
