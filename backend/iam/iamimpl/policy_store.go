package iamimpl

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// Directory implements iam.Directory and authz.Source over the tables of
// migration 00010. Every write that can change what a principal may do
// bumps the tenant's policy version in the same transaction.
type Directory struct {
	g      *gorm.DB
	now    func() time.Time
	params *argon2id.Params
	log    *slog.Logger
}

var (
	_ iam.Directory = (*Directory)(nil)
	_ authz.Source  = (*Directory)(nil)
)

// NewDirectory returns the directory over a migrated database; cfg's
// clock, password parameters and logger apply.
func NewDirectory(d *db.DB, cfg Config) *Directory {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PasswordParams == nil {
		cfg.PasswordParams = DefaultPasswordParams
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Directory{g: d.Gorm, now: func() time.Time { return cfg.Now().UTC().Truncate(time.Microsecond) },
		params: cfg.PasswordParams, log: cfg.Logger.With("component", "iam-directory")}
}

type policyRow struct {
	ID          string `gorm:"primaryKey"`
	TenantID    string
	Name        string
	Description string
	// Document and Version are the default version's.
	Document string
	Version  int
	// LatestVersion is the highest version number given out.
	LatestVersion int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (policyRow) TableName() string { return "iam_policies" }

func (r *policyRow) model() *iam.Policy {
	return &iam.Policy{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Description: r.Description, Document: r.Document,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type groupRow struct {
	ID          string `gorm:"primaryKey"`
	TenantID    string
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (groupRow) TableName() string { return "iam_groups" }

func (r *groupRow) model() *iam.Group {
	return &iam.Group{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Description: r.Description, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type groupMemberRow struct {
	TenantID  string
	GroupID   string `gorm:"primaryKey"`
	UserID    string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (groupMemberRow) TableName() string { return "iam_group_members" }

type roleRow struct {
	ID          string `gorm:"primaryKey"`
	TenantID    string
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (roleRow) TableName() string { return "iam_roles" }

func (r *roleRow) model() *iam.Role {
	return &iam.Role{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Description: r.Description, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type attachmentRow struct {
	TenantID      string `gorm:"primaryKey"`
	PrincipalType string `gorm:"primaryKey"`
	PrincipalID   string `gorm:"primaryKey"`
	PolicyID      string `gorm:"primaryKey"`
	CreatedAt     time.Time
}

func (attachmentRow) TableName() string { return "iam_policy_attachments" }

type sessionPolicyRow struct {
	AccessKeyID string `gorm:"primaryKey"`
	TenantID    string
	Document    string
}

func (sessionPolicyRow) TableName() string { return "iam_session_policies" }

type passwordResetRow struct {
	UserID    string `gorm:"primaryKey"`
	TenantID  string
	CreatedAt time.Time
}

func (passwordResetRow) TableName() string { return "iam_password_resets" }

type policyVersionRow struct {
	TenantID string `gorm:"primaryKey"`
	Version  int64
}

func (policyVersionRow) TableName() string { return "iam_policy_versions" }

// conn is the transaction ctx carries, else the directory's handle.
func (d *Directory) conn(ctx context.Context) *gorm.DB { return db.Conn(ctx, d.g) }

// tx runs fn in a transaction (a savepoint inside the request's).
func (d *Directory) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return db.WithTx(ctx, d.g, fn)
}

// bumpVersion gives the tenant a new random policy version: random, not
// incremented, so that a version seen inside a transaction that then rolls
// back can never name another state later.
func bumpVersion(tx *gorm.DB, tenantID string) error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	v := int64(binary.BigEndian.Uint64(b[:]) >> 1)
	err := tx.Exec(`INSERT INTO iam_policy_versions (tenant_id, version) VALUES (?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version`, tenantID, v).Error
	if err != nil {
		return fmt.Errorf("bumping policy version: %w", err)
	}
	return nil
}

// PolicyVersion implements authz.Source.
func (d *Directory) PolicyVersion(ctx context.Context, tenantID string) (int64, error) {
	var v []int64
	if err := d.conn(ctx).Model(&policyVersionRow{}).Where("tenant_id = ?", tenantID).Pluck("version", &v).Error; err != nil {
		return 0, fmt.Errorf("loading policy version: %w", err)
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}

// PrincipalPolicies implements authz.Source.
func (d *Directory) PrincipalPolicies(ctx context.Context, p *reqctx.Principal) (*authz.PrincipalPolicies, error) {
	eff, err := d.effective(ctx, d.conn(ctx), p.TenantID, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &authz.PrincipalPolicies{}
	for _, e := range eff {
		out.Identity = append(out.Identity, e.policy)
	}
	reset, err := d.resetRequired(d.conn(ctx), p.TenantID, p.UserID)
	if err != nil {
		return nil, err
	}
	out.PasswordResetRequired = reset
	if err := d.conn(ctx).Table("iam_groups").Joins("JOIN iam_group_members m ON m.group_id = iam_groups.id").
		Where("m.tenant_id = ? AND m.user_id = ?", p.TenantID, p.UserID).Order("iam_groups.name").
		Pluck("iam_groups.name", &out.Groups).Error; err != nil {
		return nil, fmt.Errorf("loading group names: %w", err)
	}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	if p.AccessKeyID != "" {
		doc, err := d.GetSessionPolicy(ctx, p.TenantID, p.AccessKeyID)
		if err != nil {
			return nil, err
		}
		if doc != "" {
			parsed, err := authz.ParseDocument([]byte(doc))
			if err != nil {
				return nil, fmt.Errorf("session policy of %s: %w", p.AccessKeyID, err)
			}
			out.Session = &authz.Policy{ID: "session:" + p.AccessKeyID, Name: "Session policy of " + p.AccessKeyID, Document: parsed}
		}
	}
	return out, nil
}

type effectiveEntry struct {
	policy authz.Policy
	row    *iam.Policy
	via    string
}

// effective resolves a user's policies: the built-in and custom roles of
// user_roles, direct attachments and group attachments, each policy once
// (the first way found is reported).
func (d *Directory) effective(ctx context.Context, g *gorm.DB, tenantID, userID string) ([]effectiveEntry, error) {
	type source struct {
		ref iam.PrincipalRef
		via string
	}
	var sources []source
	var out []effectiveEntry
	seen := map[string]bool{}
	addManaged := func(name, via string) {
		m, ok := authz.Managed(name)
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		out = append(out, effectiveEntry{policy: m.AsPolicy(), row: managedPolicy(m), via: via})
	}

	sources = append(sources, source{iam.PrincipalRef{Type: iam.PrincipalUser, ID: userID}, "user"})
	var roles []string
	if err := g.Table("user_roles").Where("tenant_id = ? AND user_id = ?", tenantID, userID).Order("role").
		Pluck("role", &roles).Error; err != nil {
		return nil, fmt.Errorf("loading roles: %w", err)
	}
	for _, r := range roles {
		if names, ok := authz.BuiltinRoles[r]; ok {
			for _, n := range names {
				addManaged(n, "role:"+r)
			}
			continue
		}
		sources = append(sources, source{iam.PrincipalRef{Type: iam.PrincipalRole, ID: r}, "role:" + r})
	}
	var groups []groupRow
	if err := g.Table("iam_groups").Joins("JOIN iam_group_members m ON m.group_id = iam_groups.id").
		Where("m.tenant_id = ? AND m.user_id = ?", tenantID, userID).Order("iam_groups.name").Find(&groups).Error; err != nil {
		return nil, fmt.Errorf("loading groups: %w", err)
	}
	for _, gr := range groups {
		sources = append(sources, source{iam.PrincipalRef{Type: iam.PrincipalGroup, ID: gr.ID}, "group:" + gr.Name})
	}
	for _, s := range sources {
		pols, err := d.attached(ctx, g, tenantID, s.ref)
		if err != nil {
			return nil, err
		}
		for _, p := range pols {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			doc, err := authz.ParseDocument([]byte(p.Document))
			if err != nil {
				return nil, fmt.Errorf("stored policy %s: %w", p.ID, err)
			}
			out = append(out, effectiveEntry{policy: authz.Policy{ID: p.ID, Name: p.Name, Document: doc}, row: p, via: s.via})
		}
	}
	return out, nil
}

func managedPolicy(m authz.ManagedPolicy) *iam.Policy {
	return &iam.Policy{ID: m.Name, Name: m.Name, Description: m.Description, Managed: true, Document: m.Document.JSON(), Version: 1}
}

// attached lists the policies attached to ref, managed first.
func (d *Directory) attached(_ context.Context, g *gorm.DB, tenantID string, ref iam.PrincipalRef) ([]*iam.Policy, error) {
	var ids []string
	if err := g.Model(&attachmentRow{}).Where("tenant_id = ? AND principal_type = ? AND principal_id = ?", tenantID, string(ref.Type), ref.ID).
		Order("policy_id").Pluck("policy_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("loading attachments: %w", err)
	}
	var out, custom []*iam.Policy
	var customIDs []string
	for _, id := range ids {
		if m, ok := authz.Managed(id); ok {
			out = append(out, managedPolicy(m))
		} else {
			customIDs = append(customIDs, id)
		}
	}
	if len(customIDs) > 0 {
		var rows []policyRow
		if err := g.Where("tenant_id = ? AND id IN ?", tenantID, customIDs).Order("name").Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("loading attached policies: %w", err)
		}
		for i := range rows {
			custom = append(custom, rows[i].model())
		}
	}
	return append(out, custom...), nil
}

// ---- users ----

// ListUsers implements iam.Directory.
func (d *Directory) ListUsers(ctx context.Context, tenantID string) ([]*iam.User, error) {
	var rows []userRow
	if err := d.conn(ctx).Where("tenant_id = ?", tenantID).Order("email").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	st := &gormStore{g: d.conn(ctx)}
	out := make([]*iam.User, 0, len(rows))
	for i := range rows {
		u, err := st.withRoles(ctx, &rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func (d *Directory) getUser(ctx context.Context, g *gorm.DB, tenantID, userID string) (*iam.User, error) {
	return (&gormStore{g: g}).getUser(ctx, tenantID, userID)
}

// UpdateUser implements iam.Directory.
func (d *Directory) UpdateUser(ctx context.Context, cmd iam.UpdateUserCommand) (*iam.User, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	var u *iam.User
	err := d.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if u, err = d.getUser(ctx, tx, cmd.TenantID, cmd.UserID); err != nil {
			return err
		}
		if cmd.Name != nil {
			u.Name = *cmd.Name
		}
		if cmd.Status != nil {
			u.Status = *cmd.Status
		}
		u.UpdatedAt = d.now()
		return tx.Model(&userRow{}).Where("tenant_id = ? AND id = ?", cmd.TenantID, cmd.UserID).
			Updates(map[string]any{"name": u.Name, "status": string(u.Status), "updated_at": u.UpdatedAt}).Error
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteUser implements iam.Directory.
func (d *Directory) DeleteUser(ctx context.Context, tenantID, userID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("tenant_id = ? AND id = ?", tenantID, userID).Delete(&userRow{})
		if res.Error != nil {
			return fmt.Errorf("deleting user: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return iam.ErrUserNotFound
		}
		if err := tx.Where("tenant_id = ? AND principal_type = ? AND principal_id = ?", tenantID, string(iam.PrincipalUser), userID).
			Delete(&attachmentRow{}).Error; err != nil {
			return fmt.Errorf("deleting user's attachments: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// ForcePasswordReset implements iam.Directory.
func (d *Directory) ForcePasswordReset(ctx context.Context, tenantID, userID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		if _, err := d.getUser(ctx, tx, tenantID, userID); err != nil {
			return err
		}
		r := passwordResetRow{UserID: userID, TenantID: tenantID, CreatedAt: d.now()}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
			return fmt.Errorf("flagging password reset: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// PasswordResetRequired implements iam.Directory.
func (d *Directory) PasswordResetRequired(ctx context.Context, tenantID, userID string) (bool, error) {
	g := d.conn(ctx)
	if _, err := d.getUser(ctx, g, tenantID, userID); err != nil {
		return false, err
	}
	return d.resetRequired(g, tenantID, userID)
}

func (d *Directory) resetRequired(g *gorm.DB, tenantID, userID string) (bool, error) {
	var n int64
	if err := g.Model(&passwordResetRow{}).Where("tenant_id = ? AND user_id = ?", tenantID, userID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("loading password reset flag: %w", err)
	}
	return n > 0, nil
}

// ChangePassword implements iam.Directory.
func (d *Directory) ChangePassword(ctx context.Context, cmd iam.ChangePasswordCommand) error {
	if err := cmd.Validate(); err != nil {
		return err
	}
	u, err := d.getUser(ctx, d.conn(ctx), cmd.TenantID, cmd.UserID)
	if err != nil {
		return err
	}
	ok, err := argon2id.ComparePasswordAndHash(cmd.CurrentPassword, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("comparing password: %w", err)
	}
	if !ok {
		return iam.ErrCurrentPassword
	}
	hash, err := argon2id.CreateHash(cmd.NewPassword, d.params)
	if err != nil {
		return fmt.Errorf("hashing password: %w", err)
	}
	return d.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&userRow{}).Where("tenant_id = ? AND id = ?", cmd.TenantID, cmd.UserID).
			Updates(map[string]any{"password_hash": hash, "updated_at": d.now()}).Error
		if err != nil {
			return fmt.Errorf("changing password: %w", err)
		}
		if err := tx.Where("tenant_id = ? AND user_id = ?", cmd.TenantID, cmd.UserID).Delete(&passwordResetRow{}).Error; err != nil {
			return fmt.Errorf("clearing password reset flag: %w", err)
		}
		return bumpVersion(tx, cmd.TenantID)
	})
}

// ---- session policies ----

// SetSessionPolicy implements iam.Directory.
func (d *Directory) SetSessionPolicy(ctx context.Context, tenantID, accessKeyID, document string) error {
	if _, err := authz.ParseDocument([]byte(document)); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&sessionPolicyRow{AccessKeyID: accessKeyID, TenantID: tenantID, Document: document}).Error; err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return iam.ErrAccessKeyNotFound.Errorf("session policy: %w", err)
			}
			return fmt.Errorf("storing session policy: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// GetSessionPolicy implements iam.Directory.
func (d *Directory) GetSessionPolicy(ctx context.Context, tenantID, accessKeyID string) (string, error) {
	var docs []string
	if err := d.conn(ctx).Model(&sessionPolicyRow{}).Where("tenant_id = ? AND access_key_id = ?", tenantID, accessKeyID).
		Pluck("document", &docs).Error; err != nil {
		return "", fmt.Errorf("loading session policy: %w", err)
	}
	if len(docs) == 0 {
		return "", nil
	}
	return docs[0], nil
}

func dedupeSorted(xs []string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}
