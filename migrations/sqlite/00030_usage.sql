-- +goose Up
-- API keys of a tenant's API consumers. The value is kept in plain text
-- because the console shows it on demand (as API Gateway does) and it is the
-- consumer's bearer secret, not a Turnpike credential; the fleet only ever
-- receives value_hash (SHA-256, hex). Values are unique across tenants, so
-- that a gateway finds a key by its hash alone; another tenant's 409 tells
-- a caller nothing it did not know, since it had to hold the value.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    value        TEXT NOT NULL,
    value_hash   TEXT NOT NULL,
    enabled      BOOLEAN NOT NULL,
    tags         TEXT NOT NULL DEFAULT '{}',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (value_hash)
);
CREATE INDEX api_keys_tenant_id ON api_keys (tenant_id);

CREATE TABLE usage_plans (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    throttle     TEXT NULL,
    quota        TEXT NULL,
    api_stages   TEXT NOT NULL DEFAULT '[]',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX usage_plans_tenant_id ON usage_plans (tenant_id);

CREATE TABLE usage_plan_keys (
    plan_id     TEXT NOT NULL REFERENCES usage_plans(id) ON DELETE CASCADE,
    key_id      TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (plan_id, key_id)
);
CREATE INDEX usage_plan_keys_key_id ON usage_plan_keys (key_id);
CREATE INDEX usage_plan_keys_tenant_id ON usage_plan_keys (tenant_id);

-- +goose Down
DROP TABLE usage_plan_keys;
DROP TABLE usage_plans;
DROP TABLE api_keys;
