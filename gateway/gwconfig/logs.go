package gwconfig

import (
	"path"
	"regexp"
	"strings"
)

// Access log format presets, as API Gateway's console offers them. A
// Format that is not a preset name is a custom format.
const (
	AccessLogCLF  = "CLF"
	AccessLogJSON = "JSON"
	AccessLogXML  = "XML"
	AccessLogCSV  = "CSV"
)

// AccessLogPresets are the formats of the preset names.
var AccessLogPresets = map[string]string{
	AccessLogCLF: `$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" ` +
		`$context.status $context.responseLength $context.requestId`,
	AccessLogJSON: `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",` +
		`"httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status",` +
		`"protocol":"$context.protocol","responseLength":"$context.responseLength"}`,
	AccessLogXML: `<request id="$context.requestId"><ip>$context.identity.sourceIp</ip><requestTime>$context.requestTime</requestTime>` +
		`<httpMethod>$context.httpMethod</httpMethod><routeKey>$context.routeKey</routeKey><status>$context.status</status>` +
		`<protocol>$context.protocol</protocol><responseLength>$context.responseLength</responseLength></request>`,
	AccessLogCSV: `$context.identity.sourceIp,$context.requestTime,$context.httpMethod,$context.routeKey,$context.protocol,` +
		`$context.status,$context.responseLength,$context.requestId`,
}

// AccessLogVariables are the $context variables an access log format may
// use.
var AccessLogVariables = []string{
	"requestId", "extendedRequestId", "identity.sourceIp", "identity.userAgent", "identity.apiKeyId", "identity.apiKey",
	"httpMethod", "path", "resourcePath", "routeKey", "status", "responseLength", "responseLatency",
	"integrationLatency", "integration.latency", "integrationStatus", "integration.status", "stage", "apiId",
	"domainName", "requestTime", "requestTimeEpoch", "protocol", "error.message", "error.responseType",
	"tenantId", "deploymentId", "identity.caller", "identity.user", "identity.accessKey",
}

// Access log destinations.
const (
	AccessLogStdout = "stdout"
	AccessLogRedis  = "redis"
	// AccessLogFilePrefix starts a file destination: file:NAME writes to
	// NAME under the gateway's access log directory.
	AccessLogFilePrefix = "file:"
	maxAccessLogFormat  = 4096
)

// AccessLog is a stage's access log: one line per request.
type AccessLog struct {
	// Format is a preset name (CLF, JSON, XML, CSV) or a custom format of
	// $context.name variables. A format starting with '{' escapes values
	// for JSON, one starting with '<' for XML, and a format of variables
	// separated only by commas for CSV.
	Format string `json:"format"`
	// Destination is stdout (the gateway's standard output), redis (the
	// fleet's access log stream, "redis-stream" is accepted too) or
	// file:NAME, a file under the gateway's access log directory (NAME is
	// relative: a tenant's config cannot name any other file of the
	// gateway's host).
	Destination string `json:"destination"`
}

var contextVarRE = regexp.MustCompile(`\$context\.([A-Za-z][A-Za-z0-9.]*[A-Za-z0-9])`)

// AccessLogFormat resolves a preset name to its format.
func AccessLogFormat(format string) string {
	if f, ok := AccessLogPresets[strings.ToUpper(format)]; ok {
		return f
	}
	return format
}

// ContextVariableRE finds $context.name references in a format.
func ContextVariableRE() *regexp.Regexp { return contextVarRE }

// NormalizeAccessLogDestination returns the canonical destination.
func NormalizeAccessLogDestination(d string) string {
	switch d {
	case "":
		return AccessLogStdout
	case "redis-stream":
		return AccessLogRedis
	}
	return d
}

func validateAccessLog(ve *ValidationError, a *AccessLog) {
	if a == nil {
		return
	}
	f := AccessLogFormat(a.Format)
	switch {
	case strings.TrimSpace(f) == "":
		ve.add("accessLog.format", "required", "is required (CLF, JSON, XML, CSV or $context variables)")
	case len(f) > maxAccessLogFormat:
		ve.add("accessLog.format", "too_long", "must be at most %d characters", maxAccessLogFormat)
	default:
		for _, m := range contextVarRE.FindAllStringSubmatch(f, -1) {
			if !knownAccessLogVariable(m[1]) {
				ve.add("accessLog.format", "unknown_variable", "$context.%s is not a supported variable", m[1])
			}
		}
	}
	d := NormalizeAccessLogDestination(a.Destination)
	switch {
	case d == AccessLogStdout, d == AccessLogRedis:
	case strings.HasPrefix(d, AccessLogFilePrefix):
		name := strings.TrimPrefix(d, AccessLogFilePrefix)
		if name == "" || path.IsAbs(name) || path.Clean(name) != name || strings.HasPrefix(name, "..") || strings.ContainsRune(name, '\\') {
			ve.add("accessLog.destination", "invalid", "file:NAME needs a relative path without '..' (it lives under the gateway's access log directory)")
		}
	default:
		ve.add("accessLog.destination", "invalid", "must be stdout, redis or file:NAME")
	}
}

func knownAccessLogVariable(name string) bool {
	for _, v := range AccessLogVariables {
		if v == name {
			return true
		}
	}
	return false
}
