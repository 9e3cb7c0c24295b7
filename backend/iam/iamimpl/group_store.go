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

func newGroupID() string  { return "grp_" + randomString(16, lowerAlnum) }
func newRoleID() string   { return "rol_" + randomString(16, lowerAlnum) }
func newPolicyID() string { return "pol_" + randomString(16, lowerAlnum) }

// ListGroups implements iam.Directory.
func (d *Directory) ListGroups(ctx context.Context, tenantID string) ([]*iam.Group, error) {
	var rows []groupRow
	if err := d.conn(ctx).Where("tenant_id = ?", tenantID).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing groups: %w", err)
	}
	out := make([]*iam.Group, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// GetGroup implements iam.Directory.
func (d *Directory) GetGroup(ctx context.Context, tenantID, groupID string) (*iam.Group, error) {
	return d.getGroup(d.conn(ctx), tenantID, groupID)
}

func (d *Directory) getGroup(g *gorm.DB, tenantID, groupID string) (*iam.Group, error) {
	var r groupRow
	if err := g.Where("tenant_id = ? AND id = ?", tenantID, groupID).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrGroupNotFound, "group")
	}
	return r.model(), nil
}

// SaveGroup implements iam.Directory.
func (d *Directory) SaveGroup(ctx context.Context, cmd iam.SaveGroupCommand) (*iam.Group, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	now := d.now()
	var out *iam.Group
	err := d.tx(ctx, func(tx *gorm.DB) error {
		if cmd.GroupID == "" {
			r := groupRow{ID: newGroupID(), TenantID: cmd.TenantID, Name: cmd.Name, Description: cmd.Description, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&r).Error; err != nil {
				return taken(err, iam.ErrGroupNameTaken, "group")
			}
			out = r.model()
			return nil
		}
		gr, err := d.getGroup(tx, cmd.TenantID, cmd.GroupID)
		if err != nil {
			return err
		}
		gr.Name, gr.Description, gr.UpdatedAt = cmd.Name, cmd.Description, now
		if err := tx.Model(&groupRow{}).Where("tenant_id = ? AND id = ?", cmd.TenantID, cmd.GroupID).
			Updates(map[string]any{"name": gr.Name, "description": gr.Description, "updated_at": now}).Error; err != nil {
			return taken(err, iam.ErrGroupNameTaken, "group")
		}
		out = gr
		return nil
	})
	return out, err
}

