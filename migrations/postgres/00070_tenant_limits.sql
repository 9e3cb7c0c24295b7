-- +goose Up
-- A platform operator's override of a tenant's ceiling (rate per second and
-- burst applied before stage, plan and method throttles); tenants without a
-- row have the platform's default.
CREATE TABLE tenant_limits (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    rate_limit   DOUBLE PRECISION NOT NULL,
    burst_limit  INTEGER NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE tenant_limits;
