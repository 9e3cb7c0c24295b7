package restapiimpl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/restapi"
)

// sqlStore is the gorm store of the REST API model. Every query is scoped
// to the tenant it is given.
type sqlStore struct {
	db *gorm.DB
}

// q is the store's handle: the transaction ctx carries, if any (see
// db.Conn).
func (s *sqlStore) q(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.db) }

func (s *sqlStore) inTx(ctx context.Context, fn func(tx *sqlStore) error) error {
	return db.WithTx(ctx, s.db, func(tx *gorm.DB) error { return fn(&sqlStore{db: tx}) })
}

type apiRow struct {
	ID           string
	TenantID     string
	ProtocolType string
}

func (apiRow) TableName() string { return "apis" }

type resourceRow struct {
	ID        string
	TenantID  string
	APIID     string  `gorm:"column:api_id"`
	ParentID  *string `gorm:"column:parent_id"`
	PathPart  string
	Path      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (resourceRow) TableName() string { return "rest_resources" }

type methodRow struct {
	TenantID    string
	APIID       string `gorm:"column:api_id"`
	ResourceID  string `gorm:"primaryKey"`
	HTTPMethod  string `gorm:"column:http_method;primaryKey"`
	Settings    string
	Integration *string
	Responses   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (methodRow) TableName() string { return "rest_methods" }

type validatorRow struct {
	ID                 string
	TenantID           string
	APIID              string `gorm:"column:api_id"`
	Name               string
	ValidateBody       bool
	ValidateParameters bool
	CreatedAt          time.Time
}

func (validatorRow) TableName() string { return "rest_validators" }

type modelRow struct {
	ID          string
	TenantID    string
	APIID       string `gorm:"column:api_id"`
	Name        string
	Description string
	ContentType string
	Schema      string
	CreatedAt   time.Time
}

func (modelRow) TableName() string { return "rest_models" }

type targetGroupRow struct {
	ID        string
	TenantID  string
	Name      string
	Spec      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (targetGroupRow) TableName() string { return "target_groups" }

func take(q *gorm.DB, dst any, notFound error) error {
	err := q.Take(dst).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound
	}
	return err
}

func affected(res *gorm.DB, notFound error) error {
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return notFound
	}
	return nil
}

// duplicate turns a unique-key violation into dup.
func duplicate(err, dup error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return dup
	}
	return err
}

// --- APIs ---

// restAPI checks that the tenant's API exists and is a REST API.
func (s *sqlStore) restAPI(ctx context.Context, tenantID, apiID string) error {
	var a apiRow
	if err := take(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, apiID), &a, apis.ErrAPINotFound); err != nil {
		return err
	}
	if a.ProtocolType != "REST" {
		return restapi.ErrNotREST
	}
	return nil
}

// --- resources ---

func (r *resourceRow) toResource() *restapi.Resource {
	out := &restapi.Resource{ID: r.ID, APIID: r.APIID, PathPart: r.PathPart, Path: r.Path,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, TenantID: r.TenantID}
	if r.ParentID != nil {
		out.ParentID = *r.ParentID
	}
	return out
}

func (s *sqlStore) insertResource(ctx context.Context, r *resourceRow) error {
	return duplicate(s.q(ctx).Create(r).Error, restapi.ErrResourceExists)
}