// DeleteGroup implements iam.Directory.
func (d *Directory) DeleteGroup(ctx context.Context, tenantID, groupID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("tenant_id = ? AND id = ?", tenantID, groupID).Delete(&groupRow{})
		if res.Error != nil {
			return fmt.Errorf("deleting group: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return iam.ErrGroupNotFound
		}
		if err := tx.Where("tenant_id = ? AND group_id = ?", tenantID, groupID).Delete(&groupMemberRow{}).Error; err != nil {
			return fmt.Errorf("deleting group members: %w", err)
		}
		if err := tx.Where("tenant_id = ? AND principal_type = ? AND principal_id = ?", tenantID, string(iam.PrincipalGroup), groupID).
			Delete(&attachmentRow{}).Error; err != nil {
			return fmt.Errorf("deleting group attachments: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// ListGroupMembers implements iam.Directory.
func (d *Directory) ListGroupMembers(ctx context.Context, tenantID, groupID string) ([]*iam.User, error) {
	g := d.conn(ctx)
	if _, err := d.getGroup(g, tenantID, groupID); err != nil {
		return nil, err
	}
	var rows []userRow
	if err := g.Joins("JOIN iam_group_members m ON m.user_id = users.id").
		Where("m.tenant_id = ? AND m.group_id = ? AND users.tenant_id = ?", tenantID, groupID, tenantID).
		Order("users.email").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing group members: %w", err)
	}
	st := &gormStore{g: g}
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

// AddUserToGroup implements iam.Directory; adding a member twice is not an
// error.
func (d *Directory) AddUserToGroup(ctx context.Context, tenantID, groupID, userID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		if _, err := d.getGroup(tx, tenantID, groupID); err != nil {
			return err
		}
		if _, err := d.getUser(ctx, tx, tenantID, userID); err != nil {
			return err
		}
		r := groupMemberRow{TenantID: tenantID, GroupID: groupID, UserID: userID, CreatedAt: d.now()}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
			return fmt.Errorf("adding group member: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// RemoveUserFromGroup implements iam.Directory.
func (d *Directory) RemoveUserFromGroup(ctx context.Context, tenantID, groupID, userID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("tenant_id = ? AND group_id = ? AND user_id = ?", tenantID, groupID, userID).Delete(&groupMemberRow{})
		if res.Error != nil {
			return fmt.Errorf("removing group member: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return iam.ErrUserNotFound.WithMessage("The user is not a member of this group.")
		}
		return bumpVersion(tx, tenantID)
	})
}

// ListUserGroups implements iam.Directory.
func (d *Directory) ListUserGroups(ctx context.Context, tenantID, userID string) ([]*iam.Group, error) {
	g := d.conn(ctx)
	if _, err := d.getUser(ctx, g, tenantID, userID); err != nil {
		return nil, err
	}
	var rows []groupRow
	if err := g.Joins("JOIN iam_group_members m ON m.group_id = iam_groups.id").
		Where("m.tenant_id = ? AND m.user_id = ? AND iam_groups.tenant_id = ?", tenantID, userID, tenantID).
		Order("iam_groups.name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing user's groups: %w", err)
	}
	out := make([]*iam.Group, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// ---- roles ----

var builtinRoleDescriptions = map[string]string{
	authz.RoleTenantAdmin: "Built-in: AdministratorAccess.",
	authz.RoleReadOnly:    "Built-in: ReadOnlyAccess.",
}

func builtinRole(name string) *iam.Role {
	return &iam.Role{ID: name, Name: name, Description: builtinRoleDescriptions[name], Builtin: true}
}

// ListRoles implements iam.Directory.
func (d *Directory) ListRoles(ctx context.Context, tenantID string) ([]*iam.Role, error) {
	out := []*iam.Role{builtinRole(authz.RoleTenantAdmin), builtinRole(authz.RoleReadOnly)}
	var rows []roleRow
	if err := d.conn(ctx).Where("tenant_id = ?", tenantID).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing roles: %w", err)
	}
	for i := range rows {
		out = append(out, rows[i].model())
	}
	return out, nil
}

// GetRole implements iam.Directory.
func (d *Directory) GetRole(ctx context.Context, tenantID, roleName string) (*iam.Role, error) {
	return d.getRole(d.conn(ctx), tenantID, roleName)
}

func (d *Directory) getRole(g *gorm.DB, tenantID, name string) (*iam.Role, error) {
	if _, ok := authz.BuiltinRoles[name]; ok {
		return builtinRole(name), nil
	}
	var r roleRow
	if err := g.Where("tenant_id = ? AND name = ?", tenantID, name).Take(&r).Error; err != nil {
		return nil, notFound(err, iam.ErrRoleNotFound, "role")
	}
	return r.model(), nil
}

// SaveRole implements iam.Directory. A role's name is its key: an update
// changes its description only.
func (d *Directory) SaveRole(ctx context.Context, cmd iam.SaveRoleCommand) (*iam.Role, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if _, ok := authz.BuiltinRoles[cmd.Name]; ok {
		return nil, iam.ErrRoleBuiltin
	}
	now := d.now()
	var out *iam.Role
	err := d.tx(ctx, func(tx *gorm.DB) error {
		if cmd.RoleID == "" {
			r := roleRow{ID: newRoleID(), TenantID: cmd.TenantID, Name: cmd.Name, Description: cmd.Description, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&r).Error; err != nil {
				return taken(err, iam.ErrRoleNameTaken, "role")
			}
			out = r.model()
			return nil
		}
		r, err := d.getRole(tx, cmd.TenantID, cmd.RoleID)
		if err != nil {
			return err
		}
		r.Description, r.UpdatedAt = cmd.Description, now
		out = r
		return tx.Model(&roleRow{}).Where("tenant_id = ? AND id = ?", cmd.TenantID, r.ID).
			Updates(map[string]any{"description": r.Description, "updated_at": now}).Error
	})
	return out, err
}

// DeleteRole implements iam.Directory: the role, its attachments and its
// grants to users.
func (d *Directory) DeleteRole(ctx context.Context, tenantID, roleName string) error {
	if _, ok := authz.BuiltinRoles[roleName]; ok {
		return iam.ErrRoleBuiltin
	}
	return d.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("tenant_id = ? AND name = ?", tenantID, roleName).Delete(&roleRow{})
		if res.Error != nil {
			return fmt.Errorf("deleting role: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return iam.ErrRoleNotFound
		}
		if err := tx.Where("tenant_id = ? AND role = ?", tenantID, roleName).Delete(&userRoleRow{}).Error; err != nil {
			return fmt.Errorf("deleting role grants: %w", err)
		}
		if err := tx.Where("tenant_id = ? AND principal_type = ? AND principal_id = ?", tenantID, string(iam.PrincipalRole), roleName).
			Delete(&attachmentRow{}).Error; err != nil {
			return fmt.Errorf("deleting role attachments: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// AddUserToRole implements iam.Directory; giving a role twice is not an
// error.
func (d *Directory) AddUserToRole(ctx context.Context, tenantID, roleName, userID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		if _, err := d.getRole(tx, tenantID, roleName); err != nil {
			return err
		}
		if _, err := d.getUser(ctx, tx, tenantID, userID); err != nil {
			return err
		}
		r := userRoleRow{TenantID: tenantID, UserID: userID, Role: roleName, CreatedAt: d.now()}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
			return fmt.Errorf("giving role: %w", err)
		}
		return bumpVersion(tx, tenantID)
	})
}

// RemoveUserFromRole implements iam.Directory.
func (d *Directory) RemoveUserFromRole(ctx context.Context, tenantID, roleName, userID string) error {
	return d.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("tenant_id = ? AND user_id = ? AND role = ?", tenantID, userID, roleName).Delete(&userRoleRow{})
		if res.Error != nil {
			return fmt.Errorf("removing role: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return iam.ErrRoleNotFound.WithMessage("The user does not have this role.")
		}
		return bumpVersion(tx, tenantID)
	})
}

// taken maps a unique violation to base and wraps anything else.
func taken(err error, base *apierr.Error, what string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return base.Errorf("saving %s: %w", what, err)
	}
	return fmt.Errorf("saving %s: %w", what, err)
}
