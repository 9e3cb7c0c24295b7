package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/turnpike/turnpike/backend/config"
	"github.com/turnpike/turnpike/backend/iam/secretbox"
)

// secretKey is TURNPIKE_SECRET_KEY, or with SQLite the key file next to
// the database (generated on the first start). With Postgres and no key it
// is nil: replicas generating their own keys could not read each other's
// secrets, so nothing is generated and SSO client secrets cannot be saved
// until the operator sets one.
func secretKey(cfg *config.Config, log *slog.Logger) ([]byte, error) {
	if cfg.SecretKey != nil {
		return cfg.SecretKey, nil
	}
	if !cfg.SQLite() {
		log.Warn("TURNPIKE_SECRET_KEY is not set: SSO client secrets cannot be saved until it is " +
			"(make one with `openssl rand -base64 32` and give every replica the same)")
		return nil, nil
	}
	path := cfg.SecretKeyFile()
	key, created, err := secretbox.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("TURNPIKE_SECRET_KEY is not set and %w", err)
	}
	if created {
		log.Info("generated the key that encrypts secrets at rest; keep it with the database (losing it loses the SSO client secrets), or set TURNPIKE_SECRET_KEY", "file", path)
	} else {
		log.Info("secrets at rest are encrypted with the key file", "file", path)
	}
	return key, nil
}

// sealStoredSecrets encrypts SSO client secrets saved in the clear before
// encryption existed, or warns that they stay so without a key.
func sealStoredSecrets(ctx context.Context, sealer interface {
	SealStoredSecrets(ctx context.Context) (int, error)
}, haveKey bool, log *slog.Logger) error {
	n, err := sealer.SealStoredSecrets(ctx)
	if err != nil {
		return fmt.Errorf("encrypting stored SSO client secrets: %w", err)
	}
	switch {
	case n > 0 && haveKey:
		log.Info("encrypted SSO client secrets stored in plain text", "count", n)
	case n > 0:
		log.Warn("SSO client secrets are stored in plain text; set TURNPIKE_SECRET_KEY to encrypt them", "count", n)
	}
	return nil
}