func (s *sqlStore) getResource(ctx context.Context, tenantID, apiID, id string) (*resourceRow, error) {
	var r resourceRow
	err := take(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND id = ?", tenantID, apiID, id), &r, restapi.ErrResourceNotFound)
	return &r, err
}

func (s *sqlStore) listResources(ctx context.Context, tenantID, apiID string) ([]resourceRow, error) {
	var rows []resourceRow
	err := s.q(ctx).Where("tenant_id = ? AND api_id = ?", tenantID, apiID).Order("path").Find(&rows).Error
	return rows, err
}

func (s *sqlStore) children(ctx context.Context, tenantID, parentID string) ([]resourceRow, error) {
	var rows []resourceRow
	err := s.q(ctx).Where("tenant_id = ? AND parent_id = ?", tenantID, parentID).Find(&rows).Error
	return rows, err
}

func (s *sqlStore) setResourcePath(ctx context.Context, tenantID, id, pathPart, path string, at time.Time) error {
	res := s.q(ctx).Model(&resourceRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).
		Updates(map[string]any{"path_part": pathPart, "path": path, "updated_at": at})
	return affected(res, restapi.ErrResourceNotFound)
}

func (s *sqlStore) deleteResource(ctx context.Context, tenantID, apiID, id string) error {
	return affected(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND id = ?", tenantID, apiID, id).Delete(&resourceRow{}),
		restapi.ErrResourceNotFound)
}

// --- methods ---

func (r *methodRow) toMethod() (*restapi.Method, error) {
	m := &restapi.Method{HTTPMethod: r.HTTPMethod, ResourceID: r.ResourceID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal([]byte(r.Settings), &m.PutMethodCommand); err != nil {
		return nil, fmt.Errorf("decoding method %s %s: %w", r.ResourceID, r.HTTPMethod, err)
	}
	if r.Integration != nil {
		m.MethodIntegration = &restapi.Integration{}
		if err := json.Unmarshal([]byte(*r.Integration), m.MethodIntegration); err != nil {
			return nil, fmt.Errorf("decoding integration %s %s: %w", r.ResourceID, r.HTTPMethod, err)
		}
	}
	if r.Responses != "" && r.Responses != "{}" {
		if err := json.Unmarshal([]byte(r.Responses), &m.MethodResponses); err != nil {
			return nil, fmt.Errorf("decoding responses %s %s: %w", r.ResourceID, r.HTTPMethod, err)
		}
	}
	return m, nil
}

func methodToRow(tenantID, apiID string, m *restapi.Method) (*methodRow, error) {
	settings, err := json.Marshal(m.PutMethodCommand)
	if err != nil {
		return nil, err
	}
	row := &methodRow{TenantID: tenantID, APIID: apiID, ResourceID: m.ResourceID, HTTPMethod: m.HTTPMethod,
		Settings: string(settings), Responses: "{}", CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if m.MethodIntegration != nil {
		b, err := json.Marshal(m.MethodIntegration)
		if err != nil {
			return nil, err
		}
		s := string(b)
		row.Integration = &s
	}
	if len(m.MethodResponses) > 0 {
		b, err := json.Marshal(m.MethodResponses)
		if err != nil {
			return nil, err
		}
		row.Responses = string(b)
	}
	return row, nil
}

func (s *sqlStore) getMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) (*restapi.Method, error) {
	var r methodRow
	if err := take(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND resource_id = ? AND http_method = ?",
		tenantID, apiID, resourceID, httpMethod), &r, restapi.ErrMethodNotFound); err != nil {
		return nil, err
	}
	return r.toMethod()
}

func (s *sqlStore) listMethods(ctx context.Context, tenantID, apiID string) ([]*restapi.Method, error) {
	var rows []methodRow
	if err := s.q(ctx).Where("tenant_id = ? AND api_id = ?", tenantID, apiID).Order("resource_id, http_method").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*restapi.Method, 0, len(rows))
	for i := range rows {
		m, err := rows[i].toMethod()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// saveMethod inserts or replaces a method.
func (s *sqlStore) saveMethod(ctx context.Context, tenantID, apiID string, m *restapi.Method) error {
	row, err := methodToRow(tenantID, apiID, m)
	if err != nil {
		return err
	}
	res := s.q(ctx).Model(&methodRow{}).Where("tenant_id = ? AND resource_id = ? AND http_method = ?", tenantID, m.ResourceID, m.HTTPMethod).
		Updates(map[string]any{"settings": row.Settings, "integration": row.Integration, "responses": row.Responses, "updated_at": row.UpdatedAt})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected > 0 {
		return nil
	}
	return s.q(ctx).Create(row).Error
}

func (s *sqlStore) deleteMethod(ctx context.Context, tenantID, apiID, resourceID, httpMethod string) error {
	return affected(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND resource_id = ? AND http_method = ?",
		tenantID, apiID, resourceID, httpMethod).Delete(&methodRow{}), restapi.ErrMethodNotFound)
}

// --- validators ---

func (r *validatorRow) toValidator() *restapi.RequestValidator {
	return &restapi.RequestValidator{ID: r.ID, Name: r.Name, ValidateRequestBody: r.ValidateBody, ValidateRequestParameters: r.ValidateParameters}
}

func (s *sqlStore) insertValidator(ctx context.Context, r *validatorRow) error {
	return duplicate(s.q(ctx).Create(r).Error, restapi.ErrValidatorExists)
}

func (s *sqlStore) getValidator(ctx context.Context, tenantID, apiID, id string) (*restapi.RequestValidator, error) {
	var r validatorRow
	if err := take(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND id = ?", tenantID, apiID, id), &r, restapi.ErrValidatorNotFound); err != nil {
		return nil, err
	}
	return r.toValidator(), nil
}

func (s *sqlStore) listValidators(ctx context.Context, tenantID, apiID string) ([]*restapi.RequestValidator, error) {
	var rows []validatorRow
	if err := s.q(ctx).Where("tenant_id = ? AND api_id = ?", tenantID, apiID).Order("name").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*restapi.RequestValidator, len(rows))
	for i := range rows {
		out[i] = rows[i].toValidator()
	}
	return out, nil
}

