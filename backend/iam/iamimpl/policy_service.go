package iamimpl

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/iam"
)

// ListPolicies implements iam.Directory.
func (d *Directory) ListPolicies(ctx context.Context, tenantID string) ([]*iam.Policy, error) {
	out := make([]*iam.Policy, 0, len(authz.ManagedPolicies))
	for _, m := range authz.ManagedPolicies {
		out = append(out, managedPolicy(m))
	}
	var rows []policyRow
	if err := d.conn(ctx).Where("tenant_id = ?", tenantID).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing policies: %w", err)
	}
	for i := range rows {
		out = append(out, rows[i].model())
	}
	return out, nil
}

// GetPolicy implements iam.Directory.
func (d *Directory) GetPolicy(ctx context.Context, tenantID, policyID string) (*iam.Policy, error) {
	return d.getPolicy(d.conn(ctx), tenantID, policyID)
}

func (d *Directory) getPolicy(g *gorm.DB, tenantID, policyID string) (*iam.Policy, error) {
	if m, ok := authz.Managed(policyID); ok {
		return managedPolicy(m), nil
	}
	var r policyRow
	if err := g.Where("tenant_id = ? AND id = ?", tenantID, policyID).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrPolicyNotFound, "policy")
	}
	return r.model(), nil
}

// SavePolicy implements iam.Directory: the document must parse and
// validate (422 with one detail per problem). Creating makes v1; an update
// adds the document as a new default version, deleting the oldest
// non-default version when the policy already has MaxPolicyVersions.
func (d *Directory) SavePolicy(ctx context.Context, cmd iam.SavePolicyCommand) (*iam.Policy, error) {
	if cmd.PolicyID != "" && authz.IsManaged(cmd.PolicyID) {
		return nil, iam.ErrPolicyManaged
	}
	nameErr := cmd.Validate()
	doc, docErr := authz.ParseDocument([]byte(cmd.Document))
	if err := mergeInvalid(nameErr, docErr); err != nil {
		return nil, err
	}
	if authz.IsManaged(cmd.Name) {
		return nil, iam.ErrPolicyNameTaken.WithMessage("%s is the name of a managed policy.", cmd.Name)
	}
	// Store the normalised document, so that what is evaluated is what is
	// shown.
	text := doc.JSON()
	now := d.now()
	var out *iam.Policy
	err := d.tx(ctx, func(tx *gorm.DB) error {
		if cmd.PolicyID == "" {
			r := policyRow{ID: newPolicyID(), TenantID: cmd.TenantID, Name: cmd.Name, Description: cmd.Description,
				Document: text, Version: 1, LatestVersion: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&r).Error; err != nil {
				return taken(err, iam.ErrPolicyNameTaken, "policy")
			}
			v := policyDocVersionRow{TenantID: r.TenantID, PolicyID: r.ID, Version: 1, Document: text, CreatedAt: now}
			if err := tx.Create(&v).Error; err != nil {
				return fmt.Errorf("creating policy version: %w", err)
			}
			out = r.model()
			return nil
		}
		if _, err := customPolicyRow(tx, cmd.TenantID, cmd.PolicyID); err != nil {
			return err
		}
		if err := tx.Model(&policyRow{}).Where("tenant_id = ? AND id = ?", cmd.TenantID, cmd.PolicyID).
			Updates(map[string]any{"name": cmd.Name, "description": cmd.Description, "updated_at": now}).Error; err != nil {
			return taken(err, iam.ErrPolicyNameTaken, "policy")
		}
		if _, err := d.addVersion(tx, cmd.TenantID, cmd.PolicyID, text, true, true); err != nil {
			return err
		}
		var err error
		out, err = d.getPolicy(tx, cmd.TenantID, cmd.PolicyID)
		return err
	})
	return out, err
}

// mergeInvalid joins the details of two 422s into the policy's.
func mergeInvalid(a, b error) error {
	if a == nil && b == nil {
		return nil
	}
	out := iam.ErrPolicyInvalidInput
	for _, err := range []error{a, b} {
		if err == nil {
			continue
		}
		var ae *apierr.Error
		if !errors.As(err, &ae) {
			return err
		}
		for field, det := range ae.Details {
			if field != "name" && field != "description" {
				field = "document." + field
				if det.Code == "malformed" || det.Code == "too-long" {
					field = "document"
				}
			}
			out = out.WithDetail(field, det.Code, det.Message)
		}
	}
	return out
}

