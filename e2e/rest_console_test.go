//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clickIn clicks the element with data-testid id inside the element with
// data-testid scope (a row of a table), once both are there.
func clickIn(scope, id string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(`[data-testid="` + scope + `"] [data-testid="` + id + `"]`))
}

// setIn replaces the value of an input or select inside a scoped element
// the way React sees a user's edit (the native setter, then input/change).
func setIn(scope, id, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => {
		const el = document.querySelector('[data-testid=%q] [data-testid=%q]');
		if (!el) return false;
		const proto = Object.getPrototypeOf(el);
		Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, %q);
		el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
		return true;
	})()`, scope, id, value)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
		return err
	})
}

// waitText waits until the page shows text s.
func waitText(s string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`document.body.innerText.includes(%q)`, s)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
		return err
	})
}

// fillDialog opens a one-field dialog with the button open, types value
// into field, submits it with submit and waits for the dialog to close.
func fillDialog(open, field, value, submit string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(tid(open)),
		chromedp.WaitVisible(tid(field)),
		chromedp.SendKeys(tid(field), value),
		chromedp.Click(tid(submit)),
		chromedp.WaitNotPresent(tid(field)),
	}
}

// newMethod adds method to the resource at path and waits for the method
// editor the console opens next.
func newMethod(path, method string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(tid("resource-" + path)),
		chromedp.WaitVisible(tid("add-method")),
		chromedp.Click(tid("add-method")),
		chromedp.WaitVisible(tid("method-select")),
		selectOption("method-select", method),
		chromedp.Click(tid("method-submit")),
		chromedp.WaitVisible(tid("method-dialog")),
	}
}

// TestRESTConsole builds a REST API in Chromium: /pets and /pets/{petId},
// a GET proxied to a test upstream, a POST with a request validator and a
// model answered by a MOCK integration, an EDGE endpoint, a prod stage with
// its cache on, X-Cache and a method TTL. It then calls the invoke URL: a bad
// body is refused with 400, the GET is a cache miss then a hit, and after a
// flush from the console a miss again.
func TestRESTConsole(t *testing.T) {
	p := startPlatform(t)
	admin := newClient(p.apiURL, p.token)
	hc := &http.Client{Timeout: 10 * time.Second}

	var upstreamCalls atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := upstreamCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"path": r.URL.Path, "call": n})
	}))
	t.Cleanup(up.Close)

	ctx := newBrowser(t)
	name := "rest-console-" + randomID(4)
	step(t, ctx, "log in",
		chromedp.Navigate(p.apiURL+"/"),
		chromedp.WaitVisible(tid("login-email")),
		chromedp.SendKeys(tid("login-email"), adminEmail),
		chromedp.SendKeys(tid("login-password"), adminPassword),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitVisible(tid("nav-apis")),
	)
	step(t, ctx, "create a REST API",
		chromedp.Click(tid("nav-apis")),
		chromedp.WaitVisible(tid("create-api")),
		chromedp.Click(tid("create-api")),
		chromedp.WaitVisible(tid("api-name")),
		chromedp.SendKeys(tid("api-name"), name),
		selectOption("api-protocol", "REST"),
		chromedp.Click(tid("api-submit")),
		chromedp.WaitNotPresent(tid("api-name")),
	)
	var apis struct {
		Items []apiObj `json:"items"`
	}
	admin.mustDo(t, 200, "GET", "/v1/apis", nil, &apis)
	var apiID string
	for _, a := range apis.Items {
		if a.Name == name {
			apiID = a.APIID
		}
	}
	require.NotEmpty(t, apiID, "the console created no API named %s", name)
	base := "/v1/apis/" + apiID

	step(t, ctx, "open the resources", chromedp.Navigate(p.apiURL+"/apis/"+apiID+"/resources"),
		chromedp.WaitVisible(tid("resource-/")))
	step(t, ctx, "add /pets", append(fillDialog("add-resource", "resource-path-part", "pets", "resource-submit"),
		chromedp.WaitVisible(tid("resource-/pets")))...)
	step(t, ctx, "add /pets/{petId}", append(fillDialog("add-resource", "resource-path-part", "{petId}", "resource-submit"),
		chromedp.WaitVisible(tid("resource-/pets/{petId}")))...)
	step(t, ctx, "GET /pets/{petId} proxied to the upstream", append(newMethod("/pets/{petId}", "GET"),
		chromedp.SendKeys(tid("method-params"), "method.request.path.petId"),
		chromedp.SendKeys(tid("rest-integration-uri"), up.URL+"/animals/{id}"),
		chromedp.SendKeys(tid("rest-request-mappings"), "integration.request.path.id = method.request.path.petId"),
		chromedp.Click(tid("method-response-add")),
		chromedp.WaitVisible(tid("method-response-status")),
		chromedp.SendKeys(tid("method-response-headers"), "X-Upstream"))...)
	require.NotEmpty(t, shot(t, ctx, "rest-console-method"))
	step(t, ctx, "save GET /pets/{petId}",
		chromedp.Click(tid("method-save")),
		chromedp.WaitNotPresent(tid("method-dialog")),
		chromedp.WaitVisible(tid("method-row-GET")),
	)
	textOf(t, ctx, "method-responses-GET", func(s string) bool { return s == "200" }, 10*time.Second)
	// The schema the model dialog proposes requires a string "name".
	step(t, ctx, "a model", append(fillDialog("add-model", "model-name", "Pet", "model-submit"),
		chromedp.WaitVisible(tid("model-Pet")))...)
	step(t, ctx, "a request validator", append(fillDialog("add-validator", "validator-name", "body", "validator-submit"),
		chromedp.WaitVisible(tid("validator-body")))...)
	var validators struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	admin.mustDo(t, 200, "GET", base+"/requestvalidators", nil, &validators)
	require.Len(t, validators.Items, 1)
	step(t, ctx, "POST /pets validated against Pet, answered by a mock", append(newMethod("/pets", "POST"),
		selectOption("method-validator", validators.Items[0].ID),
		selectOption("method-model", "Pet"),
		selectOption("rest-integration-type", "MOCK"),
		chromedp.WaitVisible(tid("rest-mock-body")),
		chromedp.SendKeys(tid("rest-mock-body"), `{"created":true}`),
		chromedp.Click(tid("method-save")),
		chromedp.WaitNotPresent(tid("method-dialog")),
		chromedp.WaitVisible(tid("method-row-POST")))...)
	require.NotEmpty(t, shot(t, ctx, "rest-console-resources"))

	// A validator in use cannot be deleted: the 409 is shown in place.
	step(t, ctx, "try to delete the validator in use",
		chromedp.Click(tid("delete-validator-body")),
		chromedp.WaitVisible(tid("confirm-submit")),
		chromedp.Click(tid("confirm-submit")),
		waitText("A method uses this request validator"),
		chromedp.Click(chromedp.CSS(`[aria-label="Close"]`)),
		chromedp.WaitNotPresent(tid("confirm-submit")),
	)

	step(t, ctx, "EDGE endpoint",
		chromedp.Click(tid("api-endpoint-settings")),
		chromedp.WaitVisible(tid("endpoint-type")),
		selectOption("endpoint-type", "EDGE"),
		waitText("EDGE behaves exactly as REGIONAL"),
		chromedp.Click(tid("endpoint-submit")),
		chromedp.WaitNotPresent(tid("endpoint-dialog")),
	)
	textOf(t, ctx, "api-endpoint-type", func(s string) bool { return s == "EDGE" }, 10*time.Second)

	step(t, ctx, "prod stage with its cache on",
		chromedp.Click(tid("tab-stages")),
		chromedp.WaitVisible(tid("add-stage")),
		chromedp.Click(tid("add-stage")),
		chromedp.WaitVisible(tid("stage-name")),
		chromedp.SendKeys(tid("stage-name"), "prod"),
		chromedp.Click(tid("stage-cache-enabled")),
		chromedp.SendKeys(tid("stage-cache-ttl"), "300"),
		chromedp.Click(tid("stage-cache-x-cache")),
		chromedp.Click(tid("stage-submit")),
		chromedp.WaitNotPresent(tid("stage-name")),
		chromedp.WaitVisible(tid("stage-flush-cache")),
	)
	row := "ms-row-GET /pets/{petId}"
	step(t, ctx, "method TTL and cache key",
		chromedp.Click(tid("stage-method-settings")),
		chromedp.WaitVisible(tid(row)),
		setIn(row, "ms-caching", "on"),
		setIn(row, "ms-ttl", "120"),
		clickIn(row, "ms-key-method.request.path.petId"),
	)
	require.NotEmpty(t, shot(t, ctx, "rest-console-method-settings"))
	step(t, ctx, "save the method settings",
		chromedp.Click(tid("ms-submit")),
		chromedp.WaitNotPresent(tid("method-settings-dialog")),
	)
	var stage struct {
		CacheClusterEnabled bool `json:"cacheClusterEnabled"`
		XCacheHeader        bool `json:"xCacheHeader"`
		MethodSettings      map[string]struct {
			CachingEnabled     *bool    `json:"cachingEnabled"`
			CacheTTLInSeconds  *int     `json:"cacheTtlInSeconds"`
			CacheKeyParameters []string `json:"cacheKeyParameters"`
		} `json:"methodSettings"`
	}
	admin.mustDo(t, 200, "GET", base+"/stages/prod", nil, &stage)
	require.True(t, stage.CacheClusterEnabled)
	require.True(t, stage.XCacheHeader)
	ms, ok := stage.MethodSettings["GET /pets/{petId}"]
	require.True(t, ok, "method settings: %+v", stage.MethodSettings)
	require.NotNil(t, ms.CacheTTLInSeconds)
	assert.Equal(t, 120, *ms.CacheTTLInSeconds)
	assert.Equal(t, []string{"method.request.path.petId"}, ms.CacheKeyParameters)

	step(t, ctx, "deploy prod",
		chromedp.WaitVisible(tid("deploy-button")),
		chromedp.Click(tid("deploy-button")),
		chromedp.WaitVisible(tid("deploy-submit")),
		chromedp.Click(tid("deploy-submit")),
		chromedp.WaitVisible(tid("deploy-progress")),
	)
	status := textOf(t, ctx, "deploy-status", func(s string) bool {
		return strings.Contains(s, "DEPLOYED") || strings.Contains(s, "FAILED")
	}, 90*time.Second)
	require.Contains(t, status, "DEPLOYED")
	require.NotEmpty(t, shot(t, ctx, "rest-console-deployed"))
	step(t, ctx, "close the deploy dialog",
		chromedp.Click(chromedp.CSS(`[aria-label="Close"]`)),
		chromedp.WaitNotPresent(tid("deploy-progress")),
	)

	g := p.gateways[0]
	// The gateways load the deployment within seconds.
	eventually(t, 15*time.Second, func() error {
		if st, _, body := call(t, hc, g, apiID, "POST", "/prod/pets", `{"name":"rex"}`); st != 200 {
			return fmt.Errorf("POST /prod/pets: %d %s", st, body)
		}
		return nil
	})
	st, _, body := call(t, hc, g, apiID, "POST", "/prod/pets", `{"name":"rex"}`)
	require.Equal(t, 200, st, body)
	assert.JSONEq(t, `{"created":true}`, body)
	st, _, body = call(t, hc, g, apiID, "POST", "/prod/pets", `{"name":5}`)
	assert.Equal(t, http.StatusBadRequest, st, body)
	var invalid struct {
		Message string   `json:"message"`
		Details []string `json:"details"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &invalid), body)
	assert.Equal(t, "Invalid request body", invalid.Message)
	assert.NotEmpty(t, invalid.Details)

	get := func(gw string) (string, string) {
		t.Helper()
		st, h, body := call(t, hc, gw, apiID, "GET", "/prod/pets/7", "")
		require.Equal(t, 200, st, body)
		return h.Get("X-Cache"), body
	}
	before := upstreamCalls.Load()
	x1, b1 := get(g)
	x2, b2 := get(g)
	x3, _ := get(p.gateways[1])
	assert.Equal(t, []string{"Miss", "Hit", "Hit"}, []string{x1, x2, x3})
	assert.Equal(t, b1, b2)
	assert.Contains(t, b1, `"path":"/animals/7"`)
	assert.Equal(t, before+1, upstreamCalls.Load(), "one upstream call for three requests")

	step(t, ctx, "flush the cache from the console",
		chromedp.WaitVisible(tid("stage-flush-cache")),
		chromedp.Click(tid("stage-flush-cache")),
		chromedp.WaitVisible(tid("confirm-submit")),
		chromedp.Click(tid("confirm-submit")),
		chromedp.WaitNotPresent(tid("confirm-submit")),
		waitText("Cache of prod flushed"),
	)
	require.NotEmpty(t, shot(t, ctx, "rest-console-flushed"))
	x4, b4 := get(g)
	x5, _ := get(g)
	assert.Equal(t, []string{"Miss", "Hit"}, []string{x4, x5})
	assert.NotEqual(t, b1, b4, "a fresh answer after the flush")
	assert.Equal(t, before+2, upstreamCalls.Load())
}
