package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// EventStreamDoc documents a text/event-stream answer in a RouteDoc's
// Response: events named Event carrying Data as JSON.
type EventStreamDoc struct {
	Event string
	Data  any
}

// OpenAPIInfo is the document's info object.
type OpenAPIInfo struct {
	Title   string
	Version string
}

// OpenAPIModule serves GET /v1/openapi.json, generated from the server's
// route table. Routes is a func because modules are built before the
// server: pass func() []RouteInfo { return srv.Routes() }.
type OpenAPIModule struct {
	routes func() []RouteInfo
	info   OpenAPIInfo

	once sync.Once
	doc  []byte
	err  error
}

var _ Module = (*OpenAPIModule)(nil)

// NewOpenAPIModule returns the module.
func NewOpenAPIModule(routes func() []RouteInfo, info OpenAPIInfo) *OpenAPIModule {
	if info.Title == "" {
		info.Title = "Turnpike management API"
	}
	if info.Version == "" {
		info.Version = "v1"
	}
	return &OpenAPIModule{routes: routes, info: info}
}

// Routes implements Module.
func (m *OpenAPIModule) Routes(r *Router) {
	r.Public(http.MethodGet, "/openapi.json", "This OpenAPI 3.1 document", m.serve,
		&RouteDoc{Response: map[string]any{"openapi": "3.1.0"}})
}

func (m *OpenAPIModule) serve(c *gin.Context) error {
	// The route table is complete once the server is built, and never
	// changes after: build the document once.
	m.once.Do(func() { m.doc, m.err = json.Marshal(BuildOpenAPI(m.routes(), m.info)) })
	if m.err != nil {
		return m.err
	}
	c.Data(http.StatusOK, "application/json", m.doc)
	return nil
}

// BuildOpenAPI renders the OpenAPI 3.1 document of routes. Schemas are
// derived by reflection from each route's RouteDoc examples.
func BuildOpenAPI(routes []RouteInfo, info OpenAPIInfo) map[string]any {
	rf := newReflector()
	errRef := rf.schema(reflect.TypeOf(apierr.Body{}))
	paths := map[string]map[string]any{}
	opIDs := map[string]bool{}
	for _, rt := range routes {
		path, params := openAPIPath(rt.Path)
		op := map[string]any{
			"operationId": uniqueOperationID(opIDs, rt),
			"summary":     rt.Summary,
			"tags":        []string{openAPITag(rt.Path)},
		}
		if rt.Action != "" {
			op["x-turnpike-action"] = rt.Action
			op["x-turnpike-resource"] = rt.Resource
		}
		if rt.Public {
			op["security"] = []any{}
		}
		if len(params) > 0 {
			ps := make([]any, len(params))
			for i, p := range params {
				ps[i] = map[string]any{"name": p, "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
			}
			op["parameters"] = ps
		}
		status := http.StatusOK
		var req, resp any
		if rt.Doc != nil {
			req, resp = rt.Doc.Request, rt.Doc.Response
			if rt.Doc.StatusCode != 0 {
				status = rt.Doc.StatusCode
			}
		}
		if req != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": rf.schema(reflect.TypeOf(req)), "example": req}}}
		}
		okResp := map[string]any{"description": http.StatusText(status)}
		switch r := resp.(type) {
		case nil:
		case EventStreamDoc:
			okResp["description"] = "A stream of Server-Sent Events named " + strconv.Quote(r.Event) + ", each carrying this JSON."
			okResp["content"] = map[string]any{"text/event-stream": map[string]any{"schema": rf.schema(reflect.TypeOf(r.Data))}}
		default:
			okResp["content"] = map[string]any{"application/json": map[string]any{
				"schema": rf.schema(reflect.TypeOf(resp)), "example": resp}}
		}
		errResp := map[string]any{"description": "Error", "content": map[string]any{
			"application/json": map[string]any{"schema": errRef}}}
		op["responses"] = map[string]any{strconv.Itoa(status): okResp, "default": errResp}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": info.Title, "version": info.Version,
			"description": "Tenant-scoped management API of Turnpike. Authenticate with an access key as a bearer token, " +
				"or with the console session cookie (non-GET requests then need X-CSRF-Token)."},
		"paths":    paths,
		"security": []any{map[string]any{"bearerAuth": []any{}}, map[string]any{"cookieAuth": []any{}}},
		"components": map[string]any{
			"schemas": rf.components,
			"securitySchemes": map[string]any{
				"bearerAuth": map[string]any{"type": "http", "scheme": "bearer", "description": "An access key token."},
				"cookieAuth": map[string]any{"type": "apiKey", "in": "cookie", "name": "turnpike_session"},
			},
		},
	}
}

