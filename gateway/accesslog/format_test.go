package accesslog

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func record() *Record {
	return &Record{
		RequestID: "req-1", SourceIP: "203.0.113.9", UserAgent: "curl/8", APIKeyID: "key-1",
		HTTPMethod: "GET", Path: "/prod/pets/1", RouteKey: "GET /pets/{id}", Protocol: "HTTP/1.1",
		TenantID: "t1", APIID: "abc", Stage: "prod", DeploymentID: "d1",
		Status: 200, ResponseLength: 42,
		RequestTime:        time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
		ResponseLatency:    12 * time.Millisecond,
		IntegrationLatency: 9 * time.Millisecond,
	}
}

func line(t *testing.T, format string, r *Record) string {
	t.Helper()
	f, err := Compile(format)
	require.NoError(t, err)
	out := f.AppendLine(nil, r)
	require.True(t, bytes.HasSuffix(out, []byte("\n")))
	return string(out[:len(out)-1])
}

func TestPresets(t *testing.T) {
	tests := []struct {
		desc   string
		format string
		want   string
	}{
		{desc: "CLF", format: "CLF", want: `203.0.113.9 - - [26/Nov/2026:10:00:00 +0000] "GET GET /pets/{id} HTTP/1.1" 200 42 req-1`},
		{desc: "JSON", format: "JSON", want: `{"requestId":"req-1","ip":"203.0.113.9","requestTime":"26/Nov/2026:10:00:00 +0000",` +
			`"httpMethod":"GET","routeKey":"GET /pets/{id}","status":"200","protocol":"HTTP/1.1","responseLength":"42"}`},
		{desc: "XML", format: "xml", want: `<request id="req-1"><ip>203.0.113.9</ip><requestTime>26/Nov/2026:10:00:00 +0000</requestTime>` +
			`<httpMethod>GET</httpMethod><routeKey>GET /pets/{id}</routeKey><status>200</status><protocol>HTTP/1.1</protocol>` +
			`<responseLength>42</responseLength></request>`},
		{desc: "CSV", format: "CSV", want: `203.0.113.9,26/Nov/2026:10:00:00 +0000,GET,GET /pets/{id},HTTP/1.1,200,42,req-1`},
		{desc: "custom", format: "$context.requestId $context.identity.apiKeyId $context.responseLatency ms " +
			"$context.integrationLatency $context.requestTimeEpoch $context.stage/$context.apiId $context.identity.userAgent",
			want: "req-1 key-1 12 ms 9 1795687200000 prod/abc curl/8"},
		{desc: "resourcePath falls back to the route key", format: "$context.resourcePath", want: "GET /pets/{id}"},
		{desc: "literal text only", format: "hello", want: "hello"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			assert.Equal(t, test.want, line(t, test.format, record()))
		})
	}
}

func TestMissingValuesAreDashes(t *testing.T) {
	got := line(t, "$context.identity.apiKeyId $context.error.message $context.integrationLatency $context.status", &Record{})
	assert.Equal(t, "- - - -", got)
}

func TestEscaping(t *testing.T) {
	nasty := "a\"b,c\n<d>&'e\\f\x01g"
	r := record()
	r.UserAgent = nasty
	r.ErrorMessage = nasty

	t.Run("JSON stays valid", func(t *testing.T) {
		got := line(t, `{"ua":"$context.identity.userAgent","err":"$context.error.message","status":$context.status}`, r)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(got), &v))
		assert.Equal(t, nasty, v["ua"])
		assert.Equal(t, nasty, v["err"])
		assert.Equal(t, float64(200), v["status"])
	})
	t.Run("XML stays valid", func(t *testing.T) {
		got := line(t, `<r ua="$context.identity.userAgent"><e>$context.error.message</e></r>`, r)
		var v struct {
			UA string `xml:"ua,attr"`
			E  string `xml:"e"`
		}
		require.NoError(t, xml.Unmarshal([]byte(got), &v))
		want := strings.ReplaceAll(nasty, "\x01", " ")
		assert.Equal(t, want, v.UA)
		assert.Equal(t, want, v.E)
	})
	t.Run("CSV keeps its columns", func(t *testing.T) {
		got := line(t, `$context.requestId,$context.identity.userAgent,$context.status`, r)
		rows, err := csv.NewReader(strings.NewReader(got)).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Equal(t, []string{"req-1", strings.NewReplacer("\n", " ", "\x01", "\x01").Replace(nasty), "200"}, rows[0])
	})
	t.Run("text stays on one line", func(t *testing.T) {
		got := line(t, `$context.identity.userAgent`, r)
		assert.NotContains(t, got, "\n")
		assert.NotContains(t, got, "\x01")
	})
}

func TestCompileErrors(t *testing.T) {
	for _, f := range []string{"", "   ", "$context.nope"} {
		_, err := Compile(f)
		assert.Error(t, err, f)
	}
}

func TestEveryDocumentedVariableCompiles(t *testing.T) {
	for _, v := range gwconfig.AccessLogVariables {
		_, ok := fields[v]
		assert.True(t, ok, v)
	}
	assert.Len(t, fields, len(gwconfig.AccessLogVariables))
}

func BenchmarkAppendLine(b *testing.B) {
	for _, format := range []string{"CLF", "JSON", "CSV"} {
		b.Run(format, func(b *testing.B) {
			f, err := Compile(format)
			require.NoError(b, err)
			r := record()
			buf := make([]byte, 0, 1024)
			b.ReportAllocs()
			for b.Loop() {
				buf = f.AppendLine(buf[:0], r)
			}
		})
	}
}

// TestIAMIdentity: the AWS_IAM caller's variables, named as API Gateway
// names them; a call without an access key writes dashes.
func TestIAMIdentity(t *testing.T) {
	iam := record()
	iam.Caller, iam.AccessKey = "usr_reader", "TPAKREADER"
	tests := []struct {
		desc   string
		format string
		r      *Record
		want   string
	}{
		{desc: "text", format: "$context.identity.caller $context.identity.user $context.identity.accessKey $context.status",
			r: iam, want: "usr_reader usr_reader TPAKREADER 200"},
		{desc: "JSON", format: `{"caller":"$context.identity.caller","accessKey":"$context.identity.accessKey"}`,
			r: iam, want: `{"caller":"usr_reader","accessKey":"TPAKREADER"}`},
		{desc: "CSV", format: "$context.identity.user,$context.identity.accessKey", r: iam, want: "usr_reader,TPAKREADER"},
		{desc: "not an AWS_IAM call", format: "$context.identity.caller $context.identity.user $context.identity.accessKey",
			r: record(), want: "- - -"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			assert.Equal(t, tc.want, line(t, tc.format, tc.r))
		})
	}
}