// DeletePolicy implements iam.Directory.
func (d *Directory) DeletePolicy(ctx context.Context, tenantID, policyID string) error {
	if authz.IsManaged(policyID) {
		return iam.ErrPolicyManaged
	}
	return d.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("tenant_id = ? AND id = ?", tenantID, policyID).Delete(&policyRow{})
		if res.Error != nil {
			return fmt.Errorf("deleting policy: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return iam.ErrPolicyNotFound
		}
		if err := tx.Where("tenant_id = ? AND policy_id = ?", tenantID, policyID).Delete(&attachmentRow{}).Error; err != nil {
			return fmt.Errorf("deleting policy attachments: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// checkPrincipal finds the user, group or custom role ref names; built-in
// roles' policies cannot change.
func (d *Directory) checkPrincipal(ctx context.Context, g *gorm.DB, tenantID string, ref iam.PrincipalRef) error {
	switch ref.Type {
	case iam.PrincipalUser:
		_, err := d.getUser(ctx, g, tenantID, ref.ID)
		return err
	case iam.PrincipalGroup:
		_, err := d.getGroup(g, tenantID, ref.ID)
		return err
	case iam.PrincipalRole:
		r, err := d.getRole(g, tenantID, ref.ID)
		if err != nil {
			return err
		}
		if r.Builtin {
			return iam.ErrRoleBuiltin
		}
		return nil
	}
	return fmt.Errorf("unknown principal type %q", ref.Type)
}

// AttachPolicy implements iam.Directory; attaching twice is not an error.
func (d *Directory) AttachPolicy(ctx context.Context, tenantID string, to iam.PrincipalRef, policyID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		if err := d.checkPrincipal(ctx, tx, tenantID, to); err != nil {
			return err
		}
		if _, err := d.getPolicy(tx, tenantID, policyID); err != nil {
			return err
		}
		r := attachmentRow{TenantID: tenantID, PrincipalType: string(to.Type), PrincipalID: to.ID, PolicyID: policyID, CreatedAt: d.now()}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
			return fmt.Errorf("attaching policy: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// DetachPolicy implements iam.Directory.
func (d *Directory) DetachPolicy(ctx context.Context, tenantID string, from iam.PrincipalRef, policyID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		if err := d.checkPrincipal(ctx, tx, tenantID, from); err != nil {
			return err
		}
		res := tx.Where("tenant_id = ? AND principal_type = ? AND principal_id = ? AND policy_id = ?",
			tenantID, string(from.Type), from.ID, policyID).Delete(&attachmentRow{})
		if res.Error != nil {
			return fmt.Errorf("detaching policy: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return iam.ErrPolicyNotFound.WithMessage("The policy is not attached here.")
		}
		return bumpVersion(tx, tenantID)
	})
}

// ListAttachedPolicies implements iam.Directory.
func (d *Directory) ListAttachedPolicies(ctx context.Context, tenantID string, of iam.PrincipalRef) ([]*iam.Policy, error) {
	g := d.conn(ctx)
	if of.Type == iam.PrincipalRole {
		if names, ok := authz.BuiltinRoles[of.ID]; ok {
			var out []*iam.Policy
			for _, n := range names {
				m, _ := authz.Managed(n)
				out = append(out, managedPolicy(m))
			}
			return out, nil
		}
	}
	if err := d.checkPrincipal(ctx, g, tenantID, of); err != nil {
		return nil, err
	}
	return d.attached(ctx, g, tenantID, of)
}

// EffectivePolicies implements iam.Directory.
func (d *Directory) EffectivePolicies(ctx context.Context, tenantID, userID string) ([]iam.EffectivePolicy, error) {
	g := d.conn(ctx)
	if _, err := d.getUser(ctx, g, tenantID, userID); err != nil {
		return nil, err
	}
	eff, err := d.effective(ctx, g, tenantID, userID)
	if err != nil {
		return nil, err
	}
	out := make([]iam.EffectivePolicy, len(eff))
	for i, e := range eff {
		out[i] = iam.EffectivePolicy{Policy: e.row, Via: e.via}
	}
	return out, nil
}

// AffectedUsers implements iam.Directory.
func (d *Directory) AffectedUsers(ctx context.Context, tenantID string, ref iam.PrincipalRef) ([]string, error) {
	g := d.conn(ctx)
	var users []string
	membersOf := func(groupIDs []string) error {
		if len(groupIDs) == 0 {
			return nil
		}
		var ids []string
		if err := g.Model(&groupMemberRow{}).Where("tenant_id = ? AND group_id IN ?", tenantID, groupIDs).Pluck("user_id", &ids).Error; err != nil {
			return fmt.Errorf("loading group members: %w", err)
		}
		users = append(users, ids...)
		return nil
	}
	holdersOf := func(roles []string) error {
		if len(roles) == 0 {
			return nil
		}
		var ids []string
		if err := g.Model(&userRoleRow{}).Where("tenant_id = ? AND role IN ?", tenantID, roles).Pluck("user_id", &ids).Error; err != nil {
			return fmt.Errorf("loading role holders: %w", err)
		}
		users = append(users, ids...)
		return nil
	}
	switch ref.Type {
	case iam.PrincipalUser:
		users = append(users, ref.ID)
	case iam.PrincipalGroup:
		if err := membersOf([]string{ref.ID}); err != nil {
			return nil, err
		}
	case iam.PrincipalRole:
		if err := holdersOf([]string{ref.ID}); err != nil {
			return nil, err
		}
	case iam.PrincipalPolicyRef:
		var rows []attachmentRow
		if err := g.Where("tenant_id = ? AND policy_id = ?", tenantID, ref.ID).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("loading attachments: %w", err)
		}
		var groups, roles []string
		for _, r := range rows {
			switch iam.PrincipalType(r.PrincipalType) {
			case iam.PrincipalUser:
				users = append(users, r.PrincipalID)
			case iam.PrincipalGroup:
				groups = append(groups, r.PrincipalID)
			case iam.PrincipalRole:
				roles = append(roles, r.PrincipalID)
			}
		}
		if err := membersOf(groups); err != nil {
			return nil, err
		}
		if err := holdersOf(roles); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown principal type %q", ref.Type)
	}
	return dedupeSorted(users), nil
}
