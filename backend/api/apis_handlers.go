package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/reqctx"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// GatewayLister lists the fleet's live gateways; fleet.Bus implements it.
type GatewayLister interface {
	Gateways(ctx context.Context) ([]fleet.Heartbeat, error)
}

// APIsConfig wires the APIs module.
type APIsConfig struct {
	Service apis.Service
	// Gateways backs GET /v1/gateways; usually the fleet bus.
	Gateways GatewayLister
	Logger   *slog.Logger
	// BaseDomain (default localhost): invoke hosts are
	// {apiId}.execute-api.{BaseDomain}.
	BaseDomain string
	// GatewayURL (default http://localhost:8081): invoke URLs take its
	// scheme and port.
	GatewayURL string

	// PollInterval is how often ?wait=true and the event stream re-read a
	// deployment (default 250ms).
	PollInterval time.Duration
	// WaitTimeout bounds ?wait=true (default 90s).
	WaitTimeout time.Duration
	// KeepAlive is the event stream's keep-alive comment interval
	// (default 15s).
	KeepAlive time.Duration
}

// APIsModule serves /v1/apis (APIs, routes, stages, deployments) and
// /v1/gateways.
type APIsModule struct {
	cfg APIsConfig
	ep  endpoints
	log *slog.Logger
}

var _ Module = (*APIsModule)(nil)

