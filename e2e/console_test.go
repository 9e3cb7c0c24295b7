//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// tid selects an element by its data-testid.
func tid(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// newBrowser starts headless Debian Chromium for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	execPath := "/usr/bin/chromium"
	if p := os.Getenv("CHROMIUM"); p != "" {
		execPath = p
	}
	_, err := os.Stat(execPath)
	require.NoError(t, err, "Chromium is missing: run `make tools` (apt-get install -y chromium)")
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser; it must not carry a timeout.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")))
	return ctx
}

// step runs actions with a bounded time and a screenshot on failure.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		shot(t, ctx, "failed-"+regexp.MustCompile(`\W+`).ReplaceAllString(name, "-"))
		t.Fatalf("console step %q: %v", name, err)
	}
}

func shot(t *testing.T, ctx context.Context, name string) string {
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(artifactsDir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("saving screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// textOf polls until the element's text satisfies ok.
func textOf(t *testing.T, ctx context.Context, id string, ok func(string) bool, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		txt, err := chromedp.Run(sctx, chromedp.Text(tid(id)))
		cancel()
		if err == nil {
			last = strings.TrimSpace(txt)
			if ok(last) {
				return last
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	shot(t, ctx, "failed-wait-"+id)
	t.Fatalf("%s text did not become ready within %s (last %q)", id, timeout, last)
	return ""
}

func testConsole(t *testing.T, p *platform) {
	ctx := newBrowser(t)
	name := "console-pets-" + randomID(3)

	step(t, ctx, "log in",
		chromedp.Navigate(p.apiURL+"/"),
		chromedp.WaitVisible(tid("login-email")),
		chromedp.SendKeys(tid("login-email"), adminEmail),
		chromedp.SendKeys(tid("login-password"), adminPassword),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitVisible(tid("nav-apis")),
	)
	textOf(t, ctx, "tenant-name", func(s string) bool { return s != "" }, 10*time.Second)

	step(t, ctx, "create an API",
		chromedp.Click(tid("nav-apis")),
		chromedp.WaitVisible(tid("create-api")),
		chromedp.Click(tid("create-api")),
		chromedp.WaitVisible(tid("api-name")),
		chromedp.SendKeys(tid("api-name"), name),
		chromedp.Click(tid("api-submit")),
	)
	// The console either opens the new API or lists it; open it if listed.
	openAPI := chromedp.Poll[bool](fmt.Sprintf(`(() => {
		if (document.querySelector('[data-testid="tab-routes"]')) return true;
		const row = [...document.querySelectorAll('[data-testid="api-row"]')].find(r => r.textContent.includes(%q));
		if (row) { (row.querySelector('a') || row).click(); }
		return false;
	})()`, name), chromedp.WithPollingTimeout(20*time.Second))
	step(t, ctx, "open the API", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := openAPI(ctx, tg)
		return err
	}))

	step(t, ctx, "add a route",
		chromedp.Click(tid("tab-routes")),
		chromedp.WaitVisible(tid("add-route")),
		chromedp.Click(tid("add-route")),
		chromedp.WaitVisible(tid("route-key")),
		chromedp.SendKeys(tid("route-key"), "GET /hello/{name}"),
		chromedp.SendKeys(tid("integration-uri"), p.upstream.URL+"/console/hello/{name}"),
		chromedp.Click(tid("route-submit")),
		chromedp.WaitNotPresent(tid("route-key")),
		chromedp.WaitVisible(chromedp.Search("GET /hello/{name}")),
	)
	step(t, ctx, "create the prod stage",
		chromedp.Click(tid("tab-stages")),
		chromedp.WaitVisible(tid("add-stage")),
		chromedp.Click(tid("add-stage")),
		chromedp.WaitVisible(tid("stage-name")),
		chromedp.SendKeys(tid("stage-name"), "prod"),
		chromedp.Click(tid("stage-submit")),
		// The dialog must be gone before the next click, or its closing
		// backdrop takes it.
		chromedp.WaitNotPresent(tid("stage-name")),
		chromedp.WaitVisible(tid("stage-deploy-button")),
	)
	step(t, ctx, "deploy",
		chromedp.WaitVisible(tid("deploy-button")),
		chromedp.Click(tid("deploy-button")),
		chromedp.WaitVisible(tid("deploy-submit")),
		chromedp.Click(tid("deploy-submit")),
		chromedp.WaitVisible(tid("deploy-progress")),
	)
	status := textOf(t, ctx, "deploy-status", func(s string) bool {
		return strings.Contains(s, "DEPLOYED") || strings.Contains(s, "FAILED")
	}, 60*time.Second)
	require.Contains(t, status, "DEPLOYED")
	invokeURL := textOf(t, ctx, "invoke-url", func(s string) bool { return strings.Contains(s, ".execute-api.") }, 10*time.Second)
	path := shot(t, ctx, "console-deploy")
	require.NotEmpty(t, path)

	m := regexp.MustCompile(`https?://([a-z0-9]+)\.execute-api\.localhost(:\d+)?/prod`).FindStringSubmatch(invokeURL)
	require.NotNil(t, m, "invoke URL %q", invokeURL)
	hc := &http.Client{Timeout: 5 * time.Second}
	eventually(t, 10*time.Second, func() error {
		status, body, err := invoke(context.Background(), hc, p.gateways[1], m[1], "/prod/hello/browser")
		if err != nil || status != 200 || !strings.Contains(body, "/console/hello/browser") {
			return fmt.Errorf("%d %s %v", status, body, err)
		}
		return nil
	})
}
