//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIAMPagesConsole drives the IAM pages in Chromium against `turnpike
// serve` (embedded: SQLite, no gateway): the administrator, who operates
// the platform, rotates an access key (grace 0, then a grace period) and
// the tokens behave as the page says; creates a tenant on the Tenants page
// and suspends it, and the tenant's key gets 403; invites a user with
// ReadOnlyAccess, whose link is opened in the browser to set a password,
// and the invited user then signs in with it and has the policy. Last, with sign-up on, the login page links to the
// sign-up page, which creates a tenant and opens the console in it. The
// Tenants page also sets a tenant's limits (read back over the API), and
// the invitation page names the tenant and email before the password is
// set and calls a used link dead.
func TestIAMPagesConsole(t *testing.T) {
	apiAddr := freeAddr(t)
	token := "tpk_iampages_" + randomID(12)
	base := "http://" + apiAddr
	env := []string{
		"TURNPIKE_DATA_DIR=" + t.TempDir(),
		"TURNPIKE_ADDR=" + apiAddr,
		"TURNPIKE_PUBLIC_URL=" + base,
		"TURNPIKE_GATEWAY_ADDR=off",
		"TURNPIKE_BOOTSTRAP_TOKEN=" + token,
		"TURNPIKE_ADMIN_PASSWORD=" + adminPassword,
		"TURNPIKE_SIGNUP=true",
		"DATABASE_URL=", "REDIS_URL=", "TEMPORAL_ADDRESS=",
	}
	srv := startProc(t, "iam-pages", turnpikeBin, env, "serve")
	srv.waitOutput(t, "console: http://", 120*time.Second)
	admin := newClient(base, token)
	// meStatus is the status of GET /v1/auth/me with a token.
	meStatus := func(tok string) int { return newClient(base, tok).do(t, "GET", "/v1/auth/me", nil, nil) }

	ctx := newBrowser(t)
	signIn(t, ctx, base, adminEmail, adminPassword)

	t.Run("rotate an access key: grace 0 stops the old token, a grace keeps it", func(t *testing.T) {
		var key struct {
			AccessKeyID string `json:"accessKeyId"`
			Token       string `json:"token"`
		}
		admin.mustDo(t, 201, "POST", "/v1/iam/access-keys", map[string]any{"name": "rotate-me"}, &key)
		require.Equal(t, 200, meStatus(key.Token))

		first := rotateInConsole(t, ctx, key.AccessKeyID, "0")
		assert.Equal(t, 200, meStatus(first.token), "the new token works")
		assert.Equal(t, 401, meStatus(key.Token), "grace 0: the old token stops at once")
		require.NotEmpty(t, shot(t, ctx, "iam-pages-rotated"))

		second := rotateInConsole(t, ctx, first.id, "3600")
		assert.Equal(t, 200, meStatus(second.token), "the new token works")
		assert.Equal(t, 200, meStatus(first.token), "the old token works during the grace")
		assert.Contains(t, second.note, "keeps working until")
	})

	t.Run("operator: create a tenant and suspend it; its key gets 403", func(t *testing.T) {
		name := "beta-" + randomID(3)
		step(t, ctx, "create the tenant",
			chromedp.Click(tid("nav-tenants")),
			chromedp.WaitVisible(tid("tenant-create")),
			chromedp.Click(tid("tenant-create")),
			chromedp.WaitVisible(tid("tenant-name-input")),
			chromedp.SendKeys(tid("tenant-name-input"), name),
			chromedp.SendKeys(tid("tenant-admin-email"), "ops@"+name+".test"),
			chromedp.Click(tid("tenant-submit")),
			chromedp.WaitVisible(tid("tenant-admin-token")),
		)
		tenantToken := textOf(t, ctx, "tenant-admin-token", func(s string) bool { return strings.HasPrefix(s, "tpk_") }, 10*time.Second)
		require.Equal(t, 200, newClient(base, tenantToken).do(t, "GET", "/v1/apis", nil, nil))
		row := `[data-testid="tenant-row"][data-name="` + name + `"] `

		// The limits dialog shows the platform default, then sets the
		// tenant's own ceiling, which the REST API reads back.
		step(t, ctx, "open the tenant's limits",
			chromedp.Click(tid("tenant-created-done")),
			chromedp.WaitNotPresent(tid("tenant-admin-token")),
			chromedp.Click(chromedp.CSS(row+`[data-testid="tenant-limits-open"]`)),
			chromedp.WaitVisible(tid("tenant-limits-rate")),
		)
		assert.Contains(t, textOf(t, ctx, "tenant-limits-current", func(s string) bool { return s != "" }, 5*time.Second),
			"platform default of 10,000 requests/s with a burst of 5,000")
		step(t, ctx, "set the tenant's limits",
			setInput(`[data-testid="tenant-limits-rate"]`, "1234.5"),
			setInput(`[data-testid="tenant-limits-burst"]`, "678"),
			chromedp.Click(tid("tenant-limits-submit")),
			chromedp.WaitNotPresent(tid("tenant-limits")),
		)
		require.NotEmpty(t, shot(t, ctx, "iam-pages-tenant-limits"))
		type tenantItem struct{ TenantID, Name string }
		var tenants struct{ Items []tenantItem }
		admin.mustDo(t, 200, "GET", "/v1/tenants", nil, &tenants)
		i := slices.IndexFunc(tenants.Items, func(tn tenantItem) bool { return tn.Name == name })
		require.GreaterOrEqual(t, i, 0, "tenant %s listed", name)
		tenantID := tenants.Items[i].TenantID
		var limits struct {
			RateLimit  float64 `json:"rateLimit"`
			BurstLimit int     `json:"burstLimit"`
			IsDefault  bool    `json:"isDefault"`
		}
		admin.mustDo(t, 200, "GET", "/v1/tenants/"+tenantID+"/limits", nil, &limits)
		assert.Equal(t, 1234.5, limits.RateLimit)
		assert.Equal(t, 678, limits.BurstLimit)
		assert.False(t, limits.IsDefault)

		step(t, ctx, "suspend the tenant",
			chromedp.Click(chromedp.CSS(row+`[data-testid="tenant-suspend"]`)),
			chromedp.WaitVisible(tid("confirm-submit")),
			chromedp.Click(tid("confirm-submit")),
			chromedp.WaitVisible(chromedp.CSS(row+`[data-testid="tenant-resume"]`)),
		)
		status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(row+`[data-testid="tenant-status"]`)))
		require.NoError(t, err)
		assert.Equal(t, "SUSPENDED", strings.TrimSpace(status))
		require.NotEmpty(t, shot(t, ctx, "iam-pages-tenant-suspended"))
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		assert.Equal(t, http.StatusForbidden, newClient(base, tenantToken).do(t, "GET", "/v1/apis", nil, &e))
		assert.Equal(t, "tenant.suspended", e.Error.Code)
	})

	t.Run("invite a user; the link sets a password; the user signs in with it", func(t *testing.T) {
		email := "invited-" + randomID(3) + "@example.com"
		const password = "invited-password-1"
		const readOnlyChoice = `[data-testid="iam-invitation-policies"] input[value="ReadOnlyAccess"]`
		step(t, ctx, "create the invitation",
			chromedp.Click(tid("nav-iam-invitations")),
			chromedp.WaitVisible(tid("iam-create-invitation")),
			chromedp.Click(tid("iam-create-invitation")),
			chromedp.WaitVisible(tid("iam-invitation-email")),
			chromedp.SendKeys(tid("iam-invitation-email"), email),
			// The invitation gives ReadOnlyAccess on accepting.
			chromedp.WaitVisible(chromedp.CSS(readOnlyChoice)),
			chromedp.Click(chromedp.CSS(readOnlyChoice)),
			chromedp.Click(tid("iam-invitation-submit")),
			chromedp.WaitVisible(tid("iam-invitation-link")),
		)
		link := textOf(t, ctx, "iam-invitation-link", func(s string) bool { return strings.Contains(s, "token=") }, 10*time.Second)
		require.True(t, strings.HasPrefix(link, base+"/accept-invite?token="), link)
		require.NotEmpty(t, shot(t, ctx, "iam-pages-invitation-link"))
		step(t, ctx, "the invitation is listed as pending",
			chromedp.Click(tid("iam-invitation-done")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="iam-invitation-row"][data-email="`+email+`"] [data-state="pending"]`)),
		)

		var me struct {
			Tenant struct{ Name string } `json:"tenant"`
		}
		admin.mustDo(t, 200, "GET", "/v1/auth/me", nil, &me)
		require.NotEmpty(t, me.Tenant.Name)
		step(t, ctx, "open the link: it says where and as whom before any password",
			chromedp.Navigate(link),
			chromedp.WaitVisible(tid("invite-offer")),
		)
		offer := textOf(t, ctx, "invite-offer", func(s string) bool { return s != "" }, 5*time.Second)
		assert.Equal(t, "You are invited to "+me.Tenant.Name+" as "+email+".", offer)
		require.NotEmpty(t, shot(t, ctx, "iam-pages-invitation-offer"))
		step(t, ctx, "set a password",
			chromedp.WaitVisible(tid("invite-name")),
			chromedp.SendKeys(tid("invite-name"), "Invited User"),
			chromedp.SendKeys(tid("invite-password"), password),
			chromedp.SendKeys(tid("invite-confirm"), password),
			chromedp.Click(tid("invite-submit")),
			chromedp.WaitVisible(tid("invite-joined-email")),
		)
		assert.Equal(t, email, textOf(t, ctx, "invite-joined-email", func(s string) bool { return s != "" }, 5*time.Second))
		require.NotEmpty(t, shot(t, ctx, "iam-pages-invitation-accepted"))
		step(t, ctx, "open the console, then sign out",
			chromedp.Click(tid("invite-continue")),
			chromedp.WaitVisible(tid("user-menu")),
			chromedp.Click(tid("user-menu")),
			chromedp.WaitVisible(tid("sign-out")),
			chromedp.Click(tid("sign-out")),
			chromedp.WaitVisible(tid("login-email")),
		)
		signIn(t, ctx, base, email, password)
		assert.Contains(t, textOf(t, ctx, "user-menu", func(s string) bool { return s != "" }, 5*time.Second), email)
		require.NotEmpty(t, shot(t, ctx, "iam-pages-invited-signed-in"))

		var list struct {
			Items []struct{ Email, Status string } `json:"items"`
		}
		admin.mustDo(t, 200, "GET", "/v1/iam/invitations", nil, &list)
		found := false
		for _, it := range list.Items {
			if it.Email == email {
				found = true
				assert.Equal(t, "ACCEPTED", it.Status)
			}
		}
		assert.True(t, found, "invitation of %s listed", email)

		// The invited user has the policy the invitation gave.
		var users struct {
			Items []struct{ UserID, Email string } `json:"items"`
		}
		admin.mustDo(t, 200, "GET", "/v1/iam/users", nil, &users)
		userID := ""
		for _, u := range users.Items {
			if u.Email == email {
				userID = u.UserID
			}
		}
		require.NotEmpty(t, userID)
		var policies struct {
			Items []struct {
				PolicyID string `json:"policyId"`
			} `json:"items"`
		}
		admin.mustDo(t, 200, "GET", "/v1/iam/users/"+userID+"/policies", nil, &policies)
		require.Len(t, policies.Items, 1)
		assert.Equal(t, "ReadOnlyAccess", policies.Items[0].PolicyID)

		// The used link is dead now: the page says so, with no password form.
		step(t, ctx, "open the used link again",
			chromedp.Navigate(link),
			chromedp.WaitVisible(tid("invite-dead")),
		)
		forms, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="invite-password"]').length`))
		require.NoError(t, err)
		assert.Zero(t, forms)
		require.NotEmpty(t, shot(t, ctx, "iam-pages-invitation-dead"))
		step(t, ctx, "back to the console", chromedp.Navigate(base+"/apis"), chromedp.WaitVisible(tid("nav-apis")))
	})

	t.Run("sign up from the login page into a new tenant", func(t *testing.T) {
		tenant := "self-" + randomID(3)
		step(t, ctx, "sign out and follow the sign-up link",
			chromedp.Click(tid("user-menu")),
			chromedp.WaitVisible(tid("sign-out")),
			chromedp.Click(tid("sign-out")),
			chromedp.WaitVisible(tid("login-signup-link")),
			chromedp.Click(tid("login-signup-link")),
			chromedp.WaitVisible(tid("signup-tenant")),
			chromedp.SendKeys(tid("signup-tenant"), tenant),
			chromedp.SendKeys(tid("signup-email"), "owner@"+tenant+".test"),
			chromedp.SendKeys(tid("signup-password"), "signup-password-1"),
			chromedp.Click(tid("signup-submit")),
			chromedp.WaitVisible(tid("nav-apis")),
		)
		assert.Equal(t, tenant, textOf(t, ctx, "tenant-name", func(s string) bool { return s != "" }, 5*time.Second))
		require.NotEmpty(t, shot(t, ctx, "iam-pages-signed-up"))
	})
}

