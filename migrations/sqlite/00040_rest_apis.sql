-- +goose Up
-- The resource tree of REST APIs: path is the full path ("/" for the
-- root), unique per API, which also makes sibling path parts unique.
CREATE TABLE rest_resources (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    api_id      TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    parent_id   TEXT NULL REFERENCES rest_resources(id) ON DELETE CASCADE,
    path_part   TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (api_id, path)
);
CREATE INDEX rest_resources_tenant_api ON rest_resources (tenant_id, api_id);
CREATE INDEX rest_resources_parent ON rest_resources (parent_id);

-- One row per method of a resource; settings, integration and responses
-- are JSON documents (restapi.PutMethodCommand, Integration, responses).
CREATE TABLE rest_methods (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    api_id       TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    resource_id  TEXT NOT NULL REFERENCES rest_resources(id) ON DELETE CASCADE,
    http_method  TEXT NOT NULL,
    settings     TEXT NOT NULL,
    integration  TEXT NULL,
    responses    TEXT NOT NULL DEFAULT '{}',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    PRIMARY KEY (resource_id, http_method)
);
CREATE INDEX rest_methods_tenant_api ON rest_methods (tenant_id, api_id);

CREATE TABLE rest_validators (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    api_id               TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    validate_body        BOOLEAN NOT NULL DEFAULT FALSE,
    validate_parameters  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           DATETIME NOT NULL,
    UNIQUE (api_id, name)
);
CREATE INDEX rest_validators_tenant_api ON rest_validators (tenant_id, api_id);

CREATE TABLE rest_models (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    api_id        TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL,
    schema        TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    UNIQUE (api_id, name)
);
CREATE INDEX rest_models_tenant_api ON rest_models (tenant_id, api_id);

-- Target groups of private (VPC_LINK) integrations; spec is the JSON of
-- restapi.TargetGroupCommand.
CREATE TABLE target_groups (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    spec        TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (tenant_id, name)
);

-- +goose Down
DROP TABLE target_groups;
DROP TABLE rest_models;
DROP TABLE rest_validators;
DROP TABLE rest_methods;
DROP TABLE rest_resources;
