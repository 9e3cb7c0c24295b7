-- +goose Up
-- Platform operators: users who may create, list, suspend and delete
-- tenants. The bootstrap tenant's first administrator is one.
ALTER TABLE users ADD COLUMN is_platform_admin BOOLEAN NOT NULL DEFAULT 0;

-- A database bootstrapped before this migration: its first user of the
-- first tenant is that administrator.
UPDATE users SET is_platform_admin = 1 WHERE id IN (
    SELECT u.id FROM users u
    WHERE u.tenant_id = (SELECT t.id FROM tenants t ORDER BY t.created_at, t.id LIMIT 1)
    ORDER BY u.created_at, u.id LIMIT 1);

-- +goose Down
ALTER TABLE users DROP COLUMN is_platform_admin;
