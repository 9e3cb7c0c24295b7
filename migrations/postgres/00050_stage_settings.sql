-- +goose Up
-- Stage cache, per-route cache (method settings) and access log settings,
-- as JSON, NULL for none: cache_settings {enabled, sizeMb,
-- defaultTtlSeconds, requireAuthorizationForCacheControl,
-- unauthorizedCacheControlHeaderStrategy, xCacheHeader}; method_settings
-- {"GET /pets": {cachingEnabled, cacheTtlInSeconds, cacheKeyParameters}};
-- access_log_settings {format, destinationArn}.
ALTER TABLE stages ADD COLUMN cache_settings TEXT NULL;
ALTER TABLE stages ADD COLUMN method_settings TEXT NULL;
ALTER TABLE stages ADD COLUMN access_log_settings TEXT NULL;

-- +goose Down
ALTER TABLE stages DROP COLUMN access_log_settings;
ALTER TABLE stages DROP COLUMN method_settings;
ALTER TABLE stages DROP COLUMN cache_settings;
