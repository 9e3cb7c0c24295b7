// Package config reads the backend's configuration from the environment.
// With nothing set it describes the embedded default: SQLite under ./data,
// in-process fleet bus, a Temporal dev server started as a child, one
// in-process gateway.
package config

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the backend's configuration. Each field documents its variable.
type Config struct {
	// DatabaseURL (DATABASE_URL): postgres://... for Postgres; empty means
	// an SQLite file in DataDir.
	DatabaseURL string
	// DataDir (TURNPIKE_DATA_DIR, default ./data) holds the SQLite file.
	DataDir string
	// RedisURL (REDIS_URL): the fleet's shared bus; empty means the
	// in-process bus (only an in-process gateway can use it).
	RedisURL string
	// RedisPrefix (TURNPIKE_REDIS_PREFIX, default "turnpike:") namespaces
	// every key, so several platforms can share one Redis.
	RedisPrefix string
	// TemporalAddress (TEMPORAL_ADDRESS): host:port of Temporal's frontend;
	// empty starts the dev server (bin/temporal-dev) as a child process.
	TemporalAddress string
	// TemporalNamespace (TEMPORAL_NAMESPACE, default "default").
	TemporalNamespace string
	// Addr (TURNPIKE_ADDR, default :8080): management API and console.
	Addr string
	// GatewayAddr (TURNPIKE_GATEWAY_ADDR): where the in-process gateway
	// listens; default :8081 without REDIS_URL, off with it (run gateway
	// binaries instead). "off" disables it.
	GatewayAddr string
	// BaseDomain (TURNPIKE_BASE_DOMAIN, default localhost): invoke hosts are
	// {apiId}.execute-api.{BaseDomain}.
	BaseDomain string
	// PublicURL (TURNPIKE_PUBLIC_URL, default http://localhost:{port of
	// Addr}): the console's URL as users reach it.
	PublicURL string
	// GatewayURL (TURNPIKE_GATEWAY_URL, default http://localhost:{port of
	// GatewayAddr or 8081}): the fleet's public URL; invoke URLs take its
	// scheme and port.
	GatewayURL string
	// Worker (TURNPIKE_WORKER, default true): run the Temporal worker in
	// this process.
	Worker bool
	// FleetTimeout (TURNPIKE_FLEET_TIMEOUT, default 60s): how long a deploy
	// waits for every live gateway to load the new version.
	FleetTimeout time.Duration
	// AdminEmail (TURNPIKE_ADMIN_EMAIL, default admin@turnpike.local),
	// AdminPassword (TURNPIKE_ADMIN_PASSWORD, default random, printed once)
	// and BootstrapToken (TURNPIKE_BOOTSTRAP_TOKEN: the admin's first
	// access key) apply only on the very first start.
	AdminEmail     string
	AdminPassword  string
	BootstrapToken string
	// TrustedProxies (TURNPIKE_TRUSTED_PROXIES: comma-separated addresses or
	// CIDRs, default none) are believed when they send X-Forwarded-For.
	TrustedProxies []string
	// Signup (TURNPIKE_SIGNUP, default false): anyone may create a tenant
	// with POST /v1/signup (rate limited per address); off, only platform
	// operators create tenants.
	Signup bool
	// AuthFailureLimit (TURNPIKE_AUTH_FAILURE_LIMIT, default 20): failed
	// authentications (401) per minute from one address before it is
	// answered 429 for a minute; the lockout is shared through Redis when
	// REDIS_URL is set, as is the sign-in lockout.
	AuthFailureLimit int
	// SecretKey (TURNPIKE_SECRET_KEY: base64 of 32 random bytes, e.g.
	// `openssl rand -base64 32`) encrypts secrets at rest (SSO client
	// secrets) with AES-256-GCM. Unset with SQLite, one is generated once
	// into DataDir/secret.key (mode 0600). Unset with Postgres, nothing is
	// generated (replicas would each make their own): the platform starts,
	// warns, and refuses to store a new SSO client secret until it is set.
	// Every replica must use the same key; losing it loses the secrets.
	SecretKey []byte
	// LogLevel (TURNPIKE_LOG_LEVEL: debug, info, warn, error; default info)
	// and LogFormat (TURNPIKE_LOG_FORMAT: text or json; default text).
	LogLevel  slog.Level
	LogFormat string
}

// FromEnv reads the configuration from the environment.
func FromEnv() (*Config, error) { return Parse(os.Getenv) }

