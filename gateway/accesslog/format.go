// Package accesslog writes a stage's access log: one line per request in
// the stage's format of $context variables, to stdout, a file or the
// fleet's Redis stream. A format is compiled once, when the gateway
// compiles the stage, into a list of appenders; writing a line parses
// nothing and appends into a reused buffer.
package accesslog

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Record is what a line may tell about one request. The entry point fills
// it in after the response.
type Record struct {
	RequestID string
	SourceIP  string
	UserAgent string
	APIKeyID  string
	// Caller is the principal of an AWS_IAM call (its user id) and
	// AccessKey the id of the access key it signed with, never the token.
	Caller             string
	AccessKey          string
	HTTPMethod         string
	Path               string
	RouteKey           string
	ResourcePath       string
	Protocol           string
	TenantID           string
	APIID              string
	Stage              string
	DeploymentID       string
	DomainName         string
	ErrorMessage       string
	ErrorType          string
	Status             int
	IntegrationStatus  int
	ResponseLength     int64
	RequestTime        time.Time
	ResponseLatency    time.Duration
	IntegrationLatency time.Duration
}

type field uint8

const (
	fLiteral field = iota
	fRequestID
	fSourceIP
	fUserAgent
	fAPIKeyID
	fCaller
	fAccessKey
	fHTTPMethod
	fPath
	fRouteKey
	fResourcePath
	fProtocol
	fTenantID
	fAPIID
	fStage
	fDeploymentID
	fDomainName
	fErrorMessage
	fErrorType
	fStatus
	fIntegrationStatus
	fResponseLength
	fRequestTime
	fRequestTimeEpoch
	fResponseLatency
	fIntegrationLatency
)

var fields = map[string]field{
	"requestId": fRequestID, "extendedRequestId": fRequestID,
	"identity.sourceIp": fSourceIP, "identity.userAgent": fUserAgent,
	"identity.apiKeyId": fAPIKeyID, "identity.apiKey": fAPIKeyID,
	// A Turnpike access key belongs to a user, so caller and user are both
	// its principal id, as API Gateway logs an IAM user.
	"identity.caller": fCaller, "identity.user": fCaller, "identity.accessKey": fAccessKey,
	"httpMethod": fHTTPMethod, "path": fPath, "routeKey": fRouteKey, "resourcePath": fResourcePath,
	"protocol": fProtocol, "tenantId": fTenantID, "apiId": fAPIID, "stage": fStage,
	"deploymentId": fDeploymentID, "domainName": fDomainName,
	"error.message": fErrorMessage, "error.responseType": fErrorType,
	"status": fStatus, "integrationStatus": fIntegrationStatus, "integration.status": fIntegrationStatus,
	"responseLength": fResponseLength, "requestTime": fRequestTime, "requestTimeEpoch": fRequestTimeEpoch,
	"responseLatency": fResponseLatency, "integrationLatency": fIntegrationLatency, "integration.latency": fIntegrationLatency,
}

// Escaping of values, chosen from the format's shape.
type Escape uint8

// Escapes.
const (
	// EscapeText keeps a line one line: control characters become spaces.
	EscapeText Escape = iota
	// EscapeJSON escapes for a JSON string.
	EscapeJSON
	// EscapeXML escapes for XML text and attributes.
	EscapeXML
	// EscapeCSV quotes a value holding a comma, quote or line break.
	EscapeCSV
)

type appender struct {
	field   field
	literal string
}

// Format is a compiled access log format. It is immutable and safe for
// concurrent use.
type Format struct {
	parts  []appender
	escape Escape
}

// Compile compiles a preset name (CLF, JSON, XML, CSV) or a custom format.
// Values missing from a request are written as "-", as API Gateway does.
func Compile(format string) (*Format, error) {
	src := gwconfig.AccessLogFormat(format)
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("access log format is empty")
	}
	f := &Format{escape: escapeOf(src)}
	re := gwconfig.ContextVariableRE()
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
		name := src[m[2]:m[3]]
		fd, ok := fields[name]
		if !ok {
			return nil, fmt.Errorf("$context.%s is not a supported variable", name)
		}
		if m[0] > last {
			f.parts = append(f.parts, appender{literal: src[last:m[0]]})
		}
		f.parts = append(f.parts, appender{field: fd})
		last = m[1]
	}
	if last < len(src) {
		f.parts = append(f.parts, appender{literal: src[last:]})
	}
	return f, nil
}

// Escape is how the format escapes values.
func (f *Format) Escape() Escape { return f.escape }