func (s *sqlStore) deleteValidator(ctx context.Context, tenantID, apiID, id string) error {
	return affected(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND id = ?", tenantID, apiID, id).Delete(&validatorRow{}),
		restapi.ErrValidatorNotFound)
}

// --- models ---

func (r *modelRow) toModel() *restapi.Model {
	return &restapi.Model{ID: r.ID, Name: r.Name, Description: r.Description, ContentType: r.ContentType, Schema: json.RawMessage(r.Schema)}
}

func (s *sqlStore) insertModel(ctx context.Context, r *modelRow) error {
	return duplicate(s.q(ctx).Create(r).Error, restapi.ErrModelExists)
}

func (s *sqlStore) getModel(ctx context.Context, tenantID, apiID, name string) (*restapi.Model, error) {
	var r modelRow
	if err := take(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND name = ?", tenantID, apiID, name), &r, restapi.ErrModelNotFound); err != nil {
		return nil, err
	}
	return r.toModel(), nil
}

func (s *sqlStore) listModels(ctx context.Context, tenantID, apiID string) ([]*restapi.Model, error) {
	var rows []modelRow
	if err := s.q(ctx).Where("tenant_id = ? AND api_id = ?", tenantID, apiID).Order("name").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*restapi.Model, len(rows))
	for i := range rows {
		out[i] = rows[i].toModel()
	}
	return out, nil
}

func (s *sqlStore) deleteModel(ctx context.Context, tenantID, apiID, name string) error {
	return affected(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND name = ?", tenantID, apiID, name).Delete(&modelRow{}),
		restapi.ErrModelNotFound)
}

// --- target groups ---

func (r *targetGroupRow) toTargetGroup() (*restapi.TargetGroup, error) {
	g := &restapi.TargetGroup{ID: r.ID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, TenantID: r.TenantID}
	if err := json.Unmarshal([]byte(r.Spec), &g.TargetGroupCommand); err != nil {
		return nil, fmt.Errorf("decoding target group %s: %w", r.ID, err)
	}
	return g, nil
}

func (s *sqlStore) insertTargetGroup(ctx context.Context, r *targetGroupRow) error {
	return duplicate(s.q(ctx).Create(r).Error, restapi.ErrTargetGroupExists)
}

func (s *sqlStore) getTargetGroup(ctx context.Context, tenantID, id string) (*restapi.TargetGroup, error) {
	var r targetGroupRow
	if err := take(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, id), &r, restapi.ErrTargetGroupMissing); err != nil {
		return nil, err
	}
	return r.toTargetGroup()
}

func (s *sqlStore) listTargetGroups(ctx context.Context, tenantID string) ([]*restapi.TargetGroup, error) {
	var rows []targetGroupRow
	if err := s.q(ctx).Where("tenant_id = ?", tenantID).Order("name").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*restapi.TargetGroup, 0, len(rows))
	for i := range rows {
		g, err := rows[i].toTargetGroup()
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

func (s *sqlStore) updateTargetGroup(ctx context.Context, r *targetGroupRow) error {
	res := s.q(ctx).Model(&targetGroupRow{}).Where("tenant_id = ? AND id = ?", r.TenantID, r.ID).
		Updates(map[string]any{"name": r.Name, "spec": r.Spec, "updated_at": r.UpdatedAt})
	if err := duplicate(res.Error, restapi.ErrTargetGroupExists); err != nil {
		return err
	}
	return affected(res, restapi.ErrTargetGroupMissing)
}

func (s *sqlStore) deleteTargetGroup(ctx context.Context, tenantID, id string) error {
	return affected(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Delete(&targetGroupRow{}), restapi.ErrTargetGroupMissing)
}

// targetGroupUsers counts the tenant's integrations that use a target group.
func (s *sqlStore) targetGroupInUse(ctx context.Context, tenantID, id string) (bool, error) {
	var rows []methodRow
	if err := s.q(ctx).Where("tenant_id = ? AND integration IS NOT NULL", tenantID).Find(&rows).Error; err != nil {
		return false, err
	}
	for i := range rows {
		var in restapi.Integration
		if err := json.Unmarshal([]byte(*rows[i].Integration), &in); err == nil && in.ConnectionID == id {
			return true, nil
		}
	}
	return false, nil
}
