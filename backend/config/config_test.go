package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		desc  string
		env   map[string]string
		check func(t *testing.T, c *Config)
		err   string
	}{
		{
			desc: "embedded defaults",
			env:  map[string]string{},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "sqlite:data/turnpike.db", c.DatabaseURL)
				assert.True(t, c.Embedded())
				assert.Equal(t, ":8081", c.GatewayAddr)
				assert.Equal(t, "http://localhost:8080", c.PublicURL)
				assert.Equal(t, "http://localhost:8081", c.GatewayURL)
				assert.True(t, c.Worker)
				assert.Equal(t, 60*time.Second, c.FleetTimeout)
				assert.Equal(t, "localhost", c.BaseDomain)
				assert.Equal(t, 20, c.AuthFailureLimit)
				assert.Nil(t, c.SecretKey)
				assert.True(t, c.SQLite())
				assert.Equal(t, "data/secret.key", c.SecretKeyFile())
			},
		},
		{
			desc: "secret key and auth failure limit",
			env: map[string]string{"TURNPIKE_SECRET_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
				"TURNPIKE_AUTH_FAILURE_LIMIT": "5", "DATABASE_URL": "postgresql://x@h/db"},
			check: func(t *testing.T, c *Config) {
				assert.Len(t, c.SecretKey, 32)
				assert.Equal(t, byte(31), c.SecretKey[31])
				assert.Equal(t, 5, c.AuthFailureLimit)
				assert.False(t, c.SQLite())
			},
		},
		{desc: "short secret key", env: map[string]string{"TURNPIKE_SECRET_KEY": "c2hvcnQ="}, err: "TURNPIKE_SECRET_KEY"},
		{desc: "bad auth failure limit", env: map[string]string{"TURNPIKE_AUTH_FAILURE_LIMIT": "0"}, err: "TURNPIKE_AUTH_FAILURE_LIMIT"},
		{
			desc: "fleet mode turns the in-process gateway off",
			env:  map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0", "DATABASE_URL": "postgres://x@h/db", "TURNPIKE_ADDR": ":9000"},
			check: func(t *testing.T, c *Config) {
				assert.False(t, c.Embedded())
				assert.Empty(t, c.GatewayAddr)
				assert.Equal(t, "postgres://x@h/db", c.DatabaseURL)
				assert.Equal(t, "http://localhost:9000", c.PublicURL)
			},
		},
		{
			desc:  "gateway off explicitly",
			env:   map[string]string{"TURNPIKE_GATEWAY_ADDR": "off"},
			check: func(t *testing.T, c *Config) { assert.Empty(t, c.GatewayAddr) },
		},
		{desc: "bad worker flag", env: map[string]string{"TURNPIKE_WORKER": "maybe"}, err: "TURNPIKE_WORKER"},
		{desc: "bad timeout", env: map[string]string{"TURNPIKE_FLEET_TIMEOUT": "soon"}, err: "TURNPIKE_FLEET_TIMEOUT"},
		{desc: "bad log level", env: map[string]string{"TURNPIKE_LOG_LEVEL": "loud"}, err: "TURNPIKE_LOG_LEVEL"},
		{desc: "bad gateway url", env: map[string]string{"TURNPIKE_GATEWAY_URL": "ftp://x"}, err: "TURNPIKE_GATEWAY_URL"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			c, err := Parse(func(k string) string { return test.env[k] })
			if test.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), test.err)
				return
			}
			require.NoError(t, err)
			test.check(t, c)
		})
	}
}
