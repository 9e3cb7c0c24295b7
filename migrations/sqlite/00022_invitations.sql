-- +goose Up
-- Invitations by link: the token is stored as a SHA-256 hash, expires, and
-- can be used once.
CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'REVOKED')),
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    accepted_at  DATETIME NULL
);
CREATE INDEX invitations_tenant_idx ON invitations (tenant_id, created_at);

-- +goose Down
DROP TABLE invitations;
