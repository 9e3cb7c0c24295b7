package usageimpl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// sqlStore is the gorm store of API keys and usage plans.
type sqlStore struct {
	db *gorm.DB
}

var _ store = (*sqlStore)(nil)

func newSQLStore(d *db.DB) *sqlStore { return &sqlStore{db: d.Gorm} }

type keyRow struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	Value       string
	ValueHash   string
	Enabled     bool
	Tags        string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (keyRow) TableName() string { return "api_keys" }

type planRow struct {
	ID          string
	TenantID    string
	Name        string
	Description string
	Throttle    *string
	Quota       *string
	APIStages   string `gorm:"column:api_stages"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (planRow) TableName() string { return "usage_plans" }

type planKeyRow struct {
	PlanID    string
	KeyID     string
	TenantID  string
	CreatedAt time.Time
}

func (planKeyRow) TableName() string { return "usage_plan_keys" }

func (s *sqlStore) inTx(ctx context.Context, fn func(tx store) error) error {
	return db.WithTx(ctx, s.db, func(tx *gorm.DB) error { return fn(&sqlStore{db: tx}) })
}

// q is the request transaction ctx carries, if any, else the store's handle
// (see db.Conn: on SQLite a second connection would wait forever).
func (s *sqlStore) q(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.db) }

func first(q *gorm.DB, dst any, notFound error) error {
	err := q.Take(dst).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound
	}
	return err
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

// --- keys ---

func keyToRow(k *usage.APIKey) (*keyRow, error) {
	tags := k.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	t, err := json.Marshal(tags)
	if err != nil {
		return nil, fmt.Errorf("encoding tags: %w", err)
	}
	return &keyRow{ID: k.ID, TenantID: k.TenantID, Name: k.Name, Description: k.Description, Value: k.Value,
		ValueHash: HashValue(k.Value), Enabled: k.Enabled, Tags: string(t), CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}, nil
}

func (r *keyRow) toKey() (*usage.APIKey, error) {
	k := &usage.APIKey{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Description: r.Description, Value: r.Value,
		Enabled: r.Enabled, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), UsagePlanIDs: []string{}}
	if err := json.Unmarshal([]byte(r.Tags), &k.Tags); err != nil {
		return nil, fmt.Errorf("decoding tags of key %s: %w", r.ID, err)
	}
	if k.Tags == nil {
		k.Tags = map[string]string{}
	}
	return k, nil
}

func (s *sqlStore) insertKey(ctx context.Context, k *usage.APIKey) error {
	row, err := keyToRow(k)
	if err != nil {
		return err
	}
	// Look first: on Postgres a failed INSERT aborts the transaction, so
	// the duplicate cannot be told apart afterwards.
	var n int64
	if err := s.q(ctx).Model(&keyRow{}).Where("value_hash = ?", row.ValueHash).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return usage.ErrAPIKeyValueTaken
	}
	err = s.q(ctx).Create(row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// A concurrent insert of the same value, or (far less likely) an id
		// collision.
		return usage.ErrAPIKeyValueTaken
	}
	return err
}

// withPlans fills the keys' UsagePlanIDs.
func (s *sqlStore) withPlans(ctx context.Context, q *gorm.DB, rows []keyRow) ([]*usage.APIKey, error) {
	out := make([]*usage.APIKey, len(rows))
	byID := make(map[string]*usage.APIKey, len(rows))
	for i := range rows {
		k, err := rows[i].toKey()
		if err != nil {
			return nil, err
		}
		out[i] = k
		byID[k.ID] = k
	}
	if len(rows) == 0 {
		return out, nil
	}
	var links []planKeyRow
	if err := q.Order("plan_id").Find(&links).Error; err != nil {
		return nil, err
	}
	for _, l := range links {
		if k := byID[l.KeyID]; k != nil {
			k.UsagePlanIDs = append(k.UsagePlanIDs, l.PlanID)
		}
	}
	return out, nil
}

func (s *sqlStore) getKey(ctx context.Context, tenantID, keyID string) (*usage.APIKey, error) {
	var r keyRow
	if err := first(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, keyID), &r, usage.ErrAPIKeyNotFound); err != nil {
		return nil, err
	}
	ks, err := s.withPlans(ctx, s.q(ctx).Where("tenant_id = ? AND key_id = ?", tenantID, keyID), []keyRow{r})
	if err != nil {
		return nil, err
	}
	return ks[0], nil
}

func (s *sqlStore) listKeys(ctx context.Context, tenantID string) ([]*usage.APIKey, error) {
	var rows []keyRow
	if err := s.q(ctx).Where("tenant_id = ?", tenantID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.withPlans(ctx, s.q(ctx).Where("tenant_id = ?", tenantID), rows)
}

func (s *sqlStore) allKeys(ctx context.Context) ([]*usage.APIKey, error) {
	var rows []keyRow
	if err := s.q(ctx).Order("tenant_id, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.withPlans(ctx, s.q(ctx), rows)
}

func (s *sqlStore) updateKey(ctx context.Context, k *usage.APIKey) error {
	row, err := keyToRow(k)
	if err != nil {
		return err
	}
	res := s.q(ctx).Model(&keyRow{}).Where("tenant_id = ? AND id = ?", k.TenantID, k.ID).
		Updates(map[string]any{"name": row.Name, "description": row.Description, "enabled": row.Enabled,
			"tags": row.Tags, "updated_at": row.UpdatedAt})
	return rowsOr(res, usage.ErrAPIKeyNotFound)
}

func (s *sqlStore) deleteKey(ctx context.Context, tenantID, keyID string) error {
	// The links go with the key (ON DELETE CASCADE); delete them first
	// anyway so that the answer does not depend on SQLite's pragma.
	if err := s.q(ctx).Where("tenant_id = ? AND key_id = ?", tenantID, keyID).Delete(&planKeyRow{}).Error; err != nil {
		return err
	}
	return rowsOr(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, keyID).Delete(&keyRow{}), usage.ErrAPIKeyNotFound)
}

// --- plans ---

func planToRow(p *usage.UsagePlan) (*planRow, error) {
	r := &planRow{ID: p.ID, TenantID: p.TenantID, Name: p.Name, Description: p.Description,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.Throttle != nil {
		b, err := json.Marshal(p.Throttle)
		if err != nil {
			return nil, err
		}
		r.Throttle = ptr(string(b))
	}
	if p.Quota != nil {
		b, err := json.Marshal(p.Quota)
		if err != nil {
			return nil, err
		}
		r.Quota = ptr(string(b))
	}
	stages := p.APIStages
	if stages == nil {
		stages = []gwconfig.PlanAPIStage{}
	}
	b, err := json.Marshal(stages)
	if err != nil {
		return nil, err
	}
	r.APIStages = string(b)
	return r, nil
}

func (r *planRow) toPlan() (*usage.UsagePlan, error) {
	p := &usage.UsagePlan{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Description: r.Description,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Throttle != nil {
		p.Throttle = &gwconfig.Throttle{}
		if err := json.Unmarshal([]byte(*r.Throttle), p.Throttle); err != nil {
			return nil, fmt.Errorf("decoding throttle of plan %s: %w", r.ID, err)
		}
	}
	if r.Quota != nil {
		p.Quota = &gwconfig.Quota{}
		if err := json.Unmarshal([]byte(*r.Quota), p.Quota); err != nil {
			return nil, fmt.Errorf("decoding quota of plan %s: %w", r.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(r.APIStages), &p.APIStages); err != nil {
		return nil, fmt.Errorf("decoding api stages of plan %s: %w", r.ID, err)
	}
	if p.APIStages == nil {
		p.APIStages = []gwconfig.PlanAPIStage{}
	}
	return p, nil
}

func toPlans(rows []planRow) ([]*usage.UsagePlan, error) {
	out := make([]*usage.UsagePlan, len(rows))
	for i := range rows {
		p, err := rows[i].toPlan()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

func (s *sqlStore) insertPlan(ctx context.Context, p *usage.UsagePlan) error {
	row, err := planToRow(p)
	if err != nil {
		return err
	}
	err = s.q(ctx).Create(row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return errIDTaken
	}
	return err
}

func (s *sqlStore) getPlan(ctx context.Context, tenantID, planID string) (*usage.UsagePlan, error) {
	var r planRow
	if err := first(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, planID), &r, usage.ErrUsagePlanNotFound); err != nil {
		return nil, err
	}
	return r.toPlan()
}

func (s *sqlStore) listPlans(ctx context.Context, tenantID string) ([]*usage.UsagePlan, error) {
	var rows []planRow
	if err := s.q(ctx).Where("tenant_id = ?", tenantID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return toPlans(rows)
}

func (s *sqlStore) allPlans(ctx context.Context) ([]*usage.UsagePlan, error) {
	var rows []planRow
	if err := s.q(ctx).Order("tenant_id, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return toPlans(rows)
}

func (s *sqlStore) updatePlan(ctx context.Context, p *usage.UsagePlan) error {
	row, err := planToRow(p)
	if err != nil {
		return err
	}
	res := s.q(ctx).Model(&planRow{}).Where("tenant_id = ? AND id = ?", p.TenantID, p.ID).
		Updates(map[string]any{"name": row.Name, "description": row.Description, "throttle": row.Throttle,
			"quota": row.Quota, "api_stages": row.APIStages, "updated_at": row.UpdatedAt})
	return rowsOr(res, usage.ErrUsagePlanNotFound)
}

func (s *sqlStore) deletePlan(ctx context.Context, tenantID, planID string) error {
	if err := s.q(ctx).Where("tenant_id = ? AND plan_id = ?", tenantID, planID).Delete(&planKeyRow{}).Error; err != nil {
		return err
	}
	return rowsOr(s.q(ctx).Where("tenant_id = ? AND id = ?", tenantID, planID).Delete(&planRow{}), usage.ErrUsagePlanNotFound)
}

// --- plan keys ---

func (s *sqlStore) insertPlanKey(ctx context.Context, tenantID, planID, keyID string, at time.Time) error {
	err := s.q(ctx).Create(&planKeyRow{PlanID: planID, KeyID: keyID, TenantID: tenantID, CreatedAt: at}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return usage.ErrUsagePlanKeyExists
	}
	return err
}

func (s *sqlStore) deletePlanKey(ctx context.Context, tenantID, planID, keyID string) error {
	return rowsOr(s.q(ctx).Where("tenant_id = ? AND plan_id = ? AND key_id = ?", tenantID, planID, keyID).
		Delete(&planKeyRow{}), usage.ErrUsagePlanKeyNotFound)
}

func (s *sqlStore) planKeys(ctx context.Context, tenantID, planID string) ([]*usage.APIKey, error) {
	var rows []keyRow
	err := s.q(ctx).Where("tenant_id = ? AND id IN (?)", tenantID,
		s.q(ctx).Model(&planKeyRow{}).Select("key_id").Where("tenant_id = ? AND plan_id = ?", tenantID, planID)).
		Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	if len(ids) == 0 {
		return []*usage.APIKey{}, nil
	}
	return s.withPlans(ctx, s.q(ctx).Where("tenant_id = ? AND key_id IN ?", tenantID, ids), rows)
}

func (s *sqlStore) tenantIDs(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.q(ctx).Table("tenants").Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	return slices.Compact(ids), nil
}

func ptr[T any](v T) *T { return &v }
