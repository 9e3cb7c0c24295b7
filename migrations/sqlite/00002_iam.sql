-- +goose Up
-- Identity: users and their roles within a tenant, console sessions and
-- access keys. Every row carries tenant_id so that every query can be scoped
-- to one tenant; secrets are stored only as SHA-256 hashes.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Lower-cased; unique across tenants because login is by email alone.
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED')),
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE INDEX users_tenant_idx ON users (tenant_id);

CREATE TABLE user_roles (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_tenant_idx ON user_roles (tenant_id);

CREATE TABLE access_keys (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    -- Hex SHA-256 of the whole bearer token.
    token_hash    TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    last_used_at  DATETIME NULL,
    last_used_ip  TEXT NULL,
    expires_at    DATETIME NULL
);
CREATE INDEX access_keys_tenant_idx ON access_keys (tenant_id, created_at);
CREATE INDEX access_keys_user_idx ON access_keys (user_id);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Hex SHA-256 of the cookie value.
    token_hash  TEXT NOT NULL UNIQUE,
    csrf_token  TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    revoked_at  DATETIME NULL
);
CREATE INDEX sessions_tenant_idx ON sessions (tenant_id);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE access_keys;
DROP TABLE user_roles;
DROP TABLE users;
