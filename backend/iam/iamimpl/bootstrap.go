package iamimpl

import (
	"context"
	"errors"
	"fmt"

	"github.com/turnpike/turnpike/backend/iam"
)

// Bootstrap defaults.
const (
	DefaultBootstrapTenant = "default"
	DefaultBootstrapEmail  = "admin@turnpike.local"
	bootstrapKeyName       = "bootstrap"
	generatedPasswordLen   = 20
)

// Bootstrap implements iam.Service: on a database without tenants it
// creates the first tenant, its TenantAdmin user and, with a bootstrap
// token, that user's access key, all in one transaction. Two replicas
// starting at once are safe: the loser sees the tenant name taken and
// reports Created false.
func (s *Service) Bootstrap(ctx context.Context, cfg iam.BootstrapConfig) (iam.BootstrapResult, error) {
	n, err := s.store.countTenants(ctx)
	if err != nil {
		return iam.BootstrapResult{}, err
	}
	if n > 0 {
		return iam.BootstrapResult{}, nil
	}
	if cfg.TenantName == "" {
		cfg.TenantName = DefaultBootstrapTenant
	}
	if cfg.AdminEmail == "" {
		cfg.AdminEmail = DefaultBootstrapEmail
	}
	password, generated := cfg.AdminPassword, false
	if password == "" {
		password, generated = randomString(generatedPasswordLen, base62), true
	}

	tcmd := iam.CreateTenantCommand{Name: cfg.TenantName}
	if err := tcmd.Validate(); err != nil {
		return iam.BootstrapResult{}, fmt.Errorf("bootstrap tenant: %w", err)
	}
	now := s.now()
	t := &iam.Tenant{ID: newTenantID(), Name: tcmd.Name, Status: iam.TenantActive, CreatedAt: now, UpdatedAt: now}
	u, err := s.newUser(iam.CreateUserCommand{TenantID: t.ID, Email: cfg.AdminEmail, Name: "Administrator",
		Password: password, Roles: []string{iam.RoleTenantAdmin}})
	if err != nil {
		return iam.BootstrapResult{}, fmt.Errorf("bootstrap administrator: %w", err)
	}
	err = s.store.withTx(ctx, func(st store) error {
		if err := st.insertTenant(ctx, t); err != nil {
			return err
		}
		if err := st.insertUser(ctx, u); err != nil {
			return err
		}
		// The first tenant's administrator operates the platform.
		if err := markPlatformAdmin(ctx, st, u.ID); err != nil {
			return err
		}
		if cfg.BootstrapToken == "" {
			return nil
		}
		_, err := s.createAccessKey(ctx, st, iam.CreateAccessKeyCommand{TenantID: t.ID, UserID: u.ID,
			Name: bootstrapKeyName, Token: cfg.BootstrapToken})
		if err != nil {
			return fmt.Errorf("bootstrap access key: %w", err)
		}
		return nil
	})
	if errors.Is(err, iam.ErrTenantNameTaken) {
		// Another replica bootstrapped first.
		return iam.BootstrapResult{}, nil
	}
	if err != nil {
		return iam.BootstrapResult{}, err
	}
	s.log.InfoContext(ctx, "bootstrapped first tenant and administrator", "tenant", t.ID, "email", u.Email,
		"accessKey", cfg.BootstrapToken != "")
	res := iam.BootstrapResult{Created: true, TenantID: t.ID, Email: u.Email}
	if generated {
		res.Password = password
	}
	return res, nil
}
