package iamimpl

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam"
)

// policyDocVersionRow is one version of a customer policy's document
// (migration 00060). The policy row keeps the default version's number and
// a copy of its document.
type policyDocVersionRow struct {
	TenantID  string
	PolicyID  string `gorm:"primaryKey"`
	Version   int    `gorm:"primaryKey"`
	Document  string
	CreatedAt time.Time
}

func (policyDocVersionRow) TableName() string { return "iam_policy_document_versions" }

func (r *policyDocVersionRow) model(defaultVersion int) *iam.PolicyVersion {
	return &iam.PolicyVersion{PolicyID: r.PolicyID, Number: r.Version, Document: r.Document, IsDefault: r.Version == defaultVersion, CreatedAt: r.CreatedAt}
}

// customPolicyRow loads a customer policy of the tenant; managed policies
// cannot change.
func customPolicyRow(g *gorm.DB, tenantID, policyID string) (*policyRow, error) {
	if authz.IsManaged(policyID) {
		return nil, iam.ErrPolicyManaged
	}
	var r policyRow
	if err := g.Where("tenant_id = ? AND id = ?", tenantID, policyID).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrPolicyNotFound, "policy")
	}
	return &r, nil
}

// ListPolicyVersions implements iam.Directory.
func (d *Directory) ListPolicyVersions(ctx context.Context, tenantID, policyID string) ([]*iam.PolicyVersion, error) {
	if m, ok := authz.Managed(policyID); ok {
		return []*iam.PolicyVersion{managedVersion(m)}, nil
	}
	g := d.conn(ctx)
	p, err := customPolicyRow(g, tenantID, policyID)
	if err != nil {
		return nil, err
	}
	var rows []policyDocVersionRow
	if err := g.Where("tenant_id = ? AND policy_id = ?", tenantID, policyID).Order("version DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing policy versions: %w", err)
	}
	out := make([]*iam.PolicyVersion, len(rows))
	for i := range rows {
		out[i] = rows[i].model(p.Version)
	}
	return out, nil
}

func managedVersion(m authz.ManagedPolicy) *iam.PolicyVersion {
	return &iam.PolicyVersion{PolicyID: m.Name, Number: 1, Document: m.Document.JSON(), IsDefault: true}
}

// GetPolicyVersion implements iam.Directory.
func (d *Directory) GetPolicyVersion(ctx context.Context, tenantID, policyID, versionID string) (*iam.PolicyVersion, error) {
	n, ok := iam.ParsePolicyVersionID(versionID)
	if m, managed := authz.Managed(policyID); managed {
		if n != 1 {
			return nil, iam.ErrPolicyVersionNotFound
		}
		return managedVersion(m), nil
	}
	g := d.conn(ctx)
	p, err := customPolicyRow(g, tenantID, policyID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, iam.ErrPolicyVersionNotFound
	}
	r, err := versionRow(g, tenantID, policyID, n)
	if err != nil {
		return nil, err
	}
	return r.model(p.Version), nil
}

func versionRow(g *gorm.DB, tenantID, policyID string, n int) (*policyDocVersionRow, error) {
	var r policyDocVersionRow
	if err := g.Where("tenant_id = ? AND policy_id = ? AND version = ?", tenantID, policyID, n).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrPolicyVersionNotFound, "policy version")
	}
	return &r, nil
}

// CreatePolicyVersion implements iam.Directory: the document must parse
// (422 with details under document.); a policy with MaxPolicyVersions
// versions answers 409 policy.version-limit.
func (d *Directory) CreatePolicyVersion(ctx context.Context, cmd iam.CreatePolicyVersionCommand) (*iam.PolicyVersion, error) {
	if authz.IsManaged(cmd.PolicyID) {
		return nil, iam.ErrPolicyManaged
	}
	doc, err := authz.ParseDocument([]byte(cmd.Document))
	if err := mergeInvalid(nil, err); err != nil {
		return nil, err
	}
	var out *iam.PolicyVersion
	err = d.tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = d.addVersion(tx, cmd.TenantID, cmd.PolicyID, doc.JSON(), cmd.SetAsDefault, false)
		return err
	})
	return out, err
}

