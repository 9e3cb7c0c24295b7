-- +goose Up
-- IAM policies: customer-managed policy documents, groups, roles (named
-- policy sets a user is given through user_roles), attachments of policies
-- (customer ids pol_..., or managed policy names such as
-- AdministratorAccess) to users, groups and roles, the session policy of an
-- access key, and a per-tenant version that every change of these rows
-- bumps in the same transaction, so that cached decisions can be keyed by
-- it. The built-in roles TenantAdmin and ReadOnly have no row: they map to
-- AdministratorAccess and ReadOnlyAccess in code.
CREATE TABLE iam_policies (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    document     TEXT NOT NULL,
    -- Incremented on every update of the document.
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE iam_groups (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE iam_group_members (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    group_id    TEXT NOT NULL REFERENCES iam_groups (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX iam_group_members_user_idx ON iam_group_members (user_id);

CREATE TABLE iam_roles (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE iam_policy_attachments (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    principal_type  TEXT NOT NULL CHECK (principal_type IN ('user', 'group', 'role')),
    principal_id    TEXT NOT NULL,
    policy_id       TEXT NOT NULL,
    created_at      DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, principal_type, principal_id, policy_id)
);
CREATE INDEX iam_policy_attachments_policy_idx ON iam_policy_attachments (tenant_id, policy_id);

CREATE TABLE iam_session_policies (
    access_key_id  TEXT PRIMARY KEY REFERENCES access_keys (id) ON DELETE CASCADE,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    document       TEXT NOT NULL
);

CREATE TABLE iam_policy_versions (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL
);

-- A user with a row here must change their password (an administrator
-- reset it) before doing anything else.
CREATE TABLE iam_password_resets (
    user_id     TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at  DATETIME NOT NULL
);

-- +goose Down
DROP TABLE iam_password_resets;
DROP TABLE iam_policy_versions;
DROP TABLE iam_session_policies;
DROP TABLE iam_policy_attachments;
DROP TABLE iam_roles;
DROP TABLE iam_group_members;
DROP TABLE iam_groups;
DROP TABLE iam_policies;
