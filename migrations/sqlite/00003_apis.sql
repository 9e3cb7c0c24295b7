-- +goose Up
CREATE TABLE apis (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    protocol_type  TEXT NOT NULL,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE INDEX apis_tenant_id ON apis (tenant_id);

CREATE TABLE routes (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    api_id       TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    route_key    TEXT NOT NULL,
    integration  TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (api_id, route_key)
);
CREATE INDEX routes_tenant_id ON routes (tenant_id);

CREATE TABLE stages (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    api_id           TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    stage_name       TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    stage_variables  TEXT NOT NULL DEFAULT '{}',
    deployment_id    TEXT NULL,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    PRIMARY KEY (api_id, stage_name)
);
CREATE INDEX stages_tenant_id ON stages (tenant_id);

CREATE TABLE deployments (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    api_id         TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    stage_name     TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    status_reason  TEXT NOT NULL DEFAULT '',
    progress       TEXT NOT NULL DEFAULT '[]',
    snapshot       TEXT NULL,
    route_count    INTEGER NOT NULL DEFAULT 0,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    deployed_at    DATETIME NULL
);
CREATE INDEX deployments_tenant_id ON deployments (tenant_id);
CREATE INDEX deployments_api_stage ON deployments (api_id, stage_name, created_at);
-- At most one unfinished deploy per stage, even under concurrent requests.
CREATE UNIQUE INDEX deployments_one_active ON deployments (api_id, stage_name)
    WHERE status IN ('PENDING', 'IN_PROGRESS');

-- +goose Down
DROP TABLE deployments;
DROP TABLE stages;
DROP TABLE routes;
DROP TABLE apis;
