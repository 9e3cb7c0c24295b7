package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/config"
)

func TestSecretKey(t *testing.T) {
	dir := t.TempDir()
	given := bytes.Repeat([]byte{1}, 32)
	tests := []struct {
		desc    string
		cfg     config.Config
		wantKey bool
		file    string
		log     string
	}{
		{desc: "given key", cfg: config.Config{DatabaseURL: "sqlite:" + filepath.Join(dir, "a", "turnpike.db"), SecretKey: given},
			wantKey: true},
		{desc: "sqlite generates next to the database", cfg: config.Config{DatabaseURL: "sqlite:" + filepath.Join(dir, "b", "turnpike.db")},
			wantKey: true, file: filepath.Join(dir, "b", "secret.key"), log: "generated the key"},
		{desc: "postgres without a key", cfg: config.Config{DatabaseURL: "postgres://x@h/db"}, log: "TURNPIKE_SECRET_KEY is not set"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			var logs bytes.Buffer
			key, err := secretKey(&test.cfg, slog.New(slog.NewTextHandler(&logs, nil)))
			require.NoError(t, err)
			assert.Equal(t, test.wantKey, key != nil)
			if test.cfg.SecretKey != nil {
				assert.Equal(t, test.cfg.SecretKey, key)
			}
			if test.file != "" {
				st, err := os.Stat(test.file)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
				assert.Contains(t, logs.String(), test.file)
				again, err := secretKey(&test.cfg, slog.New(slog.DiscardHandler))
				require.NoError(t, err)
				assert.Equal(t, key, again, "kept across starts")
			}
			assert.Contains(t, logs.String(), test.log)
		})
	}
}

type sealerFunc func(ctx context.Context) (int, error)

func (f sealerFunc) SealStoredSecrets(ctx context.Context) (int, error) { return f(ctx) }

func TestSealStoredSecretsLogs(t *testing.T) {
	tests := []struct {
		desc    string
		n       int
		haveKey bool
		log     string
	}{
		{desc: "sealed", n: 2, haveKey: true, log: "encrypted SSO client secrets stored in plain text"},
		{desc: "no key", n: 2, log: "set TURNPIKE_SECRET_KEY to encrypt them"},
		{desc: "nothing to do", n: 0, haveKey: true, log: ""},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			var logs bytes.Buffer
			err := sealStoredSecrets(context.Background(), sealerFunc(func(context.Context) (int, error) { return test.n, nil }),
				test.haveKey, slog.New(slog.NewTextHandler(&logs, nil)))
			require.NoError(t, err)
			if test.log == "" {
				assert.Empty(t, logs.String())
				return
			}
			assert.Contains(t, logs.String(), test.log)
		})
	}
}
