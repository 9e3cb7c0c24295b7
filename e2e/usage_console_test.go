//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selectOption picks value in the <select> with the data-testid, waiting
// for the option to be there (options may load after the dialog opens),
// and fires the change event React listens to.
func selectOption(id, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => {
		const s = document.querySelector('[data-testid=%q]');
		if (!s || ![...s.options].some(o => o.value === %q)) return false;
		s.value = %q;
		s.dispatchEvent(new Event('change', { bubbles: true }));
		return true;
	})()`, id, value, value)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
		return err
	})
}

// TestUsageConsole drives the API keys and usage plans pages in Chromium:
// a plan of 2 rps (burst 2) and 1000 a day on a deployed stage whose route
// requires an API key, a key attached to it, calls through a gateway until
// one is throttled, and the usage chart counting them.
func TestUsageConsole(t *testing.T) {
	p := startPlatform(t)
	admin := newClient(p.apiURL, p.token)

	// The API is set up over REST; the console part is the usage pages.
	var api apiObj
	admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "usage-" + randomID(4), "protocolType": "HTTP"}, &api)
	route := routeBody(p.upstream.URL, "v1")
	route["apiKeyRequired"] = true
	var rt struct {
		APIKeyRequired bool `json:"apiKeyRequired"`
	}
	admin.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/routes", route, &rt)
	require.True(t, rt.APIKeyRequired)
	admin.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/stages", map[string]any{"stageName": "prod",
		"stageVariables": map[string]string{"backend": p.upstream.URL}}, nil)
	var d deploymentObj
	admin.mustDo(t, 200, "POST", "/v1/apis/"+api.APIID+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &d)
	require.Equal(t, "DEPLOYED", d.Status, d.StatusReason)

	hc := &http.Client{Timeout: 5 * time.Second}
	gw := p.gateways[1]
	call := func(key string) (int, string, http.Header) {
		req, err := http.NewRequest(http.MethodGet, "http://"+gw+"/prod/hello/usage", nil)
		require.NoError(t, err)
		req.Host = api.APIID + ".execute-api.localhost"
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		return resp.StatusCode, string(buf[:n]), resp.Header
	}
	eventually(t, 10*time.Second, func() error {
		if status, body, _ := call(""); status != 403 {
			return fmt.Errorf("without a key: %d %s", status, body)
		}
		return nil
	})

	ctx := newBrowser(t)
	step(t, ctx, "log in",
		chromedp.Navigate(p.apiURL+"/"),
		chromedp.WaitVisible(tid("login-email")),
		chromedp.SendKeys(tid("login-email"), adminEmail),
		chromedp.SendKeys(tid("login-password"), adminPassword),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitVisible(tid("nav-usage-plans")),
	)

	step(t, ctx, "create a usage plan",
		chromedp.Click(tid("nav-usage-plans")),
		chromedp.WaitVisible(tid("create-usage-plan")),
		chromedp.Click(tid("create-usage-plan")),
		chromedp.WaitVisible(tid("usage-plan-name")),
		chromedp.SendKeys(tid("usage-plan-name"), "gold"),
		chromedp.SendKeys(tid("usage-plan-rate"), "2"),
		chromedp.SendKeys(tid("usage-plan-burst"), "2"),
		chromedp.SendKeys(tid("usage-plan-quota-limit"), "1000"),
		selectOption("usage-plan-quota-period", "DAY"),
		chromedp.Click(tid("usage-plan-add-stage")),
		chromedp.WaitVisible(tid("usage-plan-stage-api")),
		selectOption("usage-plan-stage-api", api.APIID),
		selectOption("usage-plan-stage-name", "prod"),
		chromedp.Click(tid("usage-plan-submit")),
		chromedp.WaitVisible(tid("usage-plan-id")),
	)
	planID := textOf(t, ctx, "usage-plan-id", func(s string) bool { return s != "" }, 10*time.Second)
	assert.Equal(t, "2 req/s, burst 2", textOf(t, ctx, "usage-plan-throttle", func(s string) bool { return s != "" }, 5*time.Second))

	step(t, ctx, "create an API key",
		chromedp.Click(tid("nav-api-keys")),
		chromedp.WaitVisible(tid("create-api-key")),
		chromedp.Click(tid("create-api-key")),
		chromedp.WaitVisible(tid("api-key-name")),
		chromedp.SendKeys(tid("api-key-name"), "browser-key"),
		chromedp.Click(tid("api-key-submit")),
		chromedp.WaitVisible(tid("api-key-shown-value")),
	)
	keyValue := textOf(t, ctx, "api-key-shown-value", func(s string) bool { return len(s) == 40 }, 10*time.Second)
	keyID := textOf(t, ctx, "api-key-id", func(s string) bool { return s != "" }, 5*time.Second)
	step(t, ctx, "close the key dialog",
		chromedp.Click(tid("api-key-value-close")),
		chromedp.WaitNotPresent(tid("api-key-shown-value")),
		chromedp.WaitVisible(tid("api-key-row")),
	)

	step(t, ctx, "attach the key to the plan",
		chromedp.Navigate(p.apiURL+"/usage-plans/"+planID),
		chromedp.WaitVisible(tid("usage-plan-attach-key")),
		chromedp.Click(tid("usage-plan-attach-key")),
		chromedp.WaitVisible(tid("usage-plan-attach-select")),
		selectOption("usage-plan-attach-select", keyID),
		chromedp.Click(tid("usage-plan-attach-submit")),
		chromedp.WaitNotPresent(tid("usage-plan-attach-select")),
		chromedp.WaitVisible(tid("usage-plan-key-row")),
		chromedp.WaitVisible(tid("usage-total")),
	)
	assert.Equal(t, "0", textOf(t, ctx, "usage-total", func(s string) bool { return s != "" }, 10*time.Second))

	// The key reaches the gateways within seconds; then call until the
	// plan's 2 rps throttle answers 429.
	eventually(t, 10*time.Second, func() error {
		if status, body, _ := call(keyValue); status != 200 {
			return fmt.Errorf("with the key: %d %s", status, body)
		}
		return nil
	})
	admitted, throttled := 1, false
	var retryAfter string
	for range 50 {
		status, body, h := call(keyValue)
		if status == 429 {
			throttled = true
			retryAfter = h.Get("Retry-After")
			assert.Contains(t, body, "Too Many Requests")
			break
		}
		require.Equal(t, 200, status, body)
		admitted++
	}
	require.True(t, throttled, "50 calls at once were never throttled")
	t.Logf("admitted %d before a 429 (Retry-After %q)", admitted, retryAfter)

	total := textOf(t, ctx, "usage-total", func(s string) bool {
		n, err := strconv.Atoi(s)
		return err == nil && n > 0
	}, 20*time.Second)
	n, _ := strconv.Atoi(total)
	assert.Equal(t, admitted, n, "the chart counts the admitted requests")
	remaining := textOf(t, ctx, "usage-remaining", func(s string) bool { return s != "" }, 5*time.Second)
	assert.Equal(t, strconv.Itoa(1000-admitted), strings.TrimSpace(remaining))
	require.NotEmpty(t, shot(t, ctx, "usage-console"))
}
