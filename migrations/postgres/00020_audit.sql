-- +goose Up
-- The audit log: one row per mutating call and per denied call. Rows of
-- successful changes are written in the transaction of the change. There is
-- no foreign key to tenants: the record outlives a deleted tenant, and a
-- call refused before authentication has no tenant.
CREATE TABLE audit_log (
    -- "aud_" + 16 hex digits of the time in ns + random: sorts by time.
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NULL,
    at               TIMESTAMPTZ NOT NULL,
    user_id          TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    access_key_id    TEXT NOT NULL DEFAULT '',
    session_id       TEXT NOT NULL DEFAULT '',
    action           TEXT NOT NULL DEFAULT '',
    resource         TEXT NOT NULL DEFAULT '',
    method           TEXT NOT NULL,
    path             TEXT NOT NULL,
    -- JSON of the request body and query with secrets redacted.
    request_summary  TEXT NOT NULL DEFAULT '',
    source_ip        TEXT NOT NULL DEFAULT '',
    user_agent       TEXT NOT NULL DEFAULT '',
    status           INTEGER NOT NULL,
    error_code       TEXT NOT NULL DEFAULT '',
    request_id       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, id);
CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at);

-- +goose Down
DROP TABLE audit_log;
