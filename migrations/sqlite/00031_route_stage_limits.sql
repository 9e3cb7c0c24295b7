-- +goose Up
-- Usage plan settings of routes and stages: a route may require an API key
-- and have a method throttle; a stage may have a default throttle. JSON
-- throttles ({"rateLimit","burstLimit"}), NULL for none.
ALTER TABLE routes ADD COLUMN api_key_required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE routes ADD COLUMN throttle TEXT NULL;
ALTER TABLE stages ADD COLUMN throttle TEXT NULL;

-- +goose Down
ALTER TABLE stages DROP COLUMN throttle;
ALTER TABLE routes DROP COLUMN throttle;
ALTER TABLE routes DROP COLUMN api_key_required;
