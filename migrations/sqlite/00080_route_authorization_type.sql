-- +goose Up
-- An HTTP API route's authorization type: NONE, or AWS_IAM (callers send a
-- Turnpike access key whose policies allow execute-api:Invoke).
ALTER TABLE routes ADD COLUMN authorization_type TEXT NOT NULL DEFAULT 'NONE';

-- +goose Down
ALTER TABLE routes DROP COLUMN authorization_type;