// signIn signs in on the login page and waits for the console.
func signIn(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	step(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(tid("login-email")),
		chromedp.SendKeys(tid("login-email"), email),
		chromedp.SendKeys(tid("login-password"), password),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitVisible(tid("nav-apis")),
	)
}

// setInput replaces a React-controlled input's value as typing would.
func setInput(sel, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, %q);
		el.dispatchEvent(new Event('input', { bubbles: true }));
		return true;
	})()`, sel, value)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](js)(ctx, tg)
		return err
	})
}

type rotated struct{ id, token, note string }

// rotateInConsole presses Rotate on the key's row with the grace given and
// reads the new key's id and token from the dialog.
func rotateInConsole(t *testing.T, ctx context.Context, keyID, grace string) rotated {
	t.Helper()
	row := `[data-testid="access-key-row"][data-access-key-id="` + keyID + `"] `
	step(t, ctx, "rotate "+keyID+" with grace "+grace,
		chromedp.Click(tid("nav-access-keys")),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-testid="access-key-rotate"]`)),
		chromedp.Click(chromedp.CSS(row+`[data-testid="access-key-rotate"]`)),
		chromedp.WaitVisible(tid("access-key-grace")),
		setInput(`[data-testid="access-key-grace"]`, grace),
		chromedp.Click(tid("access-key-rotate-submit")),
		chromedp.WaitVisible(tid("access-key-token")),
	)
	r := rotated{
		token: textOf(t, ctx, "access-key-token", func(s string) bool { return strings.HasPrefix(s, "tpk_") }, 10*time.Second),
		id:    textOf(t, ctx, "access-key-new-id", func(s string) bool { return s != "" }, 5*time.Second),
		note:  textOf(t, ctx, "access-key-rotated-note", func(s string) bool { return s != "" }, 5*time.Second),
	}
	step(t, ctx, "close the token dialog",
		chromedp.Click(tid("access-key-done")),
		chromedp.WaitNotPresent(tid("access-key-token")),
	)
	return r
}
