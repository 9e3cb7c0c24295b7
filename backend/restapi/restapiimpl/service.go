// Package restapiimpl implements restapi.Service over a gorm store and
// compiles a REST API's resource tree into snapshot routes for deployments.
package restapiimpl

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/restapi"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/router"
)

// Service implements restapi.Service.
type Service struct {
	s      *sqlStore
	groups fleet.TenantBus // nil: target groups travel only in deployments
	log    *slog.Logger
}

var _ restapi.Service = (*Service)(nil)

// ProvideService returns the service over the database.
func ProvideService(d *db.DB, opts ...Option) *Service {
	s := &Service{s: &sqlStore{db: d.Gorm}, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// ensureRoot checks the API and gives it its root resource "/" the first
// time its tree is read or changed, so that creating a REST API needs
// nothing from this package. Two first calls at once both succeed: the
// loser's insert hits the unique path and is ignored.
func (s *Service) ensureRoot(ctx context.Context, tenantID, apiID string) error {
	if err := s.s.restAPI(ctx, tenantID, apiID); err != nil {
		return err
	}
	var n int64
	if err := s.s.q(ctx).Model(&resourceRow{}).Where("tenant_id = ? AND api_id = ? AND parent_id IS NULL", tenantID, apiID).
		Count(&n).Error; err != nil || n > 0 {
		return err
	}
	t := now()
	err := s.s.insertResource(ctx, &resourceRow{ID: newID(10), TenantID: tenantID, APIID: apiID,
		PathPart: "", Path: "/", CreatedAt: t, UpdatedAt: t})
	if errors.Is(err, restapi.ErrResourceExists) {
		return nil
	}
	return err
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// --- resources ---

var (
	literalPartRE = regexp.MustCompile(`^[A-Za-z0-9._~:@!$&'()*,;=-]{1,128}$`)
	paramPartRE   = regexp.MustCompile(`^\{[A-Za-z0-9_.-]{1,64}\+?\}$`)
)

func isVariable(part string) bool { return strings.HasPrefix(part, "{") }
func isGreedy(part string) bool   { return strings.HasSuffix(part, "+}") }

func validatePathPart(part string) error {
	if literalPartRE.MatchString(part) || paramPartRE.MatchString(part) {
		return nil
	}
	return restapi.ErrResourceInvalid.WithDetail("pathPart", "invalid",
		"must be a literal (letters, digits, ._~:@!$&'()*,;=-), {name} or {name+}")
}

func childPath(parent, part string) string {
	if parent == "/" {
		return "/" + part
	}
	return parent + "/" + part
}

// checkPath checks a full path as the router will parse it: no repeated
// parameter names.
func checkPath(path string) error {
	if _, err := gwconfig.ParseRouteKey("ANY " + path); err != nil {
		return restapi.ErrResourceInvalid.WithDetail("pathPart", "invalid", err.Error())
	}
	seen := map[string]bool{}
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if isVariable(seg) {
			name := strings.TrimSuffix(strings.Trim(seg, "{}"), "+")
			if seen[name] {
				return restapi.ErrResourceInvalid.WithDetail("pathPart", "duplicate_parameter",
					fmt.Sprintf("the path already has a parameter {%s}", name))
			}
			seen[name] = true
		}
	}
	return nil
}

// checkSiblings refuses a second variable child (API Gateway allows one per
// parent) and children under a greedy resource.
func (s *Service) checkSiblings(ctx context.Context, tx *sqlStore, tenantID string, parent *resourceRow, part, selfID string) error {
	if isGreedy(parent.PathPart) {
		return restapi.ErrResourceInvalid.WithDetail("parentId", "greedy_parent", "a {proxy+} resource cannot have children")
	}
	kids, err := tx.children(ctx, tenantID, parent.ID)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if k.ID == selfID {
			continue
		}
		if k.PathPart == part {
			return restapi.ErrResourceExists
		}
		if isVariable(part) && isVariable(k.PathPart) {
			return restapi.ErrResourceExists.WithMessage("The parent already has a variable child %s; only one is allowed.", k.PathPart)
		}
	}
	return nil
}

func (s *Service) ListResources(ctx context.Context, tenantID, apiID string) ([]*restapi.Resource, error) {
	if err := s.ensureRoot(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	rows, err := s.s.listResources(ctx, tenantID, apiID)
	if err != nil {
		return nil, err
	}
	methods, err := s.s.listMethods(ctx, tenantID, apiID)
	if err != nil {
		return nil, err
	}
	out := make([]*restapi.Resource, len(rows))
	byID := map[string]*restapi.Resource{}
	for i := range rows {
		out[i] = rows[i].toResource()
		byID[out[i].ID] = out[i]
	}
	for _, m := range methods {
		if r := byID[m.ResourceID]; r != nil {
			if r.ResourceMethods == nil {
				r.ResourceMethods = map[string]*restapi.Method{}
			}
			r.ResourceMethods[m.HTTPMethod] = m
		}
	}
	return out, nil
}

func (s *Service) CreateResource(ctx context.Context, tenantID, apiID string, cmd restapi.CreateResourceCommand) (*restapi.Resource, error) {
	if cmd.ParentID == "" {
		return nil, restapi.ErrResourceInvalid.WithDetail("parentId", "required", "is required")
	}
	if err := validatePathPart(cmd.PathPart); err != nil {
		return nil, err
	}
	if err := s.ensureRoot(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	var out *restapi.Resource
	err := s.s.inTx(ctx, func(tx *sqlStore) error {
		if err := tx.restAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		parent, err := tx.getResource(ctx, tenantID, apiID, cmd.ParentID)
		if err != nil {
			if errors.Is(err, restapi.ErrResourceNotFound) {
				return restapi.ErrResourceInvalid.WithDetail("parentId", "not_found", "no such resource in this API")
			}
			return err
		}
		if err := s.checkSiblings(ctx, tx, tenantID, parent, cmd.PathPart, ""); err != nil {
			return err
		}
		path := childPath(parent.Path, cmd.PathPart)
		if err := checkPath(path); err != nil {
			return err
		}
		t := now()
		row := &resourceRow{ID: newID(10), TenantID: tenantID, APIID: apiID, ParentID: &parent.ID, PathPart: cmd.PathPart,
			Path: path, CreatedAt: t, UpdatedAt: t}
		if err := tx.insertResource(ctx, row); err != nil {
			return err
		}
		out = row.toResource()
		return nil
	})
	return out, err
}

func (s *Service) GetResource(ctx context.Context, tenantID, apiID, resourceID string) (*restapi.Resource, error) {
	if err := s.s.restAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	row, err := s.s.getResource(ctx, tenantID, apiID, resourceID)
	if err != nil {
		return nil, err
	}
	r := row.toResource()
	methods, err := s.s.listMethods(ctx, tenantID, apiID)
	if err != nil {
		return nil, err
	}
	for _, m := range methods {
		if m.ResourceID == r.ID {
			if r.ResourceMethods == nil {
				r.ResourceMethods = map[string]*restapi.Method{}
			}
			r.ResourceMethods[m.HTTPMethod] = m
		}
	}
	return r, nil
}

func (s *Service) UpdateResource(ctx context.Context, tenantID, apiID, resourceID string, cmd restapi.UpdateResourceCommand) (*restapi.Resource, error) {
	if cmd.PathPart == nil {
		return s.GetResource(ctx, tenantID, apiID, resourceID)
	}
	part := *cmd.PathPart
	if err := validatePathPart(part); err != nil {
		return nil, err
	}
	err := s.s.inTx(ctx, func(tx *sqlStore) error {
		if err := tx.restAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		row, err := tx.getResource(ctx, tenantID, apiID, resourceID)
		if err != nil {
			return err
		}
		if row.ParentID == nil {
			return restapi.ErrRootResource
		}
		parent, err := tx.getResource(ctx, tenantID, apiID, *row.ParentID)
		if err != nil {
			return err
		}
		if err := s.checkSiblings(ctx, tx, tenantID, parent, part, row.ID); err != nil {
			return err
		}
		kids, err := tx.children(ctx, tenantID, row.ID)
		if err != nil {
			return err
		}
		if isGreedy(part) && len(kids) > 0 {
			return restapi.ErrResourceInvalid.WithDetail("pathPart", "greedy_parent", "a {proxy+} resource cannot have children")
		}
		oldPath, newPath := row.Path, childPath(parent.Path, part)
		all, err := tx.listResources(ctx, tenantID, apiID)
		if err != nil {
			return err
		}
		t := now()
		for _, r := range all {
			if r.ID != row.ID && !strings.HasPrefix(r.Path, oldPath+"/") {
				continue
			}
			p := newPath + strings.TrimPrefix(r.Path, oldPath)
			if err := checkPath(p); err != nil {
				return err
			}
			pp := r.PathPart
			if r.ID == row.ID {
				pp = part
			}
			if err := tx.setResourcePath(ctx, tenantID, r.ID, pp, p, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, duplicate(err, restapi.ErrResourceExists)
	}
	return s.GetResource(ctx, tenantID, apiID, resourceID)
}

func (s *Service) DeleteResource(ctx context.Context, tenantID, apiID, resourceID string) error {
	return s.s.inTx(ctx, func(tx *sqlStore) error {
		if err := tx.restAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		row, err := tx.getResource(ctx, tenantID, apiID, resourceID)
		if err != nil {
			return err
		}
		if row.ParentID == nil {
			return restapi.ErrRootResource
		}
		// Children and methods go with it (ON DELETE CASCADE).
		return tx.deleteResource(ctx, tenantID, apiID, resourceID)
	})
}

// --- methods ---

func validMethod(m string) bool { return slices.Contains(gwconfig.Methods, m) }

func (s *Service) methodScope(ctx context.Context, tx *sqlStore, tenantID, apiID, resourceID, httpMethod string) error {
	if err := tx.restAPI(ctx, tenantID, apiID); err != nil {
		return err
	}
	if !validMethod(httpMethod) {
		return restapi.ErrMethodNotFound
	}
	_, err := tx.getResource(ctx, tenantID, apiID, resourceID)
	return err
}

func (s *Service) PutMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string, cmd restapi.PutMethodCommand) (*restapi.Method, error) {
	if !validMethod(httpMethod) {
		return nil, restapi.ErrMethodInvalid.WithDetail("httpMethod", "invalid", "must be one of "+strings.Join(gwconfig.Methods, ", "))
	}
	var out *restapi.Method
	err := s.s.inTx(ctx, func(tx *sqlStore) error {
		if err := s.methodScope(ctx, tx, tenantID, apiID, resourceID, httpMethod); err != nil {
			return err
		}
		if err := s.validateMethod(ctx, tx, tenantID, apiID, &cmd); err != nil {
			return err
		}
		m, err := tx.getMethod(ctx, tenantID, apiID, resourceID, httpMethod)
		t := now()
		switch err {
		case nil:
		case restapi.ErrMethodNotFound: //nolint:errorlint // the store returns the base error
			m = &restapi.Method{HTTPMethod: httpMethod, ResourceID: resourceID, CreatedAt: t}
		default:
			return err
		}
		m.PutMethodCommand = cmd
		m.UpdatedAt = t
		if err := tx.saveMethod(ctx, tenantID, apiID, m); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, err
}

func (s *Service) validateMethod(ctx context.Context, tx *sqlStore, tenantID, apiID string, cmd *restapi.PutMethodCommand) error {
	var e *apierr.Error
	add := func(field, code, msg string) {
		if e == nil {
			e = restapi.ErrMethodInvalid
		}
		e = e.WithDetail(field, code, msg)
	}
	switch cmd.AuthorizationType {
	case "":
		cmd.AuthorizationType = "NONE"
	case gwconfig.AuthorizationNone, gwconfig.AuthorizationAWSIAM:
	default:
		add("authorizationType", "not_supported", "must be NONE or AWS_IAM (custom and Cognito authorizers are not supported yet)")
	}
	if len(cmd.OperationName) > 128 {
		add("operationName", "too_long", "must be at most 128 characters")
	}
	for p := range cmd.RequestParameters {
		if _, _, err := gwconfig.ParseMethodParameter(p); err != nil {
			add("requestParameters."+p, "invalid", "must be method.request.{querystring|header|path}.name")
		}
	}
	if cmd.RequestValidatorID != "" {
		if _, err := tx.getValidator(ctx, tenantID, apiID, cmd.RequestValidatorID); err != nil {
			if !errors.Is(err, restapi.ErrValidatorNotFound) {
				return err
			}
			add("requestValidatorId", "not_found", "no such request validator in this API")
		}
	}
	for ct, name := range cmd.RequestModels {
		if ct == "" {
			add("requestModels", "invalid", "content types must not be empty")
			continue
		}
		if _, err := tx.getModel(ctx, tenantID, apiID, name); err != nil {
			if !errors.Is(err, restapi.ErrModelNotFound) {
				return err
			}
			add("requestModels."+ct, "not_found", fmt.Sprintf("no model %q in this API", name))
		}
	}
	if e != nil {
		return e
	}
	return nil
}

func (s *Service) GetMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) (*restapi.Method, error) {
	if err := s.methodScope(ctx, s.s, tenantID, apiID, resourceID, httpMethod); err != nil {
		return nil, err
	}
	return s.s.getMethod(ctx, tenantID, apiID, resourceID, httpMethod)
}

func (s *Service) DeleteMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) error {
	if err := s.methodScope(ctx, s.s, tenantID, apiID, resourceID, httpMethod); err != nil {
		return err
	}
	return s.s.deleteMethod(ctx, tenantID, apiID, resourceID, httpMethod)
}

// updateMethod loads a method, lets fn change it and saves it.
func (s *Service) updateMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string, fn func(tx *sqlStore, m *restapi.Method) error) (*restapi.Method, error) {
	var out *restapi.Method
	err := s.s.inTx(ctx, func(tx *sqlStore) error {
		if err := s.methodScope(ctx, tx, tenantID, apiID, resourceID, httpMethod); err != nil {
			return err
		}
		m, err := tx.getMethod(ctx, tenantID, apiID, resourceID, httpMethod)
		if err != nil {
			return err
		}
		if err := fn(tx, m); err != nil {
			return err
		}
		m.UpdatedAt = now()
		out = m
		return tx.saveMethod(ctx, tenantID, apiID, m)
	})
	return out, err
}

func (s *Service) PutIntegration(ctx context.Context, tenantID, apiID, resourceID, httpMethod string, cmd restapi.Integration) (*restapi.Integration, error) {
	m, err := s.updateMethod(ctx, tenantID, apiID, resourceID, httpMethod, func(tx *sqlStore, m *restapi.Method) error {
		if err := validateIntegration(&cmd); err != nil {
			return err
		}
		if cmd.ConnectionType == gwconfig.ConnectionVPCLink {
			if _, err := tx.getTargetGroup(ctx, tenantID, cmd.ConnectionID); err != nil {
				if !errors.Is(err, restapi.ErrTargetGroupMissing) {
					return err
				}
				return restapi.ErrIntegrationInvalid.WithDetail("connectionId", "not_found", "no such target group")
			}
		}
		m.MethodIntegration = &cmd
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m.MethodIntegration, nil
}

// mockStatusRE reads {"statusCode": N} from a MOCK request template.
var mockStatusRE = regexp.MustCompile(`"statusCode"\s*:\s*(\d{3})`)

func validateIntegration(in *restapi.Integration) error {
	var e *apierr.Error
	add := func(field, code, msg string) {
		if e == nil {
			e = restapi.ErrIntegrationInvalid
		}
		e = e.WithDetail(field, code, msg)
	}
	if in.Type == gwconfig.IntegrationMock && in.MockStatusCode == 0 {
		if m := mockStatusRE.FindStringSubmatch(in.RequestTemplates["application/json"]); m != nil {
			in.MockStatusCode, _ = strconv.Atoi(m[1])
		}
	}
	gi := toGateway(in)
	if err := gwconfig.ValidateIntegration("", &gi); err != nil {
		if ve, ok := gwconfig.AsValidationError(err); ok {
			for _, f := range ve.Fields {
				add(f.Field, f.Code, f.Message)
			}
		}
	}
	for t, src := range in.RequestParameters {
		if _, _, err := gwconfig.ParseRequestMapping(t, src); err != nil {
			add("requestParameters."+t, "invalid", err.Error())
		}
	}
	for t, src := range in.ResponseParameters {
		if _, _, err := gwconfig.ParseResponseMapping(t, src); err != nil {
			add("responseParameters."+t, "invalid", err.Error())
		}
	}
	switch in.ConnectionType {
	case "", gwconfig.ConnectionInternet:
		if in.ConnectionID != "" {
			add("connectionId", "invalid", "only for VPC_LINK connections")
		}
	case gwconfig.ConnectionVPCLink:
		if in.ConnectionID == "" {
			add("connectionId", "required", "is required for VPC_LINK connections (a target group id)")
		}
		if in.Type == gwconfig.IntegrationMock {
			add("connectionType", "invalid", "a MOCK integration has no connection")
		}
	default:
		add("connectionType", "invalid", "must be INTERNET or VPC_LINK")
	}
	if e != nil {
		return e
	}
	return nil
}

// toGateway converts an integration to the snapshot's shape.
func toGateway(in *restapi.Integration) gwconfig.Integration {
	out := gwconfig.Integration{Type: in.Type, URI: in.URI, HTTPMethod: in.HTTPMethod, TimeoutInMillis: in.TimeoutInMillis,
		RequestParameters: in.RequestParameters, ResponseParameters: in.ResponseParameters,
		MockStatusCode: in.MockStatusCode, MockBody: in.MockBody, MockHeaders: in.MockHeaders}
	if in.TLSConfig != nil {
		out.TLSInsecureSkipVerify = in.TLSConfig.InsecureSkipVerification
	}
	if in.ConnectionType == gwconfig.ConnectionVPCLink {
		out.ConnectionType, out.TargetGroupID = in.ConnectionType, in.ConnectionID
	}
	return out
}

func (s *Service) GetIntegration(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) (*restapi.Integration, error) {
	m, err := s.GetMethod(ctx, tenantID, apiID, resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	if m.MethodIntegration == nil {
		return nil, restapi.ErrIntegrationMissing
	}
	return m.MethodIntegration, nil
}

func (s *Service) DeleteIntegration(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) error {
	_, err := s.updateMethod(ctx, tenantID, apiID, resourceID, httpMethod, func(_ *sqlStore, m *restapi.Method) error {
		if m.MethodIntegration == nil {
			return restapi.ErrIntegrationMissing
		}
		m.MethodIntegration = nil
		return nil
	})
	return err
}

var statusCodeRE = regexp.MustCompile(`^[1-5][0-9][0-9]$`)

func (s *Service) PutMethodResponse(ctx context.Context, tenantID, apiID, resourceID, httpMethod, statusCode string, cmd restapi.MethodResponse) (*restapi.MethodResponse, error) {
	if !statusCodeRE.MatchString(statusCode) {
		return nil, restapi.ErrResponseInvalid.WithDetail("statusCode", "invalid", "must be a status code 100-599")
	}
	for p := range cmd.ResponseParameters {
		if !strings.HasPrefix(p, "method.response.header.") || len(p) == len("method.response.header.") {
			return nil, restapi.ErrResponseInvalid.WithDetail("responseParameters."+p, "invalid", "must be method.response.header.name")
		}
	}
	cmd.StatusCode = statusCode
	_, err := s.updateMethod(ctx, tenantID, apiID, resourceID, httpMethod, func(tx *sqlStore, m *restapi.Method) error {
		for ct, name := range cmd.ResponseModels {
			if _, err := tx.getModel(ctx, tenantID, apiID, name); err != nil {
				if !errors.Is(err, restapi.ErrModelNotFound) {
					return err
				}
				return restapi.ErrResponseInvalid.WithDetail("responseModels."+ct, "not_found", fmt.Sprintf("no model %q in this API", name))
			}
		}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*restapi.MethodResponse{}
		}
		m.MethodResponses[statusCode] = &cmd
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &cmd, nil
}

func (s *Service) GetMethodResponse(ctx context.Context, tenantID, apiID, resourceID, httpMethod, statusCode string) (*restapi.MethodResponse, error) {
	m, err := s.GetMethod(ctx, tenantID, apiID, resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	r, ok := m.MethodResponses[statusCode]
	if !ok {
		return nil, restapi.ErrResponseNotFound
	}
	return r, nil
}

func (s *Service) DeleteMethodResponse(ctx context.Context, tenantID, apiID, resourceID, httpMethod, statusCode string) error {
	_, err := s.updateMethod(ctx, tenantID, apiID, resourceID, httpMethod, func(_ *sqlStore, m *restapi.Method) error {
		if _, ok := m.MethodResponses[statusCode]; !ok {
			return restapi.ErrResponseNotFound
		}
		delete(m.MethodResponses, statusCode)
		return nil
	})
	return err
}

// --- validators ---

func validName(name string) bool {
	return name != "" && len(name) <= 128 && !strings.ContainsAny(name, "\x00\n\r\t")
}

func (s *Service) ListValidators(ctx context.Context, tenantID, apiID string) ([]*restapi.RequestValidator, error) {
	if err := s.s.restAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.s.listValidators(ctx, tenantID, apiID)
}

func (s *Service) CreateValidator(ctx context.Context, tenantID, apiID string, cmd restapi.RequestValidator) (*restapi.RequestValidator, error) {
	if !validName(cmd.Name) {
		return nil, restapi.ErrValidatorInvalid.WithDetail("name", "invalid", "is required (1-128 characters)")
	}
	if err := s.s.restAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	row := &validatorRow{ID: newID(6), TenantID: tenantID, APIID: apiID, Name: cmd.Name,
		ValidateBody: cmd.ValidateRequestBody, ValidateParameters: cmd.ValidateRequestParameters, CreatedAt: now()}
	if err := s.s.insertValidator(ctx, row); err != nil {
		return nil, err
	}
	return row.toValidator(), nil
}

func (s *Service) GetValidator(ctx context.Context, tenantID, apiID, validatorID string) (*restapi.RequestValidator, error) {
	if err := s.s.restAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.s.getValidator(ctx, tenantID, apiID, validatorID)
}

func (s *Service) DeleteValidator(ctx context.Context, tenantID, apiID, validatorID string) error {
	return s.s.inTx(ctx, func(tx *sqlStore) error {
		if err := tx.restAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		methods, err := tx.listMethods(ctx, tenantID, apiID)
		if err != nil {
			return err
		}
		for _, m := range methods {
			if m.RequestValidatorID == validatorID {
				return restapi.ErrValidatorInUse
			}
		}
		return tx.deleteValidator(ctx, tenantID, apiID, validatorID)
	})
}

// --- models ---

var modelNameRE = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)

func (s *Service) ListModels(ctx context.Context, tenantID, apiID string) ([]*restapi.Model, error) {
	if err := s.s.restAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.s.listModels(ctx, tenantID, apiID)
}

func (s *Service) CreateModel(ctx context.Context, tenantID, apiID string, cmd restapi.Model) (*restapi.Model, error) {
	if !modelNameRE.MatchString(cmd.Name) {
		return nil, restapi.ErrModelInvalid.WithDetail("name", "invalid", "must be 1-128 letters or digits")
	}
	if cmd.ContentType == "" {
		cmd.ContentType = "application/json"
	}
	if len(cmd.Schema) == 0 {
		return nil, restapi.ErrModelInvalid.WithDetail("schema", "required", "is required (a JSON Schema draft-04 document)")
	}
	if _, err := router.CompileSchema(cmd.Schema); err != nil {
		return nil, restapi.ErrModelInvalid.WithDetail("schema", "invalid", err.Error())
	}
	if err := s.s.restAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	schema := string(cmd.Schema)
	var buf bytes.Buffer
	if json.Compact(&buf, cmd.Schema) == nil {
		schema = buf.String()
	}
	row := &modelRow{ID: newID(6), TenantID: tenantID, APIID: apiID, Name: cmd.Name, Description: cmd.Description,
		ContentType: cmd.ContentType, Schema: schema, CreatedAt: now()}
	if err := s.s.insertModel(ctx, row); err != nil {
		return nil, err
	}
	return row.toModel(), nil
}

func (s *Service) GetModel(ctx context.Context, tenantID, apiID, modelName string) (*restapi.Model, error) {
	if err := s.s.restAPI(ctx, tenantID, apiID); err != nil {
		return nil, err
	}
	return s.s.getModel(ctx, tenantID, apiID, modelName)
}

func (s *Service) DeleteModel(ctx context.Context, tenantID, apiID, modelName string) error {
	return s.s.inTx(ctx, func(tx *sqlStore) error {
		if err := tx.restAPI(ctx, tenantID, apiID); err != nil {
			return err
		}
		methods, err := tx.listMethods(ctx, tenantID, apiID)
		if err != nil {
			return err
		}
		for _, m := range methods {
			for _, name := range m.RequestModels {
				if name == modelName {
					return restapi.ErrModelInUse
				}
			}
			for _, r := range m.MethodResponses {
				for _, name := range r.ResponseModels {
					if name == modelName {
						return restapi.ErrModelInUse
					}
				}
			}
		}
		return tx.deleteModel(ctx, tenantID, apiID, modelName)
	})
}

// --- target groups ---

func toGatewayGroup(tenantID, id string, c *restapi.TargetGroupCommand) gwconfig.TargetGroup {
	g := gwconfig.TargetGroup{ID: id, TenantID: tenantID, Name: c.Name, LoadBalancing: c.LoadBalancing,
		HealthCheck: gwconfig.HealthCheck(c.HealthCheck)}
	for _, t := range c.Targets {
		g.Targets = append(g.Targets, gwconfig.Target(t))
	}
	return g
}

func validateTargetGroup(c *restapi.TargetGroupCommand) error {
	var e *apierr.Error
	if !validName(c.Name) {
		e = restapi.ErrTargetGroupInvalid.WithDetail("name", "invalid", "is required (1-128 characters)")
	}
	if c.LoadBalancing == "" {
		c.LoadBalancing = gwconfig.LBRoundRobin
	}
	g := toGatewayGroup("", "", c)
	if err := gwconfig.ValidateTargetGroup("", &g); err != nil {
		if ve, ok := gwconfig.AsValidationError(err); ok {
			for _, f := range ve.Fields {
				if e == nil {
					e = restapi.ErrTargetGroupInvalid
				}
				e = e.WithDetail(f.Field, f.Code, f.Message)
			}
		}
	}
	if e != nil {
		return e
	}
	return nil
}

func (s *Service) ListTargetGroups(ctx context.Context, tenantID string) ([]*restapi.TargetGroup, error) {
	return s.s.listTargetGroups(ctx, tenantID)
}

func (s *Service) CreateTargetGroup(ctx context.Context, tenantID string, cmd restapi.TargetGroupCommand) (*restapi.TargetGroup, error) {
	if err := validateTargetGroup(&cmd); err != nil {
		return nil, err
	}
	spec, err := json.Marshal(cmd)
	if err != nil {
		return nil, err
	}
	t := now()
	row := &targetGroupRow{ID: "tg-" + newID(8), TenantID: tenantID, Name: cmd.Name, Spec: string(spec), CreatedAt: t, UpdatedAt: t}
	if err := s.s.insertTargetGroup(ctx, row); err != nil {
		return nil, err
	}
	g := toGatewayGroup(tenantID, row.ID, &cmd)
	s.publishGroup(ctx, tenantID, row.ID, &g)
	return row.toTargetGroup()
}

func (s *Service) GetTargetGroup(ctx context.Context, tenantID, id string) (*restapi.TargetGroup, error) {
	return s.s.getTargetGroup(ctx, tenantID, id)
}

func (s *Service) UpdateTargetGroup(ctx context.Context, tenantID, id string, cmd restapi.TargetGroupCommand) (*restapi.TargetGroup, error) {
	if err := validateTargetGroup(&cmd); err != nil {
		return nil, err
	}
	spec, err := json.Marshal(cmd)
	if err != nil {
		return nil, err
	}
	if err := s.s.updateTargetGroup(ctx, &targetGroupRow{ID: id, TenantID: tenantID, Name: cmd.Name, Spec: string(spec), UpdatedAt: now()}); err != nil {
		return nil, err
	}
	g := toGatewayGroup(tenantID, id, &cmd)
	s.publishGroup(ctx, tenantID, id, &g)
	return s.s.getTargetGroup(ctx, tenantID, id)
}

func (s *Service) DeleteTargetGroup(ctx context.Context, tenantID, id string) error {
	return s.s.inTx(ctx, func(tx *sqlStore) error {
		if _, err := tx.getTargetGroup(ctx, tenantID, id); err != nil {
			return err
		}
		used, err := tx.targetGroupInUse(ctx, tenantID, id)
		if err != nil {
			return err
		}
		if used {
			return restapi.ErrTargetGroupInUse
		}
		if err := tx.deleteTargetGroup(ctx, tenantID, id); err != nil {
			return err
		}
		s.publishGroup(ctx, tenantID, id, nil)
		return nil
	})
}
