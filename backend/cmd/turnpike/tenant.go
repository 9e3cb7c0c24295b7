package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
)

// tenantCmd adds a tenant from the command line (the REST equivalent is
// POST /v1/tenants with a platform operator's credentials).
func tenantCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: turnpike tenant create --name NAME --admin-email EMAIL [--admin-password PW]")
	}
	fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
	name := fs.String("name", "", "tenant name")
	email := fs.String("admin-email", "", "the tenant administrator's email")
	password := fs.String("admin-password", "", "the administrator's password (default: random, printed)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *name == "" || *email == "" {
		return fmt.Errorf("--name and --admin-email are required")
	}
	b, err := openBase(ctx, false)
	if err != nil {
		return err
	}
	defer b.close()
	svc := iamimpl.New(b.db, iamimpl.Config{Logger: b.log})
	// Tenant, administrator and access key are created together, or not
	// at all. There is no fleet here: a new tenant has no stages.
	res, err := iamimpl.NewTenantService(b.db, svc, nil, nil).CreateTenantWithAdmin(ctx,
		iam.CreateTenantWithAdminCommand{Name: *name, AdminEmail: *email, AdminPassword: *password})
	if err != nil {
		return fmt.Errorf("creating tenant: %w", err)
	}
	admin := map[string]string{"userId": res.Admin.ID, "email": res.Admin.Email}
	if res.Password != "" {
		admin["password"] = res.Password
	}
	out := map[string]any{
		"tenantId": res.Tenant.ID,
		"admin":    admin,
		"accessKey": map[string]string{
			"accessKeyId": res.AccessKey.ID,
			"token":       res.AccessKey.Token,
		},
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(out)
}