// addVersion adds the next version of a policy, as its default when
// setDefault. At MaxPolicyVersions it deletes the oldest non-default
// version when prune (PUT on the policy), else answers
// ErrPolicyVersionLimit.
func (d *Directory) addVersion(tx *gorm.DB, tenantID, policyID, text string, setDefault, prune bool) (*iam.PolicyVersion, error) {
	// Taking the next number first locks the policy row, so concurrent
	// additions count versions one after the other.
	res := tx.Model(&policyRow{}).Where("tenant_id = ? AND id = ?", tenantID, policyID).
		UpdateColumn("latest_version", gorm.Expr("latest_version + 1"))
	if res.Error != nil {
		return nil, fmt.Errorf("numbering policy version: %w", res.Error)
	}
	p, err := customPolicyRow(tx, tenantID, policyID)
	if err != nil {
		return nil, err
	}
	var numbers []int
	if err := tx.Model(&policyDocVersionRow{}).Where("tenant_id = ? AND policy_id = ?", tenantID, policyID).
		Order("version").Pluck("version", &numbers).Error; err != nil {
		return nil, fmt.Errorf("counting policy versions: %w", err)
	}
	if len(numbers) >= iam.MaxPolicyVersions {
		if !prune {
			return nil, iam.ErrPolicyVersionLimit
		}
		excess := len(numbers) - iam.MaxPolicyVersions + 1
		for _, n := range numbers {
			if n == p.Version {
				continue
			}
			if excess == 0 {
				break
			}
			excess--
			if err := tx.Where("tenant_id = ? AND policy_id = ? AND version = ?", tenantID, policyID, n).
				Delete(&policyDocVersionRow{}).Error; err != nil {
				return nil, fmt.Errorf("deleting oldest policy version: %w", err)
			}
		}
	}
	now := d.now()
	r := policyDocVersionRow{TenantID: tenantID, PolicyID: policyID, Version: p.LatestVersion, Document: text, CreatedAt: now}
	if err := tx.Create(&r).Error; err != nil {
		return nil, fmt.Errorf("creating policy version: %w", err)
	}
	if !setDefault {
		return r.model(p.Version), nil
	}
	if err := d.setDefault(tx, p, &r); err != nil {
		return nil, err
	}
	return r.model(r.Version), nil
}

// setDefault makes version r the enforced document of p, and bumps the
// tenant's policy version in the same transaction so cached decisions go.
func (d *Directory) setDefault(tx *gorm.DB, p *policyRow, r *policyDocVersionRow) error {
	if err := tx.Model(&policyRow{}).Where("tenant_id = ? AND id = ?", p.TenantID, p.ID).
		Updates(map[string]any{"document": r.Document, "version": r.Version, "updated_at": d.now()}).Error; err != nil {
		return fmt.Errorf("setting default policy version: %w", err)
	}
	return bumpVersion(tx, p.TenantID)
}

// SetDefaultPolicyVersion implements iam.Directory.
func (d *Directory) SetDefaultPolicyVersion(ctx context.Context, tenantID, policyID, versionID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		p, n, err := policyAndVersion(tx, tenantID, policyID, versionID)
		if err != nil {
			return err
		}
		r, err := versionRow(tx, tenantID, policyID, n)
		if err != nil {
			return err
		}
		if n == p.Version {
			return nil
		}
		return d.setDefault(tx, p, r)
	})
}

// DeletePolicyVersion implements iam.Directory.
func (d *Directory) DeletePolicyVersion(ctx context.Context, tenantID, policyID, versionID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		p, n, err := policyAndVersion(tx, tenantID, policyID, versionID)
		if err != nil {
			return err
		}
		if n == p.Version {
			return iam.ErrPolicyVersionDefault
		}
		res := tx.Where("tenant_id = ? AND policy_id = ? AND version = ?", tenantID, policyID, n).Delete(&policyDocVersionRow{})
		if res.Error != nil {
			return fmt.Errorf("deleting policy version: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return iam.ErrPolicyVersionNotFound
		}
		return nil
	})
}

// policyAndVersion loads a customer policy and reads a version id of it.
func policyAndVersion(g *gorm.DB, tenantID, policyID, versionID string) (*policyRow, int, error) {
	p, err := customPolicyRow(g, tenantID, policyID)
	if err != nil {
		return nil, 0, err
	}
	n, ok := iam.ParsePolicyVersionID(versionID)
	if !ok {
		return nil, 0, iam.ErrPolicyVersionNotFound
	}
	return p, n, nil
}
