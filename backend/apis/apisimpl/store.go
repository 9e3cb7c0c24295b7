package apisimpl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/workflows/deploy"
)

// sqlStore is the gorm store of APIs, routes, stages and deployments. Every
// method scopes its query to the tenant.
type sqlStore struct {
	db *gorm.DB
}

var _ store = (*sqlStore)(nil)

func newSQLStore(d *db.DB) *sqlStore { return &sqlStore{db: d.Gorm} }

type apiRow struct {
	ID           string
	TenantID     string
	Name         string
	Description  string
	ProtocolType string
	// EndpointConfiguration is the JSON of apis.EndpointConfiguration.
	EndpointConfiguration string
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

func (apiRow) TableName() string { return "apis" }

type routeRow struct {
	ID          string
	TenantID    string
	APIID       string `gorm:"column:api_id"`
	RouteKey    string
	Integration string
	// APIKeyRequired and Throttle (JSON, NULL for none) are the route's
	// usage plan settings.
	APIKeyRequired bool
	Throttle       *string
	// AuthorizationType is NONE or AWS_IAM.
	AuthorizationType string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (routeRow) TableName() string { return "routes" }

type stageRow struct {
	TenantID       string
	APIID          string `gorm:"column:api_id"`
	StageName      string
	Description    string
	StageVariables string
	// Throttle is the stage's default throttle as JSON, NULL for none.
	Throttle *string
	// CacheSettings, MethodSettings and AccessLogSettings are JSON, NULL
	// for none.
	CacheSettings     *string
	MethodSettings    *string
	AccessLogSettings *string
	DeploymentID      *string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (stageRow) TableName() string { return "stages" }

type deploymentRow struct {
	ID           string
	TenantID     string
	APIID        string `gorm:"column:api_id"`
	StageName    string
	Description  string
	Status       string
	StatusReason string
	Progress     string
	Snapshot     *string
	RouteCount   int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DeployedAt   *time.Time
}

func (deploymentRow) TableName() string { return "deployments" }

func (s *sqlStore) inTx(ctx context.Context, fn func(tx store) error) error {
	return db.WithTx(ctx, s.db, func(tx *gorm.DB) error { return fn(&sqlStore{db: tx}) })
}

// q is the store's handle: the transaction ctx carries, if any.
func (s *sqlStore) q(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.db) }

// first loads one row into dst, translating "no row" into notFound.
func first(q *gorm.DB, dst any, notFound error) error {
	err := q.Take(dst).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound
	}
	return err
}

// --- APIs ---

func (s *sqlStore) insertAPI(ctx context.Context, a *apis.API) error {
	err := s.q(ctx).Create(&apiRow{ID: a.ID, TenantID: a.TenantID, Name: a.Name, Description: a.Description,
		ProtocolType: a.ProtocolType, EndpointConfiguration: endpointJSON(a.EndpointConfiguration),
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return errIDTaken
	}
	return err
}

func (s *sqlStore) getAPI(ctx context.Context, tenantID, apiID string) (*apis.API, error) {
	var r apiRow
	if err := first(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, apiID), &r, apis.ErrAPINotFound); err != nil {
		return nil, err
	}
	return r.toAPI(), nil
}

func (s *sqlStore) listAPIs(ctx context.Context, tenantID string) ([]*apis.API, error) {
	var rows []apiRow
	if err := s.q(ctx).Where("tenant_id = ?", tenantID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*apis.API, len(rows))
	for i := range rows {
		out[i] = rows[i].toAPI()
	}
	return out, nil
}

func (s *sqlStore) updateAPI(ctx context.Context, a *apis.API) error {
	res := s.q(ctx).Model(&apiRow{}).Where("tenant_id = ? AND id = ?", a.TenantID, a.ID).
		Updates(map[string]any{"name": a.Name, "description": a.Description, "updated_at": a.UpdatedAt,
			"endpoint_configuration": endpointJSON(a.EndpointConfiguration)})
	return rowsOr(res, apis.ErrAPINotFound)
}

func (s *sqlStore) deleteAPI(ctx context.Context, tenantID, apiID string) error {
	return rowsOr(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, apiID).Delete(&apiRow{}), apis.ErrAPINotFound)
}

