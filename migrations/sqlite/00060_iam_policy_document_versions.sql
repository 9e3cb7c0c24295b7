-- +goose Up
-- Versions of customer-managed policy documents, as in AWS: v1, v2, ...
-- numbered from iam_policies.latest_version (never reused), at most five
-- per policy. iam_policies.version names the default version and
-- iam_policies.document holds a copy of its document, so that what is
-- enforced is read from one row. Existing documents become v1.
CREATE TABLE iam_policy_document_versions (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    policy_id   TEXT NOT NULL REFERENCES iam_policies (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    document    TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (policy_id, version)
);
CREATE INDEX iam_policy_document_versions_tenant_idx ON iam_policy_document_versions (tenant_id, policy_id);

ALTER TABLE iam_policies ADD COLUMN latest_version INTEGER NOT NULL DEFAULT 1;

INSERT INTO iam_policy_document_versions (tenant_id, policy_id, version, document, created_at)
    SELECT tenant_id, id, 1, document, updated_at FROM iam_policies;
UPDATE iam_policies SET version = 1, latest_version = 1;

-- +goose Down
ALTER TABLE iam_policies DROP COLUMN latest_version;
DROP TABLE iam_policy_document_versions;
