-- +goose Up
-- Console single sign-on: one OpenID Connect provider per tenant, and the
-- logins in flight (state, nonce and PKCE verifier, bound to a cookie that
-- holds the state).
CREATE TABLE oidc_configs (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    issuer          TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    client_secret   TEXT NOT NULL,
    group_claim     TEXT NOT NULL DEFAULT 'groups',
    -- JSON object: IdP group -> Turnpike group, role or managed policy.
    group_mappings  TEXT NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE oidc_logins (
    -- Hex SHA-256 of the state parameter (also the cookie value).
    state_hash     TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    nonce          TEXT NOT NULL,
    code_verifier  TEXT NOT NULL,
    return_to      TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE oidc_logins;
DROP TABLE oidc_configs;