// NewAPIsModule returns the module.
func NewAPIsModule(cfg APIsConfig) (*APIsModule, error) {
	if cfg.Service == nil || cfg.Gateways == nil {
		return nil, fmt.Errorf("apis module: Service and Gateways are required")
	}
	ep, err := newEndpoints(cfg.BaseDomain, cfg.GatewayURL)
	if err != nil {
		return nil, fmt.Errorf("apis module: gateway URL: %w", err)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.WaitTimeout <= 0 {
		cfg.WaitTimeout = 90 * time.Second
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &APIsModule{cfg: cfg, ep: ep, log: log.With("component", "api.apis")}, nil
}

// IAM actions of the module, in API Gateway's vocabulary.
const (
	ActionCreateAPI         = "apigw:CreateApi"
	ActionGetAPI            = "apigw:GetApi"
	ActionGetAPIs           = "apigw:GetApis"
	ActionUpdateAPI         = "apigw:UpdateApi"
	ActionDeleteAPI         = "apigw:DeleteApi"
	ActionCreateRoute       = "apigw:CreateRoute"
	ActionGetRoute          = "apigw:GetRoute"
	ActionGetRoutes         = "apigw:GetRoutes"
	ActionUpdateRoute       = "apigw:UpdateRoute"
	ActionDeleteRoute       = "apigw:DeleteRoute"
	ActionCreateStage       = "apigw:CreateStage"
	ActionGetStage          = "apigw:GetStage"
	ActionGetStages         = "apigw:GetStages"
	ActionUpdateStage       = "apigw:UpdateStage"
	ActionDeleteStage       = "apigw:DeleteStage"
	ActionCreateDeployment  = "apigw:CreateDeployment"
	ActionGetDeployment     = "apigw:GetDeployment"
	ActionGetDeployments    = "apigw:GetDeployments"
	ActionGetGateways       = "apigw:GetGateways"
	resourceAPI             = "apis/{apiId}"
	resourceRoute           = "apis/{apiId}/routes/{routeId}"
	resourceStage           = "apis/{apiId}/stages/{stageName}"
	resourceDeployment      = "apis/{apiId}/deployments/{deploymentId}"
	resourceAnyStageOfAnAPI = "apis/{apiId}/stages/{body.stageName}"
)

// Routes implements Module. Each line names the permission the route needs.
func (m *APIsModule) Routes(r *Router) {
	const (
		get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	)
	r.Handle(get, "/apis", ActionGetAPIs, "apis", "List the APIs", m.listAPIs,
		&RouteDoc{Response: APIListView{Items: []APIView{exampleAPIView}}})
	r.Handle(post, "/apis", ActionCreateAPI, "apis", "Create an API", m.createAPI,
		&RouteDoc{Request: apis.CreateAPICommand{Name: "pets", ProtocolType: "HTTP", Description: "Pet store"},
			Response: exampleAPIView, StatusCode: http.StatusCreated})
	r.Handle(get, "/apis/:apiId", ActionGetAPI, resourceAPI, "Get an API", m.getAPI,
		&RouteDoc{Response: exampleAPIView})
	r.Handle(patch, "/apis/:apiId", ActionUpdateAPI, resourceAPI, "Update an API's name or description", m.updateAPI,
		&RouteDoc{Request: apis.UpdateAPICommand{Name: ptr("pets"), Description: ptr("Pet store")}, Response: exampleAPIView})
	r.Handle(del, "/apis/:apiId", ActionDeleteAPI, resourceAPI,
		"Delete an API with its routes, stages and deployments, and withdraw it from the fleet", m.deleteAPI,
		&RouteDoc{StatusCode: http.StatusNoContent})

	r.Handle(get, "/apis/:apiId/routes", ActionGetRoutes, "apis/{apiId}/routes", "List an API's routes", m.listRoutes,
		&RouteDoc{Response: RouteListView{Items: []RouteView{exampleRouteView}}})
	r.Handle(post, "/apis/:apiId/routes", ActionCreateRoute, "apis/{apiId}/routes", "Add a route to an API", m.createRoute,
		&RouteDoc{Request: exampleCreateRoute, Response: exampleRouteView, StatusCode: http.StatusCreated})
	r.Handle(get, "/apis/:apiId/routes/:routeId", ActionGetRoute, resourceRoute, "Get a route", m.getRoute,
		&RouteDoc{Response: exampleRouteView})
	r.Handle(patch, "/apis/:apiId/routes/:routeId", ActionUpdateRoute, resourceRoute,
		"Change a route's key, integration or authorization type", m.updateRoute,
		&RouteDoc{Request: apis.UpdateRouteCommand{RouteKey: ptr("GET /pets/{petId}"), Integration: &exampleCreateRoute.Integration,
			AuthorizationType: ptr("AWS_IAM")},
			Response: exampleRouteView})
	r.Handle(del, "/apis/:apiId/routes/:routeId", ActionDeleteRoute, resourceRoute, "Delete a route", m.deleteRoute,
		&RouteDoc{StatusCode: http.StatusNoContent})

	r.Handle(get, "/apis/:apiId/stages", ActionGetStages, "apis/{apiId}/stages", "List an API's stages", m.listStages,
		&RouteDoc{Response: StageListView{Items: []StageView{exampleStageView}}})
	r.Handle(post, "/apis/:apiId/stages", ActionCreateStage, "apis/{apiId}/stages", "Add a stage to an API", m.createStage,
		&RouteDoc{Request: apis.CreateStageCommand{StageName: "prod", Description: "Production",
			StageVariables: map[string]string{"backend": "pets.internal"}}, Response: exampleStageView, StatusCode: http.StatusCreated})
	r.Handle(get, "/apis/:apiId/stages/:stageName", ActionGetStage, resourceStage, "Get a stage", m.getStage,
		&RouteDoc{Response: exampleStageView})
	r.Handle(patch, "/apis/:apiId/stages/:stageName", ActionUpdateStage, resourceStage,
		"Update a stage; new stage variables of a deployed stage reach the fleet at once, without a redeploy", m.updateStage,
		&RouteDoc{Request: apis.UpdateStageCommand{Description: ptr("Production"),
			StageVariables: map[string]string{"backend": "pets.internal"}}, Response: exampleStageView})
	r.Handle(del, "/apis/:apiId/stages/:stageName", ActionDeleteStage, resourceStage,
		"Delete a stage and withdraw it from the fleet", m.deleteStage, &RouteDoc{StatusCode: http.StatusNoContent})

	r.Handle(get, "/apis/:apiId/deployments", ActionGetDeployments, "apis/{apiId}/deployments",
		"List an API's deployments, newest first", m.listDeployments,
		&RouteDoc{Response: DeploymentListView{Items: []DeploymentView{exampleDeploymentView}}})
	// The stage to deploy is in the body: the router authorizes the stage
	// it names ({body.stageName}), so a policy can allow dev and deny prod.
	r.Handle(post, "/apis/:apiId/deployments", ActionCreateDeployment, resourceAnyStageOfAnAPI,
		"Deploy the API's routes to a stage (202); with ?wait=true answer 200 once it is DEPLOYED or FAILED (at most 90 s)",
		m.createDeployment,
		&RouteDoc{Request: apis.CreateDeploymentCommand{StageName: "prod", Description: "Add pets routes"},
			Response: exampleDeploymentView, StatusCode: http.StatusAccepted,
			// The deploy workflow reads the deployment row: it must be
			// committed before the workflow starts, and ?wait outlasts it.
			NoTx: true})
	r.Handle(get, "/apis/:apiId/deployments/:deploymentId", ActionGetDeployment, resourceDeployment, "Get a deployment",
		m.getDeployment, &RouteDoc{Response: exampleDeploymentView})
	r.Handle(get, "/apis/:apiId/deployments/:deploymentId/events", ActionGetDeployment, resourceDeployment,
		"Stream a deployment's changes as Server-Sent Events (event: deployment) until it finishes", m.deploymentEvents,
		&RouteDoc{Response: EventStreamDoc{Event: "deployment", Data: exampleDeploymentView}})

	r.Handle(get, "/gateways", ActionGetGateways, "gateways", "List the live gateways and which of your stages they serve",
		m.listGateways, &RouteDoc{Response: GatewayListView{Items: []GatewayView{exampleGatewayView}}})
}

var errNoPrincipal = apierr.Unauthorized("auth.required", "Authentication required.")

// apisTenant is the calling principal's tenant.
func apisTenant(c *gin.Context) (string, error) {
	p, ok := reqctx.PrincipalFrom(c.Request.Context())
	if !ok || p.TenantID == "" {
		return "", errNoPrincipal
	}
	return p.TenantID, nil
}

// --- APIs ---

func (m *APIsModule) listAPIs(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	list, err := m.cfg.Service.ListAPIs(c.Request.Context(), tenant)
	if err != nil {
		return err
	}
	out := APIListView{Items: make([]APIView, len(list))}
	for i, a := range list {
		out.Items[i] = m.ep.apiView(a)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *APIsModule) createAPI(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd apis.CreateAPICommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	a, err := m.cfg.Service.CreateAPI(c.Request.Context(), tenant, cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, m.ep.apiView(a))
	return nil
}

func (m *APIsModule) getAPI(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	a, err := m.cfg.Service.GetAPI(c.Request.Context(), tenant, c.Param("apiId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, m.ep.apiView(a))
	return nil
}

func (m *APIsModule) updateAPI(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd apis.UpdateAPICommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	a, err := m.cfg.Service.UpdateAPI(c.Request.Context(), tenant, c.Param("apiId"), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, m.ep.apiView(a))
	return nil
}

func (m *APIsModule) deleteAPI(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	if err := m.cfg.Service.DeleteAPI(c.Request.Context(), tenant, c.Param("apiId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// --- Routes ---

func (m *APIsModule) listRoutes(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	list, err := m.cfg.Service.ListRoutes(c.Request.Context(), tenant, c.Param("apiId"))
	if err != nil {
		return err
	}
	out := RouteListView{Items: make([]RouteView, len(list))}
	for i, r := range list {
		out.Items[i] = routeView(r)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *APIsModule) createRoute(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd apis.CreateRouteCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	r, err := m.cfg.Service.CreateRoute(c.Request.Context(), tenant, c.Param("apiId"), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, routeView(r))
	return nil
}

func (m *APIsModule) getRoute(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	r, err := m.cfg.Service.GetRoute(c.Request.Context(), tenant, c.Param("apiId"), c.Param("routeId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, routeView(r))
	return nil
}

func (m *APIsModule) updateRoute(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd apis.UpdateRouteCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	r, err := m.cfg.Service.UpdateRoute(c.Request.Context(), tenant, c.Param("apiId"), c.Param("routeId"), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, routeView(r))
	return nil
}

func (m *APIsModule) deleteRoute(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	if err := m.cfg.Service.DeleteRoute(c.Request.Context(), tenant, c.Param("apiId"), c.Param("routeId")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// --- Stages ---

func (m *APIsModule) listStages(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	list, err := m.cfg.Service.ListStages(c.Request.Context(), tenant, c.Param("apiId"))
	if err != nil {
		return err
	}
	out := StageListView{Items: make([]StageView, len(list))}
	for i, s := range list {
		out.Items[i] = m.ep.stageView(s)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (m *APIsModule) createStage(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd apis.CreateStageCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	s, err := m.cfg.Service.CreateStage(c.Request.Context(), tenant, c.Param("apiId"), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, m.ep.stageView(s))
	return nil
}

func (m *APIsModule) getStage(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	s, err := m.cfg.Service.GetStage(c.Request.Context(), tenant, c.Param("apiId"), c.Param("stageName"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, m.ep.stageView(s))
	return nil
}

func (m *APIsModule) updateStage(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	var cmd apis.UpdateStageCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	s, err := m.cfg.Service.UpdateStage(c.Request.Context(), tenant, c.Param("apiId"), c.Param("stageName"), cmd)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, m.ep.stageView(s))
	return nil
}

func (m *APIsModule) deleteStage(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	if err := m.cfg.Service.DeleteStage(c.Request.Context(), tenant, c.Param("apiId"), c.Param("stageName")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// --- Deployments ---

func (m *APIsModule) listDeployments(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	list, err := m.cfg.Service.ListDeployments(c.Request.Context(), tenant, c.Param("apiId"))
	if err != nil {
		return err
	}
	out := DeploymentListView{Items: make([]DeploymentView, len(list))}
	for i, d := range list {
		out.Items[i] = deploymentView(d)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

var errWaitInvalid = apierr.BadRequest("request.invalid-query", "Query parameter wait must be true or false.")

// createDeployment answers 202 with the PENDING deployment, or with
// ?wait=true 200 with the finished one; if the wait runs out first it
// answers 202 with the deployment as it stands.
func (m *APIsModule) createDeployment(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	wait := false
	switch c.Query("wait") {
	case "", "false":
	case "true":
		wait = true
	default:
		return errWaitInvalid
	}
	var cmd apis.CreateDeploymentCommand
	if err := BindJSON(c, &cmd); err != nil {
		return err
	}
	ctx := c.Request.Context()
	apiID := c.Param("apiId")
	d, err := m.cfg.Service.CreateDeployment(ctx, tenant, apiID, cmd)
	if err != nil {
		return err
	}
	if !wait {
		c.JSON(http.StatusAccepted, deploymentView(d))
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.WaitTimeout)
	defer cancel()
	tick := time.NewTicker(m.cfg.PollInterval)
	defer tick.Stop()
	for !d.Terminal() {
		select {
		case <-ctx.Done():
			c.JSON(http.StatusAccepted, deploymentView(d))
			return nil
		case <-tick.C:
		}
		cur, err := m.cfg.Service.GetDeployment(ctx, tenant, apiID, d.ID)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			return err
		}
		d = cur
	}
	c.JSON(http.StatusOK, deploymentView(d))
	return nil
}

func (m *APIsModule) getDeployment(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	d, err := m.cfg.Service.GetDeployment(c.Request.Context(), tenant, c.Param("apiId"), c.Param("deploymentId"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, deploymentView(d))
	return nil
}

// --- Gateways ---

// listGateways shows every live gateway, but only the calling tenant's
// stages in each: the fleet is shared.
func (m *APIsModule) listGateways(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	own, err := m.cfg.Service.ListAPIs(ctx, tenant)
	if err != nil {
		return err
	}
	mine := make(map[string]bool, len(own))
	for _, a := range own {
		mine[a.ID] = true
	}
	hbs, err := m.cfg.Gateways.Gateways(ctx)
	if err != nil {
		return apis.ErrFleetUnavailable.WithMessage("The gateway fleet cannot be reached.").Errorf("listing gateways: %w", err)
	}
	out := GatewayListView{Items: make([]GatewayView, 0, len(hbs))}
	for _, hb := range hbs {
		g := GatewayView{GatewayID: hb.GatewayID, Addr: hb.Addr, StartedAt: hb.StartedAt, SeenAt: hb.SeenAt,
			Stages: map[string]string{}}
		for key, dep := range hb.Stages {
			apiID, _, _ := strings.Cut(key, "/")
			if mine[apiID] {
				g.Stages[key] = dep
			}
		}
		out.Items = append(out.Items, g)
	}
	slices.SortFunc(out.Items, func(a, b GatewayView) int { return strings.Compare(a.GatewayID, b.GatewayID) })
	c.JSON(http.StatusOK, out)
	return nil
}

func ptr[T any](v T) *T { return &v }

// Examples for the OpenAPI document.
var (
	exampleTime    = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	exampleAPIView = APIView{APIID: "a1b2c3d4e5", Name: "pets", Description: "Pet store", ProtocolType: "HTTP",
		APIEndpoint: "http://a1b2c3d4e5.execute-api.localhost:8081", CreatedAt: exampleTime, UpdatedAt: exampleTime}
	exampleCreateRoute = apis.CreateRouteCommand{RouteKey: "GET /pets/{petId}", Integration: gwconfig.Integration{
		Type: gwconfig.IntegrationHTTPProxy, URI: "https://${stageVariables.backend}/pets/{petId}", HTTPMethod: "GET",
		TimeoutInMillis: 5000}, AuthorizationType: "NONE"}
	exampleRouteView = RouteView{RouteID: "r1s2t3u", RouteKey: "GET /pets/{petId}",
		Integration: integrationView(exampleCreateRoute.Integration), AuthorizationType: "NONE",
		CreatedAt: exampleTime, UpdatedAt: exampleTime}
	exampleStageView = StageView{StageName: "prod", Description: "Production",
		StageVariables: map[string]string{"backend": "pets.internal"}, DeploymentID: "d1e2f3g4",
		InvokeURL: "http://a1b2c3d4e5.execute-api.localhost:8081/prod", LastDeploymentStatus: "DEPLOYED",
		CreatedAt: exampleTime, UpdatedAt: exampleTime}
	exampleDeploymentView = DeploymentView{DeploymentID: "d1e2f3g4", StageName: "prod", Description: "Add pets routes",
		Status: "DEPLOYED", Progress: []apis.ProgressEntry{{At: exampleTime, Message: "Deployment created"}},
		RouteCount: 1, CreatedAt: exampleTime, UpdatedAt: exampleTime, DeployedAt: &exampleTime}
	exampleGatewayView = GatewayView{GatewayID: "gw-1", Addr: ":8081", StartedAt: exampleTime, SeenAt: exampleTime,
		Stages: map[string]string{"a1b2c3d4e5/prod": "d1e2f3g4"}}
)
