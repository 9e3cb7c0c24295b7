package iamimpl

import (
	"context"
	"fmt"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/reqctx"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// StageBus is the part of the fleet bus tenant administration needs
// (fleet.Bus implements it).
type StageBus interface {
	Stages(ctx context.Context) ([]*gwconfig.Stage, error)
	PutStage(ctx context.Context, s *gwconfig.Stage) error
	DeleteStage(ctx context.Context, apiID, stageName string) error
}

// DeployedStages lists every ACTIVE tenant's deployed stage, ready to
// publish (apisimpl.DeployStore implements it).
type DeployedStages interface {
	ActiveSnapshots(ctx context.Context) ([]*gwconfig.Stage, error)
}

// TenantService implements iam.TenantAdmin.
type TenantService struct {
	d      *db.DB
	svc    *Service
	st     *tenantStore
	bus    StageBus
	stages DeployedStages
}

var _ iam.TenantAdmin = (*TenantService)(nil)

// NewTenantService returns tenant administration over the database, using
// svc to create users and keys; bus and stages withdraw and republish a
// tenant's stages (both may be nil where no fleet exists, as in the
// `turnpike tenant` command).
func NewTenantService(d *db.DB, svc *Service, bus StageBus, stages DeployedStages) *TenantService {
	return &TenantService{d: d, svc: svc, st: &tenantStore{g: d.Gorm}, bus: bus, stages: stages}
}

// CreateTenantWithAdmin implements iam.TenantAdmin.
func (s *TenantService) CreateTenantWithAdmin(ctx context.Context, cmd iam.CreateTenantWithAdminCommand) (*iam.CreatedTenant, error) {
	return s.createTenantWithAdmin(ctx, cmd, true)
}

// createTenantWithAdmin creates the tenant and its administrator, with an
// access key when withKey (sign-up opens a session instead).
func (s *TenantService) createTenantWithAdmin(ctx context.Context, cmd iam.CreateTenantWithAdminCommand, withKey bool) (*iam.CreatedTenant, error) {
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	password, generated := cmd.AdminPassword, false
	if password == "" {
		password, generated = randomString(generatedPasswordLen, base62), true
	}
	now := s.svc.now()
	t := &iam.Tenant{ID: newTenantID(), Name: cmd.Name, Status: iam.TenantActive, CreatedAt: now, UpdatedAt: now}
	// Hashing is slow: before the transaction.
	u, err := s.svc.newUser(iam.CreateUserCommand{TenantID: t.ID, Email: cmd.AdminEmail, Name: cmd.AdminName,
		Password: password, Roles: []string{iam.RoleTenantAdmin}})
	if err != nil {
		return nil, err
	}
	out := &iam.CreatedTenant{Tenant: t, Admin: u}
	if generated {
		out.Password = password
	}
	err = s.d.RunInTx(ctx, func(ctx context.Context) error {
		st := s.svc.store
		if err := st.insertTenant(ctx, t); err != nil {
			return err
		}
		if err := st.insertUser(ctx, u); err != nil {
			return err
		}
		if !withKey {
			return nil
		}
		k, err := s.svc.createAccessKey(ctx, st, iam.CreateAccessKeyCommand{TenantID: t.ID, UserID: u.ID, Name: "bootstrap"})
		if err != nil {
			return err
		}
		out.AccessKey = k
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListTenants implements iam.TenantAdmin.
func (s *TenantService) ListTenants(ctx context.Context) ([]*iam.Tenant, error) {
	return s.st.listTenants(ctx)
}

// GetTenant implements iam.TenantAdmin.
func (s *TenantService) GetTenant(ctx context.Context, q iam.GetTenantQuery) (*iam.Tenant, error) {
	return s.svc.store.getTenant(ctx, q.TenantID)
}

// refuseOwn stops an operator from locking out their own tenant.
func refuseOwn(ctx context.Context, tenantID string) error {
	if p, ok := reqctx.PrincipalFrom(ctx); ok && p.TenantID == tenantID {
		return iam.ErrTenantOwn
	}
	return nil
}

// SuspendTenant implements iam.TenantAdmin: in one transaction the tenant
// becomes SUSPENDED and its stages leave the fleet; if the fleet cannot be
// told, nothing changes.
func (s *TenantService) SuspendTenant(ctx context.Context, tenantID string) (*iam.Tenant, error) {
	if err := refuseOwn(ctx, tenantID); err != nil {
		return nil, err
	}
	var out *iam.Tenant
	err := s.d.RunInTx(ctx, func(ctx context.Context) error {
		t, err := s.svc.store.getTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		t.Status, t.UpdatedAt = iam.TenantSuspended, s.svc.now()
		if err := s.st.setTenantStatus(ctx, t); err != nil {
			return err
		}
		out = t
		return s.withdraw(ctx, tenantID)
	})
	return out, err
}

// ResumeTenant implements iam.TenantAdmin.
func (s *TenantService) ResumeTenant(ctx context.Context, tenantID string) (*iam.Tenant, error) {
	var out *iam.Tenant
	err := s.d.RunInTx(ctx, func(ctx context.Context) error {
		t, err := s.svc.store.getTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		t.Status, t.UpdatedAt = iam.TenantActive, s.svc.now()
		if err := s.st.setTenantStatus(ctx, t); err != nil {
			return err
		}
		out = t
		if s.stages == nil || s.bus == nil {
			return nil
		}
		// Read in this transaction, so the tenant counts as ACTIVE.
		snaps, err := s.stages.ActiveSnapshots(ctx)
		if err != nil {
			return fmt.Errorf("reading deployed stages: %w", err)
		}
		for _, snap := range snaps {
			if snap.TenantID != tenantID {
				continue
			}
			if err := s.bus.PutStage(ctx, snap); err != nil {
				return iam.ErrFleetUnavailable.Errorf("republishing %s: %w", snap.Key(), err)
			}
		}
		return nil
	})
	return out, err
}

// DeleteTenant implements iam.TenantAdmin.
func (s *TenantService) DeleteTenant(ctx context.Context, tenantID string) error {
	if err := refuseOwn(ctx, tenantID); err != nil {
		return err
	}
	return s.d.RunInTx(ctx, func(ctx context.Context) error {
		if err := s.st.deleteTenant(ctx, tenantID); err != nil {
			return err
		}
		return s.withdraw(ctx, tenantID)
	})
}

// withdraw takes every stage of the tenant off the fleet.
func (s *TenantService) withdraw(ctx context.Context, tenantID string) error {
	if s.bus == nil {
		return nil
	}
	published, err := s.bus.Stages(ctx)
	if err != nil {
		return iam.ErrFleetUnavailable.Errorf("reading published stages: %w", err)
	}
	for _, p := range published {
		if p.TenantID != tenantID {
			continue
		}
		if err := s.bus.DeleteStage(ctx, p.APIID, p.StageName); err != nil {
			return iam.ErrFleetUnavailable.Errorf("withdrawing %s: %w", p.Key(), err)
		}
	}
	return nil
}

// IsPlatformAdmin implements iam.TenantAdmin.
func (s *TenantService) IsPlatformAdmin(ctx context.Context, tenantID, userID string) (bool, error) {
	return s.st.isPlatformAdmin(ctx, tenantID, userID)
}
