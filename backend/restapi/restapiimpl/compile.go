package restapiimpl

import (
	"context"
	"fmt"
	"sort"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/restapi"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Compile turns a REST API's resource tree into snapshot routes: method M
// of the resource at path P becomes route "M P" (ANY stays ANY), with its
// required parameters, validator, JSON model and integration. It also
// returns the tenant's target groups the integrations use. It runs in the
// deployment's transaction (tx); every query is scoped to tenantID, so a
// connectionId of another tenant is not found and fails the deployment.
func Compile(ctx context.Context, tx *gorm.DB, tenantID, apiID string) ([]gwconfig.Route, map[string]gwconfig.TargetGroup, error) {
	s := &sqlStore{db: tx}
	resources, err := s.listResources(ctx, tenantID, apiID)
	if err != nil {
		return nil, nil, err
	}
	paths := make(map[string]string, len(resources))
	for _, r := range resources {
		paths[r.ID] = r.Path
	}
	methods, err := s.listMethods(ctx, tenantID, apiID)
	if err != nil {
		return nil, nil, err
	}
	validators, err := s.listValidators(ctx, tenantID, apiID)
	if err != nil {
		return nil, nil, err
	}
	vByID := map[string]*restapi.RequestValidator{}
	for _, v := range validators {
		vByID[v.ID] = v
	}
	models, err := s.listModels(ctx, tenantID, apiID)
	if err != nil {
		return nil, nil, err
	}
	mByName := map[string]*restapi.Model{}
	for _, m := range models {
		mByName[m.Name] = m
	}

	var routes []gwconfig.Route
	var groups map[string]gwconfig.TargetGroup
	for _, m := range methods {
		path, ok := paths[m.ResourceID]
		if !ok {
			continue
		}
		key := m.HTTPMethod + " " + path
		if m.MethodIntegration == nil {
			return nil, nil, restapi.ErrNotDeployable.WithDetail(key, "no_integration",
				"the method has no integration; put one or delete the method")
		}
		rt := gwconfig.Route{
			RouteID:           m.ResourceID + "/" + m.HTTPMethod,
			RouteKey:          key,
			Integration:       toGateway(m.MethodIntegration),
			RequestParameters: m.RequestParameters,
			APIKeyRequired:    m.APIKeyRequired,
		}
		if m.AuthorizationType == gwconfig.AuthorizationAWSIAM {
			rt.AuthorizationType = gwconfig.AuthorizationAWSIAM
		}
		if v := vByID[m.RequestValidatorID]; v != nil && (v.ValidateRequestBody || v.ValidateRequestParameters) {
			rt.RequestValidator = &gwconfig.RequestValidator{Body: v.ValidateRequestBody, Parameters: v.ValidateRequestParameters}
		}
		if name := m.RequestModels["application/json"]; name != "" {
			model := mByName[name]
			if model == nil {
				return nil, nil, restapi.ErrNotDeployable.WithDetail(key, "model_not_found", fmt.Sprintf("model %q does not exist", name))
			}
			rt.RequestSchema = model.Schema
		}
		if id := rt.Integration.TargetGroupID; id != "" {
			if _, done := groups[id]; !done {
				g, err := s.getTargetGroup(ctx, tenantID, id)
				if err != nil {
					return nil, nil, restapi.ErrNotDeployable.WithDetail(key, "target_group_not_found",
						fmt.Sprintf("target group %q not found", id))
				}
				if groups == nil {
					groups = map[string]gwconfig.TargetGroup{}
				}
				groups[id] = toGatewayGroup(tenantID, id, &g.TargetGroupCommand)
			}
		}
		routes = append(routes, rt)
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].RouteKey < routes[j].RouteKey })
	return routes, groups, nil
}