// openAPIPath turns /v1/apis/:apiId into /v1/apis/{apiId} and lists the
// parameters.
func openAPIPath(p string) (string, []string) {
	segs := strings.Split(p, "/")
	var params []string
	for i, s := range segs {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			params = append(params, s[1:])
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/"), params
}

func openAPITag(p string) string {
	segs := strings.Split(strings.TrimPrefix(p, "/v1/"), "/")
	switch {
	case len(segs) >= 3 && segs[0] == "apis":
		return segs[2]
	case len(segs) >= 1 && segs[0] != "":
		return segs[0]
	}
	return "default"
}

// uniqueOperationID is the action without its service prefix
// (CreateApi); a route that shares its action with another gets its last
// path word appended (GetDeploymentEvents); public routes are named from
// method and path (getOpenapiJson).
func uniqueOperationID(seen map[string]bool, rt RouteInfo) string {
	var words []string
	for _, s := range strings.Split(strings.TrimPrefix(rt.Path, "/v1/"), "/") {
		if s == "" || s[0] == ':' || s[0] == '*' {
			continue
		}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
			words = append(words, strings.ToUpper(w[:1])+w[1:])
		}
	}
	id := rt.Action
	if i := strings.IndexByte(id, ':'); i >= 0 {
		id = id[i+1:]
	}
	if id == "" {
		id = strings.ToLower(rt.Method) + strings.Join(words, "")
	}
	if seen[id] && len(words) > 0 {
		id += words[len(words)-1]
	}
	for base, n := id, 2; seen[id]; n++ {
		id = base + strconv.Itoa(n)
	}
	seen[id] = true
	return id
}

// reflector derives JSON Schemas from Go types: structs by their json tags,
// named structs as components.
type reflector struct {
	components map[string]any
	names      map[reflect.Type]string
	taken      map[string]reflect.Type
}

func newReflector() *reflector {
	r := &reflector{components: map[string]any{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
	r.name(reflect.TypeOf(apierr.Body{}), "Error")
	r.name(reflect.TypeOf(apierr.BodyError{}), "ErrorObject")
	r.name(reflect.TypeOf(apierr.FieldDetail{}), "FieldError")
	r.name(reflect.TypeOf(gwconfig.Integration{}), "IntegrationInput")
	return r
}

func (r *reflector) name(t reflect.Type, n string) {
	r.names[t] = n
	r.taken[n] = t
}

var timeType = reflect.TypeOf(time.Time{})

func (r *reflector) schema(t reflect.Type) map[string]any {
	if t == nil {
		return map[string]any{}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": r.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": r.schema(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return r.object(t)
		}
		n := r.componentName(t)
		if _, done := r.components[n]; !done {
			// The placeholder stops recursion through self-referencing types.
			r.components[n] = map[string]any{}
			r.components[n] = r.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + n}
	}
	return map[string]any{}
}

func (r *reflector) componentName(t reflect.Type) string {
	if n, ok := r.names[t]; ok {
		return n
	}
	n := strings.TrimSuffix(t.Name(), "View")
	if i := strings.IndexByte(n, '['); i >= 0 {
		n = n[:i]
	}
	if other, ok := r.taken[n]; ok && other != t {
		pkg := t.PkgPath()[strings.LastIndexByte(t.PkgPath(), '/')+1:]
		n = string(unicode.ToUpper(rune(pkg[0]))) + pkg[1:] + n
	}
	r.name(t, n)
	return n
}

func (r *reflector) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	r.fields(t, props, &required)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	return out
}

func (r *reflector) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				r.fields(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = r.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}
