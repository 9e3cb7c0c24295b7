package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
)

// tenantCmd is the operator's way to add a tenant until the platform-admin
// REST API exists.
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
	pw := *password
	if pw == "" {
		pw = rand.Text()
	}
	t, err := svc.CreateTenant(ctx, iam.CreateTenantCommand{Name: *name})
	if err != nil {
		return fmt.Errorf("creating tenant: %w", err)
	}
	u, err := svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: t.ID, Email: *email, Name: "Administrator", Password: pw, Roles: []string{iam.RoleTenantAdmin}})
	if err != nil {
		return fmt.Errorf("creating administrator: %w", err)
	}
	key, err := svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: t.ID, UserID: u.ID, Name: "bootstrap"})
	if err != nil {
		return fmt.Errorf("creating access key: %w", err)
	}
	out := map[string]any{
		"tenantId": t.ID,
		"admin":    map[string]string{"userId": u.ID, "email": u.Email},
		"accessKey": map[string]string{
			"accessKeyId": key.ID,
			"token":       key.Token,
		},
	}
	if *password == "" {
		out["admin"].(map[string]string)["password"] = pw
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(out)
}
