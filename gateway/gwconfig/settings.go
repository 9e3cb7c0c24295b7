package gwconfig

// ValidateStageSettings checks a stage's cache and access log by the rules
// Validate applies to them, so the backend can refuse them before it stores
// them. Fields are named as in a snapshot (cache.sizeMb, accessLog.format).
func ValidateStageSettings(c *StageCache, a *AccessLog) []*FieldError {
	ve := &ValidationError{}
	validateStageCache(ve, c)
	validateAccessLog(ve, a)
	return ve.Fields
}

// ValidateRouteCache checks a route's cache settings by the rules Validate
// applies to them; fields are named cache.ttlSeconds, cache.keyParameters.
func ValidateRouteCache(c *RouteCache) []*FieldError {
	ve := &ValidationError{}
	validateRouteCache(ve, "", c)
	return ve.Fields
}