func escapeOf(src string) Escape {
	s := strings.TrimSpace(src)
	switch {
	case strings.HasPrefix(s, "{"):
		return EscapeJSON
	case strings.HasPrefix(s, "<"):
		return EscapeXML
	}
	// Only variables separated by commas: CSV.
	rest := gwconfig.ContextVariableRE().ReplaceAllString(s, "")
	if rest != "" && strings.Trim(rest, ",") == "" {
		return EscapeCSV
	}
	return EscapeText
}

// AppendLine appends r's line, with a trailing newline, to dst.
func (f *Format) AppendLine(dst []byte, r *Record) []byte {
	for i := range f.parts {
		p := &f.parts[i]
		if p.field == fLiteral {
			dst = append(dst, p.literal...)
			continue
		}
		dst = f.appendField(dst, p.field, r)
	}
	return append(dst, '\n')
}

const clfTime = "02/Jan/2006:15:04:05 -0700"

func (f *Format) appendField(dst []byte, fd field, r *Record) []byte {
	switch fd {
	case fRequestID:
		return f.str(dst, r.RequestID)
	case fSourceIP:
		return f.str(dst, r.SourceIP)
	case fUserAgent:
		return f.str(dst, r.UserAgent)
	case fAPIKeyID:
		return f.str(dst, r.APIKeyID)
	case fCaller:
		return f.str(dst, r.Caller)
	case fAccessKey:
		return f.str(dst, r.AccessKey)
	case fHTTPMethod:
		return f.str(dst, r.HTTPMethod)
	case fPath:
		return f.str(dst, r.Path)
	case fRouteKey:
		return f.str(dst, r.RouteKey)
	case fResourcePath:
		if r.ResourcePath == "" {
			return f.str(dst, r.RouteKey)
		}
		return f.str(dst, r.ResourcePath)
	case fProtocol:
		return f.str(dst, r.Protocol)
	case fTenantID:
		return f.str(dst, r.TenantID)
	case fAPIID:
		return f.str(dst, r.APIID)
	case fStage:
		return f.str(dst, r.Stage)
	case fDeploymentID:
		return f.str(dst, r.DeploymentID)
	case fDomainName:
		return f.str(dst, r.DomainName)
	case fErrorMessage:
		return f.str(dst, r.ErrorMessage)
	case fErrorType:
		return f.str(dst, r.ErrorType)
	case fStatus:
		return num(dst, int64(r.Status))
	case fIntegrationStatus:
		return num(dst, int64(r.IntegrationStatus))
	case fResponseLength:
		return strconv.AppendInt(dst, r.ResponseLength, 10)
	case fRequestTime:
		if r.RequestTime.IsZero() {
			return append(dst, '-')
		}
		return r.RequestTime.AppendFormat(dst, clfTime)
	case fRequestTimeEpoch:
		if r.RequestTime.IsZero() {
			return append(dst, '-')
		}
		return strconv.AppendInt(dst, r.RequestTime.UnixMilli(), 10)
	case fResponseLatency:
		return strconv.AppendInt(dst, r.ResponseLatency.Milliseconds(), 10)
	case fIntegrationLatency:
		if r.IntegrationLatency <= 0 {
			return append(dst, '-')
		}
		return strconv.AppendInt(dst, r.IntegrationLatency.Milliseconds(), 10)
	}
	return dst
}

func num(dst []byte, v int64) []byte {
	if v == 0 {
		return append(dst, '-')
	}
	return strconv.AppendInt(dst, v, 10)
}

func (f *Format) str(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	switch f.escape {
	case EscapeJSON:
		return appendJSON(dst, s)
	case EscapeXML:
		return appendXML(dst, s)
	case EscapeCSV:
		return appendCSV(dst, s)
	}
	return appendText(dst, s)
}

const hexDigits = "0123456789abcdef"

func appendJSON(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

func appendXML(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '&':
			dst = append(dst, "&amp;"...)
		case '"':
			dst = append(dst, "&quot;"...)
		case '\'':
			dst = append(dst, "&apos;"...)
		case '\n', '\r', '\t':
			dst = append(dst, "&#x"...)
			dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf], ';')
		default:
			if c < 0x20 {
				dst = append(dst, ' ')
			} else {
				dst = append(dst, c)
			}
		}
	}
	return dst
}

func appendCSV(dst []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return appendText(dst, s)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			dst = append(dst, '"', '"')
		case '\r', '\n':
			dst = append(dst, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

func appendText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			dst = append(dst, ' ')
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}