func rowsOr(res *gorm.DB, notFound error) error {
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return notFound
	}
	return nil
}

func (r *apiRow) toAPI() *apis.API {
	a := &apis.API{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Description: r.Description,
		ProtocolType: r.ProtocolType, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	// An unreadable configuration reads as the default (REGIONAL).
	_ = json.Unmarshal([]byte(r.EndpointConfiguration), &a.EndpointConfiguration)
	return a
}

func endpointJSON(e apis.EndpointConfiguration) string {
	if len(e.Types) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(e)
	return string(b)
}

// --- Routes ---

func (s *sqlStore) insertRoute(ctx context.Context, r *apis.Route) error {
	in, err := json.Marshal(&r.Integration)
	if err != nil {
		return fmt.Errorf("encoding integration: %w", err)
	}
	err = s.q(ctx).Create(&routeRow{ID: r.ID, TenantID: r.TenantID, APIID: r.APIID, RouteKey: r.RouteKey,
		Integration: string(in), APIKeyRequired: r.APIKeyRequired, Throttle: throttleJSON(r.Throttle),
		AuthorizationType: authorizationTypeOr(r.AuthorizationType), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// Either the route key is taken or, rarely, the random id is.
		var n int64
		if cerr := s.q(ctx).Model(&routeRow{}).Where("api_id = ? AND route_key = ?", r.APIID, r.RouteKey).Count(&n).Error; cerr != nil {
			return cerr
		}
		if n > 0 {
			return apis.ErrRouteKeyTaken
		}
		return errIDTaken
	}
	return err
}

func (s *sqlStore) getRoute(ctx context.Context, tenantID, apiID, routeID string) (*apis.Route, error) {
	var r routeRow
	if err := first(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND id = ?", tenantID, apiID, routeID), &r, apis.ErrRouteNotFound); err != nil {
		return nil, err
	}
	return r.toRoute()
}

func (s *sqlStore) listRoutes(ctx context.Context, tenantID, apiID string) ([]*apis.Route, error) {
	var rows []routeRow
	if err := s.q(ctx).Where("tenant_id = ? AND api_id = ?", tenantID, apiID).Order("route_key, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*apis.Route, len(rows))
	for i := range rows {
		r, err := rows[i].toRoute()
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

func (s *sqlStore) updateRoute(ctx context.Context, r *apis.Route) error {
	in, err := json.Marshal(&r.Integration)
	if err != nil {
		return fmt.Errorf("encoding integration: %w", err)
	}
	res := s.q(ctx).Model(&routeRow{}).Where("tenant_id = ? AND api_id = ? AND id = ?", r.TenantID, r.APIID, r.ID).
		Updates(map[string]any{"route_key": r.RouteKey, "integration": string(in), "api_key_required": r.APIKeyRequired,
			"throttle": throttleJSON(r.Throttle), "authorization_type": authorizationTypeOr(r.AuthorizationType),
			"updated_at": r.UpdatedAt})
	if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
		return apis.ErrRouteKeyTaken
	}
	return rowsOr(res, apis.ErrRouteNotFound)
}

func (s *sqlStore) deleteRoute(ctx context.Context, tenantID, apiID, routeID string) error {
	return rowsOr(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND id = ?", tenantID, apiID, routeID).Delete(&routeRow{}),
		apis.ErrRouteNotFound)
}

func (r *routeRow) toRoute() (*apis.Route, error) {
	out := &apis.Route{ID: r.ID, TenantID: r.TenantID, APIID: r.APIID, RouteKey: r.RouteKey,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Integration), &out.Integration); err != nil {
		return nil, fmt.Errorf("decoding integration of route %s: %w", r.ID, err)
	}
	out.APIKeyRequired = r.APIKeyRequired
	out.AuthorizationType = authorizationTypeOr(r.AuthorizationType)
	t, err := throttleOf(r.Throttle)
	if err != nil {
		return nil, fmt.Errorf("decoding throttle of route %s: %w", r.ID, err)
	}
	out.Throttle = t
	return out, nil
}

// --- Stages ---

func (s *sqlStore) insertStage(ctx context.Context, st *apis.Stage) error {
	row, err := fromStage(st)
	if err != nil {
		return err
	}
	err = s.q(ctx).Create(row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return apis.ErrStageExists
	}
	return err
}

func (s *sqlStore) getStage(ctx context.Context, tenantID, apiID, stageName string) (*apis.Stage, error) {
	var r stageRow
	if err := first(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND stage_name = ?", tenantID, apiID, stageName), &r,
		apis.ErrStageNotFound); err != nil {
		return nil, err
	}
	st, err := r.toStage()
	if err != nil {
		return nil, err
	}
	var d deploymentRow
	err = s.q(ctx).Select("status").Where("tenant_id = ? AND api_id = ? AND stage_name = ?", tenantID, apiID, stageName).
		Order("created_at DESC, id DESC").Limit(1).Find(&d).Error
	if err != nil {
		return nil, err
	}
	st.LastDeploymentStatus = d.Status
	return st, nil
}

func (s *sqlStore) listStages(ctx context.Context, tenantID, apiID string) ([]*apis.Stage, error) {
	var rows []stageRow
	if err := s.q(ctx).Where("tenant_id = ? AND api_id = ?", tenantID, apiID).Order("stage_name").Find(&rows).Error; err != nil {
		return nil, err
	}
	var deps []deploymentRow
	if err := s.q(ctx).Select("stage_name, status").Where("tenant_id = ? AND api_id = ?", tenantID, apiID).
		Order("created_at DESC, id DESC").Find(&deps).Error; err != nil {
		return nil, err
	}
	last := map[string]string{}
	for _, d := range deps {
		if _, ok := last[d.StageName]; !ok {
			last[d.StageName] = d.Status
		}
	}
	out := make([]*apis.Stage, len(rows))
	for i := range rows {
		st, err := rows[i].toStage()
		if err != nil {
			return nil, err
		}
		st.LastDeploymentStatus = last[st.StageName]
		out[i] = st
	}
	return out, nil
}

func (s *sqlStore) updateStage(ctx context.Context, st *apis.Stage) error {
	row, err := fromStage(st)
	if err != nil {
		return err
	}
	res := s.q(ctx).Model(&stageRow{}).Where("tenant_id = ? AND api_id = ? AND stage_name = ?", st.TenantID, st.APIID, st.StageName).
		Updates(map[string]any{"description": row.Description, "stage_variables": row.StageVariables, "throttle": row.Throttle,
			"cache_settings": row.CacheSettings, "method_settings": row.MethodSettings, "access_log_settings": row.AccessLogSettings,
			"updated_at": row.UpdatedAt})
	return rowsOr(res, apis.ErrStageNotFound)
}

func (s *sqlStore) deleteStage(ctx context.Context, tenantID, apiID, stageName string) error {
	return rowsOr(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND stage_name = ?", tenantID, apiID, stageName).Delete(&stageRow{}),
		apis.ErrStageNotFound)
}

func fromStage(st *apis.Stage) (*stageRow, error) {
	vars := st.StageVariables
	if vars == nil {
		vars = map[string]string{}
	}
	b, err := json.Marshal(vars)
	if err != nil {
		return nil, fmt.Errorf("encoding stage variables: %w", err)
	}
	row := &stageRow{TenantID: st.TenantID, APIID: st.APIID, StageName: st.StageName, Description: st.Description,
		StageVariables: string(b), Throttle: throttleJSON(st.Throttle), CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt,
		CacheSettings: jsonOrNull(st.Cache), AccessLogSettings: jsonOrNull(st.AccessLog)}
	if len(st.MethodSettings) > 0 {
		row.MethodSettings = jsonOrNull(st.MethodSettings)
	}
	if st.DeploymentID != "" {
		row.DeploymentID = &st.DeploymentID
	}
	return row, nil
}

func (r *stageRow) toStage() (*apis.Stage, error) {
	out := &apis.Stage{TenantID: r.TenantID, APIID: r.APIID, StageName: r.StageName, Description: r.Description,
		StageVariables: map[string]string{}, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.DeploymentID != nil {
		out.DeploymentID = *r.DeploymentID
	}
	t, err := throttleOf(r.Throttle)
	if err != nil {
		return nil, fmt.Errorf("decoding throttle of stage %s/%s: %w", r.APIID, r.StageName, err)
	}
	out.Throttle = t
	if err := decodeNullable(r.CacheSettings, &out.Cache); err != nil {
		return nil, fmt.Errorf("decoding cache settings of stage %s/%s: %w", r.APIID, r.StageName, err)
	}
	if err := decodeNullable(r.MethodSettings, &out.MethodSettings); err != nil {
		return nil, fmt.Errorf("decoding method settings of stage %s/%s: %w", r.APIID, r.StageName, err)
	}
	if err := decodeNullable(r.AccessLogSettings, &out.AccessLog); err != nil {
		return nil, fmt.Errorf("decoding access log settings of stage %s/%s: %w", r.APIID, r.StageName, err)
	}
	if r.StageVariables != "" {
		if err := json.Unmarshal([]byte(r.StageVariables), &out.StageVariables); err != nil {
			return nil, fmt.Errorf("decoding variables of stage %s/%s: %w", r.APIID, r.StageName, err)
		}
	}
	return out, nil
}

// --- Deployments ---

func (s *sqlStore) insertDeployment(ctx context.Context, d *apis.Deployment) error {
	progress, err := json.Marshal(nonNil(d.Progress))
	if err != nil {
		return err
	}
	err = s.q(ctx).Create(&deploymentRow{ID: d.ID, TenantID: d.TenantID, APIID: d.APIID, StageName: d.StageName,
		Description: d.Description, Status: d.Status, StatusReason: d.StatusReason, Progress: string(progress),
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// Either another deploy of the stage got in first (the partial
		// unique index) or, rarely, the random id is taken.
		u, uerr := s.unfinishedDeployment(ctx, d.TenantID, d.APIID, d.StageName)
		if uerr != nil {
			return uerr
		}
		if u != nil {
			return apis.ErrDeploymentInProgress
		}
		return errIDTaken
	}
	return err
}

func nonNil(p []apis.ProgressEntry) []apis.ProgressEntry {
	if p == nil {
		return []apis.ProgressEntry{}
	}
	return p
}

func (s *sqlStore) getDeployment(ctx context.Context, tenantID, apiID, deploymentID string) (*apis.Deployment, error) {
	var r deploymentRow
	if err := first(s.q(ctx).Omit("snapshot").Where("tenant_id = ? AND api_id = ? AND id = ?", tenantID, apiID, deploymentID), &r,
		apis.ErrDeploymentNotFound); err != nil {
		return nil, err
	}
	return r.toDeployment()
}

func (s *sqlStore) listDeployments(ctx context.Context, tenantID, apiID string) ([]*apis.Deployment, error) {
	var rows []deploymentRow
	if err := s.q(ctx).Omit("snapshot").Where("tenant_id = ? AND api_id = ?", tenantID, apiID).
		Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*apis.Deployment, len(rows))
	for i := range rows {
		d, err := rows[i].toDeployment()
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// unfinishedDeployment returns the stage's PENDING or IN_PROGRESS
// deployment, or nil.
func (s *sqlStore) unfinishedDeployment(ctx context.Context, tenantID, apiID, stageName string) (*apis.Deployment, error) {
	var rows []deploymentRow
	err := s.q(ctx).Omit("snapshot").Where("tenant_id = ? AND api_id = ? AND stage_name = ? AND status IN ?",
		tenantID, apiID, stageName, []string{deploy.StatusPending, deploy.StatusInProgress}).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0].toDeployment()
}

// apiHasUnfinishedDeployment reports whether any stage of the API is being
// deployed.
func (s *sqlStore) unfinishedDeployments(ctx context.Context, tenantID, apiID string) ([]*apis.Deployment, error) {
	var rows []deploymentRow
	err := s.q(ctx).Omit("snapshot").Where("tenant_id = ? AND api_id = ? AND status IN ?",
		tenantID, apiID, []string{deploy.StatusPending, deploy.StatusInProgress}).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]*apis.Deployment, len(rows))
	for i := range rows {
		if out[i], err = rows[i].toDeployment(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// finishDeployment moves an unfinished deployment to FAILED or DEPLOYED. It
// reports false when the deployment had already finished.
func (s *sqlStore) finishDeployment(ctx context.Context, tenantID, deploymentID, status, reason string, at time.Time) (bool, error) {
	set := map[string]any{"status": status, "status_reason": reason, "updated_at": at}
	if status == deploy.StatusDeployed {
		set["deployed_at"] = at
	}
	res := s.q(ctx).Model(&deploymentRow{}).Where("tenant_id = ? AND id = ? AND status IN ?", tenantID, deploymentID,
		[]string{deploy.StatusPending, deploy.StatusInProgress}).Updates(set)
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected > 0, nil
}

// deploymentByID loads a deployment of the tenant, with its snapshot, by id
// alone (the deploy workflow does not carry the API id).
func (s *sqlStore) deploymentByID(ctx context.Context, tenantID, deploymentID string) (*deploymentRow, error) {
	var r deploymentRow
	if err := first(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, deploymentID), &r, apis.ErrDeploymentNotFound); err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *sqlStore) saveSnapshot(ctx context.Context, tenantID, deploymentID string, snap *gwconfig.Stage, at time.Time) error {
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("encoding snapshot: %w", err)
	}
	res := s.q(ctx).Model(&deploymentRow{}).Where("tenant_id = ? AND id = ?", tenantID, deploymentID).
		Updates(map[string]any{"snapshot": string(b), "route_count": len(snap.Routes), "status": deploy.StatusInProgress, "updated_at": at})
	return rowsOr(res, apis.ErrDeploymentNotFound)
}

func (s *sqlStore) setStageDeployment(ctx context.Context, tenantID, apiID, stageName, deploymentID string, at time.Time) error {
	res := s.q(ctx).Model(&stageRow{}).Where("tenant_id = ? AND api_id = ? AND stage_name = ?", tenantID, apiID, stageName).
		Updates(map[string]any{"deployment_id": deploymentID, "updated_at": at})
	return rowsOr(res, apis.ErrStageNotFound)
}

func (s *sqlStore) setProgress(ctx context.Context, tenantID, deploymentID string, p []apis.ProgressEntry, at time.Time) error {
	b, err := json.Marshal(nonNil(p))
	if err != nil {
		return err
	}
	res := s.q(ctx).Model(&deploymentRow{}).Where("tenant_id = ? AND id = ?", tenantID, deploymentID).
		Updates(map[string]any{"progress": string(b), "updated_at": at})
	return rowsOr(res, apis.ErrDeploymentNotFound)
}

// activeSnapshot returns the snapshot the stage serves, with the stage's
// current variables, or nil when the stage is missing or never deployed.
func (s *sqlStore) activeSnapshot(ctx context.Context, tenantID, apiID, stageName string) (*gwconfig.Stage, error) {
	var st stageRow
	err := first(s.q(ctx).Where("tenant_id = ? AND api_id = ? AND stage_name = ?", tenantID, apiID, stageName), &st, apis.ErrStageNotFound)
	if errors.Is(err, apis.ErrStageNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if st.DeploymentID == nil {
		return nil, nil
	}
	var d deploymentRow
	if err := first(s.q(ctx).Select("id, snapshot").Where("tenant_id = ? AND id = ?", tenantID, *st.DeploymentID), &d,
		apis.ErrDeploymentNotFound); err != nil {
		return nil, fmt.Errorf("deployment %s of stage %s/%s: %w", *st.DeploymentID, apiID, stageName, err)
	}
	return withStageVariables(&d, &st)
}

// activeSnapshots returns the snapshot of every deployed stage of every
// tenant.
func (s *sqlStore) activeSnapshots(ctx context.Context) ([]*gwconfig.Stage, error) {
	var stages []stageRow
	// A suspended tenant's stages stay off the fleet until it is resumed.
	if err := s.q(ctx).Where("deployment_id IS NOT NULL AND tenant_id IN (?)", activeTenants(s.q(ctx))).
		Order("api_id, stage_name").Find(&stages).Error; err != nil {
		return nil, err
	}
	out := make([]*gwconfig.Stage, 0, len(stages))
	for i := range stages {
		st := &stages[i]
		var d deploymentRow
		if err := first(s.q(ctx).Select("id, snapshot").Where("tenant_id = ? AND id = ?", st.TenantID, *st.DeploymentID), &d,
			apis.ErrDeploymentNotFound); err != nil {
			return nil, fmt.Errorf("deployment %s of stage %s/%s: %w", *st.DeploymentID, st.APIID, st.StageName, err)
		}
		snap, err := withStageVariables(&d, st)
		if err != nil {
			return nil, err
		}
		out = append(out, snap)
	}
	return out, nil
}

// activeTenants is a subquery of the ids of ACTIVE tenants.
func activeTenants(q *gorm.DB) *gorm.DB {
	return q.Table("tenants").Select("id").Where("status = ?", "ACTIVE")
}

// stageKeys returns the fleet key of every stage of every active tenant.
func (s *sqlStore) stageKeys(ctx context.Context) (map[string]bool, error) {
	var rows []stageRow
	if err := s.q(ctx).Select("api_id, stage_name").Where("tenant_id IN (?)", activeTenants(s.q(ctx))).
		Find(&rows).Error; err != nil {
		return nil, err
	}
	keys := make(map[string]bool, len(rows))
	for _, r := range rows {
		keys[gwconfig.StageKey(r.APIID, r.StageName)] = true
	}
	return keys, nil
}

func withStageVariables(d *deploymentRow, st *stageRow) (*gwconfig.Stage, error) {
	if d.Snapshot == nil {
		return nil, fmt.Errorf("deployment %s has no snapshot", d.ID)
	}
	var snap gwconfig.Stage
	if err := json.Unmarshal([]byte(*d.Snapshot), &snap); err != nil {
		return nil, fmt.Errorf("decoding snapshot of deployment %s: %w", d.ID, err)
	}
	vars := map[string]string{}
	if st.StageVariables != "" {
		if err := json.Unmarshal([]byte(st.StageVariables), &vars); err != nil {
			return nil, fmt.Errorf("decoding variables of stage %s/%s: %w", st.APIID, st.StageName, err)
		}
	}
	if len(vars) == 0 {
		vars = nil
	}
	snap.StageVariables = vars
	// The stage's default throttle, like its variables, is the stage's
	// current one, not the deployment's.
	t, err := throttleOf(st.Throttle)
	if err != nil {
		return nil, fmt.Errorf("decoding throttle of stage %s/%s: %w", st.APIID, st.StageName, err)
	}
	snap.Throttle = t
	// So are its cache, method and access log settings.
	cur, err := st.toStage()
	if err != nil {
		return nil, err
	}
	cur.ApplyTo(&snap)
	snap.SetDefaults()
	return &snap, nil
}

func (r *deploymentRow) toDeployment() (*apis.Deployment, error) {
	out := &apis.Deployment{ID: r.ID, TenantID: r.TenantID, APIID: r.APIID, StageName: r.StageName,
		Description: r.Description, Status: r.Status, StatusReason: r.StatusReason, RouteCount: r.RouteCount,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.DeployedAt != nil {
		t := r.DeployedAt.UTC()
		out.DeployedAt = &t
	}
	out.Progress = []apis.ProgressEntry{}
	if r.Progress != "" {
		if err := json.Unmarshal([]byte(r.Progress), &out.Progress); err != nil {
			return nil, fmt.Errorf("decoding progress of deployment %s: %w", r.ID, err)
		}
	}
	return out, nil
}

// authorizationTypeOr is t, or NONE for a route stored without one.
func authorizationTypeOr(t string) string {
	if t == "" {
		return gwconfig.AuthorizationNone
	}
	return t
}

// throttleJSON encodes a throttle for a nullable column.
func throttleJSON(t *gwconfig.Throttle) *string {
	if t == nil {
		return nil
	}
	b, _ := json.Marshal(t)
	s := string(b)
	return &s
}

// throttleOf decodes a nullable throttle column.
func throttleOf(s *string) (*gwconfig.Throttle, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	var t gwconfig.Throttle
	if err := json.Unmarshal([]byte(*s), &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// jsonOrNull encodes a value for a nullable JSON column; nil is NULL.
func jsonOrNull[T any](v T) *string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	s := string(b)
	return &s
}

// decodeNullable decodes a nullable JSON column into out; NULL leaves it.
func decodeNullable(s *string, out any) error {
	if s == nil || *s == "" {
		return nil
	}
	return json.Unmarshal([]byte(*s), out)
}