// Parse reads the configuration through getenv.
func Parse(getenv func(string) string) (*Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		DatabaseURL:       get("DATABASE_URL", ""),
		DataDir:           get("TURNPIKE_DATA_DIR", "data"),
		RedisURL:          get("REDIS_URL", ""),
		RedisPrefix:       get("TURNPIKE_REDIS_PREFIX", "turnpike:"),
		TemporalAddress:   get("TEMPORAL_ADDRESS", ""),
		TemporalNamespace: get("TEMPORAL_NAMESPACE", "default"),
		Addr:              get("TURNPIKE_ADDR", ":8080"),
		BaseDomain:        strings.ToLower(get("TURNPIKE_BASE_DOMAIN", "localhost")),
		AdminEmail:        get("TURNPIKE_ADMIN_EMAIL", "admin@turnpike.local"),
		AdminPassword:     getenv("TURNPIKE_ADMIN_PASSWORD"),
		BootstrapToken:    getenv("TURNPIKE_BOOTSTRAP_TOKEN"),
		LogFormat:         get("TURNPIKE_LOG_FORMAT", "text"),
	}
	var errs []string
	for _, p := range strings.Split(getenv("TURNPIKE_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	gwDefault := ":8081"
	if c.RedisURL != "" {
		gwDefault = "off"
	}
	c.GatewayAddr = get("TURNPIKE_GATEWAY_ADDR", gwDefault)
	if c.GatewayAddr == "off" {
		c.GatewayAddr = ""
	}
	w, err := strconv.ParseBool(get("TURNPIKE_WORKER", "true"))
	if err != nil {
		errs = append(errs, fmt.Sprintf("TURNPIKE_WORKER: %q is not a boolean", getenv("TURNPIKE_WORKER")))
	}
	c.Worker = w
	c.Signup, err = strconv.ParseBool(get("TURNPIKE_SIGNUP", "false"))
	if err != nil {
		errs = append(errs, fmt.Sprintf("TURNPIKE_SIGNUP: %q is not a boolean", getenv("TURNPIKE_SIGNUP")))
	}
	c.FleetTimeout, err = time.ParseDuration(get("TURNPIKE_FLEET_TIMEOUT", "60s"))
	if err != nil || c.FleetTimeout <= 0 {
		errs = append(errs, fmt.Sprintf("TURNPIKE_FLEET_TIMEOUT: %q is not a positive duration like 60s", getenv("TURNPIKE_FLEET_TIMEOUT")))
	}
	c.AuthFailureLimit, err = strconv.Atoi(get("TURNPIKE_AUTH_FAILURE_LIMIT", "20"))
	if err != nil || c.AuthFailureLimit < 1 {
		errs = append(errs, fmt.Sprintf("TURNPIKE_AUTH_FAILURE_LIMIT: %q is not a positive integer", getenv("TURNPIKE_AUTH_FAILURE_LIMIT")))
	}
	if k := strings.TrimSpace(getenv("TURNPIKE_SECRET_KEY")); k != "" {
		c.SecretKey, err = base64.StdEncoding.DecodeString(k)
		if err != nil || len(c.SecretKey) != 32 {
			c.SecretKey = nil
			errs = append(errs, "TURNPIKE_SECRET_KEY: not base64 of 32 bytes (make one with `openssl rand -base64 32`)")
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("TURNPIKE_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Sprintf("TURNPIKE_LOG_LEVEL: %q is not one of debug, info, warn, error", getenv("TURNPIKE_LOG_LEVEL")))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Sprintf("TURNPIKE_LOG_FORMAT: %q is not text or json", c.LogFormat))
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "turnpike.db")
	}
	c.PublicURL = get("TURNPIKE_PUBLIC_URL", "http://localhost:"+portOf(c.Addr, "8080"))
	c.GatewayURL = get("TURNPIKE_GATEWAY_URL", "http://localhost:"+portOf(c.GatewayAddr, "8081"))
	for k, v := range map[string]string{"TURNPIKE_PUBLIC_URL": c.PublicURL, "TURNPIKE_GATEWAY_URL": c.GatewayURL} {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Sprintf("%s: %q is not an http(s) URL", k, v))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// SQLite reports whether the database is the embedded SQLite file.
func (c *Config) SQLite() bool { return !strings.HasPrefix(c.DatabaseURL, "postgres") }

// SecretKeyFile is where the embedded default keeps the key it generates
// when TURNPIKE_SECRET_KEY is unset: secret.key next to the SQLite file.
func (c *Config) SecretKeyFile() string {
	path := strings.TrimPrefix(strings.TrimPrefix(c.DatabaseURL, "sqlite:"), "file:")
	path, _, _ = strings.Cut(path, "?")
	return filepath.Join(filepath.Dir(path), "secret.key")
}

// Embedded reports whether this is the single-machine default (no Redis):
// then the fleet bus is in-process.
func (c *Config) Embedded() bool { return c.RedisURL == "" }

func portOf(addr, def string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return def
}
