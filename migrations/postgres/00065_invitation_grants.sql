-- +goose Up
-- Invitations name groups and policies of the tenant (JSON arrays of ids)
-- that the invited user gets on accepting, in the same transaction.
ALTER TABLE invitations ADD COLUMN group_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE invitations ADD COLUMN policy_ids TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE invitations DROP COLUMN policy_ids;
ALTER TABLE invitations DROP COLUMN group_ids;
