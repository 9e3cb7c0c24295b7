-- +goose Up
-- An API's endpoint configuration: {"types":["REGIONAL"|"PRIVATE"|"EDGE"],
-- "allowedSourceCidrs":[...]} (JSON).
ALTER TABLE apis ADD COLUMN endpoint_configuration TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE apis DROP COLUMN endpoint_configuration;
